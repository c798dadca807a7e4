//! `cargo run --release -p bench -- [OPTIONS]`: the whole suite, one child process per
//! (runtime, case), results as JSON.
//!
//! Options:
//!   --smoke            tiny sizes, one run each: proves every case runs, measures nothing
//!   --out FILE         where to write the JSON (default: stdout only gets the progress)
//!   --only KEY,…       only these runtimes (`ch06,tokio-ct`); see the keys in the data
//!   --cases CASE,…     only these cases
//!   --runs N           measured runs per case (default 5; the data file records it)
//!   --note TEXT        stored in the data file (why runs were reduced, what else ran)
//!   --no-pinned        skip the second pass on one CPU
//!
//! Besides the plain pass, a second pass runs every case of the multi-threaded runtimes, and
//! `ext_wake` of every runtime, pinned to CPU 0 (what `taskset -c 0` does).

use bench::harness::{self, Sizes};
use bench::{CASES, machine, subjects};
use serde_json::{Value, json};
use std::io::Read;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

struct Options {
    smoke: bool,
    out: Option<String>,
    only: Option<Vec<String>>,
    cases: Option<Vec<String>>,
    runs: Option<usize>,
    note: Option<String>,
    pinned: bool,
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
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--smoke" => options.smoke = true,
            "--no-pinned" => options.pinned = false,
            "--out" => options.out = Some(args.next().ok_or("--out needs a file")?.clone()),
            "--note" => options.note = Some(args.next().ok_or("--note needs text")?.clone()),
            "--only" => options.only = Some(list(args.next())?),
            "--cases" => options.cases = Some(list(args.next())?),
            "--runs" => {
                let n = args.next().ok_or("--runs needs a number")?;
                options.runs = Some(n.parse().map_err(|_| format!("--runs {n}?"))?);
            }
            other => return Err(format!("unknown argument `{other}`")),
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

/// `--child KEY CASE [--smoke] [--pinned] [--runs N]`: one case on one runtime; prints the
/// result as one line of JSON.
fn child(args: &[String]) -> ExitCode {
    let (Some(key), Some(case)) = (args.first(), args.get(1)) else {
        eprintln!("bench --child KEY CASE");
        return ExitCode::FAILURE;
    };
    let smoke = args.iter().any(|a| a == "--smoke");
    let runs = args
        .iter()
        .position(|a| a == "--runs")
        .and_then(|at| args.get(at + 1))
        .and_then(|n| n.parse().ok());
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
    match subject.run(case, &sizes(smoke, runs)) {
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

/// Runs one child and returns its result, or why there is none.
fn run_child(key: &str, case: &str, options: &Options, pinned: bool) -> Result<Value, String> {
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
    let mut process = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start: {e}"))?;
    let limit = Duration::from_secs(if options.smoke { 120 } else { 900 });
    let started = Instant::now();
    loop {
        match process.try_wait().map_err(|e| e.to_string())? {
            Some(status) => {
                let mut stdout = String::new();
                let mut stderr = String::new();
                if let Some(mut out) = process.stdout.take() {
                    let _ = out.read_to_string(&mut stdout);
                }
                if let Some(mut err) = process.stderr.take() {
                    let _ = err.read_to_string(&mut stderr);
                }
                if !status.success() {
                    let last = stderr.lines().rev().find(|l| !l.trim().is_empty());
                    return Err(format!("failed ({status}): {}", last.unwrap_or("")));
                }
                let line = stdout.lines().last().unwrap_or("");
                return serde_json::from_str(line).map_err(|e| format!("bad output: {e}"));
            }
            None if started.elapsed() > limit => {
                let _ = process.kill();
                let _ = process.wait();
                return Err(format!("timeout after {} s", limit.as_secs()));
            }
            None => std::thread::sleep(Duration::from_millis(20)),
        }
    }
}

fn parent(options: &Options) -> ExitCode {
    let wanted = |list: &Option<Vec<String>>, name: &str| {
        list.as_ref().is_none_or(|l| l.iter().any(|n| n == name))
    };
    let all = subjects();
    let mut plan = Vec::new();
    for pinned in [false, true] {
        for subject in all.iter().filter(|s| wanted(&options.only, s.key)) {
            for case in CASES.iter().filter(|c| wanted(&options.cases, c)) {
                // The pinned pass: what one CPU changes for threads that wake each other.
                if pinned && !(options.pinned && (subject.multi_thread || *case == "ext_wake")) {
                    continue;
                }
                plan.push((subject, *case, pinned));
            }
        }
    }
    let load_before = machine::load_average();
    let started = Instant::now();
    let mut results = Vec::new();
    let mut failures = 0;
    for (subject, case, pinned) in plan {
        let mut record = json!({
            "subject": subject.key,
            "label": subject.label,
            "multi_thread": subject.multi_thread,
            "pinned": pinned,
            "case": case,
        });
        let shown = format!(
            "{:<11} {:<11}{}",
            subject.key,
            case,
            if pinned { " (CPU 0)" } else { "" }
        );
        if !subject.supports(case) {
            record["status"] = json!("n/a");
            eprintln!("{shown}  n/a");
        } else {
            match run_child(subject.key, case, options, pinned) {
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
    let sizes = sizes(options.smoke, options.runs);
    let data = json!({
        "suite": "Build Your Own Async Runtime, chapter 13: cargo run --release -p bench",
        "mode": if options.smoke { "smoke" } else { "full" },
        "machine": machine::describe(),
        "load_average": { "before": load_before, "after": machine::load_average() },
        "seconds": started.elapsed().as_secs(),
        "note": options.note.clone().unwrap_or_default(),
        "sizes": {
            "spawn_many": format!("{} tasks, awaited in batches of {}", sizes.spawn_tasks, sizes.spawn_batch),
            "yield_many": format!("{} yields by one task", sizes.yields),
            "ping_pong": format!("{} round trips over futures::channel::mpsc", sizes.ping_pong_rounds),
            "timers": format!("{} tasks, each sleeps 0-{} ms (fixed seed)", sizes.timer_tasks, sizes.timer_max.as_millis()),
            "tcp_echo": format!("{} connections x {} round trips of 64 bytes", sizes.tcp_connections, sizes.tcp_rounds),
            "ext_wake": format!("{} wakes from a std thread", sizes.ext_wakes),
            "memory": format!("{} pending tasks", sizes.idle_tasks),
            "runs": sizes.runs,
            "warm_up": sizes.warm_up,
        },
        "results": results,
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
