//! The chapters in `src/`: their code fences and their `{{#include}}` directives.

use crate::{Problem, anchors, files_with_suffix, relative};
use std::path::{Path, PathBuf};

/// One `{{#include …}}` or `{{#rustdoc_include …}}` directive in a chapter.
#[derive(Debug, Clone)]
pub struct Include {
    /// The chapter, relative to the repository root.
    pub chapter: PathBuf,
    /// 1-based line of the directive in the chapter.
    pub line: usize,
    /// `include` or `rustdoc_include`.
    pub kind: String,
    /// The included file, as an absolute path (it may not exist).
    pub target: PathBuf,
    /// What follows the path: an anchor name, a line range, or nothing.
    pub selector: Option<String>,
}

/// A fenced code block in a chapter.
#[derive(Debug, Clone)]
pub struct Fence {
    pub chapter: PathBuf,
    /// 1-based line of the opening fence.
    pub line: usize,
    /// The info string: `rust`, `rust,no_run`, `text`, …
    pub info: String,
    pub body: Vec<String>,
}

/// Every chapter of the book, read once.
pub struct Chapters {
    pub root: PathBuf,
    /// (path relative to the root, contents)
    pub files: Vec<(PathBuf, String)>,
    /// The pages that could not be read, each a problem (never an empty page).
    pub unreadable: Vec<Problem>,
}

impl Chapters {
    /// Every Markdown file of `src/`.
    pub fn load(root: &Path) -> Self {
        let pages = files_with_suffix(&root.join("src"), ".md")
            .into_iter()
            .map(|path| relative(root, &path))
            .collect::<Vec<_>>();
        Chapters::read(root, &pages)
    }

    /// The pages of the repository's model.
    pub fn from_repo(repo: &crate::repo::Repo) -> Self {
        Chapters::read(&repo.root, &repo.pages)
    }

    fn read(root: &Path, pages: &[PathBuf]) -> Self {
        let mut files = Vec::new();
        let mut unreadable = Vec::new();
        for page in pages {
            match std::fs::read_to_string(root.join(page)) {
                Ok(text) => files.push((page.clone(), text)),
                Err(error) => {
                    unreadable.push(Problem::new(page, None, format!("cannot be read: {error}")))
                }
            }
        }
        Chapters {
            root: root.to_path_buf(),
            files,
            unreadable,
        }
    }

    /// Every chapter SUMMARY.md links exists, and every page of `src/` is linked from it (or
    /// the book never shows it).
    pub fn check_summary(&self, repo: &crate::repo::Repo) -> Vec<Problem> {
        let mut problems = Vec::new();
        for chapter in &repo.chapters {
            if !self.root.join(&chapter.page).is_file() {
                problems.push(Problem::new(
                    "src/SUMMARY.md",
                    None,
                    format!("links to {}, which does not exist", chapter.page.display()),
                ));
            }
        }
        for (page, _) in &self.files {
            if page != Path::new("src/SUMMARY.md") && !repo.chapters.iter().any(|c| &c.page == page)
            {
                problems.push(Problem::new(
                    page,
                    None,
                    "is not linked from src/SUMMARY.md, so the book never shows it",
                ));
            }
        }
        problems
    }

    /// Every fenced code block of every chapter.
    pub fn fences(&self) -> Vec<Fence> {
        let mut out = Vec::new();
        for (chapter, text) in &self.files {
            let mut open: Option<(String, Fence)> = None;
            for (index, line) in text.lines().enumerate() {
                let trimmed = line.trim_start();
                let marker: String = trimmed
                    .chars()
                    .take_while(|&c| c == '`' || c == '~')
                    .collect();
                match &mut open {
                    Some((fence, block)) => {
                        if marker.len() >= fence.len()
                            && marker.starts_with(&fence[..1])
                            && trimmed[marker.len()..].trim().is_empty()
                        {
                            out.push(open.take().unwrap().1);
                        } else {
                            block.body.push(line.to_string());
                        }
                    }
                    None if marker.len() >= 3
                        && (marker.starts_with("```") || marker.starts_with("~~~")) =>
                    {
                        let info = trimmed[marker.len()..].trim().to_string();
                        let fence = Fence {
                            chapter: chapter.clone(),
                            line: index + 1,
                            info,
                            body: Vec::new(),
                        };
                        open = Some((marker, fence));
                    }
                    None => {}
                }
            }
        }
        out
    }

