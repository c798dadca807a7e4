//! Chapter 13's benchmark suite (`examples-code/bench`) as seen from the tooling:
//! `cargo xtask bench` runs it and redraws the charts, `cargo xtask charts [--check]` turns
//! the committed data into SVG bar charts and a Markdown table under `src/charts/` (or checks
//! that the committed ones match the data), and the `bench-smoke` step of `cargo xtask test`
//! runs the suite at tiny sizes to prove that every case still runs on every runtime.
//!
//! The charts are written by hand, not by a plotting crate: a bar chart is a few dozen
//! `<rect>` and `<text>` elements, and doing it here keeps the xtask at one dependency and the
//! output byte-for-byte reproducible, which is what `--check` needs.

use crate::{Problem, relative};
use serde_json::Value;
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

/// The committed results of the last full run, which `cargo xtask bench` rewrites: chapter
/// 14's, with every runtime of the book.
pub const RESULTS: &str = "examples-code/bench/results/ch14.json";
/// The run that chapter 13 discusses, kept as it was (before chapter 14's runtime existed).
pub const RESULTS_CH13: &str = "examples-code/bench/results/ch13.json";
/// Where the charts and the table go; the chapter shows them from there.
pub const CHARTS: &str = "src/charts";
/// The table of every figure, included by the chapter (not `.md`: it is not a chapter).
pub const TABLE: &str = "results-table.txt";

/// What each case's chart is titled and which figure it draws.
const CASES: &[(&str, &str)] = &[
    (
        "spawn_many",
        "spawn_many: time per spawned and awaited task",
    ),
    ("yield_many", "yield_many: time per self-wake (yield)"),
    (
        "ping_pong",
        "ping_pong: time per round trip over two mpsc channels",
    ),
    (
        "timers",
        "timers: mean lateness of 10,000 sleeps of 0-50 ms",
    ),
    (
        "tcp_echo",
        "tcp_echo: time per 64-byte round trip, 100 connections",
    ),
    (
        "ext_wake",
        "ext_wake: time per wake from a plain std thread",
    ),
    ("memory", "memory: resident bytes per pending task"),
];

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// `cargo xtask bench [ARGS…]`: the full suite in a release build, then the charts.
/// ARGS go to the bench binary (`--runs 3`, `--note "…"`, `--only ch06,tokio-ct`).
pub fn run_full(root: &Path, extra: &[String]) -> Result<(), String> {
    let out = root.join(RESULTS);
    let status = Command::new(cargo())
        .current_dir(root)
        .args(["run", "--release", "--locked", "-p", "bench", "--", "--out"])
        .arg(&out)
        .args(extra)
        .status()
        .map_err(|e| format!("could not start cargo: {e}"))?;
    if !status.success() {
        return Err(format!("the benchmark suite failed ({status})"));
    }
    let problems = charts(root, false)?;
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("{} problem(s) writing the charts", problems.len()))
    }
}

