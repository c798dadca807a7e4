//! Chapter 13's benchmark suite (`examples-code/bench`) as seen from the tooling.
//!
//! Each chapter that shows measurements has a **chart file**, `examples-code/bench/charts/
//! <chapter>.json`, that says what to draw from which results: the results file, the chart of
//! each case (panels of runtimes, each panel on a scale of its own), whether to print the whole
//! table, and the chapter's **targets** (ours against theirs on some cases), each measured as
//! paired runs and shown as a table. Adding a chapter's charts is adding its chart file:
//!
//! - `cargo xtask bench <chapter>` runs the suite (release build) with that file's targets as
//!   paired runs and writes its results file, then redraws every chart;
//! - `cargo xtask charts [--check]` draws (or checks) `src/charts/<chapter>-*` from the
//!   committed results alone;
//! - the `bench-smoke` step runs the suite at tiny sizes, pairs included, and draws every
//!   chapter's files from that run, to prove that the suite and the drawing still work.
//!
//! A target's verdict comes from its paired runs (ours, theirs, ours, theirs … each run a
//! process of its own): the ratio of each pair, their median, and the range from the smallest
//! to the largest. It is **met** only when the whole range is below 1, **missed** when it is
//! wholly above 1, and **a tie** when it holds 1 ([`verdict`]). With fewer than
//! [`MIN_PAIRS`] pairs there is no verdict: with 5 pairs the range holds the median ratio with
//! 94 % confidence (a sign test: 1 - 2 × 0.5⁵), with 7 with 98 %.
//!
//! The charts are SVG written here, not by a plotting crate: a bar chart is a few dozen
//! elements, and doing it here keeps the output byte-for-byte reproducible, which `--check`
//! needs. They are included inline in the page (`{{#include charts/….svg}}`), drawn with
//! `currentColor` and mdBook's `--links` colour, so they follow the reader's theme, light or
//! dark, and scale down to a phone's width.

use crate::cmd::Cmd;
use crate::flags::BenchOptions;
use crate::repo::read;
use crate::{Problem, relative};
use anyhow::{Context as _, Result, bail};
use serde_json::Value;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The benchmark crate, relative to the root.
pub const BENCH: &str = "examples-code/bench";
/// The chart files, one per chapter.
pub const CHART_FILES: &str = "examples-code/bench/charts";
/// Where the charts and tables go; the chapters include them from there.
pub const CHARTS: &str = "src/charts";
/// The data format the suite writes and this module reads.
pub const FORMAT: u64 = 2;
/// The fewest paired runs a verdict needs.
pub const MIN_PAIRS: usize = 5;
/// The worker count of a multi-threaded runtime that a chart file names without one.
pub const DEFAULT_WORKERS: u64 = 2;

/// One chapter's chart file.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartFile {
    /// The file's name without `.json`: `ch14`. Every file it makes starts with it.
    pub chapter: String,
    /// The results file, relative to `examples-code/bench/`.
    pub results: String,
    /// Why `cargo xtask bench` must not rerun it (the chapter discusses that very run).
    pub frozen: Option<String>,
    /// The command that measures it, when the suite does not (chapter 18's wrk runs).
    pub command: Option<String>,
    /// The worker counts of the multi-threaded runtimes to measure.
    pub workers: Vec<u64>,
    /// The cases to chart, and the panels of each chart.
    pub cases: Vec<String>,
    pub panels: Vec<Panel>,
    /// Whether to write the table of every figure.
    pub table: bool,
    pub targets: Vec<Targets>,
}

/// A panel of a chart: some runtimes on a scale of their own.
#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    pub title: String,
    /// Runtime keys; `key:N` for a multi-threaded runtime with N workers.
    pub runtimes: Vec<String>,
}

/// Ours against theirs on some cases: a table of targets.
#[derive(Debug, Clone, PartialEq)]
pub struct Targets {
    /// The table goes to `src/charts/<chapter>-<file>.txt`; several groups may share a file.
    pub file: String,
    pub ours: String,
    pub theirs: String,
    pub cases: Vec<String>,
}

fn strings(value: &Value, key: &str, at: &str) -> Result<Vec<String>> {
    match &value[key] {
        Value::Null => Ok(Vec::new()),
        Value::Array(items) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(str::to_string)
                    .with_context(|| format!("{at}: `{key}` must hold strings"))
            })
            .collect(),
        _ => bail!("{at}: `{key}` must be a list"),
    }
}

impl ChartFile {
    /// Parses a chart file's JSON.
    pub fn parse(chapter: &str, text: &str) -> Result<ChartFile> {
        let at = format!("{CHART_FILES}/{chapter}.json");
        let value: Value =
            serde_json::from_str(text).with_context(|| format!("{at} is no JSON"))?;
        let known = [
            "about", "results", "frozen", "command", "workers", "charts", "table", "targets",
        ];
        for key in value
            .as_object()
            .with_context(|| format!("{at}: not an object"))?
            .keys()
        {
            if !known.contains(&key.as_str()) {
                bail!("{at}: unknown key `{key}` (known: {})", known.join(", "));
            }
        }
        let results = value["results"]
            .as_str()
            .with_context(|| format!("{at}: `results` (the results file) is missing"))?
            .to_string();
        let workers = match &value["workers"] {
            Value::Null => vec![DEFAULT_WORKERS],
            Value::Array(items) => items
                .iter()
                .map(|n| {
                    n.as_u64()
                        .with_context(|| format!("{at}: `workers` holds numbers"))
                })
                .collect::<Result<_>>()?,
            _ => bail!("{at}: `workers` must be a list of numbers"),
        };
        let charts = &value["charts"];
        let panels = match &charts["panels"] {
            Value::Null => Vec::new(),
            Value::Array(items) => items
                .iter()
                .map(|p| {
                    Ok(Panel {
                        title: p["title"].as_str().unwrap_or("").to_string(),
                        runtimes: strings(p, "runtimes", &at)?,
                    })
                })
                .collect::<Result<_>>()?,
            _ => bail!("{at}: `charts.panels` must be a list"),
        };
        let targets = match &value["targets"] {
            Value::Null => Vec::new(),
            Value::Array(items) => items
                .iter()
                .map(|t| {
                    let field = |key: &str| {
                        t[key]
                            .as_str()
                            .map(str::to_string)
                            .with_context(|| format!("{at}: a target without `{key}`"))
                    };
                    Ok(Targets {
                        file: field("file")?,
                        ours: field("ours")?,
                        theirs: field("theirs")?,
                        cases: strings(t, "cases", &at)?,
                    })
                })
                .collect::<Result<_>>()?,
            _ => bail!("{at}: `targets` must be a list"),
        };
        Ok(ChartFile {
            chapter: chapter.to_string(),
            results,
            frozen: value["frozen"].as_str().map(str::to_string),
            command: value["command"].as_str().map(str::to_string),
            workers,
            cases: strings(charts, "cases", &at)?,
            panels,
            table: value["table"] == true,
            targets,
        })
    }

