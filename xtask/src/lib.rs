//! The book's automation, shared by the `xtask` binary (`cargo xtask …`) and the book-level
//! tests in `tests/`.
//!
//! # Layout
//!
//! | module | what it knows |
//! |---|---|
//! | [`repo`] | the model of the repository: crates (stages, exercises, their bases), examples, chapters; built once from `cargo metadata`, book.toml and SUMMARY.md |
//! | [`flags`] | the command line, parsed: an unknown flag is an error |
//! | [`steps`] | the table of the steps of `cargo xtask test`: name, what it proves, how it runs; the help text and the README's table come from it |
//! | [`cmd`] | running a command: a process group of its own, a time limit, signals passed on |
//! | [`workflows`] | the GitHub workflows, audited offline by zizmor |
//! | [`bench`] | chapter 13's benchmark suite: the full run, the smoke step, the charts and tables each chapter's chart file describes |
//! | [`branches`] | one Git branch per stage crate, a Cargo project of its own (`chapter-02-…`), on its base's branch |
//! | [`browser`] | the built book in headless Chromium: pages, controls, every play button |
//! | [`book`] | the chapters: code fences, `{{#include}}` directives, where each file is shown |
//! | [`anchors`] | `ANCHOR:`/`ANCHOR_END:` markers in the stage crates |
//! | [`examples`] | the stage crates' example programs and their `output.txt` files |
//! | [`figures`] | the figures of `src/figures/`: pikchr sources and recorded traces, drawn to SVG for every theme |
//! | [`html`] | the rendered book: `#fragment` links against element ids |
//! | [`proof`] | chapter 17: Miri over the libraries and its ignore table, valgrind, classic bugs put back from patch files |
//! | [`site`] | the published site: edit links, the 404 page under `site-url`, `print.html` |
//! | [`snippets`] | the `rustdoc` wrapper that gives `mdbook test` the crates snippets use |
//! | [`tools`] | the pinned external tools (mdBook, mdbook-linkcheck2, Miri) and how to get them |
//!
//! Every check returns a list of [`Problem`]s instead of stopping at the first one, so a
//! maintainer who changes one line sees every page and output that went stale at once.

pub mod anchors;
pub mod bench;
pub mod book;
pub mod branches;
pub mod browser;
pub mod cmd;
pub mod examples;
pub mod figures;
pub mod flags;
pub mod html;
pub mod proof;
pub mod repo;
pub mod site;
pub mod snippets;
pub mod steps;
pub mod tools;
pub mod workflows;

use std::fmt;
use std::path::{Path, PathBuf};

/// One thing wrong with the book, located as precisely as we can.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file at fault, relative to the repository root.
    pub file: PathBuf,
    /// 1-based line number, when the problem has one.
    pub line: Option<usize>,
    pub message: String,
}

impl Problem {
    pub fn new(file: impl Into<PathBuf>, line: Option<usize>, message: impl Into<String>) -> Self {
        Problem {
            file: file.into(),
            line,
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.file.display(), line, self.message),
            None => write!(f, "{}: {}", self.file.display(), self.message),
        }
    }
}

/// The repository root (the parent of this crate's directory).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the repository root")
        .to_path_buf()
}

/// `path` relative to `root`, for messages; unchanged if it is not below `root`.
pub fn relative(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}

/// All files below `dir` (recursively) whose name ends with `suffix`, sorted.
pub fn files_with_suffix(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if path.is_dir() {
                if name != "target" && !name.starts_with('.') {
                    stack.push(path);
                }
            } else if name.ends_with(suffix) {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Every static check of the book's sources (no build needed): fences, includes, anchors,
/// stages and exercises against their bases, output files, the generated tables. The
/// book-level tests and `cargo xtask check` both run this.
pub fn static_checks(root: &Path) -> anyhow::Result<Vec<Problem>> {
    let repo = repo::Repo::load(root)?;
    let chapters = book::Chapters::from_repo(&repo);
    let mut problems = chapters.unreadable.clone();
    problems.extend(chapters.inline_code_blocks());
    problems.extend(chapters.check_includes());
    problems.extend(chapters.check_cited_tests(&repo)?);
    problems.extend(chapters.check_summary(&repo));
    problems.extend(anchors::check_balanced(&repo)?);
    problems.extend(anchors::check_all_used(&repo, &chapters)?);
    problems.extend(repo.check_declarations());
    problems.extend(repo.check_carry_forward());
    problems.extend(repo.check_exercises()?);
    problems.extend(repo.check_output_files()?);
    problems.extend(proof::write_miri_table(&repo, true)?);
    problems.extend(proof::check_catalogue(&repo)?);
    problems.extend(steps::readme(root, true)?);
    problems.extend(bench::check_chart_files(root)?);
    Ok(problems)
}
