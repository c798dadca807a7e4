//! The book's figures: pictures of the moving parts, drawn from sources kept beside them and
//! checked like the code (`cargo xtask figures [--check]`).
//!
//! Every figure is a source file in `src/figures/` and the SVG rendered from it, side by side:
//!
//! | source | drawn by |
//! |---|---|
//! | `NAME.pikchr` | [pikchr](https://pikchr.org), the PIC-like diagram language of SQLite's and Fossil's documentation, through the `pikchr` crate (its C reference implementation, pinned by `Cargo.lock`) |
//! | `NAME.swimlane.json` | this module: a trace recorded by a runtime (Chrome Trace Event format) and the window of it to draw, one lane per thread |
//!
//! The SVG is made to live inside a page, not beside it: a chapter includes it inline
//! (`{{#include figures/NAME.svg}}` inside a `<figure>` with a `<figcaption>`), so that it
//! takes its colours from the page. pikchr draws in black and a few named colours; every
//! colour is replaced here by `currentColor` (the page's text colour) or a CSS variable of
//! `theme/figures.css`, which gives each of mdBook's five themes its own values. A colour
//! outside that palette is an error, so no figure can be dark ink on a light page that turns
//! dark.
//!
//! The check ([`check`]) fails when an SVG differs from what its source renders to, when an
//! SVG has no source, when a figure is on no page, when its page gives it no caption, when
//! its source gives it no text alternative (`# alt: …` at the top of a pikchr file, `"alt"`
//! in a swimlane file), or when its smallest text would be drawn under 9 pixels on a phone
//! ([`too_small_on_a_phone`]).

use crate::{Problem, relative};
use std::path::{Path, PathBuf};

/// Where the figures live, relative to the repository root.
pub const DIR: &str = "src/figures";

/// The widest a figure may be drawn, in CSS pixels: the text column of a page on a wide
/// screen (`--content-max-width` in theme/book.css, less mdBook's padding). On a narrower
/// screen the figure is scaled down to the column (theme/figures.css).
pub const MAX_WIDTH: f64 = 760.0;

/// The column a figure is drawn in on a phone, in CSS pixels: a 375-pixel screen less
/// mdBook's padding. A wider figure is scaled down to it.
pub const PHONE_COLUMN: f64 = 335.0;

/// The smallest a figure's text may be drawn on that phone, in CSS pixels. Type under it is
/// hard to read: a figure that needs smaller type is too wide, or says too much in one place.
pub const MIN_PHONE_TEXT: f64 = 9.0;

/// The size of the figures' text, in CSS pixels. pikchr lays text out for about this size
/// (its `charht` of 0.14 inch at 144 pixels an inch is a 20-pixel line).
const FONT_SIZE: &str = "16px";

/// Set before every pikchr source: the width pikchr reckons per character, fitted to the
/// fonts the book's pages use (mdBook's Open Sans and Source Code Pro, measured in Chromium).
/// pikchr's default, 0.08 inch, makes proportional text about 25% wider than it is drawn, so
/// text placed by its edge (`with .w at …`) would start visibly off its mark; at 0.072 inch
/// proportional text comes out about 10% over and monospace within a few per cent.
const PIKCHR_PREAMBLE: &str = "charwid = 0.072\n";

/// One figure: its source and the SVG drawn from it.
#[derive(Debug, Clone)]
pub struct Figure {
    /// The file name without its extensions: `ch02-waker-anatomy`.
    pub name: String,
    pub source: PathBuf,
    pub svg: PathBuf,
}

/// Every figure source in `src/figures/`, sorted by name.
pub fn sources(root: &Path) -> Vec<Figure> {
    let dir = root.join(DIR);
    let mut out: Vec<Figure> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let file = entry.file_name().to_string_lossy().into_owned();
            let name = file
                .strip_suffix(".pikchr")
                .or_else(|| file.strip_suffix(".swimlane.json"))?
                .to_string();
            Some(Figure {
                svg: dir.join(format!("{name}.svg")),
                source: entry.path(),
                name,
            })
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// The SVG a figure's source renders to.
pub fn render(root: &Path, figure: &Figure) -> Result<String, String> {
    let text = std::fs::read_to_string(&figure.source)
        .map_err(|e| format!("cannot read {}: {e}", figure.source.display()))?;
    let shown = relative(root, &figure.source).display().to_string();
    let svg = if figure.source.to_string_lossy().ends_with(".swimlane.json") {
        swimlane::render(root, &figure.name, &text)
    } else {
        render_pikchr(&figure.name, &text)
    };
    svg.and_then(|svg| match too_small_on_a_phone(&svg) {
        Some(problem) => Err(problem),
        None => Ok(svg),
    })
    .map_err(|e| format!("{shown}: {e}"))
}

/// The smallest text of an SVG, if it would be drawn under [`MIN_PHONE_TEXT`] pixels high on
/// a phone, where the figure is scaled down to [`PHONE_COLUMN`]: which text, and how small.
pub fn too_small_on_a_phone(svg: &str) -> Option<String> {
    let width: f64 = attribute(svg, "viewBox")?
        .split_whitespace()
        .nth(2)?
        .parse()
        .ok()?;
    let scale = (PHONE_COLUMN / width).min(1.0);
    let page: f64 = FONT_SIZE.trim_end_matches("px").parse().ok()?;
    svg.lines()
        .filter(|line| line.starts_with("<text"))
        .map(|line| {
            let size = match attribute(line, "font-size") {
                Some(s) if s.ends_with('%') => {
                    s.trim_end_matches('%').parse::<f64>().unwrap_or(100.0) / 100.0 * page
                }
                Some(s) => s.trim_end_matches("px").parse().unwrap_or(page),
                None => page,
            };
            let content = line
                .split_once('>')
                .and_then(|(_, rest)| rest.split_once("</text>"))
                .map_or("", |(content, _)| content);
            (size * scale, content)
        })
        .filter(|(drawn, _)| *drawn < MIN_PHONE_TEXT - 0.05)
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(drawn, content)| {
            format!(
                "the text \"{content}\" would be {drawn:.1} px high on a phone (the figure, \
                 {width:.0} px wide, is scaled to {PHONE_COLUMN} px there), under \
                 {MIN_PHONE_TEXT} px: make the text larger (no `small`) or the figure narrower"
            )
        })
}

/// `cargo xtask figures`: renders every figure and writes the SVGs that changed.
pub fn write(root: &Path) -> Vec<Problem> {
    let mut problems = Vec::new();
    for figure in sources(root) {
        match render(root, &figure) {
            Ok(svg) => {
                if std::fs::read_to_string(&figure.svg).ok().as_deref() != Some(svg.as_str())
                    && let Err(e) = std::fs::write(&figure.svg, svg)
                {
                    problems.push(Problem::new(
                        relative(root, &figure.svg),
                        None,
                        format!("cannot write: {e}"),
                    ));
                }
            }
            Err(message) => {
                problems.push(Problem::new(relative(root, &figure.source), None, message))
            }
        }
    }
    problems.extend(check_pages(root));
    problems
}