    /// The pairs `cargo xtask bench` measures: every (ours, theirs, case) of its targets once.
    pub fn pairs(&self) -> Vec<(String, String, String)> {
        let mut out: Vec<(String, String, String)> = Vec::new();
        for group in &self.targets {
            for case in &group.cases {
                let pair = (group.ours.clone(), group.theirs.clone(), case.clone());
                if !out.contains(&pair) {
                    out.push(pair);
                }
            }
        }
        out
    }
}

/// Every chart file, sorted by chapter.
pub fn chart_files(root: &Path) -> Result<Vec<ChartFile>> {
    let dir = root.join(CHART_FILES);
    let mut files = Vec::new();
    for entry in
        std::fs::read_dir(&dir).with_context(|| format!("cannot list {}", dir.display()))?
    {
        let path = entry?.path();
        let Some(chapter) = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".json"))
        else {
            continue;
        };
        files.push(ChartFile::parse(chapter, &read(&path)?)?);
    }
    files.sort_by(|a, b| a.chapter.cmp(&b.chapter));
    Ok(files)
}

/// Results of the suite, as it writes them (format 2).
pub struct Data(pub Value);

/// The median and the range of some figures.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    pub median: f64,
    pub low: f64,
    pub high: f64,
    /// How many figures.
    pub n: usize,
}

impl Interval {
    pub fn of(values: &[f64]) -> Option<Interval> {
        if values.is_empty() || values.iter().any(|v| !v.is_finite()) {
            return None;
        }
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        let median = if n % 2 == 1 {
            sorted[n / 2]
        } else {
            (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
        };
        Some(Interval {
            median,
            low: sorted[0],
            high: sorted[n - 1],
            n,
        })
    }
}

/// What a target's paired runs say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Every pair's ratio below 1: ours is faster.
    Met,
    /// Every pair's ratio above 1: ours is slower.
    Missed,
    /// The range of the ratios holds 1: the runs cannot tell the two apart.
    Tie,
    /// Fewer than [`MIN_PAIRS`] pairs: no verdict.
    TooFewRuns,
}

/// The rule: met only when the whole range of the ratios is below 1, missed when it is wholly
/// above, a tie otherwise; no verdict from fewer than [`MIN_PAIRS`] pairs.
pub fn verdict(ratios: &Interval) -> Verdict {
    if ratios.n < MIN_PAIRS {
        Verdict::TooFewRuns
    } else if ratios.high < 1.0 {
        Verdict::Met
    } else if ratios.low > 1.0 {
        Verdict::Missed
    } else {
        Verdict::Tie
    }
}

impl Verdict {
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Met => "met",
            Verdict::Missed => "**missed**",
            Verdict::Tie => "tie",
            Verdict::TooFewRuns => "no verdict",
        }
    }
}

/// `tokio-mt:4` → (`tokio-mt`, Some(4)).
fn selector(runtime: &str) -> (&str, Option<u64>) {
    match runtime.split_once(':') {
        Some((key, n)) => (key, n.parse().ok()),
        None => (runtime, None),
    }
}

impl Data {
    pub fn load(path: &Path) -> Result<Data> {
        let value: Value = serde_json::from_str(&read(path)?)
            .with_context(|| format!("{} is no JSON", path.display()))?;
        if value["format"].as_u64() != Some(FORMAT) {
            bail!(
                "{} is not in the suite's data format {FORMAT} (`format`: {})",
                path.display(),
                value["format"]
            );
        }
        Ok(Data(value))
    }

    fn list(&self, key: &str) -> &[Value] {
        self.0[key].as_array().map_or(&[], Vec::as_slice)
    }

    /// A case's description: `title`, `size`, `unit`, `per`.
    pub fn case(&self, key: &str) -> Option<&Value> {
        self.list("cases").iter().find(|c| c["key"] == key)
    }

    fn runtime(&self, key: &str) -> Option<&Value> {
        self.list("runtimes").iter().find(|r| r["key"] == key)
    }

    /// What the tables and charts call a runtime: its label, with its worker count if it has
    /// workers.
    pub fn label(&self, runtime: &str) -> String {
        let (key, workers) = selector(runtime);
        let Some(found) = self.runtime(key) else {
            return runtime.to_string();
        };
        let label = found["label"].as_str().unwrap_or(key).to_string();
        if found["multi_thread"] == true {
            format!("{label} ({})", workers.unwrap_or(DEFAULT_WORKERS))
        } else {
            label
        }
    }

    fn is_book(&self, runtime: &str) -> bool {
        self.runtime(selector(runtime).0)
            .is_some_and(|r| r["book"] == true)
    }

    /// The result of `runtime` on `case`, pinned or not.
    pub fn result(&self, runtime: &str, case: &str, pinned: bool) -> Option<&Value> {
        let (key, workers) = selector(runtime);
        self.list("results").iter().find(|r| {
            r["subject"] == key
                && r["case"] == case
                && (r["pinned"] == true) == pinned
                && r["workers"]
                    .as_u64()
                    .is_none_or(|w| w == workers.unwrap_or(DEFAULT_WORKERS))
        })
    }

    /// The paired runs of a target: (ours, theirs) figures, each the median of one process.
    pub fn pair(&self, ours: &str, theirs: &str, case: &str, pinned: bool) -> Option<&Value> {
        self.list("pairs").iter().find(|p| {
            p["ours"] == ours
                && p["theirs"] == theirs
                && p["case"] == case
                && (p["pinned"] == true) == pinned
                && p["status"] == "ok"
        })
    }

    /// The ratios of a target's pairs, and the medians of each side.
    pub fn ratios(
        &self,
        ours: &str,
        theirs: &str,
        case: &str,
        pinned: bool,
    ) -> Option<(Interval, Interval, Interval)> {
        let pair = self.pair(ours, theirs, case, pinned)?;
        let figures = |key: &str| -> Vec<f64> {
            pair[key]
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_f64).collect())
                .unwrap_or_default()
        };
        let (a, b) = (figures("ours_medians"), figures("theirs_medians"));
        if a.len() != b.len() || b.contains(&0.0) {
            return None;
        }
        let ratios: Vec<f64> = a.iter().zip(&b).map(|(x, y)| x / y).collect();
        Some((Interval::of(&ratios)?, Interval::of(&a)?, Interval::of(&b)?))
    }
}

/// A figure in the unit people read it in: `402 ns`, `3.98 µs`, `8.6 ms`, `2,064 B`.
pub fn human(value: f64, unit: &str) -> String {
    if value == 0.0 {
        return "0".into();
    }
    if unit == "bytes" {
        return format!("{} B", thousands(value.round() as i64));
    }
    let (scaled, suffix) = if value >= 1e6 {
        (value / 1e6, "ms")
    } else if value >= 1e3 {
        (value / 1e3, "µs")
    } else {
        (value, "ns")
    };
    let digits = if scaled >= 100.0 {
        0
    } else if scaled >= 10.0 {
        1
    } else {
        2
    };
    format!("{scaled:.digits$} {suffix}")
}

fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The horizontal scale of a panel: linear from 0, or logarithmic when the figures span
/// more than a factor of 30 (a linear scale would flatten the fast runtimes into nothing).
struct Scale {
    log: bool,
    low: f64,
    high: f64,
}

impl Scale {
    fn new(values: &[f64]) -> Scale {
        let max = values.iter().copied().fold(f64::MIN, f64::max).max(1.0);
        let min = values.iter().copied().fold(f64::MAX, f64::min).max(1.0);
        if max / min > 30.0 {
            Scale {
                log: true,
                low: 10f64.powf(min.log10().floor()),
                high: 10f64.powf(max.log10().ceil()),
            }
        } else {
            Scale {
                log: false,
                low: 0.0,
                high: nice_ceiling(max),
            }
        }
    }

    /// 0..=1 along the axis.
    fn at(&self, value: f64) -> f64 {
        if self.log {
            let value = value.max(self.low);
            (value.log10() - self.low.log10()) / (self.high.log10() - self.low.log10())
        } else {
            (value - self.low) / (self.high - self.low)
        }
    }

    fn ticks(&self) -> Vec<f64> {
        if self.log {
            let mut ticks = Vec::new();
            let mut tick = self.low;
            while tick <= self.high * 1.0001 {
                ticks.push(tick);
                tick *= 10.0;
            }
            ticks
        } else {
            // A round step: a quarter of 1, a half of 2, 2.5 and 5, a fifth of 10 (× 10^k).
            let power = 10f64.powf(self.high.log10().floor());
            let leading = self.high / power;
            let step = power
                * if leading <= 1.0 {
                    0.25
                } else if leading <= 5.0 {
                    0.5 * (leading / 2.5).ceil().min(2.0)
                } else {
                    2.0
                };
            let count = (self.high / step).round() as u32;
            (0..=count).map(|i| step * f64::from(i)).collect()
        }
    }
}

/// The smallest of 1, 2, 2.5, 5 × 10^k that is at least `value`.
fn nice_ceiling(value: f64) -> f64 {
    let power = 10f64.powf(value.log10().floor());
    for step in [1.0, 2.0, 2.5, 5.0, 10.0] {
        if step * power >= value {
            return step * power;
        }
    }
    10.0 * power
}

/// The SVG's width in its own units; the page scales it to the column (at most 1.3 times,
/// down to a phone's width).
const WIDTH: f64 = 440.0;
/// The fill of the book's runtimes: the theme's link colour (readable on every theme's
/// background); the peers are drawn in the text colour, half transparent.
const BOOK_FILL: &str = "var(--links, #2b79a2)";

/// One case as a chart: its title and size, then a panel per group of runtimes, each on a
/// scale of its own, each bar the median of the runs with a line from the fastest to the
/// slowest run.
pub fn svg(data: &Data, chart: &ChartFile, case: &str) -> String {
    const LEFT: f64 = 8.0;
    const BAR: f64 = 300.0;
    const ROW: f64 = 34.0;
    let id = format!("{}-{case}", chart.chapter);
    let info = data.case(case).cloned().unwrap_or(Value::Null);
    let unit = info["unit"].as_str().unwrap_or("ns").to_string();
    let title = info["title"].as_str().unwrap_or(case).to_string();
    let size = info["size"].as_str().unwrap_or("").to_string();
    let mut body = String::new();
    let mut description = Vec::new();
    let mut y = 64.0;
    for panel in &chart.panels {
        let rows: Vec<(String, Option<&Value>)> = panel
            .runtimes
            .iter()
            .map(|r| (r.clone(), data.result(r, case, false)))
            .collect();
        let values: Vec<f64> = rows
            .iter()
            .filter_map(|(_, r)| *r)
            .flat_map(|r| ["median", "min", "max"].map(|k| r[k].as_f64()))
            .flatten()
            .collect();
        let scale = Scale::new(&values);
        let _ = writeln!(
            body,
            "<text x=\"{LEFT}\" y=\"{y:.0}\" font-weight=\"bold\">{}{}</text>",
            escape(&panel.title),
            if scale.log { " (log scale)" } else { "" }
        );
        y += 8.0;
        let top = y;
        let bottom = y + ROW * rows.len() as f64;
        for tick in scale.ticks() {
            let x = LEFT + BAR * scale.at(tick);
            let _ = writeln!(
                body,
                "<line x1=\"{x:.1}\" y1=\"{top:.1}\" x2=\"{x:.1}\" y2=\"{bottom:.1}\" stroke=\"currentColor\" stroke-opacity=\"0.2\"/>"
            );
            let _ = writeln!(
                body,
                "<text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"11\" fill-opacity=\"0.75\">{}</text>",
                bottom + 13.0,
                human(tick, &unit)
            );
        }
        for (runtime, record) in &rows {
            let label = data.label(runtime);
            let _ = writeln!(
                body,
                "<text x=\"{LEFT}\" y=\"{:.1}\">{}</text>",
                y + 13.0,
                escape(&label)
            );
            let bar_y = y + 17.0;
            let median = record.and_then(|r| r["median"].as_f64());
            let Some(value) = median else {
                let what = record
                    .and_then(|r| r["status"].as_str())
                    .unwrap_or("not measured");
                let _ = writeln!(
                    body,
                    "<text x=\"{:.1}\" y=\"{:.1}\" fill-opacity=\"0.7\">{}</text>",
                    LEFT + 4.0,
                    bar_y + 10.0,
                    escape(what)
                );
                description.push(format!("{label}: {what}"));
                y += ROW;
                continue;
            };
            let record = record.expect("a median comes from a record");
            let fill = if data.is_book(runtime) {
                format!("fill=\"{BOOK_FILL}\"")
            } else {
                "fill=\"currentColor\" fill-opacity=\"0.45\"".to_string()
            };
            let length = (BAR * scale.at(value)).max(1.0);
            let _ = writeln!(
                body,
                "<rect x=\"{LEFT}\" y=\"{bar_y:.1}\" width=\"{length:.1}\" height=\"11\" {fill}/>"
            );
            let mut right = length;
            let mut spread = String::new();
            if let (Some(min), Some(max)) = (record["min"].as_f64(), record["max"].as_f64()) {
                if max > min {
                    let (from, to) = (LEFT + BAR * scale.at(min), LEFT + BAR * scale.at(max));
                    let mid = bar_y + 5.5;
                    let _ = writeln!(
                        body,
                        "<path d=\"M{from:.1} {mid:.1}H{to:.1}M{from:.1} {:.1}V{:.1}M{to:.1} {:.1}V{:.1}\" stroke=\"currentColor\" stroke-width=\"1.5\" fill=\"none\"/>",
                        mid - 4.0,
                        mid + 4.0,
                        mid - 4.0,
                        mid + 4.0
                    );
                    right = right.max(to - LEFT);
                    spread = format!(" (runs {} to {})", human(min, &unit), human(max, &unit));
                }
            }
            let shown = human(value, &unit);
            let _ = writeln!(
                body,
                "<text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
                LEFT + right + 5.0,
                bar_y + 10.0,
                escape(&shown)
            );
            description.push(format!("{label}: {shown}{spread}"));
            y += ROW;
        }
        y = bottom + 32.0;
    }
    let height = y - 8.0;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 {WIDTH} {height:.0}\" style=\"width:100%;max-width:{:.0}px;height:auto\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" font-family=\"sans-serif\" font-size=\"13\" fill=\"currentColor\">",
        WIDTH * 1.3
    );
    let _ = writeln!(out, "<title id=\"{id}-title\">{}</title>", escape(&title));
    let _ = writeln!(
        out,
        "<desc id=\"{id}-desc\">{}. Lower is better. {}.</desc>",
        escape(&size),
        escape(&description.join("; "))
    );
    let _ = writeln!(
        out,
        "<text x=\"8\" y=\"18\" font-size=\"14\" font-weight=\"bold\">{}</text>",
        escape(&title)
    );
    let _ = writeln!(
        out,
        "<text x=\"8\" y=\"34\" font-size=\"11\" fill-opacity=\"0.8\">{}; lower is better</text>",
        escape(&size)
    );
    let _ = writeln!(
        out,
        "<rect x=\"8\" y=\"41\" width=\"10\" height=\"10\" fill=\"{BOOK_FILL}\"/><text x=\"22\" y=\"50\" font-size=\"11\">this book</text><rect x=\"86\" y=\"41\" width=\"10\" height=\"10\" fill=\"currentColor\" fill-opacity=\"0.45\"/><text x=\"100\" y=\"50\" font-size=\"11\">tokio, smol, futures</text><path d=\"M222 46H246M222 42V50M246 42V50\" stroke=\"currentColor\" stroke-width=\"1.5\"/><text x=\"252\" y=\"50\" font-size=\"11\">fastest to slowest run</text>"
    );
    out.push_str(&body);
    out.push_str("</svg>\n");
    out
}

