//! `cargo xtask <command>`: the book's automation. Run `cargo xtask help`.

use std::path::Path;
use std::process::{Command, ExitCode};
use std::time::Instant;
use xtask::{Problem, branches, examples, html, repo_root, site, tools};

const HELP: &str = "\
cargo xtask <command>

The README's two commands:
  serve [ARGS…]        serve the book on http://127.0.0.1:3000 (installs mdBook if missing);
                       ARGS go to `mdbook serve` (e.g. --open)
  test [STEP…]         run every check; with STEP names, only those steps

Also:
  build                build the book into book/ (HTML and link check)
  outputs [--check|--remeasure]
                       rerun the example programs and rewrite (or check) their output.txt;
                       measuring programs keep their figures unless --remeasure
  check                the static checks of the sources only (includes, anchors, fences)
  bench [ARGS…]        run the benchmark suite of chapter 13 (release build, some minutes) into
                       examples-code/bench/results/ch14.json, then redraw the charts
                       (chapter 13's own run, ch13.json, is kept as it was);
                       ARGS go to the suite (e.g. --runs 3 --only ch06,tokio-ct)
  charts [--check]     draw (or check) src/charts/ from the committed benchmark data
  branches [--check] [--dir REPO]
                       build one branch per stage crate (chapter-NN-slug) into this repository
                       or REPO; --check fails when one is missing or stale
  bugs [--check]       put each classic bug of chapter 17 back into a scratch copy of its stage
                       and require its test to catch it; write (or check) xtask/proof/bugs/
  miri-ignored [--check]
                       write (or check) xtask/proof/miri-ignored.md, the tests Miri skips and why
  help                 this text

Steps of `test`, in order: tools fmt clippy cargo-test book-checks charts outputs bench-smoke
branches build site fragments browser mdbook-test loom miri valgrind bugs";

const STEPS: &[&str] = &[
    "tools",
    "fmt",
    "clippy",
    "cargo-test",
    "book-checks",
    "charts",
    "outputs",
    "bench-smoke",
    "branches",
    "build",
    "site",
    "fragments",
    "browser",
    "mdbook-test",
    "loom",
    "miri",
    "valgrind",
    "bugs",
];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = repo_root();
    let result = match args.first().map(String::as_str) {
        Some("serve") => serve(&root, &args[1..]),
        Some("test") => test(&root, &args[1..]),
        Some("build") => tools::MDBOOK.ensure().and_then(|_| build(&root)),
        Some("outputs") => examples::Mode::from_args(&args[1..])
            .and_then(|mode| report(examples::update_outputs(&root, mode, log))),
        Some("check") => report(xtask::static_checks(&root)),
        Some("bench") => xtask::bench::run_full(&root, &args[1..]),
        Some("charts") => xtask::bench::charts(&root, args.get(1).is_some_and(|a| a == "--check"))
            .and_then(report),
        Some("branches") => branches_command(&root, &args[1..]),
        Some("bugs") => xtask::proof::bugs(&root, args.get(1).is_some_and(|a| a == "--check"), log)
            .and_then(report),
        Some("miri-ignored") => report(xtask::proof::write_miri_table(
            &root,
            args.get(1).is_some_and(|a| a == "--check"),
        )),
        Some("help" | "--help" | "-h") | None => {
            println!("{HELP}");
            Ok(())
        }
        Some(other) => Err(format!("unknown command `{other}`\n\n{HELP}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

fn log(message: &str) {
    eprintln!("xtask: {message}");
}

fn report(problems: Vec<Problem>) -> Result<(), String> {
    if problems.is_empty() {
        return Ok(());
    }
    for problem in &problems {
        eprintln!("{problem}");
    }
    Err(format!("{} problem(s)", problems.len()))
}

/// Runs a command in the repository root with cargo's bin directory first on `PATH`.
fn run(root: &Path, program: impl AsRef<std::ffi::OsStr>, args: &[&str]) -> Result<(), String> {
    let program = program.as_ref();
    let status = tools::status_within(
        Command::new(program)
            .args(args)
            .current_dir(root)
            .env("PATH", tools::path_with_cargo_bin()),
        tools::command_timeout(),
    )?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "`{} {}` failed ({status})",
            program.to_string_lossy(),
            args.join(" ")
        ))
    }
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

fn serve(root: &Path, extra: &[String]) -> Result<(), String> {
    let mdbook = tools::MDBOOK.ensure()?;
    let mut args = vec!["serve", "--hostname", "127.0.0.1", "--port", "3000"];
    args.extend(extra.iter().map(String::as_str));
    println!("xtask: serving the book on http://127.0.0.1:3000 (Ctrl-C to stop)");
    run(root, &mdbook, &args)
}

fn build(root: &Path) -> Result<(), String> {
    let mdbook = tools::MDBOOK.ensure()?;
    // The link checker is an output of book.toml; without it installed, mdBook would skip it.
    tools::LINKCHECK.ensure()?;
    run(root, &mdbook, &["build"])
}

/// Every example whose program or tests contain `unsafe`, once per distinct content: a later
/// stage's unchanged copy of an earlier listing has been checked already.
fn unsafe_examples(root: &Path) -> Vec<examples::Example> {
    let mut seen = std::collections::BTreeSet::new();
    examples::discover(root)
        .into_iter()
        .filter(|example| {
            let text = example.source()
                + &std::fs::read_to_string(example.dir.join("tests.rs")).unwrap_or_default();
            examples::has_unsafe_code(&text) && seen.insert(text)
        })
        .collect()
}

fn miri(root: &Path) -> Result<Option<String>, String> {
    if let Err(reason) = tools::ensure_miri() {
        // GitHub's runners can always fetch a nightly: there, no Miri is a failure.
        if std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true") {
            return Err(format!("Miri is required on GitHub Actions: {reason}"));
        }
        return Ok(Some(format!("Miri was skipped: {reason}")));
    }
    for example in unsafe_examples(root) {
        log(&format!(
            "Miri: {} --example {}",
            example.package, example.name
        ));
        run(
            root,
            "cargo",
            &[
                "+nightly",
                "miri",
                "test",
                "--package",
                &example.package,
                "--example",
                &example.name,
            ],
        )?;
    }
    xtask::proof::miri_libraries(root, log)?;
    Ok(None)
}

/// The stage crates that carry loom models: a `tests/loom_*.rs` file. Found, not listed, so a
/// later stage that carries the models forward is checked too.
fn loom_crates(root: &Path) -> Vec<String> {
    let mut crates: Vec<String> = std::fs::read_dir(root.join("examples-code"))
        .into_iter()
        .flatten()
        .flatten()
        .filter(|krate| {
            std::fs::read_dir(krate.path().join("tests"))
                .into_iter()
                .flatten()
                .flatten()
                .any(|file| {
                    let name = file.file_name().to_string_lossy().into_owned();
                    name.starts_with("loom_") && name.ends_with(".rs")
                })
        })
        .map(|krate| krate.file_name().to_string_lossy().into_owned())
        .collect();
    crates.sort();
    crates
}

/// Every loom model, built with `--cfg loom` into a target directory of its own (the flag
/// changes every crate's build, so sharing the main one would rebuild the world twice).
fn loom(root: &Path) -> Result<(), String> {
    for krate in loom_crates(root) {
        log(&format!("loom: {krate}"));
        let status = Command::new(cargo())
            .args([
                "test",
                "--release",
                "--locked",
                "-p",
                &krate,
                "--test",
                "loom_*",
            ])
            .args(["--target-dir", "target/loom"])
            .env("RUSTFLAGS", "--cfg loom")
            .env("PATH", tools::path_with_cargo_bin())
            .current_dir(root)
            .status()
            .map_err(|e| format!("could not start cargo: {e}"))?;
        if !status.success() {
            return Err(format!("the loom models of {krate} failed ({status})"));
        }
    }
    Ok(())
}

/// `cargo xtask branches [--check] [--dir REPO]` (see xtask/src/branches.rs).
fn branches_command(root: &Path, args: &[String]) -> Result<(), String> {
    let (mut check, mut repo) = (false, root.to_path_buf());
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--check" => check = true,
            "--dir" => repo = args.next().ok_or("--dir needs a directory")?.into(),
            other => return Err(format!("branches: unknown argument `{other}`\n\n{HELP}")),
        }
    }
    if check {
        report(branches::check(root, &repo)?)
    } else {
        branches::write(root, &repo, log)
    }
}

