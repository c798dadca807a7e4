//! The example programs and the `output.txt` beside each one.
//!
//! Every program the book shows is `examples-code/<crate>/examples/<name>/main.rs`. What it
//! prints is stored beside it in `output.txt`, whose first line is the command that runs it
//! from the repository root: `$ cargo run -p <crate> --example <name>`, with `--release` for a
//! program that prints measurements (marked `// xtask: numbers-vary`): measured figures come
//! from release builds, and such a program is run in one. `cargo xtask outputs` writes these
//! files by running the programs; `cargo xtask outputs --check` (part of `cargo xtask test`)
//! fails when one is stale: a changed label, line or unit is drift, a changed figure of a
//! measuring program is not. A program that does not finish by itself (a server) opts out
//! with a line `// xtask: no-output` in its main.rs.

use crate::book::Chapters;
use crate::cmd::Cmd;
use crate::repo::{Example, Repo};
use crate::{Problem, relative};
use std::collections::BTreeMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::Path;

pub use crate::repo::{NO_OUTPUT, NUMBERS_VARY};

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

/// Runs one example as its first line says (a release build for a measuring program) and
/// returns the text its `output.txt` should hold.
pub fn run(root: &Path, example: &Example) -> Result<String, String> {
    let mut command = Cmd::cargo()
        .args(["run", "--quiet", "--locked", "--package", &example.package])
        .args(["--example", &example.name])
        .dir(root);
    if !example.features.is_empty() {
        command = command.args(["--features", &example.features.join(",")]);
    }
    if example.numbers_vary() {
        command = command.arg("--release");
    }
    let shown = command.shown().to_string();
    let output = command.output().map_err(|e| format!("{e:#}"))?;
    if !output.success() {
        return Err(format!(
            "`{shown}` failed ({}{}):\n{}",
            output.status_text(),
            if output.timed_out { ", timed out" } else { "" },
            output.stderr
        ));
    }
    Ok(format!("{}\n{}", example.command(), output.stdout))
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

/// Runs every example that has an output and writes or compares (see [`Mode`]) its
/// `output.txt`. Byte-identical programs (a later stage's copy of an earlier listing) are run
/// once; their outputs differ in their first line only. Returns the problems found.
pub fn update_outputs(
    repo: &Repo,
    mode: Mode,
    mut log: impl FnMut(&str),
) -> anyhow::Result<Vec<Problem>> {
    let root = repo.root.as_path();
    let check = mode == Mode::Check;
    let chapters = Chapters::from_repo(repo);
    let mut problems = Vec::new();
    let mut printed: BTreeMap<u64, Result<String, String>> = BTreeMap::new();
    for example in repo.examples().filter(|e| e.wants_output()) {
        let path = example.output_txt();
        let shown = relative(root, &path);
        let existing = if path.exists() {
            Some(crate::repo::read(&path)?)
        } else {
            None
        };
        // The body, below the command line: what a copy of the same program also prints.
        let body = |text: &str| text.split_once('\n').map_or("", |(_, b)| b).to_string();
        let result = printed
            .entry(content_hash(&example.source))
            .or_insert_with(|| {
                log(&format!(
                    "running {} --example {}",
                    example.package, example.name
                ));
                let first = run(root, example).map(|t| body(&t));
                match (&first, &existing, check && !example.numbers_vary()) {
                    // A mismatch in check mode gets one more run: the programs that print
                    // timings round them, and a loaded machine can still be late once.
                    (Ok(text), Some(expected), true) if *text != body(expected) => {
                        run(root, example).map(|t| body(&t))
                    }
                    _ => first,
                }
            })
            .clone();
        let actual = match result {
            Ok(actual) => format!("{}\n{actual}", example.command()),
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
    Ok(problems)
}

#[cfg(test)]
mod tests {
    use super::*;

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
