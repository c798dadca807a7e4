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
//! SVG has no source, when a figure is on no page, when its page gives it no caption, or when
//! its source gives it no text alternative (`# alt: …` at the top of a pikchr file, `"alt"`
//! in a swimlane file).

use crate::{Problem, relative};
use std::path::{Path, PathBuf};

/// Where the figures live, relative to the repository root.
pub const DIR: &str = "src/figures";

/// The widest a figure may be drawn, in CSS pixels: the text column of a page on a wide
/// screen (`--content-max-width` in theme/book.css, less mdBook's padding). On a narrower
/// screen the figure is scaled down to the column (theme/figures.css).
pub const MAX_WIDTH: f64 = 760.0;

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
    if figure.source.to_string_lossy().ends_with(".swimlane.json") {
        swimlane::render(root, &figure.name, &text).map_err(|e| format!("{shown}: {e}"))
    } else {
        render_pikchr(&figure.name, &text).map_err(|e| format!("{shown}: {e}"))
    }
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
/// page's fonts (about half an em per character, three fifths of one in monospace or bold).
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
                let per_char = if element.contains("font-family=\"monospace\"")
                    || element.contains("font-weight=\"bold\"")
                {
                    0.6
                } else {
                    0.5
                };
                let content = element
                    .split_once('>')
                    .and_then(|(_, rest)| rest.rsplit_once("</text>"))
                    .map_or("", |(content, _)| content);
                let chars = content
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&amp;", "&")
                    .replace("&quot;", "\"")
                    .chars()
                    .count() as f64;
                let w = chars * per_char * em;
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
    //! Swimlanes from a recorded trace: placeholder until the renderer lands.
    use std::path::Path;

    pub fn render(_root: &Path, _name: &str, _spec: &str) -> Result<String, String> {
        Err("swimlane figures are not supported yet".into())
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
    fn a_too_wide_figure_is_refused() {
        let error = render_pikchr("x", "# alt: Wide.\nbox wid 6in\n").unwrap_err();
        assert!(error.contains("wider than the page"), "{error}");
    }
}
