//! `cargo run --release -p bench -- [OPTIONS]`: the whole suite, one child process per
//! (runtime, case), results as JSON.
//!
//! Options:
//!   --smoke            tiny sizes, one run each: proves every case runs, measures nothing
//!   --out FILE         where to write the JSON (default: stdout only gets the progress)
//!   --only KEY,…       only these runtimes (`ch06,tokio-ct`); see the keys in the data
//!   --cases CASE,…     only these cases
//!   --runs N           measured runs per case and process (default 5; the data records it)
//!   --workers N,…      the worker counts of the multi-threaded runtimes (default 2)
//!   --pair A,B,CASE    a target: runtime A against runtime B on CASE, measured as paired runs
//!                      (A B A B …, each a process of its own); repeatable. A runtime is a key,
//!                      or `key:N` for N workers
//!   --rounds N         paired runs per target (default 7)
//!   --note TEXT        stored in the data file (why runs were reduced, what else ran)
//!   --no-pinned        skip the passes on one CPU
//!
//! Besides the plain pass, a second pass runs every case of the multi-threaded runtimes, and
//! `ext_wake` of every runtime, pinned to CPU 0 (what `taskset -c 0` does); every pair is
//! measured both ways too.

use bench::harness::{self, DEFAULT_WORKERS, Sizes};
use bench::{CASES, Subject, machine, subjects};
use serde_json::{Value, json};
use std::io::Read;
use std::os::unix::process::CommandExt;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

/// The JSON format this writes (`cargo xtask charts` reads it).
const FORMAT: u32 = 2;

/// Paired runs per target, unless `--rounds` says otherwise: with 7 pairs, the range from the
/// smallest to the largest ratio holds the median ratio with 98 % confidence (a sign test:
/// 1 - 2 × 0.5^7).
const DEFAULT_ROUNDS: usize = 7;

struct Options {
    smoke: bool,
    out: Option<String>,
    only: Option<Vec<String>>,
    cases: Option<Vec<String>>,
    runs: Option<usize>,
    workers: Vec<usize>,
    pairs: Vec<Pair>,
    rounds: usize,
    note: Option<String>,
    pinned: bool,
}

/// A target: `ours` against `theirs` on `case`, each a runtime key and a worker count.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Pair {
    ours: Runtime,
    theirs: Runtime,
    case: String,
}

/// A runtime as a pair names it: `tokio-mt`, or `tokio-mt:4` for four workers.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Runtime {
    key: String,
    workers: Option<usize>,
}

impl Runtime {
    fn parse(text: &str) -> Result<Runtime, String> {
        match text.split_once(':') {
            None => Ok(Runtime {
                key: text.to_string(),
                workers: None,
            }),
            Some((key, n)) => Ok(Runtime {
                key: key.to_string(),
                workers: Some(n.parse().map_err(|_| format!("`{text}`: workers?"))?),
            }),
        }
    }