/// `cargo xtask figures --check`: every SVG is what its source renders to, and every figure
/// is shown on a page with a caption.
pub fn check(root: &Path) -> Vec<Problem> {
    let mut problems = Vec::new();
    let figures = sources(root);
    for figure in &figures {
        let svg = relative(root, &figure.svg);
        match (render(root, figure), std::fs::read_to_string(&figure.svg)) {
            (Err(message), _) => {
                problems.push(Problem::new(relative(root, &figure.source), None, message))
            }
            (Ok(_), Err(_)) => problems.push(Problem::new(
                &svg,
                None,
                "is missing: run `cargo xtask figures`",
            )),
            (Ok(fresh), Ok(committed)) if fresh != committed => problems.push(Problem::new(
                &svg,
                None,
                "is not what its source renders to: run `cargo xtask figures` and review the diff",
            )),
            (Ok(_), Ok(committed)) => problems.extend(
                check_colours(&committed)
                    .into_iter()
                    .map(|m| Problem::new(&svg, None, m)),
            ),
        }
    }
    // An SVG without a source cannot be redrawn, so it cannot be trusted to match anything.
    for svg in crate::files_with_suffix(&root.join(DIR), ".svg") {
        if !figures.iter().any(|f| f.svg == svg) {
            problems.push(Problem::new(
                relative(root, &svg),
                None,
                "has no source (NAME.pikchr or NAME.swimlane.json) beside it",
            ));
        }
    }
    problems.extend(check_pages(root));
    problems
}

// ---------------------------------------------------------------------------------------------
// pikchr

/// The colours a figure may use, as pikchr writes them, and what each becomes in the page.
/// pikchr knows the names on the left (`color Blue`, `fill LightBlue`); anything else is an
/// error.
const PALETTE: &[(&str, &str, &str)] = &[
    // (pikchr's output, the name to write in a source, the CSS value in the page)
    ("rgb(0,0,0)", "(the default)", "currentColor"),
    ("rgb(255,255,255)", "White", "var(--bg)"),
    ("rgb(0,0,255)", "Blue", "var(--fig-blue)"),
    ("rgb(255,0,0)", "Red", "var(--fig-red)"),
    ("rgb(0,128,0)", "Green", "var(--fig-green)"),
    ("rgb(255,165,0)", "Orange", "var(--fig-orange)"),
    ("rgb(128,0,128)", "Purple", "var(--fig-purple)"),
    ("rgb(128,128,128)", "Gray", "var(--fig-gray)"),
    ("rgb(173,216,230)", "LightBlue", "var(--fig-blue-fill)"),
    ("rgb(255,228,225)", "MistyRose", "var(--fig-red-fill)"),
    ("rgb(240,255,240)", "Honeydew", "var(--fig-green-fill)"),
    ("rgb(255,228,181)", "Moccasin", "var(--fig-orange-fill)"),
    ("rgb(230,230,250)", "Lavender", "var(--fig-purple-fill)"),
    ("rgb(245,245,245)", "WhiteSmoke", "var(--fig-gray-fill)"),
];

/// The text alternative of a source: the `alt:` entry of its leading comment lines
/// (`# alt: …`, continued on the `#` lines after it until an empty `#` line).
pub fn pikchr_alt(source: &str) -> Option<String> {
    let mut alt: Option<String> = None;
    for line in source.lines() {
        let Some(comment) = line.trim_start().strip_prefix('#') else {
            break;
        };
        let comment = comment.trim();
        match (&mut alt, comment.strip_prefix("alt:")) {
            (None, Some(first)) => alt = Some(first.trim().to_string()),
            (Some(_), _) if comment.is_empty() => break,
            (Some(text), _) => {
                text.push(' ');
                text.push_str(comment);
            }
            (None, None) => {}
        }
    }
    alt.filter(|a| !a.is_empty())
}

/// Renders a pikchr source and fits the SVG for a themed page.
pub fn render_pikchr(name: &str, source: &str) -> Result<String, String> {
    let alt = pikchr_alt(source)
        .ok_or("no text alternative: start the file with `# alt: what the figure shows`")?;
    // The default flags: errors as plain text, the light-mode colours (made the page's below).
    let drawn = pikchr::Pikchr::render(
        &format!("{PIKCHR_PREAMBLE}{source}"),
        None,
        pikchr::PikchrFlags::default(),
    )?;
    let body = drawn.to_string();
    let (_, rest) = body
        .split_once('>')
        .ok_or("pikchr wrote no <svg> element")?;
    let elements: Vec<&str> = rest
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && *l != "</svg>")
        .collect();
    let (min_x, min_y, max_x, max_y) = bounds(&elements)?;
    let width = max_x - min_x;
    if width > MAX_WIDTH {
        return Err(format!(
            "the figure is {width:.0} px wide, wider than the page's text ({MAX_WIDTH} px): \
             draw it narrower"
        ));
    }
    let view_box = format!("{min_x:.2} {min_y:.2} {width:.2} {:.2}", max_y - min_y);
    let mut out = svg_open(name, &view_box, width, &alt);
    for element in elements {
        out.push_str(&themed(element)?);
        out.push('\n');
    }
    out.push_str("</svg>\n");
    Ok(out)
}

/// The box that holds everything drawn, with a margin for the strokes.
///
/// pikchr's own viewBox counts a text object by the box pikchr sizes it in, centred on its
/// position even when the text is left- or right-justified (`ljust`, `rjust`): a label set
/// flush with a drawing's edge would widen the figure by half its length. So the box is
/// measured here instead, from the geometry pikchr wrote and from each text's extent in the
/// page's fonts ([`text_width_em`]).
fn bounds(elements: &[&str]) -> Result<(f64, f64, f64, f64), String> {
    let mut b = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    let mut add = |x: f64, y: f64| {
        b = (b.0.min(x), b.1.min(y), b.2.max(x), b.3.max(y));
    };
    let number = |element: &str, name: &str| -> Result<f64, String> {
        attribute(element, name)
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| format!("pikchr wrote an element without a numeric {name}: {element}"))
    };
    for element in elements {
        let tag = element
            .trim_start_matches('<')
            .split([' ', '>'])
            .next()
            .unwrap_or("");
        match tag {
            "text" => {
                let (x, y) = (number(element, "x")?, number(element, "y")?);
                let scale = attribute(element, "font-size")
                    .and_then(|s| s.strip_suffix('%').and_then(|p| p.parse::<f64>().ok()))
                    .map_or(1.0, |p| p / 100.0);
                let em = 16.0 * scale;
                let style = if element.contains("font-family=\"monospace\"") {
                    TextStyle::Mono
                } else if element.contains("font-weight=\"bold\"") {
                    TextStyle::Bold
                } else if element.contains("font-style=\"italic\"") {
                    TextStyle::Italic
                } else {
                    TextStyle::Regular
                };
                let content = element
                    .split_once('>')
                    .and_then(|(_, rest)| rest.rsplit_once("</text>"))
                    .map_or("", |(content, _)| content)
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&quot;", "\"")
                    .replace("&amp;", "&");
                let w = text_width_em(&content, style) * em;
                let (left, right) = match attribute(element, "text-anchor").as_deref() {
                    Some("start") => (x, x + w),
                    Some("end") => (x - w, x),
                    _ => (x - w / 2.0, x + w / 2.0),
                };
                add(left, y - 0.6 * em);
                add(right, y + 0.6 * em);
            }
            "circle" => {
                let (x, y, r) = (
                    number(element, "cx")?,
                    number(element, "cy")?,
                    number(element, "r")?,
                );
                add(x - r, y - r);
                add(x + r, y + r);
            }
            "ellipse" => {
                let (x, y) = (number(element, "cx")?, number(element, "cy")?);
                let (rx, ry) = (number(element, "rx")?, number(element, "ry")?);
                add(x - rx, y - ry);
                add(x + rx, y + ry);
            }
            "polygon" => {
                let points = attribute(element, "points").ok_or("a polygon without points")?;
                for pair in points.split_whitespace() {
                    let (x, y) = pair
                        .split_once(',')
                        .ok_or("a polygon point without a comma")?;
                    add(parse_f64(x)?, parse_f64(y)?);
                }
            }
            "path" => {
                let d = attribute(element, "d").ok_or("a path without d")?;
                for (x, y) in path_points(&d)? {
                    add(x, y);
                }
            }
            other => {
                return Err(format!(
                    "pikchr wrote a <{other}>, which this module does not know"
                ));
            }
        }
    }
    if b.0 > b.2 {
        return Err("the figure draws nothing".into());
    }
    // Half the widest stroke pikchr draws (`thick`: 3 × 1.08 px), and a little air.
    let margin = 6.0;
    let round = |v: f64| (v * 100.0).round() / 100.0;
    Ok((
        round(b.0 - margin),
        round(b.1 - margin),
        round(b.2 + margin),
        round(b.3 + margin),
    ))
}

