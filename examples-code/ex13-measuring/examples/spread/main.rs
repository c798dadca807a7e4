//! Exercise 13.2: how far to trust a row of the suite. Flags the runs that lie more than a
//! factor of 1.5 from their median, and tells two rows apart only when their remaining runs
//! do not overlap. The figures are runs of the suite's committed results
//! (`examples-code/bench/results/ch13.json`), copied here so that the program's output
//! stays the same when the suite is run again.

use bench::Measured;
use bench::harness::median;

/// Further from the median than this factor, either way, a run is an outlier.
pub const FACTOR: f64 = 1.5;

// ANCHOR: outliers
/// The indices of the runs more than `factor` times above or below the median of all runs.
pub fn outliers(runs: &[f64], factor: f64) -> Vec<usize> {
    let mid = median(runs);
    (0..runs.len())
        .filter(|&i| runs[i] > mid * factor || runs[i] * factor < mid)
        .collect()
}

/// The runs that are not outliers.
pub fn kept(runs: &[f64], factor: f64) -> Vec<f64> {
    let out = outliers(runs, factor);
    (0..runs.len())
        .filter(|i| !out.contains(i))
        .map(|i| runs[i])
        .collect()
}
// ANCHOR_END: outliers

// ANCHOR: compare
/// What the runs of two rows say about which is faster (a smaller figure is better).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Verdict {
    /// Every kept run of the first is below every kept run of the second; the ratio of the
    /// medians of the kept runs.
    FirstFaster(f64),
    SecondFaster(f64),
    /// The kept runs overlap: this data cannot tell them apart.
    Overlap,
}

pub fn compare(a: &Measured, b: &Measured) -> Verdict {
    let (a, b) = (kept(&a.runs, FACTOR), kept(&b.runs, FACTOR));
    let max = |runs: &[f64]| runs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let min = |runs: &[f64]| runs.iter().copied().fold(f64::INFINITY, f64::min);
    if max(&a) < min(&b) {
        Verdict::FirstFaster(median(&b) / median(&a))
    } else if max(&b) < min(&a) {
        Verdict::SecondFaster(median(&a) / median(&b))
    } else {
        Verdict::Overlap
    }
}
// ANCHOR_END: compare

/// Five runs of one row of the committed results, in nanoseconds.
pub fn row(runs: [f64; 5]) -> Measured {
    Measured {
        unit: "ns",
        per: "op",
        runs: runs.to_vec(),
        extra: Vec::new(),
    }
}

// The rows, from ch13.json.
pub const YIELD_CH05: [f64; 5] = [437.67, 438.19, 330.07, 393.19, 413.46];
pub const YIELD_CH10: [f64; 5] = [131.04, 141.26, 291.34, 128.72, 132.19];
pub const YIELD_TOKIO_CT: [f64; 5] = [136.75, 107.25, 185.42, 137.94, 132.67];
pub const SPAWN_CH10: [f64; 5] = [1034.62, 1033.02, 1069.22, 1244.17, 1617.21];
pub const SPAWN_TOKIO_MT: [f64; 5] = [809.88, 1857.58, 698.15, 706.11, 930.99];
pub const EXT_WAKE_TOKIO_CT: [f64; 5] = [2860.76, 12788.02, 8237.06, 8089.78, 5148.2];
pub const EXT_WAKE_TOKIO_CT_PINNED: [f64; 5] = [2908.64, 2618.92, 3514.5, 2539.55, 2531.94];

fn show_row(label: &str, runs: [f64; 5]) {
    let out: Vec<String> = outliers(&runs, FACTOR)
        .iter()
        .map(|&i| format!("{:.0}", runs[i]))
        .collect();
    let out = if out.is_empty() {
        "none".to_string()
    } else {
        out.join(", ")
    };
    println!(
        "  {label:<25} median {:>5.0}, kept {} of 5, outliers: {out}",
        median(&runs),
        kept(&runs, FACTOR).len()
    );
}

fn show_verdict(a: &str, b: &str, verdict: Verdict) {
    let said = match verdict {
        Verdict::FirstFaster(ratio) => format!("{a} faster, {ratio:.2} times"),
        Verdict::SecondFaster(ratio) => format!("{b} faster, {ratio:.2} times"),
        Verdict::Overlap => "the runs overlap: cannot tell".to_string(),
    };
    println!("  {:<34} {said}", format!("{a} / {b}:"));
}

// ANCHOR: demo
fn main() {
    println!("runs more than {FACTOR} times from their median, in ns:");
    show_row("yield_many ch05", YIELD_CH05);
    show_row("yield_many ch10", YIELD_CH10);
    show_row("yield_many tokio-ct", YIELD_TOKIO_CT);
    show_row("spawn_many ch10", SPAWN_CH10);
    show_row("spawn_many tokio-mt", SPAWN_TOKIO_MT);
    show_row("ext_wake tokio-ct", EXT_WAKE_TOKIO_CT);
    show_row("ext_wake tokio-ct, 1 CPU", EXT_WAKE_TOKIO_CT_PINNED);
    println!("which is faster, from the kept runs:");
    let verdict = compare(&row(YIELD_CH05), &row(YIELD_TOKIO_CT));
    show_verdict("yield ch05", "tokio-ct", verdict);
    let verdict = compare(&row(YIELD_CH10), &row(YIELD_TOKIO_CT));
    show_verdict("yield ch10", "tokio-ct", verdict);
    let verdict = compare(&row(SPAWN_CH10), &row(SPAWN_TOKIO_MT));
    show_verdict("spawn ch10", "tokio-mt", verdict);
    let verdict = compare(&row(EXT_WAKE_TOKIO_CT), &row(EXT_WAKE_TOKIO_CT_PINNED));
    show_verdict("ext_wake tokio-ct", "pinned", verdict);
}
// ANCHOR_END: demo

#[cfg(test)]
mod tests;
