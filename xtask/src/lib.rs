//! The book's automation, shared by the `xtask` binary (`cargo xtask …`) and the book-level
//! tests in `tests/`.
//!
//! # Layout
//!
//! | module | what it knows |
//! |---|---|
//! | [`bench`] | chapter 13's benchmark suite: the full run, the smoke step, the SVG charts from its data |
//! | [`branches`] | one Git branch per stage crate, a Cargo project of its own (`chapter-02-…`) |
//! | [`browser`] | the built book in headless Chromium: pages, controls, every play button |
//! | [`book`] | the chapters: code fences, `{{#include}}` directives, where each file is shown |
//! | [`anchors`] | `ANCHOR:`/`ANCHOR_END:` markers in the stage crates |
//! | [`examples`] | the stage crates' example programs and their `output.txt` files |
//! | [`figures`] | the figures of `src/figures/`: pikchr sources and recorded traces, drawn to SVG for every theme |
//! | [`html`] | the rendered book: `#fragment` links against element ids |
//! | [`proof`] | chapter 17: Miri over the libraries and its ignore table, valgrind, classic bugs put back |
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
pub mod examples;
pub mod figures;
pub mod html;
pub mod proof;
pub mod site;
pub mod snippets;
pub mod tools;

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
/// output files. The book-level tests and `cargo xtask test` both run this.
pub fn static_checks(root: &Path) -> Vec<Problem> {
    let chapters = book::Chapters::load(root);
    let mut problems = chapters.inline_code_blocks();
    problems.extend(chapters.check_includes());
    problems.extend(chapters.check_cited_tests());
    problems.extend(anchors::check_balanced(root));
    problems.extend(anchors::check_all_used(root, &chapters));
    problems.extend(examples::check_output_files(root));
    problems.extend(examples::check_stages_carry_forward(root));
    problems.extend(proof::write_miri_table(root, true));
    problems
}