/// The fonts a figure's text is drawn in: the page's (mdBook's Open Sans, in three styles) and
/// its monospace (Source Code Pro).
#[derive(Debug, Clone, Copy, PartialEq)]
enum TextStyle {
    Regular,
    Italic,
    Bold,
    Mono,
}

/// The advance widths of Open Sans for the printable ASCII characters (space to `~`), in
/// thousandths of an em, measured in Chromium on the book's pages.
const OPEN_SANS: [u16; 95] = [
    259, 267, 400, 645, 571, 822, 729, 221, 296, 296, 551, 571, 245, 321, 266, 367, 571, 571, 571,
    571, 571, 571, 571, 571, 571, 571, 266, 266, 571, 571, 571, 429, 898, 632, 647, 630, 728, 556,
    516, 727, 737, 279, 267, 613, 518, 902, 753, 778, 601, 778, 617, 548, 553, 727, 595, 925, 577,
    559, 570, 329, 367, 329, 541, 448, 577, 556, 612, 476, 612, 560, 339, 547, 613, 253, 253, 524,
    253, 929, 613, 603, 612, 612, 408, 477, 353, 613, 500, 777, 523, 503, 467, 379, 550, 379, 571,
];
const OPEN_SANS_ITALIC: [u16; 95] = [
    259, 259, 386, 645, 550, 792, 669, 217, 285, 285, 551, 550, 240, 312, 253, 350, 550, 550, 550,
    550, 550, 550, 550, 550, 550, 550, 253, 253, 550, 550, 550, 426, 846, 555, 598, 584, 665, 511,
    472, 676, 678, 273, 267, 557, 474, 836, 701, 719, 565, 719, 568, 501, 498, 675, 547, 851, 518,
    502, 530, 286, 350, 286, 517, 394, 554, 564, 577, 450, 577, 493, 315, 500, 577, 254, 254, 487,
    254, 871, 577, 560, 577, 577, 396, 428, 324, 577, 461, 716, 478, 461, 443, 349, 550, 349, 550,
];
const OPEN_SANS_BOLD: [u16; 95] = [
    259, 286, 472, 645, 570, 900, 749, 266, 339, 339, 544, 570, 290, 321, 285, 413, 570, 570, 570,
    570, 570, 570, 570, 570, 570, 570, 285, 290, 570, 570, 570, 477, 896, 689, 671, 637, 739, 559,
    548, 723, 764, 331, 331, 663, 564, 942, 812, 795, 627, 795, 659, 550, 579, 755, 649, 966, 666,
    623, 579, 331, 413, 331, 532, 411, 606, 603, 632, 514, 632, 590, 387, 564, 656, 305, 305, 619,
    305, 981, 656, 618, 632, 632, 454, 497, 434, 656, 568, 855, 578, 568, 487, 394, 550, 394, 570,
];

/// How wide `text` is drawn, in ems: character by character in Open Sans (a wide letter such
/// as `w` is three times an `i`, so an average per character puts a short word at a
/// figure's edge over it), three fifths of an em a character in Source Code Pro. Characters
/// outside ASCII are counted an em wide (`→`, drawn by a fallback font, is), but for a few
/// narrower ones the figures use.
fn text_width_em(text: &str, style: TextStyle) -> f64 {
    let table = match style {
        TextStyle::Mono => return text.chars().count() as f64 * 0.6,
        TextStyle::Regular => &OPEN_SANS,
        TextStyle::Italic => &OPEN_SANS_ITALIC,
        TextStyle::Bold => &OPEN_SANS_BOLD,
    };
    text.chars()
        .map(|c| match c {
            ' '..='~' => f64::from(table[c as usize - ' ' as usize]) / 1000.0,
            '\u{a0}' | '·' => 0.29,
            '×' | '−' | '±' | 'µ' | '₀'..='₉' => 0.6,
            '…' => 0.86,
            _ => 1.0,
        })
        .sum()
}

fn parse_f64(text: &str) -> Result<f64, String> {
    text.trim()
        .parse()
        .map_err(|_| format!("pikchr wrote a number that is not one: {text:?}"))
}

/// The points a path of pikchr's passes through or bends towards: the ends of its lines
/// (`M`, `L`), of its arcs (`A`, whose corners are small) and of its curves with their control
/// points (`Q`).
fn path_points(d: &str) -> Result<Vec<(f64, f64)>, String> {
    let spaced: String = d
        .chars()
        .flat_map(|c| {
            if c.is_ascii_alphabetic() {
                vec![' ', c, ' ']
            } else if c == ',' {
                vec![' ']
            } else {
                vec![c]
            }
        })
        .collect();
    let mut points = Vec::new();
    let mut tokens = spaced.split_whitespace().peekable();
    let mut command = 'M';
    while let Some(token) = tokens.next() {
        if let Some(c) = token.chars().next().filter(|c| c.is_ascii_alphabetic()) {
            command = c;
            continue;
        }
        let mut take = |first: &str| -> Result<Vec<f64>, String> {
            let count = match command {
                'M' | 'L' => 2,
                'Q' => 4,
                'A' => 7,
                other => return Err(format!("pikchr wrote a path command {other} in {d:?}")),
            };
            let mut values = vec![parse_f64(first)?];
            for _ in 1..count {
                values.push(parse_f64(tokens.next().ok_or("a path cut short")?)?);
            }
            Ok(values)
        };
        let values = take(token)?;
        match command {
            'A' => points.push((values[5], values[6])),
            _ => points.extend(values.chunks(2).map(|p| (p[0], p[1]))),
        }
    }
    Ok(points)
}

/// The opening of every figure's `<svg>`: sized to its drawing, never wider than the column,
/// labelled with its text alternative for screen readers (and as a tooltip).
fn svg_open(name: &str, view_box: &str, width: f64, alt: &str) -> String {
    let width = width.round();
    let alt = escape(alt);
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"figure\" data-figure=\"{name}\" \
         viewBox=\"{view_box}\" width=\"{width:.0}\" font-size=\"{FONT_SIZE}\" role=\"img\" \
         aria-label=\"{alt}\">\n<title>{alt}</title>\n"
    )
}

/// One element of pikchr's output with its colours made the page's. Colours written as
/// `fill="…"` attributes become `style` properties: `var()` is not allowed in an attribute.
fn themed(element: &str) -> Result<String, String> {
    let mut out = element.to_string();
    for (attr, property) in [("fill=\"", "fill:"), ("stroke=\"", "stroke:")] {
        if let Some(start) = out.find(&format!(" {attr}")) {
            let value_start = start + 1 + attr.len();
            let end = value_start
                + out[value_start..]
                    .find('"')
                    .ok_or("an attribute without its closing quote")?;
            let value = out[value_start..end].to_string();
            out.replace_range(start..end + 1, "");
            out = add_style(&out, &format!("{property}{value}"));
        }
    }
    let mut result = String::with_capacity(out.len());
    let mut rest = out.as_str();
    while let Some(start) = rest.find("rgb(") {
        let end = start + rest[start..].find(')').ok_or("an rgb( without its )")? + 1;
        let colour = &rest[start..end];
        let (_, _, css) = PALETTE
            .iter()
            .find(|(rgb, _, _)| *rgb == colour)
            .ok_or_else(|| {
                let names: Vec<&str> = PALETTE.iter().map(|(_, name, _)| *name).collect();
                format!(
                    "the colour {colour} is not in the figures' palette; use one of {}",
                    names.join(", ")
                )
            })?;
        result.push_str(&rest[..start]);
        result.push_str(css);
        rest = &rest[end..];
    }
    result.push_str(rest);
    Ok(result)
}