/// The `bench-smoke` step: the suite at tiny sizes (a debug build, which `cargo-test` has
/// made already), then checks that every runtime ran every case it supports. Speed is never
/// looked at.
pub fn smoke(root: &Path) -> Result<(), String> {
    let out = root.join("target").join("bench-smoke").join("results.json");
    let status = Command::new(cargo())
        .current_dir(root)
        .args([
            "run", "--quiet", "--locked", "-p", "bench", "--", "--smoke", "--out",
        ])
        .arg(&out)
        .status()
        .map_err(|e| format!("could not start cargo: {e}"))?;
    if !status.success() {
        return Err(format!(
            "the benchmark suite failed in smoke mode ({status})"
        ));
    }
    let text = std::fs::read_to_string(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let data: Value = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", out.display()))?;
    let problems = check_complete(&data);
    if !problems.is_empty() {
        return Err(problems.join("\n"));
    }
    // The charts must be drawable from any complete run, not only the committed one.
    render_all(&data)?;
    render_ch14(&data)?;
    Ok(())
}

/// Every runtime has a result for every case, each `ok` or `n/a`.
pub fn check_complete(data: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let results = data["results"].as_array().cloned().unwrap_or_default();
    let mut subjects: Vec<String> = Vec::new();
    for record in &results {
        let key = record["subject"].as_str().unwrap_or("?").to_string();
        if !subjects.contains(&key) {
            subjects.push(key);
        }
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
    if subjects.is_empty() {
        problems.push("no results".into());
    }
    for subject in &subjects {
        for (case, _) in CASES {
            let found = results.iter().any(|r| {
                r["subject"] == subject.as_str() && r["case"] == *case && r["pinned"] == false
            });
            if !found {
                problems.push(format!("{subject}: no result for {case}"));
            }
        }
    }
    problems
}

/// `cargo xtask charts [--check]`: writes (or compares) `src/charts/*.svg` and the table.
pub fn charts(root: &Path, check: bool) -> Result<Vec<Problem>, String> {
    let load = |file: &str| -> Result<Value, String> {
        let text = std::fs::read_to_string(root.join(file)).map_err(|e| format!("{file}: {e}"))?;
        serde_json::from_str(&text).map_err(|e| format!("{file}: {e}"))
    };
    let mut files: Vec<(String, String, &str)> = Vec::new();
    for (name, content) in render_all(&load(RESULTS_CH13)?)? {
        files.push((name, content, RESULTS_CH13));
    }
    for (name, content) in render_ch14(&load(RESULTS)?)? {
        files.push((name, content, RESULTS));
    }
    let dir = root.join(CHARTS);
    let mut problems = Vec::new();
    for (name, content, source) in &files {
        let file = dir.join(name);
        let shown = relative(root, &file);
        let existing = std::fs::read_to_string(&file).ok();
        if existing.as_deref() == Some(content.as_str()) {
            continue;
        }
        if check {
            problems.push(Problem::new(
                &shown,
                None,
                format!("does not match {source}: run `cargo xtask charts` and review the diff"),
            ));
        } else {
            std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
            std::fs::write(&file, content).map_err(|e| format!("{}: {e}", shown.display()))?;
            eprintln!("xtask: wrote {}", shown.display());
        }
    }
    // A chart left over from a case that no longer exists is stale too.
    for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !files.iter().any(|(n, _, _)| *n == name) {
            problems.push(Problem::new(
                relative(root, &entry.path()),
                None,
                "is not made by `cargo xtask charts`: remove it",
            ));
        }
    }
    Ok(problems)
}

/// Every file of `src/charts/`: (name, content).
pub fn render_all(data: &Value) -> Result<Vec<(String, String)>, String> {
    let results = data["results"]
        .as_array()
        .ok_or("the data has no `results` array")?;
    let mut files = Vec::new();
    for (case, title) in CASES {
        let rows: Vec<&Value> = results.iter().filter(|r| r["case"] == *case).collect();
        files.push((format!("{case}.svg"), svg(title, &rows)));
    }
    files.push((TABLE.to_string(), table(data)));
    Ok(files)
}

/// Chapter 14's files, from the run with its runtime: the single-threaded runtimes case by
/// case (chapter 9 before, chapter 14 after), the whole table, and the tables of targets.
pub fn render_ch14(data: &Value) -> Result<Vec<(String, String)>, String> {
    let results = data["results"]
        .as_array()
        .ok_or("the data has no `results` array")?;
    let mut files = Vec::new();
    for (case, title) in CASES {
        let rows: Vec<&Value> = results
            .iter()
            .filter(|r| r["case"] == *case && r["pinned"] != true)
            .filter(|r| SINGLE.contains(&r["subject"].as_str().unwrap_or("")))
            .collect();
        files.push((format!("ch14-{case}.svg"), svg(title, &rows)));
    }
    files.push((format!("ch14-{TABLE}"), table(data)));
    files.push((TARGETS.to_string(), targets(data, TARGETS_OF)));
    files.push((BEFORE.to_string(), targets(data, BEFORE_OF)));
    Ok(files)
}

/// The runtimes of chapter 14's charts: before (chapter 9), after (chapter 14), and the
/// single-threaded executors of tokio, smol and futures.
const SINGLE: &[&str] = &["ch09", "ch14", "tokio-ct", "smol-local", "localpool"];

/// Issue 5's targets, each as (ours, theirs, case): the final single-threaded runtime against
/// tokio's current-thread runtime on six cases, the multi-threaded one against tokio's
/// multi-threaded runtime with 2 workers on three.
const TARGETS_OF: &[(&str, &str, &str)] = &[
    ("ch14", "tokio-ct", "spawn_many"),
    ("ch14", "tokio-ct", "yield_many"),
    ("ch14", "tokio-ct", "ping_pong"),
    ("ch14", "tokio-ct", "timers"),
    ("ch14", "tokio-ct", "tcp_echo"),
    ("ch14", "tokio-ct", "ext_wake"),
    ("ch12", "tokio-mt", "spawn_many"),
    ("ch12", "tokio-mt", "ping_pong"),
    ("ch12", "tokio-mt", "tcp_echo"),
];

/// Where chapter 14 starts: chapter 9's runtime against the same target.
const BEFORE_OF: &[(&str, &str, &str)] = &[
    ("ch09", "tokio-ct", "spawn_many"),
    ("ch09", "tokio-ct", "yield_many"),
    ("ch09", "tokio-ct", "ping_pong"),
    ("ch09", "tokio-ct", "timers"),
    ("ch09", "tokio-ct", "tcp_echo"),
    ("ch09", "tokio-ct", "ext_wake"),
];

/// The file of chapter 14's table of targets, and of its table of where it starts.
pub const TARGETS: &str = "ch14-targets.txt";
const BEFORE: &str = "ch14-before.txt";

/// A table: each target, both medians, their ratio, and whether ours is at least as fast.
fn targets(data: &Value, pairs: &[(&str, &str, &str)]) -> String {
    let results = data["results"].as_array().cloned().unwrap_or_default();
    let median = |subject: &str, case: &str| {
        results
            .iter()
            .find(|r| r["subject"] == subject && r["case"] == case && r["pinned"] != true)
            .and_then(|r| Some((r["median"].as_f64()?, r["label"].as_str()?.to_string())))
    };
    let mut out =
        String::from("| case | ours | median | theirs | median | ours ÷ theirs | met |\n");
    out.push_str("|---|---|--:|---|--:|--:|---|\n");
    for (ours, theirs, case) in pairs {
        let unit = "ns";
        match (median(ours, case), median(theirs, case)) {
            (Some((a, ours)), Some((b, theirs))) => {
                let ratio = a / b;
                let _ = writeln!(
                    out,
                    "| {case} | {ours} | {} | {theirs} | {} | {ratio:.2} | {} |",
                    human(a, unit),
                    human(b, unit),
                    if a <= b { "yes" } else { "**no**" }
                );
            }
            _ => {
                let _ = writeln!(out, "| {case} | {ours} | n/a | {theirs} | n/a | | |");
            }
        }
    }
    out
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

fn row_label(record: &Value) -> String {
    let label = record["label"].as_str().unwrap_or("?");
    if record["pinned"] == true {
        format!("{label}, 1 CPU")
    } else {
        label.to_string()
    }
}

fn is_book(record: &Value) -> bool {
    record["subject"]
        .as_str()
        .is_some_and(|key| key.starts_with("ch"))
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The horizontal scale of a chart: linear from 0, or logarithmic when the figures span
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
            let low = 10f64.powf(min.log10().floor());
            let high = 10f64.powf(max.log10().ceil());
            Scale {
                log: true,
                low,
                high,
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
            (0..=4).map(|i| self.high * f64::from(i) / 4.0).collect()
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

/// One case as a horizontal bar chart: a row per runtime, the book's in orange, the
/// yardsticks in blue, pinned runs paler; "n/a" where a runtime cannot run the case.
fn svg(title: &str, rows: &[&Value]) -> String {
    const LEFT: f64 = 230.0;
    const BAR: f64 = 380.0;
    const ROW: f64 = 20.0;
    const TOP: f64 = 48.0;
    let width = LEFT + BAR + 150.0;
    let height = TOP + ROW * rows.len() as f64 + 36.0;
    let unit = rows
        .iter()
        .find_map(|r| r["unit"].as_str())
        .unwrap_or("ns")
        .to_string();
    // The scale covers the spread of the runs too, so that no line runs off the chart.
    let values: Vec<f64> = rows
        .iter()
        .flat_map(|r| ["median", "min", "max"].map(|k| r[k].as_f64()))
        .flatten()
        .collect();
    let scale = Scale::new(&values);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"12\">"
    );
    let _ = writeln!(
        out,
        "<rect width=\"{width}\" height=\"{height}\" fill=\"#ffffff\"/>"
    );
    let _ = writeln!(
        out,
        "<text x=\"10\" y=\"20\" font-size=\"14\" font-weight=\"bold\" fill=\"#222\">{}</text>",
        escape(title)
    );
    let axis = if scale.log {
        "log scale; lower is better"
    } else {
        "lower is better"
    };
    let _ = writeln!(
        out,
        "<text x=\"10\" y=\"36\" fill=\"#555\">bar: median of the runs, line: fastest to slowest run; {axis}; orange: this book, blue: tokio, smol, futures</text>"
    );
    let bottom = TOP + ROW * rows.len() as f64;
    for tick in scale.ticks() {
        let x = LEFT + BAR * scale.at(tick);
        let _ = writeln!(
            out,
            "<line x1=\"{x:.1}\" y1=\"{:.1}\" x2=\"{x:.1}\" y2=\"{bottom:.1}\" stroke=\"#ddd\"/>",
            TOP - 4.0
        );
        let _ = writeln!(
            out,
            "<text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#555\">{}</text>",
            bottom + 16.0,
            human(tick, &unit)
        );
    }
    for (i, record) in rows.iter().enumerate() {
        let y = TOP + ROW * i as f64;
        let _ = writeln!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#222\">{}</text>",
            LEFT - 8.0,
            y + 14.0,
            escape(&row_label(record))
        );
        let Some(value) = record["median"].as_f64() else {
            let what = record["status"].as_str().unwrap_or("n/a");
            let _ = writeln!(
                out,
                "<text x=\"{:.1}\" y=\"{:.1}\" fill=\"#999\">{}</text>",
                LEFT + 4.0,
                y + 14.0,
                escape(what)
            );
            continue;
        };
        let color = match (is_book(record), record["pinned"] == true) {
            (true, false) => "#d9822b",
            (true, true) => "#f0c08a",
            (false, false) => "#3b6fb6",
            (false, true) => "#9fbbe3",
        };
        let length = (BAR * scale.at(value)).max(1.0);
        let _ = writeln!(
            out,
            "<rect x=\"{LEFT:.1}\" y=\"{:.1}\" width=\"{length:.1}\" height=\"{:.1}\" fill=\"{color}\"/>",
            y + 3.0,
            ROW - 6.0
        );
        // The spread of the runs, from the fastest to the slowest: how far to trust the bar.
        if let (Some(min), Some(max)) = (record["min"].as_f64(), record["max"].as_f64()) {
            let (from, to) = (LEFT + BAR * scale.at(min), LEFT + BAR * scale.at(max));
            let mid = y + ROW / 2.0;
            let _ = writeln!(
                out,
                "<path d=\"M{from:.1} {mid:.1}H{to:.1}M{from:.1} {:.1}V{:.1}M{to:.1} {:.1}V{:.1}\" stroke=\"#333\" fill=\"none\"/>",
                mid - 3.0,
                mid + 3.0,
                mid - 3.0,
                mid + 3.0
            );
        }
        let mut label = human(value, &unit);
        if let Some(p99) = record["extra"]["p99"]
            .as_f64()
            .filter(|_| record["case"] == "ping_pong")
        {
            label = format!("{label} (p99 {})", human(p99, &unit));
        }
        let right = record["max"]
            .as_f64()
            .map_or(0.0, |max| BAR * scale.at(max));
        let _ = writeln!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" fill=\"#222\">{}</text>",
            LEFT + length.max(right) + 4.0,
            y + 14.0,
            escape(&label)
        );
    }
    out.push_str("</svg>\n");
    out
}

/// Every figure as one Markdown table, with the machine and the load it was measured under.
fn table(data: &Value) -> String {
    let results = data["results"].as_array().cloned().unwrap_or_default();
    let mut out = String::new();
    let machine = &data["machine"];
    let _ = writeln!(
        out,
        "Measured on {} CPUs ({}), Linux {}, {}, {}; load average {} before, {} after; {} measured runs per case{}.\n",
        machine["nproc"],
        machine["cpu"].as_str().unwrap_or("?"),
        machine["kernel"].as_str().unwrap_or("?"),
        machine["rustc"].as_str().unwrap_or("?"),
        machine["date"].as_str().unwrap_or("?"),
        data["load_average"]["before"].as_str().unwrap_or("?"),
        data["load_average"]["after"].as_str().unwrap_or("?"),
        data["sizes"]["runs"],
        if data["sizes"]["warm_up"] == true {
            " after a warm-up run"
        } else {
            ""
        },
    );
    out.push_str(
        "| runtime | spawn | yield | ping-pong (p50 / p99) | timers: late (total) | tcp echo | ext wake | memory |\n",
    );
    out.push_str("|---|--:|--:|--:|--:|--:|--:|--:|\n");
    let mut rows: Vec<(String, bool)> = Vec::new();
    for record in &results {
        let key = (
            record["subject"].as_str().unwrap_or("?").to_string(),
            record["pinned"] == true,
        );
        if !rows.contains(&key) {
            rows.push(key);
        }
    }
    for (subject, pinned) in rows {
        let mine: Vec<&Value> = results
            .iter()
            .filter(|r| r["subject"] == subject.as_str() && (r["pinned"] == true) == pinned)
            .collect();
        let label = mine.first().map(|r| row_label(r)).unwrap_or_default();
        let _ = write!(out, "| {label} |");
        for (case, _) in CASES {
            let cell = match mine.iter().find(|r| r["case"] == *case) {
                None => String::new(),
                Some(r) => match r["median"].as_f64() {
                    None => r["status"].as_str().unwrap_or("n/a").to_string(),
                    Some(v) => {
                        let unit = r["unit"].as_str().unwrap_or("ns");
                        let mut cell = human(v, unit);
                        let extra = &r["extra"];
                        if *case == "ping_pong" {
                            if let (Some(p50), Some(p99)) =
                                (extra["p50"].as_f64(), extra["p99"].as_f64())
                            {
                                cell =
                                    format!("{cell} ({} / {})", human(p50, unit), human(p99, unit));
                            }
                        } else if *case == "timers" {
                            if let Some(total) = extra["total"].as_f64() {
                                cell = format!("{cell} ({})", human(total, unit));
                            }
                        }
                        cell
                    }
                },
            };
            let _ = write!(out, " {cell} |");
        }
        out.push('\n');
    }
    if let Some(note) = data["note"].as_str().filter(|n| !n.is_empty()) {
        let _ = writeln!(out, "\n{note}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

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
    }

    #[test]
    fn a_target_is_met_when_ours_is_at_most_theirs_and_a_missing_runtime_says_n_a() {
        let data = serde_json::json!({"results": [
            {"subject": "a", "label": "A", "case": "spawn_many", "pinned": false, "median": 200.0},
            {"subject": "b", "label": "B", "case": "spawn_many", "pinned": false, "median": 400.0},
            {"subject": "a", "label": "A", "case": "yield_many", "pinned": false, "median": 90.0},
            {"subject": "b", "label": "B", "case": "yield_many", "pinned": false, "median": 60.0},
            {"subject": "a", "label": "A", "case": "yield_many", "pinned": true, "median": 1.0},
        ]});
        let table = targets(
            &data,
            &[
                ("a", "b", "spawn_many"),
                ("a", "b", "yield_many"),
                ("a", "c", "ping_pong"),
            ],
        );
        let rows: Vec<&str> = table.lines().skip(2).collect();
        assert_eq!(
            rows[0],
            "| spawn_many | A | 200 ns | B | 400 ns | 0.50 | yes |"
        );
        // The pinned run is not the one compared.
        assert_eq!(
            rows[1],
            "| yield_many | A | 90.0 ns | B | 60.0 ns | 1.50 | **no** |"
        );
        assert_eq!(rows[2], "| ping_pong | a | n/a | c | n/a | | |");
    }

    #[test]
    fn an_incomplete_run_is_reported() {
        let data = serde_json::json!({"results": [
            {"subject": "a", "case": "spawn_many", "pinned": false, "status": "ok", "median": 1.0},
            {"subject": "a", "case": "yield_many", "pinned": false, "status": "failed", "error": "boom"},
        ]});
        let problems = check_complete(&data);
        assert!(problems.iter().any(|p| p.contains("failed boom")));
        assert!(problems.iter().any(|p| p.contains("no result for memory")));
    }
}