/// One step of `cargo xtask test`: Ok(None) passed, Ok(Some(reason)) skipped, Err failed.
fn step(root: &Path, name: &str) -> Result<Option<String>, String> {
    let html = root.join("book").join("html");
    match name {
        "tools" => tools::MDBOOK
            .ensure()
            .and(tools::LINKCHECK.ensure())
            .map(|_| None),
        "fmt" => run(root, cargo(), &["fmt", "--all", "--check"]).map(|_| None),
        "clippy" => run(
            root,
            cargo(),
            &[
                "clippy",
                "--workspace",
                "--all-targets",
                "--locked",
                "--quiet",
                "--",
                "-D",
                "warnings",
            ],
        )
        .map(|_| None),
        "cargo-test" => run(root, cargo(), &["test", "--workspace", "--locked"]).map(|_| None),
        "book-checks" => report(xtask::static_checks(root)).map(|_| None),
        "outputs" => {
            report(examples::update_outputs(root, examples::Mode::Check, log)).map(|_| None)
        }
        "charts" => xtask::bench::charts(root, true)
            .and_then(report)
            .map(|_| None),
        "bench-smoke" => xtask::bench::smoke(root).map(|_| None),
        "build" => build(root).map(|_| None),
        "branches" => branches::test(root, log).map(|_| None),
        "site" if !html.is_dir() => {
            Err("book/html does not exist: the build step must run first".into())
        }
        "site" => report(site::check(root, &html)).map(|_| None),
        "fragments" if !html.is_dir() => {
            Err("book/html does not exist: the build step must run first".into())
        }
        "fragments" => report(html::check_fragments(root, &html)).map(|_| None),
        "browser" => xtask::browser::run(root, &html),
        "mdbook-test" => mdbook_test(root).map(|_| None),
        "loom" => loom(root).map(|_| None),
        "miri" => miri(root),
        "valgrind" => xtask::proof::valgrind(root, log),
        "bugs" => xtask::proof::bugs(root, true, log)
            .and_then(report)
            .map(|_| None),
        other => Err(format!("no step `{other}`; steps: {}", STEPS.join(" "))),
    }
}