    fn shown(&self) -> String {
        match self.workers {
            None => self.key.clone(),
            Some(n) => format!("{}:{n}", self.key),
        }
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    harness::raise_fd_limit();
    if args.first().map(String::as_str) == Some("--child") {
        return child(&args[1..]);
    }
    match parse(&args) {
        Ok(options) => parent(&options),
        Err(message) => {
            eprintln!("bench: {message}");
            ExitCode::FAILURE
        }
    }
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut options = Options {
        smoke: false,
        out: None,
        only: None,
        cases: None,
        runs: None,
        workers: vec![DEFAULT_WORKERS],
        pairs: Vec::new(),
        rounds: DEFAULT_ROUNDS,
        note: None,
        pinned: true,
    };
    let mut args = args.iter();
    let list = |value: Option<&String>| -> Result<Vec<String>, String> {
        Ok(value
            .ok_or("a list is missing")?
            .split(',')
            .map(str::to_string)
            .collect())
    };
    let number = |value: Option<&String>, what: &str| -> Result<usize, String> {
        let text = value.ok_or(format!("{what} needs a number"))?;
        text.parse().map_err(|_| format!("{what} {text}?"))
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--smoke" => options.smoke = true,
            "--no-pinned" => options.pinned = false,
            "--out" => options.out = Some(args.next().ok_or("--out needs a file")?.clone()),
            "--note" => options.note = Some(args.next().ok_or("--note needs text")?.clone()),
            "--only" => options.only = Some(list(args.next())?),
            "--cases" => options.cases = Some(list(args.next())?),
            "--runs" => options.runs = Some(number(args.next(), "--runs")?),
            "--rounds" => options.rounds = number(args.next(), "--rounds")?.max(1),
            "--workers" => {
                options.workers = list(args.next())?
                    .iter()
                    .map(|n| n.parse().map_err(|_| format!("--workers {n}?")))
                    .collect::<Result<_, _>>()?;
            }
            "--pair" => {
                let parts = list(args.next())?;
                let [ours, theirs, case] = parts.as_slice() else {
                    return Err("--pair takes OURS,THEIRS,CASE".into());
                };
                options.pairs.push(Pair {
                    ours: Runtime::parse(ours)?,
                    theirs: Runtime::parse(theirs)?,
                    case: case.clone(),
                });
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    let all = subjects();
    for pair in &options.pairs {
        for runtime in [&pair.ours, &pair.theirs] {
            let Some(subject) = all.iter().find(|s| s.key == runtime.key) else {
                return Err(format!("--pair: no runtime `{}`", runtime.key));
            };
            if !subject.supports(&pair.case) {
                return Err(format!("--pair: {} cannot run {}", runtime.key, pair.case));
            }
        }
    }
    Ok(options)
}

fn sizes(smoke: bool, runs: Option<usize>) -> Sizes {
    let mut sizes = if smoke { Sizes::SMOKE } else { Sizes::FULL };
    if let Some(runs) = runs {
        sizes.runs = runs;
    }
    sizes
}

/// `--child KEY CASE [--smoke] [--pinned] [--runs N] [--workers N]`: one case on one
/// runtime; prints the result as one line of JSON.
fn child(args: &[String]) -> ExitCode {
    let (Some(key), Some(case)) = (args.first(), args.get(1)) else {
        eprintln!("bench --child KEY CASE");
        return ExitCode::FAILURE;
    };
    let smoke = args.iter().any(|a| a == "--smoke");
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|at| args.get(at + 1))
            .and_then(|n| n.parse::<usize>().ok())
    };
    if let Some(workers) = value("--workers") {
        harness::set_workers(workers);
    }
    if args.iter().any(|a| a == "--pinned") {
        if let Err(error) = harness::pin_to_first_cpu() {
            eprintln!("bench: cannot pin to CPU 0: {error}");
            return ExitCode::FAILURE;
        }
    }
    let all = subjects();
    let Some(subject) = all.iter().find(|s| s.key == key) else {
        eprintln!("bench: no runtime `{key}`");
        return ExitCode::FAILURE;
    };
    match subject.run(case, &sizes(smoke, value("--runs"))) {
        Some(measured) => {
            println!("{}", measured.to_json());
            ExitCode::SUCCESS
        }
        None => {
            eprintln!("bench: {key} cannot run {case}");
            ExitCode::FAILURE
        }
    }
}

/// Runs one child (in a process group of its own, killed whole at its time limit) and
/// returns its result, or why there is none.
fn run_child(
    key: &str,
    case: &str,
    workers: Option<usize>,
    options: &Options,
    pinned: bool,
) -> Result<Value, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut command = Command::new(exe);
    command.args(["--child", key, case]);
    if options.smoke {
        command.arg("--smoke");
    }
    if pinned {
        command.arg("--pinned");
    }
    if let Some(runs) = options.runs {
        command.args(["--runs", &runs.to_string()]);
    }
    if let Some(workers) = workers {
        command.args(["--workers", &workers.to_string()]);
    }
    let mut process = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .map_err(|e| format!("cannot start: {e}"))?;
    let (mut out, mut err) = (process.stdout.take(), process.stderr.take());
    let stdout = std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(out) = out.as_mut() {
            let _ = out.read_to_string(&mut text);
        }
        text
    });
    let stderr = std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(err) = err.as_mut() {
            let _ = err.read_to_string(&mut text);
        }
        text
    });
    let limit = Duration::from_secs(if options.smoke { 120 } else { 900 });
    let started = Instant::now();
    let status = loop {
        match process.try_wait().map_err(|e| e.to_string())? {
            Some(status) => break status,
            None if started.elapsed() > limit => {
                // SAFETY: kill has no memory-safety preconditions; the negative id names the
                // child's own process group (`process_group(0)` above).
                unsafe { libc::kill(-(process.id() as i32), libc::SIGKILL) };
                let _ = process.wait();
                return Err(format!("timeout after {} s", limit.as_secs()));
            }
            None => std::thread::sleep(Duration::from_millis(20)),
        }
    };
    let stdout = stdout.join().unwrap_or_default();
    let stderr = stderr.join().unwrap_or_default();
    if !status.success() {
        let last = stderr.lines().rev().find(|l| !l.trim().is_empty());
        return Err(format!("failed ({status}): {}", last.unwrap_or("")));
    }
    let line = stdout.lines().last().unwrap_or("");
    serde_json::from_str(line).map_err(|e| format!("bad output: {e}"))
}