    /// Rust blocks that hold code of their own instead of including a stage crate's file.
    pub fn inline_code_blocks(&self) -> Vec<Problem> {
        self.fences()
            .into_iter()
            .filter(|fence| fence.info.split(',').next().unwrap_or("").trim() == "rust")
            .filter(|fence| {
                fence.body.iter().any(|line| {
                    let line = line.trim();
                    !line.is_empty() && parse_directive(line).is_none()
                })
            })
            .map(|fence| {
                Problem::new(
                    &fence.chapter,
                    Some(fence.line),
                    "this ```rust block holds code of its own; include it from a stage crate \
                     ({{#rustdoc_include ../examples-code/<crate>/examples/<name>/main.rs:<anchor>}})",
                )
            })
            .collect()
    }

    /// Every include directive of every chapter, in order.
    pub fn includes(&self) -> Vec<Include> {
        let mut out = Vec::new();
        for (chapter, text) in &self.files {
            let dir = self.root.join(chapter).parent().unwrap().to_path_buf();
            for (index, line) in text.lines().enumerate() {
                let mut rest = line;
                while let Some(start) = rest.find("{{#") {
                    let Some(len) = rest[start..].find("}}") else {
                        break;
                    };
                    let directive = &rest[start..start + len + 2];
                    if let Some((kind, path, selector)) = parse_directive(directive) {
                        out.push(Include {
                            chapter: chapter.clone(),
                            line: index + 1,
                            kind,
                            target: normalize(&dir.join(path)),
                            selector,
                        });
                    }
                    rest = &rest[start + len + 2..];
                }
            }
        }
        out
    }

    /// Every include names a file that exists and an anchor that exists in it; no line ranges.
    pub fn check_includes(&self) -> Vec<Problem> {
        let mut problems = Vec::new();
        for include in self.includes() {
            let shown = relative(&self.root, &include.target);
            let at = |message: String| Problem::new(&include.chapter, Some(include.line), message);
            let Ok(text) = std::fs::read_to_string(&include.target) else {
                problems.push(at(format!(
                    "includes {}, which does not exist",
                    shown.display()
                )));
                continue;
            };
            let Some(selector) = &include.selector else {
                continue;
            };
            if selector
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_digit() || c == ':')
            {
                problems.push(at(format!(
                    "includes {}:{selector} by line numbers; line ranges rot silently, use a named anchor",
                    shown.display()
                )));
            } else if !anchors::parse(&text).iter().any(|a| &a.name == selector) {
                problems.push(at(format!(
                    "includes anchor `{selector}` of {}, which has no such anchor",
                    shown.display()
                )));
            }
        }
        problems
    }

    /// The chapters that include `target` (an absolute path), with the line of each include.
    pub fn pages_showing(&self, target: &Path) -> Vec<(PathBuf, usize)> {
        self.includes()
            .into_iter()
            .filter(|include| include.target == target)
            .map(|include| (include.chapter, include.line))
            .collect()
    }
}

/// Parses `{{#include path}}`, `{{#include path:anchor}}`, `{{#rustdoc_include …}}`.
/// Returns (kind, path, selector).
pub fn parse_directive(text: &str) -> Option<(String, String, Option<String>)> {
    let inner = text.trim().strip_prefix("{{#")?.strip_suffix("}}")?.trim();
    let (kind, argument) = inner.split_once(char::is_whitespace)?;
    if kind != "include" && kind != "rustdoc_include" {
        return None;
    }
    let argument = argument.trim();
    let (path, selector) = match argument.split_once(':') {
        Some((path, selector)) => (path, Some(selector.to_string())),
        None => (argument, None),
    };
    Some((kind.to_string(), path.to_string(), selector))
}