/// `mdbook test`, with a `rustdoc` first on `PATH` that knows the crates snippets use.
fn mdbook_test(root: &Path) -> Result<(), String> {
    let mdbook = tools::MDBOOK.ensure()?;
    let wrapper_dir = xtask::snippets::prepare(root)?;
    let mut path = std::ffi::OsString::from(wrapper_dir);
    path.push(":");
    path.push(tools::path_with_cargo_bin());
    let status = tools::status_within(
        Command::new(&mdbook)
            .arg("test")
            .current_dir(root)
            .env("PATH", path),
        tools::command_timeout(),
    )?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`mdbook test` failed ({status})"))
    }
}

fn test(root: &Path, only: &[String]) -> Result<(), String> {
    let steps: Vec<&str> = if only.is_empty() {
        STEPS.to_vec()
    } else {
        only.iter().map(String::as_str).collect()
    };
    let mut results = Vec::new();
    for name in steps {
        eprintln!("\nxtask: ── {name} ──");
        let started = Instant::now();
        let outcome = step(root, name);
        let seconds = started.elapsed().as_secs_f64();
        match &outcome {
            Ok(None) => eprintln!("xtask: {name} passed ({seconds:.1} s)"),
            Ok(Some(reason)) => eprintln!("xtask: {name} skipped: {reason}"),
            Err(error) => eprintln!("xtask: {name} FAILED: {error}"),
        }
        results.push((name, outcome, seconds));
    }
    println!("\nxtask test summary:");
    for (name, outcome, seconds) in &results {
        let verdict = match outcome {
            Ok(None) => "passed".to_string(),
            Ok(Some(reason)) => format!("skipped ({reason})"),
            Err(_) => "FAILED".to_string(),
        };
        println!("  {name:<12} {seconds:>7.1} s  {verdict}");
    }
    let failed = results.iter().filter(|(_, o, _)| o.is_err()).count();
    let skipped = results
        .iter()
        .filter(|(_, o, _)| matches!(o, Ok(Some(_))))
        .count();
    let passed = results.len() - failed - skipped;
    println!("steps: {passed} passed, {failed} failed, {skipped} skipped");
    if failed == 0 {
        Ok(())
    } else {
        Err(format!("{failed} step(s) failed"))
    }
}
