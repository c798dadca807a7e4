//! The steps of `cargo xtask test`, as one table: each step's name, what it proves and how it
//! runs. The help text is made from it, and so is the README's table of steps (`cargo xtask
//! readme` writes it, the `book-checks` step fails when it is stale). Adding a step is adding a
//! row here and the function it runs.

use crate::cmd::Cmd;
use crate::repo::Repo;
use crate::{Problem, relative, tools};
use anyhow::{Context as _, Result, bail};
use std::path::Path;
use std::time::Instant;

/// How a step ended: `Ok(None)` passed, `Ok(Some(reason))` skipped (and why), `Err` failed.
pub type Outcome = Result<Option<String>>;

/// One step of `cargo xtask test`.
pub struct Step {
    pub name: &'static str,
    /// What it proves, for the README (Markdown).
    pub proves: &'static str,
    /// How it runs, in a few words (the help text shows this).
    pub runs: &'static str,
    /// Part of `cargo xtask test --quick`: it takes seconds.
    pub quick: bool,
    pub run: fn(&Path) -> Outcome,
}

/// Every step, in the order `cargo xtask test` runs them.
pub const STEPS: &[Step] = &[
    Step {
        name: "tools",
        proves: "mdBook 0.5.4 and mdbook-linkcheck2 0.13.0 are installed",
        runs: "finds them, or `cargo install --locked` at the pinned versions",
        quick: false,
        run: tools_step,
    },
    Step {
        name: "fmt",
        proves: "the code is formatted",
        runs: "`cargo fmt --all --check`",
        quick: true,
        run: |root| cargo(root, &["fmt", "--all", "--check"]),
    },
    Step {
        name: "clippy",
        proves: "no lint fires, and no `unsafe` is undocumented",
        runs: "`cargo clippy --workspace --all-targets --locked -- -D warnings`",
        quick: false,
        run: |root| {
            cargo(
                root,
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
        },
    },
    Step {
        name: "cargo-test",
        proves: "the tests of every stage crate, exercise and tool pass, and the book-level tests in `tests/`",
        runs: "`cargo test --workspace --locked`, then each example that needs a crate feature (a trace recorder) with it: `cargo test -p CRATE --example NAME --features F`",
        quick: false,
        run: cargo_test,
    },
    Step {
        name: "book-checks",
        proves: "no ```` ```rust ```` block holds code of its own; every include resolves to a file and a named anchor; anchors are balanced and every one is shown; every example is tested and has its `output.txt`, whose first line is the command that runs it from the repository root; every test a page cites as \"*(checked by `…`)*\" exists; every stage declares its base and carries its base's programs forward; every exercise changes only the files it declares; this table, the Miri table and the chart data are current",
        runs: "`cargo xtask check`",
        quick: true,
        run: |root| report(crate::static_checks(root)?),
    },
    Step {
        name: "charts",
        proves: "the charts and tables of `src/charts/` are what the chapters' chart files (`examples-code/bench/charts/`) draw from the committed results",
        runs: "`cargo xtask charts --check`",
        quick: true,
        run: |root| report(crate::bench::charts(root, true)?),
    },
    Step {
        name: "figures",
        proves: "every figure of `src/figures/` is what its source draws (pikchr, or a recorded trace), uses only the theme's colours, is on a page inside a `<figure>` with a numbered caption, and has a text alternative",
        runs: "`cargo xtask figures --check`",
        quick: true,
        run: |root| report(crate::figures::check(root)),
    },
    Step {
        name: "workflows",
        proves: "the GitHub workflows pass zizmor's audit (offline); skipped, and said so, when zizmor cannot be installed",
        runs: "`zizmor --offline .github/workflows` (installs the pinned zizmor from PyPI into `target/zizmor` if missing)",
        quick: true,
        run: crate::workflows::step,
    },
    Step {
        name: "outputs",
        proves: "every example program still prints exactly the `output.txt` the book shows (measuring programs, marked `// xtask: numbers-vary`, in release builds and with their figures masked)",
        runs: "`cargo xtask outputs --check`",
        quick: false,
        run: |root| {
            let repo = Repo::load(root)?;
            report(crate::examples::update_outputs(
                &repo,
                crate::examples::Mode::Check,
                log,
            )?)
        },
    },
    Step {
        name: "bench-smoke",
        proves: "the benchmark suite of chapter 13 runs every case on every runtime at tiny sizes, paired runs included, and every chapter's charts can be drawn from the result; it never looks at speed",
        runs: "`cargo run -p bench -- --smoke`",
        quick: false,
        run: |root| crate::bench::smoke(root).map(|()| None),
    },
    Step {
        name: "branches",
        proves: "every chapter branch builds twice to the same commits, each on its base's branch, and a `git clone --branch … --single-branch` of each passes `cargo test --locked`",
        runs: "`cargo xtask branches` into `target/branches/`, then a clone and `cargo test` of each",
        quick: false,
        run: |root| {
            let repo = Repo::load(root)?;
            crate::branches::test(&repo, log).map(|()| None)
        },
    },
    Step {
        name: "build",
        proves: "the book builds and the link checker finds no broken link (no web links: CI has no internet)",
        runs: "`mdbook build`",
        quick: true,
        run: |root| build(root).map(|()| None),
    },
    Step {
        name: "site",
        proves: "each chapter's edit link opens its own `src/….md` on `main`; `404.html` works under `site-url`; `print.html` holds every chapter",
        runs: "reads `book/html/`",
        quick: true,
        run: |root| {
            let html = built(root)?;
            report(crate::site::check(root, &html))
        },
    },
    Step {
        name: "fragments",
        proves: "every `page.html#fragment` link in the rendered book names an element that exists",
        runs: "reads `book/html/`",
        quick: true,
        run: |root| {
            let html = built(root)?;
            report(crate::html::check_fragments(root, &html))
        },
    },
    Step {
        name: "browser",
        proves: "in headless Chromium, every page loads without console errors, the sidebar, search, theme switch and hidden-lines eye work, no page is wider than a 375 px phone; every figure is drawn, visible and no wider than the page in a light and a dark theme; every play button runs its program and shows exactly its `output.txt`; skipped, and said so, when Chromium or node cannot be installed (failed on GitHub Actions)",
        runs: "`node --test tests/browser/` with `playwright-core`",
        quick: false,
        run: |root| crate::browser::run(root, &root.join("book/html")).map_err(anyhow::Error::msg),
    },
    Step {
        name: "mdbook-test",
        proves: "every snippet compiles and runs as a doctest",
        runs: "`mdbook test`, with a `rustdoc` that knows the crates snippets use",
        quick: false,
        run: |root| mdbook_test(root).map(|()| None),
    },
    Step {
        name: "loom",
        proves: "the loom models (every `examples-code/*/tests/loom_*.rs`, found automatically) explore every interleaving of their threads, within each model's preemption bound",
        runs: "`RUSTFLAGS=\"--cfg loom\" cargo test --release --test 'loom_*'`, in `target/loom/`",
        quick: false,
        run: |root| loom(root).map(|()| None),
    },
    Step {
        name: "miri",
        proves: "every example with `unsafe` code passes its tests under Miri, and so do the library and integration tests of every stage and exercise crate with `unsafe` in `src/` or `tests/` (tests Miri cannot run carry `#[cfg_attr(miri, ignore = \"reason\")]`, tabulated by `cargo xtask miri-ignored` for chapter 17); skipped, and said so, when no nightly with Miri can be installed (failed on GitHub Actions)",
        runs: "`cargo +nightly miri test`",
        quick: false,
        run: miri,
    },
    Step {
        name: "valgrind",
        proves: "the example programs that cross into the kernel (raw wakers, epoll, eventfd, timerfd, sockets, threads; each marked `// xtask: valgrind`) run under memcheck with no error and no definite leak; skipped, and said so, when valgrind is missing",
        runs: "`valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite`",
        quick: false,
        run: |root| crate::proof::valgrind(root, log).map_err(anyhow::Error::msg),
    },
    Step {
        name: "bugs",
        proves: "each classic bug of chapter 17's catalogue (`xtask/proof/bugs/*.patch`), applied to a scratch copy of its stage, is caught by its test, which passes on the unchanged copy; the failure outputs the chapter shows are current (numbers may vary)",
        runs: "`cargo xtask bugs --check`, in `target/bugs/`",
        quick: false,
        run: |root| report(crate::proof::bugs(root, true, log)?),
    },
];

/// What a cold `cargo xtask test` writes to disk (about 9 GiB, README.md, "Disk"), with
/// room to spare.
const COLD_RUN_DISK: u64 = 12 << 30;

/// Bytes free to an unprivileged user on the file system that holds `root`'s `target/`.
fn free_disk(root: &Path) -> Option<u64> {
    let dir = root.join("target");
    let dir = if dir.exists() {
        dir
    } else {
        root.to_path_buf()
    };
    let path = std::ffi::CString::new(dir.as_os_str().as_encoded_bytes()).ok()?;
    // SAFETY: all-zero bytes are a valid `statvfs` (integers only), which the call overwrites.
    let mut stats: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: `path` is a NUL-terminated string that outlives the call, and `stats` is a
    // `statvfs` the call may write.
    if unsafe { libc::statvfs(path.as_ptr(), &mut stats) } != 0 {
        return None;
    }
    Some(stats.f_bavail as u64 * stats.f_frsize as u64)
}

/// `12.3 GiB`
fn gib(bytes: u64) -> String {
    format!("{:.1} GiB", bytes as f64 / (1u64 << 30) as f64)
}

fn log(message: &str) {
    eprintln!("xtask: {message}");
}

/// Prints the problems; an error that counts them, if there are any.
pub fn report(problems: Vec<Problem>) -> Outcome {
    if problems.is_empty() {
        return Ok(None);
    }
    for problem in &problems {
        eprintln!("{problem}");
    }
    bail!("{} problem(s)", problems.len())
}

fn cargo(root: &Path, args: &[&str]) -> Outcome {
    Cmd::cargo().args(args).dir(root).run().map(|()| None)
}

/// `cargo test --workspace`, which skips the examples that need a feature, then those.
fn cargo_test(root: &Path) -> Outcome {
    cargo(root, &["test", "--workspace", "--locked"])?;
    let repo = crate::repo::Repo::load(root)?;
    for example in repo
        .examples()
        .filter(|e| e.tested && !e.features.is_empty())
    {
        let features = example.features.join(",");
        cargo(
            root,
            &[
                "test",
                "--locked",
                "-p",
                &example.package,
                "--example",
                &example.name,
                "--features",
                &features,
            ],
        )?;
    }
    Ok(None)
}

fn tools_step(_: &Path) -> Outcome {
    tools::MDBOOK.ensure()?;
    tools::LINKCHECK.ensure()?;
    Ok(None)
}

/// `book/html`, which the `build` step makes.
fn built(root: &Path) -> Result<std::path::PathBuf> {
    let html = root.join("book").join("html");
    if !html.is_dir() {
        bail!("book/html does not exist: the build step must run first");
    }
    Ok(html)
}

/// `mdbook build`, with the link checker installed (an output of book.toml; without it,
/// mdBook would skip it).
pub fn build(root: &Path) -> Result<()> {
    let mdbook = tools::MDBOOK.ensure()?;
    tools::LINKCHECK.ensure()?;
    Cmd::new(mdbook).arg("build").dir(root).run()
}

/// `mdbook test`, with a `rustdoc` first on `PATH` that knows the crates snippets use.
fn mdbook_test(root: &Path) -> Result<()> {
    let mdbook = tools::MDBOOK.ensure()?;
    let wrapper_dir = crate::snippets::prepare(root).map_err(anyhow::Error::msg)?;
    let mut path = std::ffi::OsString::from(wrapper_dir);
    path.push(":");
    path.push(tools::path_with_cargo_bin());
    Cmd::new(mdbook)
        .arg("test")
        .dir(root)
        .env("PATH", path)
        .run()
}

/// Every loom model, built with `--cfg loom` into a target directory of its own (the flag
/// changes every crate's build, so sharing the main one would rebuild the world twice).
fn loom(root: &Path) -> Result<()> {
    let repo = Repo::load(root)?;
    for krate in repo.loom_crates() {
        log(&format!("loom: {}", krate.name));
        Cmd::cargo()
            .args(["test", "--release", "--locked", "-p", &krate.name])
            .args(["--test", "loom_*", "--target-dir", "target/loom"])
            .env("RUSTFLAGS", "--cfg loom")
            .dir(root)
            .run()
            .with_context(|| format!("the loom models of {} failed", krate.name))?;
    }
    Ok(())
}

/// Every example whose program or tests contain `unsafe`, and every stage and exercise with
/// `unsafe` in its library or tests, under Miri. An example is run once per distinct content:
/// a later stage's unchanged copy of an earlier listing has been checked already.
fn miri(root: &Path) -> Outcome {
    if let Err(reason) = tools::ensure_miri() {
        // GitHub's runners can always fetch a nightly: there, no Miri is a failure.
        if std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true") {
            bail!("Miri is required on GitHub Actions: {reason}");
        }
        return Ok(Some(format!("Miri was skipped: {reason}")));
    }
    let repo = Repo::load(root)?;
    let mut seen = std::collections::BTreeSet::new();
    let mut failed = Vec::new();
    for example in repo.examples() {
        let tests = example.dir.join("tests.rs");
        let text = example.source.clone()
            + &if tests.exists() {
                crate::repo::read(&tests)?
            } else {
                String::new()
            };
        if !crate::repo::has_unsafe_code(&text) || !seen.insert(text) {
            continue;
        }
        log(&format!(
            "Miri: {} --example {}",
            example.package, example.name
        ));
        let run = Cmd::new("cargo")
            .args(["+nightly", "miri", "test", "--locked", "-p"])
            .arg(&example.package)
            .args(["--example", &example.name])
            .dir(root)
            .run();
        if let Err(error) = run {
            log(&format!("Miri FAILED: {error:#}"));
            failed.push(format!("{} --example {}", example.package, example.name));
        }
    }
    // Every crate runs even after a failure: one report names them all.
    let libraries = crate::proof::miri_libraries(&repo, log);
    if !failed.is_empty() {
        bail!(
            "under Miri, the tests of {} failed{}",
            failed.join(", "),
            libraries
                .err()
                .map_or(String::new(), |e| format!("; {e:#}"))
        );
    }
    libraries?;
    Ok(None)
}

