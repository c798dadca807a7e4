//! The stage crates' example programs and the `output.txt` beside each one.
//!
//! Every program the book shows is `examples-code/<crate>/examples/<name>/main.rs`. What it
//! prints is stored beside it in `output.txt`, whose first line is the command that produced it:
//! `$ cargo run --example <name>`. `cargo xtask outputs` writes these files by running the
//! programs; `cargo xtask outputs --check` (part of `cargo xtask test`) fails when one is stale.
//! A program that does not finish by itself (a server) opts out with a line
//! `// xtask: no-output` in its main.rs.

use crate::book::Chapters;
use crate::{Problem, relative};
use std::collections::BTreeMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The marker that exempts a program from having an `output.txt`.
pub const NO_OUTPUT: &str = "// xtask: no-output";

/// The marker of a program whose output holds measurements (times, counts that vary by
/// machine and run). Its `output.txt` is what one run printed, and the check compares
/// everything but the numbers: a changed label, line or unit is drift, a changed figure is not.
pub const NUMBERS_VARY: &str = "// xtask: numbers-vary";

/// `text` with every number replaced by `#` and every run of spaces by one space, for comparing
/// outputs whose figures vary (a right-aligned column pads a short figure with more spaces).
pub fn mask_numbers(text: &str) -> String {
    let masked = mask_digits(text);
    let mut out = String::with_capacity(masked.len());
    for c in masked.chars() {
        if !(c == ' ' && out.ends_with(' ')) {
            out.push(c);
        }
    }
    out
}

fn mask_digits(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() {
            while chars
                .peek()
                .is_some_and(|&n| n.is_ascii_digit() || n == '.' || n == ',' || n == '_')
            {
                chars.next();
            }
            out.push('#');
        } else {
            out.push(c);
        }
    }
    out
}

/// One example program of one stage crate.
#[derive(Debug, Clone)]
pub struct Example {
    /// The stage crate's package name (= its folder name).
    pub package: String,
    /// The example's name (= its folder name under `examples/`).
    pub name: String,
    /// The example's folder.
    pub dir: PathBuf,
}

impl Example {
    pub fn main_rs(&self) -> PathBuf {
        self.dir.join("main.rs")
    }
    pub fn output_txt(&self) -> PathBuf {
        self.dir.join("output.txt")
    }
    /// The first line of its `output.txt`.
    pub fn command(&self) -> String {
        format!("$ cargo run --example {}", self.name)
    }
    pub fn source(&self) -> String {
        std::fs::read_to_string(self.main_rs()).unwrap_or_default()
    }
    pub fn wants_output(&self) -> bool {
        !self.source().lines().any(|line| line.trim() == NO_OUTPUT)
    }
    pub fn numbers_vary(&self) -> bool {
        self.source()
            .lines()
            .any(|line| line.trim() == NUMBERS_VARY)
    }
}

/// Every example of every stage crate, sorted by crate then name.
pub fn discover(root: &Path) -> Vec<Example> {
    let mut out = Vec::new();
    let Ok(crates) = std::fs::read_dir(root.join("examples-code")) else {
        return out;
    };
    let mut crates: Vec<PathBuf> = crates
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    crates.sort();
    for krate in crates {
        let package = krate.file_name().unwrap().to_string_lossy().into_owned();
        let Ok(entries) = std::fs::read_dir(krate.join("examples")) else {
            continue;
        };
        let mut dirs: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.join("main.rs").is_file())
            .collect();
        dirs.sort();
        for dir in dirs {
            let name = dir.file_name().unwrap().to_string_lossy().into_owned();
            out.push(Example {
                package: package.clone(),
                name,
                dir,
            });
        }
    }
    out
}

/// The `[[example]]` names of a manifest that have `test = true`.
fn tested_examples(manifest: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_example = false;
    let mut name = None;
    let mut test = false;
    let mut flush = |name: &mut Option<String>, test: &mut bool| {
        if let Some(name) = name.take() {
            if *test {
                out.push(name);
            }
        }
        *test = false;
    };
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            flush(&mut name, &mut test);
            in_example = line == "[[example]]";
        } else if in_example {
            if let Some((key, value)) = line.split_once('=') {
                match key.trim() {
                    "name" => name = Some(value.trim().trim_matches('"').to_string()),
                    "test" => test = value.trim() == "true",
                    _ => {}
                }
            }
        }
    }
    flush(&mut name, &mut test);
    out
}