/// A figure for a table cell: its number and unit kept on one line.
fn unbroken(figure: String) -> String {
    figure.replace(' ', "\u{a0}")
}

/// A cell of the whole table: the median, with the case's further figure (the 99th
/// percentile of a round trip, the total time of the timers).
fn cell(record: &Value) -> String {
    let Some(median) = record["median"].as_f64() else {
        return record["status"].as_str().unwrap_or("n/a").to_string();
    };
    let unit = record["unit"].as_str().unwrap_or("ns");
    let mut text = unbroken(human(median, unit));
    let extra = &record["extra"];
    if record["case"] == "ping_pong" {
        if let Some(p99) = extra["p99"].as_f64() {
            text = format!("{text} (p99 {})", unbroken(human(p99, unit)));
        }
    } else if record["case"] == "timers" {
        if let Some(total) = extra["total"].as_f64() {
            text = format!("{text} (total {})", unbroken(human(total, unit)));
        }
    }
    text
}

/// A case's column heading: `spawn`, `ping-pong`, `ext wake`.
fn heading(case: &str) -> String {
    case.trim_end_matches("_many").replace('_', " ")
}

/// Every figure of a run, as Markdown: first every runtime on every case with all the CPUs,
/// then what ran pinned to one CPU. A pinned case that every runtime ran (`ext_wake`) is a
/// column of the first table; the rest is a table of its own. No column is left empty.
pub fn results_table(data: &Data) -> String {
    let machine = &data.0["machine"];
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Measured on {} CPUs ({}), Linux {}, {}, {}; load average {} before, {} after; {} measured runs per case{}, each case in a process of its own.\n",
        machine["nproc"],
        machine["cpu"].as_str().unwrap_or("?"),
        machine["kernel"].as_str().unwrap_or("?"),
        machine["rustc"].as_str().unwrap_or("?"),
        machine["date"].as_str().unwrap_or("?"),
        data.0["load_average"]["before"].as_str().unwrap_or("?"),
        data.0["load_average"]["after"].as_str().unwrap_or("?"),
        data.0["runs"],
        if data.0["warm_up"] == true {
            " after a warm-up run"
        } else {
            ""
        },
    );
    let results = data.list("results");
    let cases: Vec<String> = data
        .list("cases")
        .iter()
        .filter_map(|c| c["key"].as_str().map(str::to_string))
        .collect();
    // The rows: each runtime (and worker count) in the order of the data.
    let row_of = |r: &Value| -> String {
        let key = r["subject"].as_str().unwrap_or("?");
        match r["workers"].as_u64() {
            Some(w) if w != DEFAULT_WORKERS => format!("{key}:{w}"),
            _ => key.to_string(),
        }
    };
    let mut rows: Vec<String> = Vec::new();
    for record in results.iter().filter(|r| r["pinned"] != true) {
        let row = row_of(record);
        if !rows.contains(&row) {
            rows.push(row);
        }
    }
    let find = |row: &str, case: &str, pinned: bool| data.result(row, case, pinned);
    let columns: Vec<&String> = cases
        .iter()
        .filter(|c| rows.iter().any(|r| find(r, c, false).is_some()))
        .collect();
    let pinned_everywhere: Vec<&String> = cases
        .iter()
        .filter(|c| !rows.is_empty() && rows.iter().all(|r| find(r, c, true).is_some()))
        .collect();
    let _ = write!(out, "| runtime |");
    for case in &columns {
        let _ = write!(out, " {} |", heading(case));
    }
    for case in &pinned_everywhere {
        let _ = write!(out, " {}, 1 CPU |", heading(case));
    }
    out.push('\n');
    out.push_str("|---|");
    out.push_str(&"--:|".repeat(columns.len() + pinned_everywhere.len()));
    out.push('\n');
    for row in &rows {
        let _ = write!(out, "| {} |", data.label(row));
        for case in &columns {
            let _ = write!(
                out,
                " {} |",
                find(row, case, false).map(cell).unwrap_or_default()
            );
        }
        for case in &pinned_everywhere {
            let _ = write!(
                out,
                " {} |",
                find(row, case, true).map(cell).unwrap_or_default()
            );
        }
        out.push('\n');
    }
    // What else ran pinned: the multi-threaded runtimes on one CPU.
    let mut pinned_rows: Vec<String> = Vec::new();
    for record in results.iter().filter(|r| r["pinned"] == true) {
        let row = row_of(record);
        let case = record["case"].as_str().unwrap_or("");
        if !pinned_everywhere.iter().any(|c| *c == case) && !pinned_rows.contains(&row) {
            pinned_rows.push(row);
        }
    }
    let pinned_columns: Vec<&String> = cases
        .iter()
        .filter(|c| !pinned_everywhere.contains(c))
        .filter(|c| pinned_rows.iter().any(|r| find(r, c, true).is_some()))
        .collect();
    if !pinned_rows.is_empty() && !pinned_columns.is_empty() {
        out.push_str("\nThe same on 1 CPU (the process pinned to CPU 0, as `taskset -c 0` does):\n\n| runtime, 1 CPU |");
        for case in &pinned_columns {
            let _ = write!(out, " {} |", heading(case));
        }
        out.push_str("\n|---|");
        out.push_str(&"--:|".repeat(pinned_columns.len()));
        out.push('\n');
        for row in &pinned_rows {
            let _ = write!(out, "| {} |", data.label(row));
            for case in &pinned_columns {
                let _ = write!(
                    out,
                    " {} |",
                    find(row, case, true).map(cell).unwrap_or_default()
                );
            }
            out.push('\n');
        }
    }
    if let Some(note) = data.0["note"].as_str().filter(|n| !n.is_empty()) {
        let _ = writeln!(out, "\n{note}");
    }
    out
}

