//! `ANCHOR: name` / `ANCHOR_END: name` markers, as mdBook reads them.

use crate::book::Chapters;
use crate::repo::Repo;
use crate::{Problem, relative};
use std::collections::BTreeSet;
use std::path::Path;

/// One anchor marker in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marker {
    pub name: String,
    /// 1-based line.
    pub line: usize,
    pub end: bool,
}

/// The markers of a file, in order. mdBook treats any line containing `ANCHOR: name` or
/// `ANCHOR_END: name` as a marker (and drops it from every include of that file).
pub fn parse(text: &str) -> Vec<Marker> {
    let mut out = Vec::new();
    for (index, line) in text.lines().enumerate() {
        for (tag, end) in [("ANCHOR_END:", true), ("ANCHOR:", false)] {
            if let Some(position) = line.find(tag) {
                // `ANCHOR:` is a suffix of `ANCHOR_END:`'s prefix check; skip the END case.
                if !end && line[..position].ends_with("ANCHOR_END") {
                    continue;
                }
                let name: String = line[position + tag.len()..]
                    .trim_start()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-')
                    .collect();
                if !name.is_empty() {
                    out.push(Marker {
                        name,
                        line: index + 1,
                        end,
                    });
                    break;
                }
            }
        }
    }
    out
}

/// Every `ANCHOR: x` is closed by exactly one later `ANCHOR_END: x`, and no name opens twice.
pub fn check_balanced(repo: &Repo) -> anyhow::Result<Vec<Problem>> {
    let mut problems = Vec::new();
    for (path, text) in repo.anchored_sources()? {
        let file = relative(&repo.root, &path);
        let mut open: Vec<Marker> = Vec::new();
        let mut seen = BTreeSet::new();
        for marker in parse(&text) {
            if !marker.end {
                if !seen.insert(marker.name.clone()) {
                    problems.push(Problem::new(
                        &file,
                        Some(marker.line),
                        format!("anchor `{}` is opened a second time", marker.name),
                    ));
                }
                open.push(marker);
            } else if let Some(index) = open.iter().position(|m| m.name == marker.name) {
                open.remove(index);
            } else {
                problems.push(Problem::new(
                    &file,
                    Some(marker.line),
                    format!(
                        "ANCHOR_END: {} closes an anchor that is not open",
                        marker.name
                    ),
                ));
            }
        }
        for marker in open {
            problems.push(Problem::new(
                &file,
                Some(marker.line),
                format!(
                    "anchor `{}` is never closed (no ANCHOR_END: {})",
                    marker.name, marker.name
                ),
            ));
        }
    }
    Ok(problems)
}

/// Where a file sits inside its stage crate: `examples/countdown/main.rs` for
/// `examples-code/ch02-…/examples/countdown/main.rs`. Stages are copies of earlier stages, so a
/// listing shown from chapter 1's crate is the same listing in chapter 2's copy.
pub fn path_in_stage(root: &Path, path: &Path) -> std::path::PathBuf {
    let relative = relative(&root.join("examples-code"), path);
    relative.components().skip(1).collect()
}

/// Every anchor is shown by some page: an unused anchor is a listing nobody reads any more.
/// An anchor counts as used when a page shows the anchor of that name in the same file of any
/// stage (a later stage carries the earlier stage's listings along).
pub fn check_all_used(repo: &Repo, chapters: &Chapters) -> anyhow::Result<Vec<Problem>> {
    let root = repo.root.as_path();
    let used: BTreeSet<(std::path::PathBuf, String)> = chapters
        .includes()
        .into_iter()
        .filter_map(|include| {
            include
                .selector
                .map(|s| (path_in_stage(root, &include.target), s))
        })
        .collect();
    let mut problems = Vec::new();
    for (path, text) in repo.anchored_sources()? {
        let key = path_in_stage(root, &path);
        for marker in parse(&text).into_iter().filter(|m| !m.end) {
            if !used.contains(&(key.clone(), marker.name.clone())) {
                problems.push(Problem::new(
                    relative(root, &path),
                    Some(marker.line),
                    format!(
                        "anchor `{}` is not included by any page in src/",
                        marker.name
                    ),
                ));
            }
        }
    }
    Ok(problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_markers() {
        let text = "// ANCHOR: a\nx\n// ANCHOR_END: a\n/* ANCHOR: b-c */\n";
        assert_eq!(
            parse(text),
            vec![
                Marker {
                    name: "a".into(),
                    line: 1,
                    end: false
                },
                Marker {
                    name: "a".into(),
                    line: 3,
                    end: true
                },
                Marker {
                    name: "b-c".into(),
                    line: 4,
                    end: false
                },
            ]
        );
    }
}