fn parent(options: &Options) -> ExitCode {
    let wanted = |list: &Option<Vec<String>>, name: &str| {
        list.as_ref().is_none_or(|l| l.iter().any(|n| n == name))
    };
    let all = subjects();
    let mut plan: Vec<(&Subject, &str, bool, Option<usize>)> = Vec::new();
    for pinned in [false, true] {
        for subject in all.iter().filter(|s| wanted(&options.only, s.key)) {
            let worker_counts: Vec<Option<usize>> = if subject.multi_thread {
                options.workers.iter().copied().map(Some).collect()
            } else {
                vec![None]
            };
            for workers in worker_counts {
                for case in CASES.iter().filter(|c| wanted(&options.cases, c)) {
                    // The pinned pass: what one CPU changes for threads that wake each other.
                    if pinned && !(options.pinned && (subject.multi_thread || *case == "ext_wake"))
                    {
                        continue;
                    }
                    plan.push((subject, *case, pinned, workers));
                }
            }
        }
    }
    let load_before = machine::load_average();
    let started = Instant::now();
    let mut results = Vec::new();
    let mut failures = 0;
    for (subject, case, pinned, workers) in plan {
        let mut record = json!({
            "subject": subject.key,
            "pinned": pinned,
            "case": case,
        });
        if let Some(workers) = workers {
            record["workers"] = json!(workers);
        }
        let shown = format!(
            "{:<13} {:<11}{}",
            match workers {
                Some(n) => format!("{}:{n}", subject.key),
                None => subject.key.to_string(),
            },
            case,
            if pinned { " (CPU 0)" } else { "" }
        );
        if !subject.supports(case) {
            record["status"] = json!("n/a");
            eprintln!("{shown}  n/a");
        } else {
            match run_child(subject.key, case, workers, options, pinned) {
                Ok(measured) => {
                    eprintln!(
                        "{shown}  {} {}/{}",
                        measured["median"],
                        measured["unit"].as_str().unwrap_or(""),
                        measured["per"].as_str().unwrap_or("")
                    );
                    record["status"] = json!("ok");
                    for (k, v) in measured.as_object().into_iter().flatten() {
                        record[k] = v.clone();
                    }
                }
                Err(error) => {
                    failures += 1;
                    eprintln!("{shown}  FAILED: {error}");
                    record["status"] = json!("failed");
                    record["error"] = json!(error);
                }
            }
        }
        results.push(record);
    }

    // The targets: A B A B …, each run a process of its own, so that a drift of the machine
    // (another job starting, the CPU warming) falls on both runtimes alike.
    let mut pairs = Vec::new();
    for pinned in [false, true].into_iter().filter(|p| !p || options.pinned) {
        for pair in &options.pairs {
            let (mut ours, mut theirs) = (Vec::new(), Vec::new());
            let mut error = None;
            for round in 0..options.rounds {
                for (runtime, into) in [(&pair.ours, &mut ours), (&pair.theirs, &mut theirs)] {
                    let workers = runtime_workers(&all, runtime);
                    match run_child(&runtime.key, &pair.case, workers, options, pinned) {
                        Ok(measured) => into.push(measured["median"].clone()),
                        Err(e) => error = Some(format!("{}: {e}", runtime.shown())),
                    }
                }
                eprintln!(
                    "pair {} ÷ {} {}{} round {}: {} ÷ {}",
                    pair.ours.shown(),
                    pair.theirs.shown(),
                    pair.case,
                    if pinned { " (CPU 0)" } else { "" },
                    round + 1,
                    ours.last().unwrap_or(&Value::Null),
                    theirs.last().unwrap_or(&Value::Null),
                );
                if error.is_some() {
                    break;
                }
            }
            let mut record = json!({
                "case": pair.case,
                "ours": pair.ours.shown(),
                "theirs": pair.theirs.shown(),
                "pinned": pinned,
                "ours_medians": ours,
                "theirs_medians": theirs,
            });
            match error {
                None => record["status"] = json!("ok"),
                Some(error) => {
                    failures += 1;
                    eprintln!("pair FAILED: {error}");
                    record["status"] = json!("failed");
                    record["error"] = json!(error);
                }
            }
            pairs.push(record);
        }
    }

    let sizes = sizes(options.smoke, options.runs);
    let cases: Vec<Value> = CASES
        .iter()
        .filter(|c| wanted(&options.cases, c))
        .map(|case| {
            let measured = results
                .iter()
                .find(|r| r["case"] == *case && r["status"] == "ok");
            json!({
                "key": case,
                "title": harness::title(case),
                "size": sizes.describe(case),
                "unit": measured.map_or(Value::Null, |r| r["unit"].clone()),
                "per": measured.map_or(Value::Null, |r| r["per"].clone()),
            })
        })
        .collect();
    let runtimes: Vec<Value> = all
        .iter()
        .filter(|s| wanted(&options.only, s.key))
        .map(|s| {
            json!({
                "key": s.key,
                "label": s.label,
                "book": s.key.starts_with("ch"),
                "multi_thread": s.multi_thread,
            })
        })
        .collect();
    let data = json!({
        "format": FORMAT,
        "suite": "Build Your Own Async Runtime, chapter 13: cargo run --release -p bench",
        "mode": if options.smoke { "smoke" } else { "full" },
        "machine": machine::describe(),
        "load_average": { "before": load_before, "after": machine::load_average() },
        "seconds": started.elapsed().as_secs(),
        "note": options.note.clone().unwrap_or_default(),
        "runs": sizes.runs,
        "warm_up": sizes.warm_up,
        "rounds": if options.pairs.is_empty() { 0 } else { options.rounds },
        "cases": cases,
        "runtimes": runtimes,
        "results": results,
        "pairs": pairs,
    });
    let text = serde_json::to_string_pretty(&data).expect("JSON") + "\n";
    if let Some(out) = &options.out {
        if let Some(dir) = std::path::Path::new(out).parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        if let Err(error) = std::fs::write(out, &text) {
            eprintln!("bench: cannot write {out}: {error}");
            return ExitCode::FAILURE;
        }
        eprintln!("bench: wrote {out}");
    } else {
        print!("{text}");
    }
    if failures > 0 {
        eprintln!("bench: {failures} case(s) failed");
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// The worker count a pair's runtime is built with: its own, or the default for a
/// multi-threaded runtime; none for a single-threaded one.
fn runtime_workers(all: &[Subject], runtime: &Runtime) -> Option<usize> {
    let multi = all
        .iter()
        .find(|s| s.key == runtime.key)
        .is_some_and(|s| s.multi_thread);
    multi.then(|| runtime.workers.unwrap_or(DEFAULT_WORKERS))
}
