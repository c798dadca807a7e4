//! The comparison: rounds in which every server runs once, in a process of its own, loaded
//! by `wrk` with 50 and then 500 connections; each of ours runs just before its peer, so a
//! round holds a pair of runs of each target (A B A B … over the rounds). The results go into
//! a file in the benchmark suite's format (2), which `cargo xtask charts` draws from as
//! `examples-code/bench/charts/ch18.json` says.
//!
//! On two CPUs, wrk and the server compete. A one-thread server runs on CPU 0 and wrk on
//! CPU 1 (`taskset`); a server with two workers gets both CPUs, and wrk still runs on CPU 1,
//! beside one of its workers: that is said in the results' note.

use crate::servers::{SERVERS, Server, WORKERS};
use crate::wrk;
use serde_json::{Value, json};
use std::io::{self, BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// What to measure.
#[derive(Debug, Clone)]
pub struct Options {
    /// Rounds: every server once each, and a pair of each target.
    pub rounds: usize,
    /// How long each measured `wrk` run lasts.
    pub duration: Duration,
    /// The connection counts of the runs, each a case.
    pub connections: Vec<usize>,
    /// The servers (all when empty).
    pub only: Vec<String>,
    pub note: String,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            rounds: 5,
            duration: Duration::from_secs(10),
            connections: vec![50, 500],
            only: Vec::new(),
            note: String::new(),
        }
    }
}

/// The targets: (ours, theirs), each measured on every case.
pub const TARGETS: [(&str, &str); 6] = [
    ("ch14", "tokio-ct"),
    ("ch15", "tokio-mt"),
    ("ch14", "tokio-ct-z"),
    ("ch15", "tokio-mt-z"),
    ("ch14-raw", "ch14"),
    ("ch15-raw", "ch15"),
];

/// The CPU a one-thread server runs on; wrk runs on the other.
const SERVER_CPU: usize = 0;
const WRK_CPU: usize = 1;

/// A server in a process of its own: the same binary, `serve KEY 0`, on CPU 0 when it has
/// one thread. Killed on drop.
pub struct Process {
    child: Child,
    pub addr: SocketAddr,
}