/// `element` with `declaration` added to its `style` attribute (made if it has none).
fn add_style(element: &str, declaration: &str) -> String {
    if let Some(start) = element.find(" style=\"") {
        let at = start + " style=\"".len();
        format!("{}{declaration};{}", &element[..at], &element[at..])
    } else {
        let end = element
            .rfind("/>")
            .or_else(|| element.find('>'))
            .unwrap_or(element.len());
        format!(
            "{} style=\"{declaration}\"{}",
            element[..end].trim_end(),
            &element[end..]
        )
    }
}

/// The value of `name="…"` (or `name='…'`) in an element's opening tag.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let start = tag.find(&format!("{name}="))? + name.len() + 1;
    let quote = tag[start..].chars().next()?;
    let rest = &tag[start + 1..];
    Some(rest[..rest.find(quote)?].to_string())
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Colours in a finished SVG that would not follow the page's theme: anything in a `fill` or
/// `stroke` (attribute or style) other than `none`, `currentColor` or a CSS variable.
pub fn check_colours(svg: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (index, line) in svg.lines().enumerate() {
        for property in ["fill", "stroke", "color", "stop-color"] {
            for pattern in [format!(" {property}=\""), format!("{property}:")] {
                let mut rest = line;
                while let Some(at) = rest.find(&pattern) {
                    // `stroke-width:` is not `stroke:`; ` fill="` and `;fill:` are.
                    let before = rest[..at].chars().last();
                    let value_start = at + pattern.len();
                    let value: String = rest[value_start..]
                        .chars()
                        .take_while(|&c| c != '"' && c != ';' && c != '\'')
                        .collect();
                    rest = &rest[value_start..];
                    if pattern.ends_with(':')
                        && before.is_some_and(|c| c.is_alphanumeric() || c == '-')
                    {
                        continue;
                    }
                    let value = value.trim();
                    if !(value == "none"
                        || value == "currentColor"
                        || value == "transparent"
                        || value.starts_with("var(--"))
                    {
                        out.push(format!(
                            "line {}: {property} {value} is a fixed colour; figures draw with \
                             currentColor or the palette's CSS variables",
                            index + 1
                        ));
                    }
                }
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Pages

/// Every figure is included by a page, inside a `<figure>` that has a `<figcaption>`; in a
/// chapter, captions are numbered `Figure N.k` in the order the figures appear.
pub fn check_pages(root: &Path) -> Vec<Problem> {
    let pages: Vec<(PathBuf, String)> = crate::files_with_suffix(&root.join("src"), ".md")
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            (relative(root, &path), text)
        })
        .collect();
    let mut problems = Vec::new();
    for figure in sources(root) {
        let shown = pages.iter().any(|(_, text)| {
            text.lines()
                .filter_map(figure_include)
                .any(|path| path == format!("figures/{}.svg", figure.name))
        });
        if !shown {
            problems.push(Problem::new(
                relative(root, &figure.svg),
                None,
                format!(
                    "is on no page: include it in a chapter inside <figure> … <figcaption>, \
                     with {{{{#include figures/{}.svg}}}}",
                    figure.name
                ),
            ));
        }
    }
    for (chapter, text) in &pages {
        let number = chapter_number(chapter);
        let mut seen = 0;
        let lines: Vec<&str> = text.lines().collect();
        for (index, line) in lines.iter().enumerate() {
            let Some(included) = figure_include(line) else {
                continue;
            };
            seen += 1;
            let at = |m: String| Problem::new(chapter, Some(index + 1), m);
            if !root.join("src").join(&included).is_file() {
                problems.push(at(format!("includes {included}, which does not exist")));
            }
            let opened = index
                .checked_sub(1)
                .is_some_and(|i| lines[i].trim_start().starts_with("<figure"));
            if !opened {
                problems.push(at(format!(
                    "{included} must be the first thing inside a <figure …> (on the line before)"
                )));
            }
            let block: Vec<&str> = lines[index + 1..]
                .iter()
                .take_while(|l| !l.trim().is_empty())
                .copied()
                .collect();
            match caption_of(&block.join("\n")) {
                None => problems.push(at(format!(
                    "{included} has no <figcaption> before its </figure> (and no blank line \
                     between them: Markdown would end the figure there)"
                ))),
                Some(caption) => {
                    if let Some(n) = number {
                        let wanted = format!("Figure {n}.{seen}");
                        match caption.strip_prefix(&wanted) {
                            Some(rest) if rest.starts_with(['.', ':', ' ']) => {
                                if rest.trim_start_matches(['.', ':']).trim().len() < 10 {
                                    problems.push(at(format!(
                                        "the caption of {included} says nothing after its number"
                                    )));
                                }
                            }
                            _ => problems.push(at(format!(
                                "the caption of {included} must start with \"{wanted}\" \
                                 (figures are numbered in the order they appear): it reads \
                                 \"{caption}\""
                            ))),
                        }
                    }
                }
            }
            if !block.iter().any(|l| l.trim() == "</figure>") {
                problems.push(at(format!("{included}'s <figure> is not closed")));
            }
        }
    }
    problems
}

/// `src/ch06-epoll-eventfd.md` → `Some(6)`.
fn chapter_number(chapter: &Path) -> Option<u32> {
    let name = chapter.file_name()?.to_str()?;
    name.strip_prefix("ch")?.get(..2)?.parse().ok()
}

/// The figure a line includes: `{{#include figures/NAME.svg}}` → `figures/NAME.svg`.
fn figure_include(line: &str) -> Option<String> {
    let path = line
        .trim()
        .strip_prefix("{{#include")?
        .strip_suffix("}}")?
        .trim();
    (path.starts_with("figures/") && path.ends_with(".svg")).then(|| path.to_string())
}

/// The text of the first `<figcaption>…</figcaption>`, tags removed and spaces collapsed.
fn caption_of(block: &str) -> Option<String> {
    let start = block.find("<figcaption")?;
    let start = start + block[start..].find('>')? + 1;
    let end = start + block[start..].find("</figcaption>")?;
    let mut text = String::new();
    let mut in_tag = false;
    for c in block[start..end].chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (!text.is_empty()).then_some(text)
}

pub mod swimlane {
    //! Swimlanes drawn from a recorded trace: one lane per thread, time running right.
    //!
    //! A figure's source, `NAME.swimlane.json`, names a trace and the window of it to draw:
    //!
    //! ```json
    //! { "alt": "what the figure shows, for a screen reader",
    //!   "trace": "examples-code/ch15-many-threads-fast/traces/ping_pong.json",
    //!   "from_us": 1200, "to_us": 1300,
    //!   "threads": ["worker 0", "worker 1"] }
    //! ```
    //!
    //! `trace` is relative to the repository root; `threads` (optional) picks the lanes and
    //! their order, else every named thread in the order of its number. The trace is in the
    //! Chrome Trace Event format, as chapter 15's recorder writes it (`src/trace.rs`):
    //! `thread_name` metadata, `B`/`E` pairs for `poll N` and `park`, `X` spans for
    //! `epoll_wait`, and instant events (`wake`, `push local`, `push LIFO slot`,
    //! `push injector`, `steal`, `unpark`) with their arguments.
    //!
    //! What is drawn: a poll as a box in its task's colour with the task's number; a park as
    //! a thin line (asleep); an `epoll_wait` as a grey box; a push as a tick (L local, S LIFO
    //! slot, I injector); a steal as a red arrow from the victim's lane (`from`, a worker
    //! index, names the lane `worker {from}`) to the thief's; a wake whose task is next polled
    //! on another lane as a blue arrow from the wake to that poll; an unpark as a dashed
    //! orange arrow to the moment the woken worker's sleep ends (on its parker, or in the
    //! driver's `epoll_wait`).

    use serde_json::Value;
    use std::collections::BTreeMap;
    use std::path::Path;

    /// The drawing's width, and where the lanes begin (after their names). Narrow enough that
    /// its smallest text ([`SMALL`]) still reads on a phone, where it is scaled down to the
    /// column (`PHONE_COLUMN`).
    const WIDTH: f64 = 520.0;
    const PLOT_LEFT: f64 = 92.0;
    const PLOT_RIGHT: f64 = WIDTH - 12.0;
    const LANE: f64 = 44.0;
    const TOP: f64 = 40.0;
    /// The size of the time axis, the task numbers, the push ticks' letters, the arrows'
    /// labels and the legend, in pixels (the lanes' names are the page's size).
    const SMALL: f64 = 14.0;
    /// The legend, under the lanes, one line each.
    const LEGEND: [&str; 3] = [
        "boxes: polls, by task · grey: epoll_wait · thick blue line: asleep",
        "arrows: red steal, blue wake, dashed unpark",
        "ticks: push (L local, S LIFO slot, I injector)",
    ];

    /// The task number of `block_on`'s own future (`poll main` in a trace).
    const MAIN: u64 = u64::MAX;

    /// The tasks' colours, in the order tasks first appear in the window.
    const TASK_COLOURS: &[&str] = &["blue", "orange", "green", "purple", "red", "gray"];

    #[derive(Debug, Clone, PartialEq)]
    pub(crate) enum Span {
        Poll(u64),
        Park,
        EpollWait(u64),
    }

    #[derive(Debug, Clone, PartialEq)]
    pub(crate) enum Instant {
        Wake { task: u64 },
        Push { task: u64, queue: char },
        Steal { from: u64, count: u64 },
        Unpark { worker: u64 },
    }

    /// A trace, read: per thread (by `tid`), its name, spans and instants, times in µs.
    #[derive(Debug, Default)]
    pub(crate) struct Trace {
        pub names: BTreeMap<u64, String>,
        pub spans: Vec<(u64, f64, f64, Span)>,
        pub instants: Vec<(u64, f64, Instant)>,
    }

    impl Trace {
        /// How many spans and instants of thread `tid` fall between `from` and `to`.
        pub(crate) fn events_between(&self, tid: u64, from: f64, to: f64) -> usize {
            let spans = self
                .spans
                .iter()
                .filter(|(t, start, end, _)| *t == tid && *end >= from && *start <= to)
                .count();
            let instants = self
                .instants
                .iter()
                .filter(|(t, ts, _)| *t == tid && (from..=to).contains(ts))
                .count();
            spans + instants
        }
    }

    fn number(event: &Value, key: &str) -> Result<f64, String> {
        event
            .get(key)
            .and_then(Value::as_f64)
            .ok_or_else(|| format!("an event without a number `{key}`: {event}"))
    }

    fn arg(event: &Value, key: &str) -> Result<u64, String> {
        event
            .get("args")
            .and_then(|a| a.get(key))
            .and_then(Value::as_u64)
            .ok_or_else(|| format!("an event without the argument `{key}`: {event}"))
    }

    /// Reads Chrome Trace Event JSON. A span still open at the end of the trace ends there; an
    /// `E` with no `B` (a park that began before the recording) starts at the trace's start.
    pub(crate) fn parse(json: &str) -> Result<Trace, String> {
        let root: Value =
            serde_json::from_str(json).map_err(|e| format!("the trace is not JSON: {e}"))?;
        let events = root
            .get("traceEvents")
            .and_then(Value::as_array)
            .ok_or("the trace has no `traceEvents` array")?;
        let mut trace = Trace::default();
        let mut open: BTreeMap<(u64, String), f64> = BTreeMap::new();
        let mut first = f64::MAX;
        let mut last = f64::MIN;
        let span_of = |name: &str| -> Option<Span> {
            if name == "park" {
                Some(Span::Park)
            } else {
                match name.strip_prefix("poll ") {
                    // `block_on`'s own future, which is not a task (chapter 14's recorder).
                    Some("main") => Some(Span::Poll(MAIN)),
                    Some(n) => n.parse().ok().map(Span::Poll),
                    None => None,
                }
            }
        };
        for event in events {
            let phase = event.get("ph").and_then(Value::as_str).unwrap_or("");
            let name = event.get("name").and_then(Value::as_str).unwrap_or("");
            let tid = event.get("tid").and_then(Value::as_u64).unwrap_or(0);
            if phase == "M" {
                if name == "thread_name" {
                    let thread = event
                        .get("args")
                        .and_then(|a| a.get("name"))
                        .and_then(Value::as_str)
                        .ok_or("a thread_name without a name")?;
                    trace.names.insert(tid, thread.to_string());
                }
                continue;
            }
            let ts = number(event, "ts")?;
            first = first.min(ts);
            last = last.max(ts);
            match phase {
                "B" => {
                    open.insert((tid, name.to_string()), ts);
                }
                "E" => {
                    let start = open.remove(&(tid, name.to_string()));
                    if let Some(span) = span_of(name) {
                        trace.spans.push((tid, start.unwrap_or(f64::MIN), ts, span));
                    }
                }
                "X" if name == "epoll_wait" => {
                    let end = ts + number(event, "dur")?;
                    last = last.max(end);
                    trace
                        .spans
                        .push((tid, ts, end, Span::EpollWait(arg(event, "events")?)));
                }
                "i" | "I" => {
                    let instant = match name {
                        "wake" => Instant::Wake {
                            task: arg(event, "task")?,
                        },
                        "push local" | "push LIFO slot" | "push injector" => Instant::Push {
                            task: arg(event, "task")?,
                            queue: match name {
                                "push local" => 'L',
                                "push LIFO slot" => 'S',
                                _ => 'I',
                            },
                        },
                        "steal" => Instant::Steal {
                            from: arg(event, "from")?,
                            count: arg(event, "count")?,
                        },
                        "unpark" => Instant::Unpark {
                            worker: arg(event, "worker")?,
                        },
                        _ => continue,
                    };
                    trace.instants.push((tid, ts, instant));
                }
                _ => {}
            }
        }
        for ((tid, name), start) in open {
            if let Some(span) = span_of(&name) {
                trace.spans.push((tid, start, f64::MAX, span));
            }
        }
        for span in &mut trace.spans {
            span.1 = span.1.max(first);
            span.2 = span.2.min(last);
        }
        trace
            .spans
            .sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        Ok(trace)
    }

    /// A round step for the time axis: 1, 2 or 5 times a power of ten, about a sixth of `span`.
    fn tick_step(span: f64) -> f64 {
        let raw = span / 6.0;
        let power = 10f64.powf(raw.log10().floor());
        [1.0, 2.0, 5.0, 10.0]
            .into_iter()
            .map(|m| m * power)
            .find(|step| *step >= raw)
            .unwrap_or(10.0 * power)
    }

    fn fmt_us(value: f64) -> String {
        if value >= 1000.0 {
            format!("{} ms", trim(value / 1000.0))
        } else {
            format!("{} µs", trim(value))
        }
    }

    fn trim(value: f64) -> String {
        let text = format!("{value:.2}");
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    }

    /// Draws the swimlane figure that `spec` (the JSON of a `.swimlane.json` file) describes.
    pub fn render(root: &Path, name: &str, spec: &str) -> Result<String, String> {
        let spec: Value = serde_json::from_str(spec).map_err(|e| format!("not JSON: {e}"))?;
        let text = |key: &str| -> Result<String, String> {
            spec.get(key)
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| format!("no `{key}`"))
        };
        let alt = text("alt")?;
        if alt.trim().len() < 20 {
            return Err("`alt` must say what the figure shows".into());
        }
        let trace_path = root.join(text("trace")?);
        let json = std::fs::read_to_string(&trace_path)
            .map_err(|e| format!("cannot read {}: {e}", trace_path.display()))?;
        let trace = parse(&json)?;
        let from = spec
            .get("from_us")
            .and_then(Value::as_f64)
            .ok_or("no `from_us`")?;
        let to = spec
            .get("to_us")
            .and_then(Value::as_f64)
            .ok_or("no `to_us`")?;
        if to <= from {
            return Err("`to_us` must come after `from_us`".into());
        }
        let lanes: Vec<(u64, String)> = match spec.get("threads").and_then(Value::as_array) {
            Some(wanted) => wanted
                .iter()
                .map(|w| {
                    let w = w.as_str().ok_or("`threads` holds names")?;
                    // A process that ran several runtimes has several threads of one name:
                    // take the one that did the most in the window.
                    trace
                        .names
                        .iter()
                        .filter(|(_, n)| n.as_str() == w)
                        .max_by_key(|(tid, _)| trace.events_between(**tid, from, to))
                        .map(|(tid, n)| (*tid, n.clone()))
                        .ok_or_else(|| format!("the trace has no thread named {w:?}"))
                })
                .collect::<Result<_, String>>()?,
            None => trace.names.iter().map(|(t, n)| (*t, n.clone())).collect(),
        };
        Ok(draw(name, &alt, &trace, &lanes, from, to))
    }

    /// The SVG of lanes `lanes` of `trace` between `from` and `to` µs.
    pub(crate) fn draw(
        name: &str,
        alt: &str,
        trace: &Trace,
        lanes: &[(u64, String)],
        from: f64,
        to: f64,
    ) -> String {
        let lane_of = |tid: u64| lanes.iter().position(|(t, _)| *t == tid);
        let x = |ts: f64| {
            PLOT_LEFT + (ts.clamp(from, to) - from) / (to - from) * (PLOT_RIGHT - PLOT_LEFT)
        };
        let y = |lane: usize| TOP + LANE * lane as f64 + LANE / 2.0;
        let height = TOP + LANE * lanes.len() as f64 + 20.0 + 18.0 * LEGEND.len() as f64;
        let visible = |start: f64, end: f64| end >= from && start <= to;
        // Colours by task, in order of first appearance in the window.
        let mut colours: BTreeMap<u64, &str> = BTreeMap::new();
        for (tid, start, end, span) in &trace.spans {
            if let (Span::Poll(task), Some(_), true) = (span, lane_of(*tid), visible(*start, *end))
            {
                let next = TASK_COLOURS[colours.len() % TASK_COLOURS.len()];
                colours.entry(*task).or_insert(next);
            }
        }
        let mut out = super::svg_open(name, &format!("0 0 {WIDTH:.0} {height:.0}"), WIDTH, alt);
        let mut line = |text: String| {
            out.push_str(&text);
            out.push('\n');
        };
        // The time axis.
        let step = tick_step(to - from);
        let mut tick = (from / step).ceil() * step;
        // Where the axis's dashed lines run: a push's letter is not written across one.
        let mut grid = Vec::new();
        while tick <= to + 1e-9 {
            let tx = x(tick);
            grid.push(tx);
            line(format!(
                "<path d=\"M{tx:.1},{:.1}V{:.1}\" style=\"fill:none;stroke:var(--fig-gray);stroke-width:1;stroke-dasharray:2,3\"/>",
                TOP - 6.0,
                TOP + LANE * lanes.len() as f64
            ));
            // The last label ends at the edge rather than past it.
            let anchor = if tx > PLOT_RIGHT - 20.0 {
                "end"
            } else {
                "middle"
            };
            line(format!(
                "<text x=\"{tx:.1}\" y=\"{:.1}\" text-anchor=\"{anchor}\" font-size=\"{SMALL}\" style=\"fill:var(--fig-gray)\">{}</text>",
                TOP - 14.0,
                fmt_us(tick - from)
            ));
            tick += step;
        }
        // The lanes.
        for (index, (_, name)) in lanes.iter().enumerate() {
            let ly = y(index);
            line(format!(
                "<text x=\"{:.1}\" y=\"{ly:.1}\" text-anchor=\"end\" dominant-baseline=\"central\" style=\"fill:currentColor\">{}</text>",
                PLOT_LEFT - 8.0,
                super::escape(name)
            ));
            line(format!(
                "<path d=\"M{PLOT_LEFT:.1},{ly:.1}H{PLOT_RIGHT:.1}\" style=\"fill:none;stroke:var(--fig-gray);stroke-width:1\"/>"
            ));
        }
        // Spans: parks under polls under epoll_waits.
        for (tid, start, end, span) in &trace.spans {
            let (Some(lane), true) = (lane_of(*tid), visible(*start, *end)) else {
                continue;
            };
            let (x0, x1, ly) = (x(*start), x(*end), y(lane));
            match span {
                Span::Park => line(format!(
                    "<path d=\"M{x0:.1},{ly:.1}H{x1:.1}\" style=\"fill:none;stroke:var(--fig-blue);stroke-width:4;stroke-linecap:butt;opacity:0.55\"/>"
                )),
                Span::Poll(task) => {
                    let colour = colours.get(task).copied().unwrap_or("gray");
                    let w = (x1 - x0).max(1.5);
                    line(format!(
                        "<rect x=\"{x0:.1}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"22\" style=\"fill:var(--fig-{colour}-fill);stroke:var(--fig-{colour});stroke-width:1.2\"/>",
                        ly - 11.0
                    ));
                    let label = if *task == MAIN {
                        "main".to_string()
                    } else {
                        task.to_string()
                    };
                    if w >= 11.0 * label.len() as f64 {
                        line(format!(
                            "<text x=\"{:.1}\" y=\"{ly:.1}\" text-anchor=\"middle\" dominant-baseline=\"central\" font-size=\"{SMALL}\" style=\"fill:currentColor\">{label}</text>",
                            x0 + w / 2.0
                        ));
                    }
                }
                Span::EpollWait(events) => {
                    let w = (x1 - x0).max(1.5);
                    line(format!(
                        "<rect x=\"{x0:.1}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"14\" style=\"fill:var(--fig-gray-fill);stroke:var(--fig-gray);stroke-width:1\"><title>epoll_wait: {events} events</title></rect>",
                        ly - 7.0
                    ));
                }
            }
        }
        // Instants: ticks for pushes, arrows for steals, wakes to another lane, unparks.
        let arrow = |out: &mut Vec<String>,
                     (x0, y0): (f64, f64),
                     (x1, y1): (f64, f64),
                     colour: &str,
                     dashed: bool,
                     label: &str| {
            let dash = if dashed { ";stroke-dasharray:4,3" } else { "" };
            out.push(format!(
                "<path d=\"M{x0:.1},{y0:.1}L{x1:.1},{y1:.1}\" style=\"fill:none;stroke:var(--fig-{colour});stroke-width:1.6{dash}\"/>"
            ));
            // The head: a small triangle pointing along the line.
            let (dx, dy) = (x1 - x0, y1 - y0);
            let len = (dx * dx + dy * dy).sqrt().max(1e-9);
            let (ux, uy) = (dx / len, dy / len);
            let (bx, by) = (x1 - ux * 7.0, y1 - uy * 7.0);
            out.push(format!(
                "<polygon points=\"{x1:.1},{y1:.1} {:.1},{:.1} {:.1},{:.1}\" style=\"fill:var(--fig-{colour})\"/>",
                bx - uy * 3.5,
                by + ux * 3.5,
                bx + uy * 3.5,
                by - ux * 3.5
            ));
            if !label.is_empty() {
                out.push(format!(
                    "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"{SMALL}\" style=\"fill:var(--fig-{colour})\">{label}</text>",
                    (x0 + x1) / 2.0 + 4.0,
                    (y0 + y1) / 2.0
                ));
            }
        };
        let mut marks = Vec::new();
        // Where the last push label of each lane ends: a label that would overlap it is left out
        // (the tick stays).
        let mut last_label = vec![f64::MIN; lanes.len()];
        for (tid, ts, instant) in &trace.instants {
            let (Some(lane), true) = (lane_of(*tid), (from..=to).contains(ts)) else {
                continue;
            };
            let (tx, ly) = (x(*ts), y(lane));
            match instant {
                Instant::Push { queue, .. } => {
                    marks.push(format!(
                        "<path d=\"M{tx:.1},{:.1}V{:.1}\" style=\"fill:none;stroke:currentColor;stroke-width:1.2\"/>",
                        ly - 17.0,
                        ly - 11.0
                    ));
                    if tx - last_label[lane] >= 10.0 && grid.iter().all(|g| (g - tx).abs() >= 5.0) {
                        last_label[lane] = tx;
                        marks.push(format!(
                            "<text x=\"{tx:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"{SMALL}\" style=\"fill:currentColor\">{queue}</text>",
                            ly - 19.0
                        ));
                    }
                }
                Instant::Steal {
                    from: victim,
                    count,
                } => {
                    let victim = format!("worker {victim}");
                    if let Some(v) = lanes.iter().position(|(_, n)| *n == victim) {
                        let toward = if v < lane { 1.0 } else { -1.0 };
                        arrow(
                            &mut marks,
                            (tx, y(v) + toward * 11.0),
                            (tx, ly - toward * 11.0),
                            "red",
                            false,
                            &format!("steal {count}"),
                        );
                    }
                }
                Instant::Wake { task } => {
                    let next = trace
                        .spans
                        .iter()
                        .find(|(_, start, _, span)| *span == Span::Poll(*task) && *start >= *ts);
                    if let Some((other, start, _, _)) = next
                        && *other != *tid
                        && let Some(o) = lane_of(*other)
                        && *start <= to
                    {
                        let toward = if o > lane { 1.0 } else { -1.0 };
                        arrow(
                            &mut marks,
                            (tx, ly + toward * 11.0),
                            (x(*start), y(o) - toward * 11.0),
                            "blue",
                            false,
                            "",
                        );
                    }
                }
                Instant::Unpark { worker } => {
                    let woken = format!("worker {worker}");
                    if let Some(o) = lanes.iter().position(|(_, n)| *n == woken) {
                        // The first sleep of the woken worker to end after the unpark: on
                        // its parker, or in the driver's `epoll_wait`.
                        let end = trace
                            .spans
                            .iter()
                            .filter(|(t, _, end, span)| {
                                *t == lanes[o].0
                                    && matches!(span, Span::Park | Span::EpollWait(_))
                                    && *end >= *ts
                            })
                            .map(|s| s.2)
                            .reduce(f64::min)
                            .unwrap_or(*ts);
                        let toward = if o > lane { 1.0 } else { -1.0 };
                        arrow(
                            &mut marks,
                            (tx, ly + toward * 4.0),
                            (x(end), y(o) - toward * 4.0),
                            "orange",
                            true,
                            "",
                        );
                    }
                }
            }
        }
        for mark in marks {
            line(mark);
        }
        // The legend.
        let ly = TOP + LANE * lanes.len() as f64 + 18.0;
        for (i, text) in LEGEND.iter().enumerate() {
            line(format!(
                "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"{SMALL}\" style=\"fill:var(--fig-gray)\">{text}</text>",
                8.0,
                ly + 18.0 * i as f64
            ));
        }
        out.push_str("</svg>\n");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alt_text_is_read_from_the_leading_comment() {
        let source = "# alt: A box\n#   and an arrow.\n#\n# not part of it\nbox \"A\"\n";
        assert_eq!(pikchr_alt(source).as_deref(), Some("A box and an arrow."));
        assert_eq!(pikchr_alt("box \"A\"\n# alt: too late\n"), None);
    }

    /// The numbers of an SVG's `viewBox`: min x, min y, width, height.
    fn view_box(svg: &str) -> Vec<f64> {
        attribute(svg, "viewBox")
            .unwrap()
            .split_whitespace()
            .map(|v| v.parse().unwrap())
            .collect()
    }

    #[test]
    fn a_short_word_of_wide_letters_at_the_edge_is_inside_the_figure() {
        // "wake" is 38.7 px wide in Open Sans at 16 px (Chromium): an average of under half
        // an em a character made it 30 px, and its last letter fell outside the figure.
        let svg = render_pikchr(
            "x",
            "# alt: a box and a label\nB: box wid 1in ht 0.5in\ntext \"wake\" ljust at B.e\n",
        )
        .unwrap();
        let text = svg.lines().find(|l| l.starts_with("<text")).unwrap();
        let x: f64 = attribute(text, "x").unwrap().parse().unwrap();
        let [min_x, _, width, _] = view_box(&svg)[..] else {
            panic!("a viewBox of four numbers")
        };
        assert!(min_x + width >= x + 38.7, "{min_x} + {width} < {x} + 38.7");
        assert!(
            text_width_em("ill", TextStyle::Regular)
                < text_width_em("wmw", TextStyle::Regular) / 2.0
        );
        assert_eq!(text_width_em("wake", TextStyle::Mono), 2.4);
    }

    #[test]
    fn small_type_in_a_wide_figure_is_refused_and_in_a_narrow_one_allowed() {
        // 80% of 16 px, in a figure scaled from about 590 px to 335: 7.3 px on a phone.
        let wide = "# alt: a wide box\nbox wid 4in \"a note\" small\n";
        let problem = too_small_on_a_phone(&render_pikchr("x", wide).unwrap()).unwrap();
        // (pikchr writes the space as a no-break space.)
        assert!(
            problem.contains("a\u{a0}note\" would be 7.3 px"),
            "{problem}"
        );
        // The same text at the page's size: 9.1 px.
        let plain = "# alt: a wide box\nbox wid 4in \"a note\"\n";
        assert_eq!(
            too_small_on_a_phone(&render_pikchr("x", plain).unwrap()),
            None
        );
        // Small type in a figure no wider than the column keeps its size.
        let narrow = "# alt: a narrow box\nbox wid 2in \"a note\" small\n";
        assert_eq!(
            too_small_on_a_phone(&render_pikchr("x", narrow).unwrap()),
            None
        );
    }

    #[test]
    fn a_figure_without_alt_text_is_refused() {
        let error = render_pikchr("x", "box \"A\"\n").unwrap_err();
        assert!(error.contains("text alternative"), "{error}");
    }

    #[test]
    fn black_becomes_the_text_colour_and_named_colours_become_variables() {
        let svg = render_pikchr(
            "x",
            "# alt: A blue box.\nbox \"A\" color Blue fill LightBlue\narrow\ntext \"t\"\n",
        )
        .unwrap();
        assert!(svg.contains("stroke:var(--fig-blue)"), "{svg}");
        assert!(svg.contains("fill:var(--fig-blue-fill)"), "{svg}");
        assert!(svg.contains("fill:currentColor"), "{svg}");
        assert!(!svg.contains("rgb("), "{svg}");
        assert!(check_colours(&svg).is_empty(), "{:?}", check_colours(&svg));
        assert!(
            svg.contains("role=\"img\" aria-label=\"A blue box.\""),
            "{svg}"
        );
        assert!(
            !svg.contains("\n\n"),
            "a blank line would end the HTML block in Markdown"
        );
    }

    #[test]
    fn a_colour_goes_into_the_style_attribute_not_into_font_style() {
        let svg = render_pikchr("x", "# alt: Italic.\ntext \"t\" italic\n").unwrap();
        assert!(svg.contains("font-style=\"italic\""), "{svg}");
        assert!(svg.contains("style=\"fill:currentColor\""), "{svg}");
    }

    #[test]
    fn a_colour_outside_the_palette_is_refused() {
        let error = render_pikchr("x", "# alt: A box.\nbox \"A\" fill Yellow\n").unwrap_err();
        assert!(error.contains("not in the figures' palette"), "{error}");
    }

    #[test]
    fn fixed_colours_are_found() {
        let bad = "<rect style=\"fill:#ffffff;stroke-width:2\"/>\n<text fill=\"black\">x</text>";
        let found = check_colours(bad);
        assert_eq!(found.len(), 2, "{found:?}");
        let good = "<rect style=\"fill:var(--bg);stroke:currentColor;stroke-width:2\"/>";
        assert!(check_colours(good).is_empty());
    }

    #[test]
    fn captions_are_read_without_their_tags() {
        let block =
            "<figcaption>Figure 2.1. A <code>Waker</code>,\n drawn.</figcaption>\n</figure>";
        assert_eq!(
            caption_of(block).as_deref(),
            Some("Figure 2.1. A Waker, drawn.")
        );
        assert_eq!(caption_of("<figcaption> </figcaption>"), None);
    }

    #[test]
    fn a_trace_is_read_into_spans_and_instants() {
        let trace = swimlane::parse(include_str!("figures/fixture.trace.json")).unwrap();
        assert_eq!(trace.names.get(&1).map(String::as_str), Some("worker 0"));
        assert!(
            trace
                .spans
                .contains(&(1, 4.0, 7.0, swimlane::Span::Poll(1)))
        );
        assert!(
            trace
                .spans
                .contains(&(1, 10.5, 12.5, swimlane::Span::EpollWait(0)))
        );
        // A park that began before the recording starts with the recording; one still open
        // at its end ends there.
        assert!(trace.spans.contains(&(1, 1.0, 3.0, swimlane::Span::Park)));
        assert!(trace.spans.contains(&(1, 13.0, 13.0, swimlane::Span::Park)));
        assert!(
            trace
                .instants
                .contains(&(2, 8.0, swimlane::Instant::Steal { from: 0, count: 1 }))
        );
        assert!(trace.instants.contains(&(
            0,
            1.0,
            swimlane::Instant::Push {
                task: 1,
                queue: 'I'
            }
        )));
        assert!(swimlane::parse("{\"traceEvents\": 3}").is_err());
    }

    #[test]
    fn a_swimlane_draws_lanes_polls_and_the_arrows_between_threads() {
        let trace = swimlane::parse(include_str!("figures/fixture.trace.json")).unwrap();
        let lanes: Vec<(u64, String)> = trace.names.iter().map(|(t, n)| (*t, n.clone())).collect();
        let svg = swimlane::draw(
            "x",
            "A fixture of three threads.",
            &trace,
            &lanes,
            0.0,
            14.0,
        );
        assert_eq!(
            svg,
            swimlane::draw(
                "x",
                "A fixture of three threads.",
                &trace,
                &lanes,
                0.0,
                14.0
            )
        );
        for lane in ["block_on", "worker 0", "worker 1"] {
            assert!(
                svg.contains(&format!(">{lane}</text>")),
                "no lane {lane}: {svg}"
            );
        }
        // Polls 1 and 2 on worker 0, 3 on worker 1, each in its own colour.
        assert_eq!(
            svg.matches("<rect").count(),
            3 + 1,
            "three polls, one epoll_wait"
        );
        assert!(
            svg.contains("fill:var(--fig-blue-fill)")
                && svg.contains("fill:var(--fig-orange-fill)")
        );
        assert!(svg.contains(">steal 1</text>"), "the steal is drawn");
        // The wake of task 3 on worker 0, polled next on worker 1: a blue arrow.
        assert!(
            svg.contains("fill:var(--fig-blue)\"/>"),
            "no wake arrow: {svg}"
        );
        assert!(
            svg.contains("stroke:var(--fig-orange);stroke-width:1.6;stroke-dasharray"),
            "no unpark arrow"
        );
        assert!(check_colours(&svg).is_empty(), "{:?}", check_colours(&svg));
        assert_eq!(too_small_on_a_phone(&svg), None, "readable on a phone");
        assert!(!svg.contains("\n\n"));
    }

    #[test]
    fn a_swimlane_window_leaves_out_what_is_outside_it() {
        let trace = swimlane::parse(include_str!("figures/fixture.trace.json")).unwrap();
        let lanes: Vec<(u64, String)> = trace.names.iter().map(|(t, n)| (*t, n.clone())).collect();
        let svg = swimlane::draw(
            "x",
            "The first microseconds only.",
            &trace,
            &lanes,
            0.0,
            3.5,
        );
        assert_eq!(
            svg.matches("<rect").count(),
            0,
            "no poll starts before 4 µs"
        );
        assert!(!svg.contains(">steal 1<"));
    }

    #[test]
    fn of_two_threads_with_one_name_the_lane_is_the_one_that_worked() {
        // Two runtimes in one process: "worker 0" twice, only the second busy.
        let dir = std::env::temp_dir().join(format!("figures-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("t.json"),
            r#"{"traceEvents":[
              {"ph":"M","pid":1,"tid":1,"name":"thread_name","args":{"name":"worker 0"}},
              {"ph":"M","pid":1,"tid":3,"name":"thread_name","args":{"name":"worker 0"}},
              {"ph":"B","pid":1,"tid":3,"name":"poll 9","ts":1.0},
              {"ph":"E","pid":1,"tid":3,"name":"poll 9","ts":5.0}]}"#,
        )
        .unwrap();
        let spec = r#"{"alt": "One lane, the busy worker 0.", "trace": "t.json",
                       "from_us": 0, "to_us": 6, "threads": ["worker 0"]}"#;
        let svg = swimlane::render(&dir, "x", spec).unwrap();
        assert_eq!(svg.matches("<rect").count(), 1, "{svg}");
        let missing = spec.replace("[\"worker 0\"]", "[\"worker 7\"]");
        assert!(
            swimlane::render(&dir, "x", &missing)
                .unwrap_err()
                .contains("worker 7")
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_too_wide_figure_is_refused() {
        let error = render_pikchr("x", "# alt: Wide.\nbox wid 6in\n").unwrap_err();
        assert!(error.contains("wider than the page"), "{error}");
    }
}