/// `0.68 (0.61–0.74)`, or `0.68, 1 run`.
fn ratio_text(ratios: &Interval) -> String {
    if ratios.n == 1 {
        format!("{:.2}, 1 run", ratios.median)
    } else {
        format!(
            "{:.2} ({:.2}–{:.2})",
            ratios.median, ratios.low, ratios.high
        )
    }
}

/// One file of targets: a table per group (ours ÷ theirs), the names in its caption, a row
/// per case: both medians, the ratio with its range and its verdict, with all CPUs and on one.
pub fn targets_table(data: &Data, groups: &[&Targets]) -> String {
    let nproc = data.0["machine"]["nproc"].as_u64().unwrap_or(0);
    let mut out = String::new();
    for group in groups {
        let (ours, theirs) = (data.label(&group.ours), data.label(&group.theirs));
        let all: Vec<_> = group
            .cases
            .iter()
            .map(|case| {
                (
                    case,
                    data.ratios(&group.ours, &group.theirs, case, false),
                    data.ratios(&group.ours, &group.theirs, case, true),
                )
            })
            .collect();
        let pairs = all
            .iter()
            .filter_map(|(_, a, _)| a.map(|(r, _, _)| r.n))
            .max()
            .unwrap_or(0);
        let _ = writeln!(
            out,
            "**{ours}** (`{}`) ÷ **{theirs}** (`{}`), {}:\n",
            group.ours,
            group.theirs,
            match pairs {
                0 => "not measured yet".to_string(),
                1 => "one run of each".to_string(),
                n => format!("{n} paired runs (A B A B …)"),
            }
        );
        let pinned_any = all.iter().any(|(_, _, p)| p.is_some());
        let _ = write!(
            out,
            "| case | {} | {} | ratio, {} CPUs | verdict |",
            group.ours, group.theirs, nproc
        );
        if pinned_any {
            out.push_str(" ratio, 1 CPU | verdict |");
        }
        out.push_str("\n|---|--:|--:|--:|---|");
        if pinned_any {
            out.push_str("--:|---|");
        }
        out.push('\n');
        for (case, free, pinned) in &all {
            let unit = data
                .case(case)
                .and_then(|c| c["unit"].as_str())
                .unwrap_or("ns");
            match free {
                Some((ratios, a, b)) => {
                    let _ = write!(
                        out,
                        "| {case} | {} | {} | {} | {} |",
                        unbroken(human(a.median, unit)),
                        unbroken(human(b.median, unit)),
                        ratio_text(ratios),
                        verdict(ratios).word()
                    );
                }
                None => {
                    let _ = write!(out, "| {case} | | | not measured | |");
                }
            }
            if pinned_any {
                match pinned {
                    Some((ratios, _, _)) => {
                        let _ = write!(
                            out,
                            " {} | {} |",
                            ratio_text(ratios),
                            verdict(ratios).word()
                        );
                    }
                    None => out.push_str(" not measured | |"),
                }
            }
            out.push('\n');
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "The ratio is ours ÷ theirs for each pair of runs (below 1: ours is faster): their median, and in brackets the smallest and the largest. Met: the whole range below 1; missed: the whole range above 1; a tie: the range holds 1. Fewer than {MIN_PAIRS} paired runs give no verdict."
    );
    out
}

/// Every file a chart file makes: (name in `src/charts/`, content).
pub fn render(data: &Data, chart: &ChartFile) -> Vec<(String, String)> {
    let mut files = Vec::new();
    for case in &chart.cases {
        files.push((
            format!("{}-{case}.svg", chart.chapter),
            svg(data, chart, case),
        ));
    }
    if chart.table {
        files.push((
            format!("{}-results-table.txt", chart.chapter),
            results_table(data),
        ));
    }
    let mut names: Vec<&str> = Vec::new();
    for group in &chart.targets {
        if !names.contains(&group.file.as_str()) {
            names.push(&group.file);
        }
    }
    for name in names {
        let groups: Vec<&Targets> = chart.targets.iter().filter(|g| g.file == name).collect();
        files.push((
            format!("{}-{name}.txt", chart.chapter),
            targets_table(data, &groups),
        ));
    }
    files
}

fn results_path(root: &Path, chart: &ChartFile) -> PathBuf {
    root.join(BENCH).join(&chart.results)
}

/// What a chart file names is in its results: the cases and runtimes of its charts, the
/// paired runs of its targets.
pub fn check_chart_file(data: &Data, chart: &ChartFile) -> Vec<String> {
    let mut problems = Vec::new();
    for case in &chart.cases {
        if data.case(case).is_none() {
            problems.push(format!(
                "charts the case `{case}`, which its results do not hold"
            ));
        }
    }
    for panel in &chart.panels {
        for runtime in &panel.runtimes {
            if data.runtime(selector(runtime).0).is_none() {
                problems.push(format!(
                    "charts the runtime `{runtime}`, which its results do not hold"
                ));
            }
        }
    }
    for (ours, theirs, case) in chart.pairs() {
        if data.pair(&ours, &theirs, &case, false).is_none() {
            problems.push(format!(
                "has the target {ours} ÷ {theirs} on {case}, which its results hold no paired runs of: run `cargo xtask bench {}`",
                chart.chapter
            ));
        }
    }
    problems
}

/// The static check of the chart files (part of `cargo xtask check`).
pub fn check_chart_files(root: &Path) -> Result<Vec<Problem>> {
    let mut problems = Vec::new();
    let files = match chart_files(root) {
        Ok(files) => files,
        Err(error) => return Ok(vec![Problem::new(CHART_FILES, None, format!("{error:#}"))]),
    };
    for chart in files {
        let at = Path::new(CHART_FILES).join(format!("{}.json", chart.chapter));
        match Data::load(&results_path(root, &chart)) {
            Err(error) => problems.push(Problem::new(&at, None, format!("{error:#}"))),
            Ok(data) => problems.extend(
                check_chart_file(&data, &chart)
                    .into_iter()
                    .map(|m| Problem::new(&at, None, m)),
            ),
        }
    }
    Ok(problems)
}

/// `cargo xtask charts [--check]`: writes (or compares) every chart file's files in
/// `src/charts/`; a file there that no chart file makes is a problem too.
pub fn charts(root: &Path, check: bool) -> Result<Vec<Problem>> {
    let dir = root.join(CHARTS);
    let mut made: Vec<String> = Vec::new();
    let mut problems = Vec::new();
    for chart in chart_files(root)? {
        let source = results_path(root, &chart);
        let data = Data::load(&source)?;
        for (name, content) in render(&data, &chart) {
            made.push(name.clone());
            let file = dir.join(&name);
            let shown = relative(root, &file);
            let existing = if file.exists() {
                Some(read(&file)?)
            } else {
                None
            };
            if existing.as_deref() == Some(content.as_str()) {
                continue;
            }
            if check {
                problems.push(Problem::new(
                    &shown,
                    None,
                    format!(
                        "does not match {} drawn as {CHART_FILES}/{}.json says: run `cargo xtask charts` and review the diff",
                        relative(root, &source).display(),
                        chart.chapter
                    ),
                ));
            } else {
                std::fs::create_dir_all(&dir)?;
                std::fs::write(&file, content)
                    .with_context(|| format!("cannot write {}", shown.display()))?;
                eprintln!("xtask: wrote {}", shown.display());
            }
        }
    }
    for entry in std::fs::read_dir(&dir).into_iter().flatten() {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !made.contains(&name) {
            problems.push(Problem::new(
                relative(root, &entry.path()),
                None,
                "is not made by any chart file of examples-code/bench/charts/: remove it",
            ));
        }
    }
    Ok(problems)
}

/// The bench's arguments for a chart file's targets: `--pair ours,theirs,case` each.
fn pair_args(chart: &ChartFile) -> Vec<String> {
    chart
        .pairs()
        .into_iter()
        .flat_map(|(ours, theirs, case)| ["--pair".to_string(), format!("{ours},{theirs},{case}")])
        .collect()
}

/// `cargo xtask bench CHAPTER …`: the suite in a release build, with the chart file's targets
/// as paired runs, into its results file; then every chart.
pub fn run_full(root: &Path, options: &BenchOptions) -> Result<()> {
    let charts = chart_files(root)?;
    let Some(chart) = charts.iter().find(|c| c.chapter == options.chapter) else {
        bail!(
            "no chart file {CHART_FILES}/{}.json (there are: {})",
            options.chapter,
            charts
                .iter()
                .map(|c| c.chapter.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    };
    if let Some(why) = &chart.frozen {
        bail!("{}'s results are kept as they are: {why}", chart.chapter);
    }
    if let Some(command) = &chart.command {
        bail!(
            "{}'s results are measured by another program: run `{command}`, then `cargo xtask charts`",
            chart.chapter
        );
    }
    let workers: Vec<String> = chart.workers.iter().map(u64::to_string).collect();
    let mut command = Cmd::cargo()
        .args(["run", "--release", "--locked", "-p", "bench", "--", "--out"])
        .arg(results_path(root, chart))
        .args(["--workers", &workers.join(",")])
        .args(pair_args(chart))
        .dir(root)
        .limit(Duration::from_secs(6 * 3600));
    for (flag, value) in [
        ("--runs", options.runs.map(|n| n.to_string())),
        ("--rounds", options.rounds.map(|n| n.to_string())),
        ("--note", options.note.clone()),
        ("--only", options.only.clone()),
        ("--cases", options.cases.clone()),
    ] {
        if let Some(value) = value {
            command = command.args([flag, &value]);
        }
    }
    if options.no_pinned {
        command = command.arg("--no-pinned");
    }
    command.run().context("the benchmark suite failed")?;
    let problems = charts_and_report(root)?;
    if !problems.is_empty() {
        bail!("{} problem(s) writing the charts", problems.len());
    }
    Ok(())
}

fn charts_and_report(root: &Path) -> Result<Vec<Problem>> {
    let problems = charts(root, false)?;
    for problem in &problems {
        eprintln!("{problem}");
    }
    Ok(problems)
}

/// The `bench-smoke` step: the suite at tiny sizes (a debug build, which `cargo-test` has
/// made already), with one target of each chart file as paired runs, then checks that every
/// runtime ran every case it supports and that every chart file can be drawn from the run.
/// Speed is never looked at.
pub fn smoke(root: &Path) -> Result<()> {
    let out = root.join("target").join("bench-smoke").join("results.json");
    // Charts measured by a program of their own are that program's to smoke-test.
    let charts: Vec<ChartFile> = chart_files(root)?
        .into_iter()
        .filter(|c| c.command.is_none())
        .collect();
    let mut workers: Vec<u64> = charts.iter().flat_map(|c| c.workers.clone()).collect();
    workers.sort_unstable();
    workers.dedup();
    let workers: Vec<String> = workers.iter().map(u64::to_string).collect();
    let mut pairs = Vec::new();
    for chart in &charts {
        if let Some((ours, theirs, case)) = chart.pairs().into_iter().next() {
            pairs.extend(["--pair".to_string(), format!("{ours},{theirs},{case}")]);
        }
    }
    Cmd::cargo()
        .args(["run", "--quiet", "--locked", "-p", "bench", "--", "--smoke"])
        .args(["--rounds", "2", "--workers", &workers.join(",")])
        .args(pairs)
        .arg("--out")
        .arg(&out)
        .dir(root)
        .run()
        .context("the benchmark suite failed in smoke mode")?;
    let data = Data::load(&out)?;
    let problems = check_complete(&data);
    if !problems.is_empty() {
        bail!("{}", problems.join("\n"));
    }
    // The charts must be drawable from any complete run, not only the committed one.
    for chart in &charts {
        let files = render(&data, chart);
        if files.iter().any(|(_, content)| content.is_empty()) {
            bail!("{} drew an empty file from the smoke run", chart.chapter);
        }
    }
    Ok(())
}

/// Every runtime has a result for every case, each `ok` or `n/a`, and every pair ran.
pub fn check_complete(data: &Data) -> Vec<String> {
    let mut problems = Vec::new();
    let results = data.list("results");
    for record in results {
        match record["status"].as_str() {
            Some("ok") if record["median"].is_number() => {}
            Some("n/a") => {}
            other => problems.push(format!(
                "{} {}: {} {}",
                record["subject"],
                record["case"],
                other.unwrap_or("no status"),
                record["error"].as_str().unwrap_or("")
            )),
        }
    }
    if results.is_empty() {
        problems.push("no results".into());
    }
    for runtime in data.list("runtimes") {
        for case in data.list("cases") {
            let found = results.iter().any(|r| {
                r["subject"] == runtime["key"] && r["case"] == case["key"] && r["pinned"] == false
            });
            if !found {
                problems.push(format!("{}: no result for {}", runtime["key"], case["key"]));
            }
        }
    }
    for pair in data.list("pairs") {
        if pair["status"] != "ok" {
            problems.push(format!(
                "pair {} ÷ {} on {}: {}",
                pair["ours"],
                pair["theirs"],
                pair["case"],
                pair["error"].as_str().unwrap_or("failed")
            ));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn figures_are_written_in_the_unit_people_read() {
        assert_eq!(human(402.3, "ns"), "402 ns");
        assert_eq!(human(3980.0, "ns"), "3.98 µs");
        assert_eq!(human(8_600_000.0, "ns"), "8.60 ms");
        assert_eq!(human(2064.4, "bytes"), "2,064 B");
        assert_eq!(human(0.0, "ns"), "0");
    }

    #[test]
    fn a_wide_range_gets_a_log_scale() {
        assert!(Scale::new(&[50.0, 40_000.0]).log);
        assert!(!Scale::new(&[400.0, 4_000.0]).log);
        let log = Scale::new(&[57.0, 3980.0]);
        assert_eq!((log.low, log.high), (10.0, 10_000.0));
        assert!((log.at(100.0) - 1.0 / 3.0).abs() < 1e-9);
        assert_eq!(nice_ceiling(3980.0), 5000.0);
        let ticks = |max: f64| Scale::new(&[max]).ticks();
        assert_eq!(ticks(2010.0), [0.0, 500.0, 1000.0, 1500.0, 2000.0, 2500.0]);
        assert_eq!(ticks(900.0), [0.0, 250.0, 500.0, 750.0, 1000.0]);
        assert_eq!(ticks(1900.0), [0.0, 500.0, 1000.0, 1500.0, 2000.0]);
        assert_eq!(ticks(4000.0), [0.0, 1000.0, 2000.0, 3000.0, 4000.0, 5000.0]);
        assert_eq!(ticks(7000.0), [0.0, 2500.0, 5000.0, 7500.0, 10000.0]);
    }

    fn interval(values: &[f64]) -> Interval {
        Interval::of(values).unwrap()
    }

    #[test]
    fn a_target_is_met_only_when_every_pair_says_so() {
        // The whole range below 1: met.
        assert_eq!(
            verdict(&interval(&[0.7, 0.8, 0.9, 0.75, 0.95])),
            Verdict::Met
        );
        // The whole range above 1: missed.
        assert_eq!(
            verdict(&interval(&[1.2, 1.9, 1.05, 1.4, 1.3])),
            Verdict::Missed
        );
        // A median below 1 is not enough: one pair above 1 makes it a tie.
        let tie = interval(&[0.75, 0.8, 0.94, 0.9, 1.75]);
        assert!(tie.median < 1.0);
        assert_eq!(verdict(&tie), Verdict::Tie);
        // A ratio of exactly 1 is not "below".
        assert_eq!(verdict(&interval(&[0.5, 0.6, 0.7, 0.8, 1.0])), Verdict::Tie);
        // Too few pairs: no verdict, however clear.
        assert_eq!(verdict(&interval(&[0.5])), Verdict::TooFewRuns);
        assert_eq!(
            verdict(&interval(&[0.5, 0.5, 0.5, 0.5])),
            Verdict::TooFewRuns
        );
        let even = interval(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(
            (even.median, even.low, even.high, even.n),
            (2.5, 1.0, 4.0, 4)
        );
        assert!(Interval::of(&[]).is_none());
    }

    fn data() -> Data {
        Data(json!({
            "format": 2,
            "machine": {"nproc": 2},
            "runs": 5,
            "cases": [
                {"key": "spawn_many", "title": "spawn_many: per task", "size": "9 tasks", "unit": "ns", "per": "task"},
                {"key": "ext_wake", "title": "ext_wake: per wake", "size": "9 wakes", "unit": "ns", "per": "wake"}
            ],
            "runtimes": [
                {"key": "a", "label": "A rt", "book": true, "multi_thread": false},
                {"key": "b", "label": "B rt", "book": false, "multi_thread": false},
                {"key": "m", "label": "M rt", "book": false, "multi_thread": true}
            ],
            "results": [
                {"subject": "a", "case": "spawn_many", "pinned": false, "status": "ok", "unit": "ns", "median": 200.0, "min": 150.0, "max": 260.0},
                {"subject": "b", "case": "spawn_many", "pinned": false, "status": "ok", "unit": "ns", "median": 400.0, "min": 390.0, "max": 420.0},
                {"subject": "m", "workers": 2, "case": "spawn_many", "pinned": false, "status": "ok", "unit": "ns", "median": 900.0},
                {"subject": "m", "workers": 4, "case": "spawn_many", "pinned": false, "status": "ok", "unit": "ns", "median": 700.0},
                {"subject": "a", "case": "ext_wake", "pinned": false, "status": "n/a"},
                {"subject": "b", "case": "ext_wake", "pinned": false, "status": "ok", "unit": "ns", "median": 5000.0},
                {"subject": "m", "workers": 2, "case": "ext_wake", "pinned": false, "status": "ok", "unit": "ns", "median": 6000.0},
                {"subject": "m", "workers": 4, "case": "ext_wake", "pinned": false, "status": "ok", "unit": "ns", "median": 6500.0},
                {"subject": "a", "case": "ext_wake", "pinned": true, "status": "n/a"},
                {"subject": "b", "case": "ext_wake", "pinned": true, "status": "ok", "unit": "ns", "median": 3000.0},
                {"subject": "m", "workers": 2, "case": "ext_wake", "pinned": true, "status": "ok", "unit": "ns", "median": 3100.0},
                {"subject": "m", "workers": 4, "case": "ext_wake", "pinned": true, "status": "ok", "unit": "ns", "median": 3200.0},
                {"subject": "m", "workers": 2, "case": "spawn_many", "pinned": true, "status": "ok", "unit": "ns", "median": 950.0}
            ],
            "pairs": [
                {"case": "spawn_many", "ours": "a", "theirs": "b", "pinned": false, "status": "ok",
                 "ours_medians": [200.0, 210.0, 190.0, 220.0, 205.0], "theirs_medians": [400.0, 380.0, 410.0, 390.0, 400.0]},
                {"case": "spawn_many", "ours": "a", "theirs": "b", "pinned": true, "status": "ok",
                 "ours_medians": [200.0, 450.0, 190.0, 220.0, 205.0], "theirs_medians": [400.0, 380.0, 410.0, 390.0, 400.0]},
                {"case": "ext_wake", "ours": "m", "theirs": "b", "pinned": false, "status": "ok",
                 "ours_medians": [6000.0], "theirs_medians": [5000.0]}
            ]
        }))
    }

    #[test]
    fn a_runtime_is_named_with_its_workers_and_found_by_them() {
        let data = data();
        assert_eq!(data.label("a"), "A rt");
        assert_eq!(data.label("m"), "M rt (2)");
        assert_eq!(data.label("m:4"), "M rt (4)");
        assert_eq!(
            data.result("m", "spawn_many", false).unwrap()["median"],
            900.0
        );
        assert_eq!(
            data.result("m:4", "spawn_many", false).unwrap()["median"],
            700.0
        );
        assert!(data.result("m:4", "spawn_many", true).is_none());
    }

    #[test]
    fn the_targets_table_names_the_runtimes_once_and_gives_each_ratio_its_range() {
        let data = data();
        let groups = [Targets {
            file: "targets".into(),
            ours: "a".into(),
            theirs: "b".into(),
            cases: vec!["spawn_many".into(), "ext_wake".into()],
        }];
        let table = targets_table(&data, &groups.iter().collect::<Vec<_>>());
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(
            lines[0],
            "**A rt** (`a`) ÷ **B rt** (`b`), 5 paired runs (A B A B …):"
        );
        assert_eq!(
            lines[2],
            "| case | a | b | ratio, 2 CPUs | verdict | ratio, 1 CPU | verdict |"
        );
        // Unpinned every pair is below 1; pinned one pair is above: a tie.
        assert_eq!(
            lines[4],
            "| spawn_many | 205\u{a0}ns | 400\u{a0}ns | 0.51 (0.46–0.56) | met | 0.51 (0.46–1.18) | tie |"
        );
        assert_eq!(
            lines[5],
            "| ext_wake | | | not measured | | not measured | |"
        );
        // The runtimes' names are in the caption and the heading, never in a row.
        assert!(!lines[4..6].iter().any(|l| l.contains("A rt")));
        let single = [Targets {
            file: "t".into(),
            ours: "m".into(),
            theirs: "b".into(),
            cases: vec!["ext_wake".into()],
        }];
        let table = targets_table(&data, &single.iter().collect::<Vec<_>>());
        assert!(
            table.contains("**M rt (2)** (`m`) ÷ **B rt** (`b`), one run of each:"),
            "{table}"
        );
        assert!(
            table.contains("| ext_wake | 6.00\u{a0}µs | 5.00\u{a0}µs | 1.20, 1 run | no verdict |"),
            "{table}"
        );
        // No pinned pair at all: no pinned columns.
        assert!(!table.contains("1 CPU"), "{table}");
    }

    #[test]
    fn the_results_table_leaves_no_column_empty_and_puts_pinned_runs_where_they_fit() {
        let table = results_table(&data());
        let lines: Vec<&str> = table.lines().collect();
        // ext_wake ran pinned on every runtime: a column of the first table.
        assert_eq!(lines[2], "| runtime | spawn | ext wake | ext wake, 1 CPU |");
        assert_eq!(lines[4], "| A rt | 200\u{a0}ns | n/a | n/a |");
        assert_eq!(
            lines[6],
            "| M rt (2) | 900\u{a0}ns | 6.00\u{a0}µs | 3.10\u{a0}µs |"
        );
        assert_eq!(
            lines[7],
            "| M rt (4) | 700\u{a0}ns | 6.50\u{a0}µs | 3.20\u{a0}µs |"
        );
        // The rest of the pinned runs: a table of its own, with only what ran.
        assert!(
            table.contains("| runtime, 1 CPU | spawn |\n|---|--:|\n| M rt (2) | 950\u{a0}ns |\n"),
            "{table}"
        );
    }

    #[test]
    fn a_chart_draws_each_panel_in_the_themes_colours_with_a_text_alternative() {
        let data = data();
        let chart = ChartFile::parse(
            "ch99",
            r#"{"results": "results/x.json", "charts": {"cases": ["spawn_many"], "panels": [
                {"title": "ours and theirs", "runtimes": ["a", "b"]},
                {"title": "workers", "runtimes": ["m", "m:4"]}]}, "table": true,
                "targets": [{"file": "targets", "ours": "a", "theirs": "b", "cases": ["spawn_many"]}]}"#,
        )
        .unwrap();
        let svg = svg(&data, &chart, "spawn_many");
        assert!(svg.starts_with("<svg "));
        assert!(
            !svg.contains("\n\n"),
            "a blank line would end the HTML block in the page"
        );
        assert!(
            !svg.contains("#ffffff") && !svg.contains("#222"),
            "no fixed colours"
        );
        assert!(svg.contains("fill=\"currentColor\""));
        assert!(svg.contains("<title id=\"ch99-spawn_many-title\">spawn_many: per task</title>"));
        assert!(svg.contains("A rt: 200 ns (runs 150 ns to 260 ns); B rt: 400 ns"));
        assert!(svg.contains(">M rt (4)</text>"));
        let names: Vec<String> = render(&data, &chart).into_iter().map(|(n, _)| n).collect();
        assert_eq!(
            names,
            [
                "ch99-spawn_many.svg",
                "ch99-results-table.txt",
                "ch99-targets.txt"
            ]
        );
        assert!(check_chart_file(&data, &chart).is_empty());
        let unknown = ChartFile::parse("x", r#"{"results": "r", "tables": true}"#);
        assert!(
            unknown
                .unwrap_err()
                .to_string()
                .contains("unknown key `tables`")
        );
    }

    #[test]
    fn a_chart_measured_by_another_program_names_its_command() {
        let chart = ChartFile::parse(
            "ch99",
            r#"{"results": "../x/results/ch99.json", "command": "cargo run -p x -- measure"}"#,
        )
        .unwrap();
        assert_eq!(chart.command.as_deref(), Some("cargo run -p x -- measure"));
        assert_eq!(chart.results, "../x/results/ch99.json");
    }

    #[test]
    fn a_chart_file_that_names_what_its_results_lack_is_reported() {
        let chart = ChartFile::parse(
            "ch99",
            r#"{"results": "r", "charts": {"cases": ["nope"], "panels": [{"title": "", "runtimes": ["zz"]}]},
                "targets": [{"file": "t", "ours": "a", "theirs": "m", "cases": ["spawn_many"]}]}"#,
        )
        .unwrap();
        let problems = check_chart_file(&data(), &chart);
        assert_eq!(problems.len(), 3, "{problems:#?}");
        assert!(problems[2].contains("cargo xtask bench ch99"));
    }

    #[test]
    fn an_incomplete_run_is_reported() {
        let data = Data(json!({"format": 2,
            "cases": [{"key": "spawn_many"}, {"key": "memory"}],
            "runtimes": [{"key": "a"}],
            "results": [
                {"subject": "a", "case": "spawn_many", "pinned": false, "status": "ok", "median": 1.0},
                {"subject": "a", "case": "yield_many", "pinned": false, "status": "failed", "error": "boom"}
            ],
            "pairs": [{"ours": "a", "theirs": "b", "case": "x", "status": "failed", "error": "late"}]
        }));
        let problems = check_complete(&data);
        assert!(problems.iter().any(|p| p.contains("failed boom")));
        assert!(
            problems
                .iter()
                .any(|p| p.contains("no result for \"memory\""))
        );
        assert!(problems.iter().any(|p| p.contains("late")));
    }
}