/// Static checks: every example is tested by `cargo test`, has an `output.txt` (or opts out)
/// whose first line is its command.
pub fn check_output_files(root: &Path) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut manifests = BTreeMap::new();
    for example in discover(root) {
        let manifest_path = root
            .join("examples-code")
            .join(&example.package)
            .join("Cargo.toml");
        let tested = manifests.entry(manifest_path.clone()).or_insert_with(|| {
            tested_examples(&std::fs::read_to_string(&manifest_path).unwrap_or_default())
        });
        if !tested.contains(&example.name) {
            problems.push(Problem::new(
                relative(root, &manifest_path),
                None,
                format!(
                    "example `{}` needs an [[example]] entry with `test = true`, or `cargo test` skips its tests",
                    example.name
                ),
            ));
        }
        if !example.wants_output() {
            continue;
        }
        let output = example.output_txt();
        match std::fs::read_to_string(&output) {
            Err(_) => problems.push(Problem::new(
                relative(root, &example.dir),
                None,
                format!(
                    "has no output.txt: run `cargo xtask outputs` (or mark main.rs `{NO_OUTPUT}`)"
                ),
            )),
            Ok(text) if text.lines().next() != Some(example.command().as_str()) => {
                problems.push(Problem::new(
                    relative(root, &output),
                    Some(1),
                    format!("first line must be `{}`", example.command()),
                ))
            }
            Ok(_) => {}
        }
    }
    problems
}