impl Process {
    pub fn start(server: Server, pin: bool) -> io::Result<Process> {
        let exe = std::env::current_exe()?;
        let mut command = if pin && !server.multi_thread {
            let mut command = Command::new("taskset");
            command.args(["-c", &SERVER_CPU.to_string()]).arg(exe);
            command
        } else {
            Command::new(exe)
        };
        let mut child = command
            .args(["serve", server.key, "0"])
            .stdout(Stdio::piped())
            .spawn()?;
        let stdout = child.stdout.take().expect("piped");
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        let addr = line
            .trim()
            .strip_prefix("listening on http://")
            .and_then(|a| a.parse().ok());
        match addr {
            Some(addr) => Ok(Process { child, addr }),
            None => {
                let _ = child.kill();
                let _ = child.wait();
                Err(io::Error::other(format!(
                    "the server {} did not say where it listens: {line:?}",
                    server.key
                )))
            }
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The case of `connections` connections, and of its percentiles.
fn case_keys(connections: usize) -> [String; 3] {
    [
        format!("c{connections}"),
        format!("c{connections}_p50"),
        format!("c{connections}_p99"),
    ]
}

/// The figures of one run, by case: the time per request (1 ÷ requests per second) and the
/// two percentiles, all in nanoseconds, lower is better.
fn figures(run: &wrk::Run) -> [f64; 3] {
    [1e9 / run.requests_per_second, run.p50_ns, run.p99_ns]
}

/// Runs every round and returns the results file's content.
pub fn run(options: &Options) -> io::Result<Value> {
    wrk::ensure_installed()?;
    let servers: Vec<Server> = SERVERS
        .iter()
        .copied()
        .filter(|s| options.only.is_empty() || options.only.iter().any(|k| k == s.key))
        .collect();
    let load_before = bench::machine::load_average();
    let started = Instant::now();
    // runs[server][connections index] = every round's run.
    let mut runs: Vec<Vec<Vec<wrk::Run>>> =
        vec![vec![Vec::new(); options.connections.len()]; servers.len()];
    for round in 1..=options.rounds {
        for (s, server) in servers.iter().enumerate() {
            let process = Process::start(*server, true)?;
            // A warm-up: connections opened, caches and allocator warm; not kept.
            wrk::run(&process.url(), 50, Duration::from_secs(1), Some(WRK_CPU))?;
            for (c, &connections) in options.connections.iter().enumerate() {
                let run = wrk::run(&process.url(), connections, options.duration, Some(WRK_CPU))?;
                eprintln!(
                    "round {round}/{}: {:<9} c{connections:<4} {:>9.0} requests/s, p50 {:>8.1} µs, p99 {:>8.1} µs{}",
                    options.rounds,
                    server.key,
                    run.requests_per_second,
                    run.p50_ns / 1e3,
                    run.p99_ns / 1e3,
                    if run.errors > 0 {
                        format!(", {} errors", run.errors)
                    } else {
                        String::new()
                    }
                );
                runs[s][c].push(run);
            }
        }
    }
    let mut cases = Vec::new();
    for &connections in &options.connections {
        let [per, p50, p99] = case_keys(connections);
        let size = format!("wrk -t1 -c{connections} -d{}s", options.duration.as_secs());
        cases.push(json!({"key": per, "title": format!("{connections} connections: time per request (1 ÷ requests per second)"), "size": size, "unit": "ns", "per": "request"}));
        cases.push(json!({"key": p50, "title": format!("{connections} connections: median latency"), "size": size, "unit": "ns", "per": "request, p50"}));
        cases.push(json!({"key": p99, "title": format!("{connections} connections: 99th percentile of latency"), "size": size, "unit": "ns", "per": "request, p99"}));
    }
    let runtimes: Vec<Value> = servers
        .iter()
        .map(|s| json!({"key": s.key, "label": s.label, "book": s.book, "multi_thread": s.multi_thread}))
        .collect();
    let mut results = Vec::new();
    for (s, server) in servers.iter().enumerate() {
        for (c, &connections) in options.connections.iter().enumerate() {
            let these = &runs[s][c];
            for (i, case) in case_keys(connections).into_iter().enumerate() {
                let values: Vec<f64> = these.iter().map(|r| figures(r)[i]).collect();
                let mut record = summary(&values);
                record["subject"] = json!(server.key);
                record["case"] = json!(case);
                record["pinned"] = json!(false);
                record["status"] = json!("ok");
                record["unit"] = json!("ns");
                if server.multi_thread {
                    record["workers"] = json!(WORKERS);
                }
                record["extra"] = json!({
                    "requests_per_second": these.iter().map(|r| r.requests_per_second).collect::<Vec<_>>(),
                    "errors": these.iter().map(|r| r.errors).sum::<u64>(),
                });
                results.push(record);
            }
        }
    }
    let mut pairs = Vec::new();
    for (ours, theirs) in TARGETS {
        let find = |key: &str| servers.iter().position(|s| s.key == key);
        let (Some(a), Some(b)) = (find(ours), find(theirs)) else {
            continue;
        };
        for (c, &connections) in options.connections.iter().enumerate() {
            for (i, case) in case_keys(connections).into_iter().enumerate() {
                let side =
                    |s: usize| -> Vec<f64> { runs[s][c].iter().map(|r| figures(r)[i]).collect() };
                pairs.push(json!({
                    "case": case, "ours": ours, "theirs": theirs, "pinned": false, "status": "ok",
                    "ours_medians": side(a), "theirs_medians": side(b),
                }));
            }
        }
    }
    let mut note = format!(
        "Each run is a server in a process of its own, loaded by wrk 4 (Debian's) for {} s after a 1 s warm-up; {} round(s), every server once per round, each of ours just before its peer. One-thread servers ran on CPU 0 and wrk on CPU 1 (taskset); the servers with {WORKERS} workers had both CPUs, and wrk ran on CPU 1 beside one of their workers.",
        options.duration.as_secs(),
        options.rounds
    );
    if !options.note.is_empty() {
        note = format!("{note} {}", options.note);
    }
    Ok(json!({
        "format": 2,
        "suite": "Build Your Own Async Runtime, chapter 18: cargo run --release -p http-bench",
        "mode": "full",
        "machine": bench::machine::describe(),
        "load_average": {"before": load_before, "after": bench::machine::load_average()},
        "seconds": started.elapsed().as_secs(),
        "note": note,
        "runs": options.rounds,
        "warm_up": true,
        "rounds": options.rounds,
        "cases": cases,
        "runtimes": runtimes,
        "results": results,
        "pairs": pairs,
    }))
}

/// Median, smallest, largest, and every figure.
fn summary(values: &[f64]) -> Value {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    let median = if n == 0 {
        f64::NAN
    } else if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    };
    json!({"median": median, "min": sorted.first(), "max": sorted.last(), "runs": values})
}

/// The table of requests per second the chapter shows beside the charts: each server's
/// median over the rounds and the range, and its median p50 and p99, for each connection
/// count. Made from the results file alone.
pub fn table(data: &Value) -> String {
    let mut out = String::new();
    let runtimes = data["runtimes"].as_array().cloned().unwrap_or_default();
    let find = |subject: &Value, case: &str| -> Option<Value> {
        data["results"]
            .as_array()?
            .iter()
            .find(|r| r["subject"] == *subject && r["case"] == case)
            .cloned()
    };
    let mut counts: Vec<String> = Vec::new();
    for case in data["cases"].as_array().into_iter().flatten() {
        let key = case["key"].as_str().unwrap_or("");
        if !key.contains('_') {
            counts.push(key.trim_start_matches('c').to_string());
        }
    }
    for count in counts {
        out.push_str(&format!(
            "With {count} connections, {}; the range is the slowest and the fastest run:\n\n",
            match data["runs"].as_u64() {
                Some(1) => "one run each".to_string(),
                Some(n) => format!("the median of {n} runs each"),
                None => "?".to_string(),
            }
        ));
        out.push_str("| server | requests per second | p50 | p99 |\n|---|--:|--:|--:|\n");
        for runtime in &runtimes {
            let key = &runtime["key"];
            let (Some(per), Some(p50), Some(p99)) = (
                find(key, &format!("c{count}")),
                find(key, &format!("c{count}_p50")),
                find(key, &format!("c{count}_p99")),
            ) else {
                continue;
            };
            let mut rps: Vec<f64> = per["extra"]["requests_per_second"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_f64)
                .collect();
            rps.sort_by(f64::total_cmp);
            let median = summary(&rps)["median"].as_f64().unwrap_or(f64::NAN);
            let label = runtime["label"].as_str().unwrap_or("?");
            let label = if runtime["multi_thread"] == true {
                format!("{label} ({WORKERS})")
            } else {
                label.to_string()
            };
            out.push_str(&format!(
                "| {label} | {} ({}–{}) | {} | {} |\n",
                thousands(median),
                thousands(*rps.first().unwrap_or(&f64::NAN)),
                thousands(*rps.last().unwrap_or(&f64::NAN)),
                micros(p50["median"].as_f64()),
                micros(p99["median"].as_f64()),
            ));
        }
        out.push('\n');
    }
    if let Some(note) = data["note"].as_str() {
        out.push_str(note);
        out.push('\n');
    }
    out
}

fn thousands(value: f64) -> String {
    if !value.is_finite() {
        return "?".into();
    }
    let digits = (value.round() as u64).to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn micros(ns: Option<f64>) -> String {
    match ns {
        Some(ns) if ns.is_finite() => format!("{:.0}\u{a0}µs", ns / 1e3),
        _ => "?".into(),
    }
}

/// Writes `data` to `path` (and the table beside it, `…-table.md`).
pub fn write(path: &Path, data: &Value) -> io::Result<()> {
    let text = serde_json::to_string_pretty(data).map_err(io::Error::other)? + "\n";
    std::fs::write(path, text)?;
    std::fs::write(table_path(path), table(data))
}

/// `results/ch18.json` → `results/ch18-table.md`.
pub fn table_path(path: &Path) -> std::path::PathBuf {
    path.with_file_name(format!(
        "{}-table.md",
        path.file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("results")
    ))
}