/// `a/b/../c` → `a/c`, without touching the file system.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_directives() {
        assert_eq!(
            parse_directive("{{#rustdoc_include ../a/main.rs:block_on}}"),
            Some((
                "rustdoc_include".into(),
                "../a/main.rs".into(),
                Some("block_on".into())
            ))
        );
        assert_eq!(
            parse_directive("{{#include out.txt}}"),
            Some(("include".into(), "out.txt".into(), None))
        );
        assert_eq!(parse_directive("{{#title Hello}}"), None);
        assert_eq!(parse_directive("fn main() {}"), None);
    }

    fn chapters(text: &str) -> Chapters {
        Chapters {
            root: PathBuf::from("/r"),
            files: vec![(PathBuf::from("src/a.md"), text.to_string())],
            unreadable: Vec::new(),
        }
    }

    #[test]
    fn finds_inline_rust_blocks_and_accepts_includes() {
        let book = chapters(
            "# A\n```rust\nfn main() {}\n```\n\n```rust,no_run\n{{#rustdoc_include x.rs:y}}\n```\n\
             ```text\nplain output\n```\n````rust\n{{#include x.rs}}\n````\n",
        );
        let problems = book.inline_code_blocks();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].line, Some(2));
    }

    #[test]
    fn a_longer_fence_is_not_closed_by_a_shorter_one() {
        let book = chapters("````md\n```rust\nfn main() {}\n```\n````\n");
        let fences = book.fences();
        assert_eq!(fences.len(), 1);
        assert_eq!(fences[0].info, "md");
        assert!(book.inline_code_blocks().is_empty());
    }

    #[test]
    fn resolves_include_paths_relative_to_the_chapter() {
        let book = chapters("{{#include ../examples-code/c/x.rs:a}} and {{#include y.txt}}\n");
        let includes = book.includes();
        assert_eq!(includes.len(), 2);
        assert_eq!(includes[0].target, PathBuf::from("/r/examples-code/c/x.rs"));
        assert_eq!(includes[0].selector.as_deref(), Some("a"));
        assert_eq!(includes[1].target, PathBuf::from("/r/src/y.txt"));
    }
}

/// The names of tests that a chapter cites: the backticked `snake_case` names inside each
/// "*(checked by … )*" remark, with their 1-based line. A name of three words or more with
/// underscores is a test's; a file name or a short identifier is not.
pub fn cited_tests(text: &str) -> Vec<(usize, String)> {
    let mut cited = Vec::new();
    let mut rest = text;
    let mut offset = 0;
    while let Some(at) = rest.find("checked by") {
        let start = offset + at;
        let end = text[start..].find(")*").map_or(text.len(), |e| start + e);
        let remark = &text[start..end];
        let mut pieces = remark.split('`');
        pieces.next(); // before the first backtick
        while let (Some(name), _) = (pieces.next(), pieces.next()) {
            let is_test = name.matches('_').count() >= 2
                && name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if is_test {
                let line = text[..start + remark.find(name).unwrap_or(0)]
                    .lines()
                    .count();
                cited.push((line.max(1), name.to_string()));
            }
        }
        offset = end.max(start + 1);
        rest = &text[offset..];
    }
    cited
}

impl Chapters {
    /// Every test cited by a "*(checked by `name` …)*" remark exists: some `fn name(` in a Rust
    /// file of `examples-code/`. A renamed or deleted test makes the remark stale.
    pub fn check_cited_tests(&self, repo: &crate::repo::Repo) -> anyhow::Result<Vec<Problem>> {
        let mut functions = std::collections::BTreeSet::new();
        for (file, source) in repo.anchored_sources()? {
            if file.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            for piece in source.split("fn ").skip(1) {
                let name: String = piece
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                functions.insert(name);
            }
        }
        let mut problems = Vec::new();
        for (chapter, text) in &self.files {
            for (line, name) in cited_tests(text) {
                if !functions.contains(&name) {
                    problems.push(Problem::new(
                        chapter,
                        Some(line),
                        format!("cites the test `{name}`, which no file of examples-code/ defines"),
                    ));
                }
            }
        }
        Ok(problems)
    }
}

#[cfg(test)]
mod cited_tests_tests {
    use super::cited_tests;

    #[test]
    fn the_test_names_of_a_checked_by_remark_are_found_and_file_names_are_not() {
        let text = "Intro.\nIt works *(checked by `a_task_runs_once` and\n`the_other_one_too` in `tests/spawn.rs`)*. Not `some_plain_name_here`.";
        assert_eq!(
            cited_tests(text),
            [
                (2, "a_task_runs_once".to_string()),
                (3, "the_other_one_too".to_string())
            ]
        );
    }
}