/// Runs one example and returns the text its `output.txt` should hold.
pub fn run(root: &Path, example: &Example) -> Result<String, String> {
    let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(root)
        .args([
            "run",
            "--quiet",
            "--package",
            &example.package,
            "--example",
            &example.name,
        ])
        .output()
        .map_err(|e| format!("could not start cargo: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "`cargo run -p {} --example {}` failed ({}):\n{}",
            example.package,
            example.name,
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let stdout = String::from_utf8(output.stdout)
        .map_err(|_| "the program printed non-UTF-8".to_string())?;
    Ok(format!("{}\n{}", example.command(), stdout))
}

fn content_hash(text: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    text.hash(&mut hasher);
    hasher.finish()
}

/// The first line where two texts differ, for a message a maintainer can act on.
pub fn first_difference(expected: &str, actual: &str) -> String {
    let (mut e, mut a) = (expected.lines(), actual.lines());
    for number in 1.. {
        match (e.next(), a.next()) {
            (None, None) => return "they differ only in trailing newlines".into(),
            (x, y) if x == y => continue,
            (x, y) => {
                return format!(
                    "line {number}: the file has {}, the program prints {}",
                    x.map_or("nothing".into(), |l| format!("`{l}`")),
                    y.map_or("nothing".into(), |l| format!("`{l}`"))
                );
            }
        }
    }
    unreachable!()
}

/// What [`update_outputs`] does with an `output.txt` that differs from what its program prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Report it as stale (`cargo xtask outputs --check`, the `outputs` step).
    Check,
    /// Rewrite it; but keep a measuring program's file when only its figures changed, so
    /// that regenerating one chapter's outputs does not churn every other chapter's figures.
    Write,
    /// Rewrite it, figures included (`cargo xtask outputs --remeasure`).
    Remeasure,
}

impl Mode {
    /// `--check`, `--remeasure` or nothing.
    pub fn from_args(args: &[String]) -> Result<Mode, String> {
        match args.first().map(String::as_str) {
            None => Ok(Mode::Write),
            Some("--check") => Ok(Mode::Check),
            Some("--remeasure") => Ok(Mode::Remeasure),
            Some(other) => Err(format!(
                "outputs: unknown argument `{other}` (--check or --remeasure)"
            )),
        }
    }
}

/// Runs every example that has an output and writes or compares (see [`Mode`]) its
/// `output.txt`. Byte-identical programs (a later stage's copy of an earlier listing) are run
/// once. Returns the problems found.
pub fn update_outputs(root: &Path, mode: Mode, mut log: impl FnMut(&str)) -> Vec<Problem> {
    let check = mode == Mode::Check;
    let chapters = Chapters::load(root);
    let mut problems = Vec::new();
    let mut printed: BTreeMap<u64, Result<String, String>> = BTreeMap::new();
    for example in discover(root).into_iter().filter(Example::wants_output) {
        let path = example.output_txt();
        let shown = relative(root, &path);
        let source = example.source();
        let existing = std::fs::read_to_string(&path).ok();
        let result = printed
            .entry(content_hash(&source))
            .or_insert_with(|| {
                log(&format!(
                    "running {} --example {}",
                    example.package, example.name
                ));
                let first = run(root, &example);
                match (&first, &existing, check && !example.numbers_vary()) {
                    // A mismatch in check mode gets one more run: the programs that print
                    // timings round them, and a loaded machine can still be late once.
                    (Ok(text), Some(expected), true) if text != expected => run(root, &example),
                    _ => first,
                }
            })
            .clone();
        let actual = match result {
            Ok(actual) => actual,
            Err(error) => {
                problems.push(Problem::new(&shown, None, error));
                continue;
            }
        };
        if existing.as_deref() == Some(actual.as_str()) {
            continue;
        }
        if mode != Mode::Remeasure
            && example.numbers_vary()
            && existing.as_deref().map(mask_numbers) == Some(mask_numbers(&actual))
        {
            continue;
        }
        if check {
            let pages: Vec<String> = chapters
                .pages_showing(&path)
                .into_iter()
                .map(|(page, line)| format!("{}:{line}", page.display()))
                .collect();
            let pages = if pages.is_empty() {
                "no page".to_string()
            } else {
                pages.join(", ")
            };
            problems.push(Problem::new(
                &shown,
                None,
                format!(
                    "is stale (shown on {pages}): {}. Run `cargo xtask outputs` and review the diff",
                    first_difference(existing.as_deref().unwrap_or(""), &actual)
                ),
            ));
        } else if let Err(error) = std::fs::write(&path, &actual) {
            problems.push(Problem::new(&shown, None, format!("cannot write: {error}")));
        } else {
            log(&format!("wrote {}", shown.display()));
        }
    }
    problems
}

/// Whether a crate of `examples-code/` is a chapter's stage: named `chNN-…`.
pub fn is_stage(package: &str) -> bool {
    let bytes = package.as_bytes();
    bytes.len() > 5
        && package.starts_with("ch")
        && bytes[2].is_ascii_digit()
        && bytes[3].is_ascii_digit()
        && bytes[4] == b'-'
}

/// The marker in a stage's `Cargo.toml` that says it starts afresh instead of copying the
/// previous stage (the first stage of a new design, such as the first runtime of Part II).
pub const FRESH_START: &str = "fresh-start = true";

/// A stage is the previous stage plus the chapter's change: every example of stage N is still
/// an example of stage N + 1 (changed or not), unless stage N + 1 declares
/// `[package.metadata.stage] fresh-start = true`.
pub fn check_stages_carry_forward(root: &Path) -> Vec<Problem> {
    let all = discover(root);
    // Stages are the `chNN-…` crates; other crates (`exNN-…`, exercise solutions) are not links
    // of the chain.
    let mut stages: Vec<String> = all
        .iter()
        .map(|e| e.package.clone())
        .filter(|p| is_stage(p))
        .collect();
    stages.dedup();
    let mut problems = Vec::new();
    for pair in stages.windows(2) {
        let (previous, next) = (&pair[0], &pair[1]);
        let manifest = root.join("examples-code").join(next).join("Cargo.toml");
        if std::fs::read_to_string(&manifest)
            .unwrap_or_default()
            .lines()
            .any(|l| l.trim() == FRESH_START)
        {
            continue;
        }
        for example in all.iter().filter(|e| &e.package == previous) {
            if !all
                .iter()
                .any(|e| &e.package == next && e.name == example.name)
            {
                problems.push(Problem::new(
                    Path::new("examples-code").join(next),
                    None,
                    format!(
                        "lacks example `{}` of the previous stage {previous}: a stage is the previous stage \
                         plus the chapter's change (copy it, or declare `{FRESH_START}` under \
                         [package.metadata.stage])",
                        example.name
                    ),
                ));
            }
        }
    }
    problems
}

/// Whether Rust source holds unsafe code: an `unsafe` block, fn, impl, trait or extern block
/// (a `#![forbid(unsafe_code)]` or the word in a comment does not count).
pub fn has_unsafe_code(source: &str) -> bool {
    source
        .lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .any(|line| {
            line.match_indices("unsafe").any(|(at, _)| {
                let before = line[..at].chars().next_back();
                let after = line[at + "unsafe".len()..].trim_start();
                !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
                    && ["{", "fn ", "impl", "trait ", "extern "]
                        .iter()
                        .any(|next| after.starts_with(next))
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_tested_examples_from_a_manifest() {
        let manifest = "[package]\nname = \"x\"\n\n[[example]]\nname = \"a\"\ntest = true\n\n\
                        [[example]]\nname = \"b\"\n\n[lints.rust]\nx = 1\n";
        assert_eq!(tested_examples(manifest), vec!["a".to_string()]);
    }

    #[test]
    fn tells_unsafe_code_from_the_word_unsafe() {
        assert!(has_unsafe_code("let x = unsafe { f() };"));
        assert!(has_unsafe_code("unsafe fn f() {}"));
        assert!(has_unsafe_code("    unsafe impl Send for X {}"));
        assert!(!has_unsafe_code("#![forbid(unsafe_code)]"));
        assert!(!has_unsafe_code("// an unsafe { block } in a comment"));
        assert!(!has_unsafe_code("let not_unsafe = 1;"));
    }

    #[test]
    fn masks_numbers_but_not_words() {
        assert_eq!(
            mask_numbers("spawn: 3,980 ns/task (p99 1.5 us) x2"),
            "spawn: # ns/task (p# # us) x#"
        );
        assert_ne!(mask_numbers("wake: 12 ns"), mask_numbers("wake: 12 us"));
        assert_eq!(
            mask_numbers("half:  13 steals"),
            mask_numbers("half:   9 steals")
        );
        assert_ne!(mask_numbers("a\nb"), mask_numbers("a b"));
    }

    #[test]
    fn names_the_first_differing_line() {
        assert_eq!(
            first_difference("$ x\na\nb\n", "$ x\na\nc\n"),
            "line 3: the file has `b`, the program prints `c`"
        );
        assert_eq!(
            first_difference("a\n", "a\nb\n"),
            "line 2: the file has nothing, the program prints `b`"
        );
    }
}