/// The steps `names` (every step when empty, the quick ones with `quick`), one after the
/// other, going on after a failure; then a summary. An error when any failed.
pub fn run(root: &Path, names: &[String], quick: bool) -> Result<()> {
    for name in names {
        if !STEPS.iter().any(|s| s.name == name) {
            bail!("no step `{name}`; the steps are: {}", names_line());
        }
    }
    let chosen: Vec<&Step> = if names.is_empty() {
        STEPS.iter().filter(|s| s.quick || !quick).collect()
    } else {
        // In the order given.
        names
            .iter()
            .filter_map(|n| STEPS.iter().find(|s| s.name == n))
            .filter(|s| s.quick || !quick)
            .collect()
    };
    let mut results = Vec::new();
    let at_start = free_disk(root);
    if let Some(free) = at_start {
        log(&format!("disk: {} free", gib(free)));
        // A chosen few steps, or the quick ones, write little.
        if free < COLD_RUN_DISK && names.is_empty() && !quick {
            log(&format!(
                "disk: WARNING: a cold run writes about 9 GiB, and less than {} is free \
                 (README.md, \"Disk\")",
                gib(COLD_RUN_DISK)
            ));
        }
    }
    // The least free space seen, and the step after which it was seen (none: at the start).
    let mut lowest: Option<(u64, Option<&str>)> = at_start.map(|free| (free, None));
    for step in chosen {
        eprintln!("\nxtask: ── {} ──", step.name);
        let started = Instant::now();
        let outcome = (step.run)(root);
        let seconds = started.elapsed().as_secs_f64();
        match &outcome {
            Ok(None) => eprintln!("xtask: {} passed ({seconds:.1} s)", step.name),
            Ok(Some(reason)) => eprintln!("xtask: {} skipped: {reason}", step.name),
            Err(error) => eprintln!("xtask: {} FAILED: {error:#}", step.name),
        }
        if let Some(free) = free_disk(root) {
            log(&format!("disk: {} free", gib(free)));
            if lowest.is_none_or(|(least, _)| free < least) {
                lowest = Some((free, Some(step.name)));
            }
        }
        results.push((step.name, outcome, seconds));
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
    if let (Some(start), Some((least, after))) = (at_start, lowest) {
        let when = after.map_or("the start".to_string(), |step| format!("after {step}"));
        println!(
            "disk: {} free at the start, {} at the least ({when})",
            gib(start),
            gib(least)
        );
    }
    if failed == 0 {
        Ok(())
    } else {
        bail!("{failed} step(s) failed")
    }
}

/// `tools fmt clippy …`
pub fn names_line() -> String {
    STEPS.iter().map(|s| s.name).collect::<Vec<_>>().join(" ")
}

/// The steps as the help text lists them.
pub fn help() -> String {
    let mut out = String::new();
    for step in STEPS {
        out.push_str(&format!(
            "  {:<12} {}{}\n",
            step.name,
            step.runs.replace('`', ""),
            if step.quick { "  [quick]" } else { "" }
        ));
    }
    out
}

/// Where the table sits in README.md.
const TABLE_START: &str =
    "<!-- steps: generated by `cargo xtask readme` from xtask/src/steps.rs -->";
const TABLE_END: &str = "<!-- end of steps -->";

/// The README's table of steps.
pub fn readme_table() -> String {
    let mut out = String::from("| step | what it proves | how it runs |\n|---|---|---|\n");
    for step in STEPS {
        out.push_str(&format!(
            "| `{}`{} | {} | {} |\n",
            step.name,
            if step.quick { " (quick)" } else { "" },
            step.proves,
            step.runs.replace('|', "\\|"),
        ));
    }
    out
}

/// README.md with its table of steps as [`readme_table`] makes it.
fn readme_with_table(readme: &str) -> Result<String> {
    let (Some(start), Some(end)) = (readme.find(TABLE_START), readme.find(TABLE_END)) else {
        bail!("README.md has no `{TABLE_START}` … `{TABLE_END}` markers around its table of steps");
    };
    Ok(format!(
        "{}{TABLE_START}\n{}{}",
        &readme[..start],
        readme_table(),
        &readme[end..]
    ))
}

/// `cargo xtask readme [--check]`: writes (or checks) the README's table of steps.
pub fn readme(root: &Path, check: bool) -> Result<Vec<Problem>> {
    let path = root.join("README.md");
    let text = crate::repo::read(&path)?;
    let wanted = readme_with_table(&text)?;
    if wanted == text {
        return Ok(Vec::new());
    }
    if check {
        return Ok(vec![Problem::new(
            relative(root, &path),
            None,
            "its table of steps differs from xtask/src/steps.rs: run `cargo xtask readme`",
        )]);
    }
    std::fs::write(&path, wanted).with_context(|| format!("cannot write {}", path.display()))?;
    log("wrote README.md's table of steps");
    Ok(Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_names_are_unique_and_the_quick_ones_exist() {
        let mut names: Vec<&str> = STEPS.iter().map(|s| s.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), STEPS.len());
        assert!(STEPS.iter().filter(|s| s.quick).count() >= 4);
        assert!(
            help().contains(
                "  book-checks  `cargo xtask check`"
                    .replace('`', "")
                    .as_str()
            )
        );
    }

    #[test]
    fn the_readme_table_is_replaced_between_its_markers() {
        let readme = format!("intro\n\n{TABLE_START}\nold\n{TABLE_END}\n\nrest\n");
        let new = readme_with_table(&readme).unwrap();
        assert!(new.starts_with(&format!("intro\n\n{TABLE_START}\n| step |")));
        assert!(
            new.contains("| `fmt` (quick) | the code is formatted | `cargo fmt --all --check` |\n")
        );
        assert!(new.ends_with(&format!("|\n{TABLE_END}\n\nrest\n")));
        assert_eq!(readme_with_table(&new).unwrap(), new);
        assert!(readme_with_table("no markers").is_err());
    }

    #[test]
    fn an_unknown_step_is_an_error_before_anything_runs() {
        let error = run(
            Path::new("/nonexistent"),
            &["fmt".into(), "nope".into()],
            false,
        )
        .unwrap_err();
        assert!(error.to_string().contains("no step `nope`"), "{error}");
    }
}
