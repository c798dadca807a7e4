//! Checks of the rendered book: every `#fragment` link points at an element that exists.
//!
//! mdbook-linkcheck2 checks that linked files exist but not their fragments, so a renamed
//! heading would silently break `chapter.html#old-heading`. mdBook writes plain, regular HTML,
//! so scanning attributes is enough; no HTML parser is needed.

use crate::{Problem, files_with_suffix, relative};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The values of every `attribute="…"` in `html`.
pub fn attribute_values<'a>(html: &'a str, attribute: &str) -> Vec<&'a str> {
    let needle = format!(" {attribute}=\"");
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find(&needle) {
        let value = &rest[start + needle.len()..];
        let Some(end) = value.find('"') else { break };
        out.push(&value[..end]);
        rest = &value[end..];
    }
    out
}

/// `%20` and friends back to text, for ids that hold non-ASCII or spaces.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Some(byte) = std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Every link with a fragment, in every HTML file under `html_dir`, names an existing id.
pub fn check_fragments(root: &Path, html_dir: &Path) -> Vec<Problem> {
    let pages: Vec<_> = files_with_suffix(html_dir, ".html");
    let mut ids: BTreeMap<std::path::PathBuf, BTreeSet<String>> = BTreeMap::new();
    let mut texts = Vec::new();
    let mut problems = Vec::new();
    for page in &pages {
        let text = match std::fs::read_to_string(page) {
            Ok(text) => text,
            Err(error) => {
                problems.push(Problem::new(
                    relative(root, page),
                    None,
                    format!("cannot be read: {error}"),
                ));
                continue;
            }
        };
        let mut set: BTreeSet<String> = attribute_values(&text, "id")
            .into_iter()
            .map(str::to_string)
            .collect();
        set.extend(
            attribute_values(&text, "name")
                .into_iter()
                .map(str::to_string),
        );
        ids.insert(page.clone(), set);
        texts.push((page.clone(), text));
    }
    for (page, text) in &texts {
        for href in attribute_values(text, "href") {
            let Some((path, fragment)) = href.split_once('#') else {
                continue;
            };
            if fragment.is_empty()
                || path.contains("://")
                || path.starts_with("mailto:")
                || path.starts_with("//")
            {
                continue;
            }
            let target = if path.is_empty() {
                page.clone()
            } else {
                crate::book::normalize(&page.parent().unwrap().join(path))
            };
            let Some(target_ids) = ids.get(&target) else {
                continue;
            }; // linkcheck2 reports missing files
            let fragment = percent_decode(fragment);
            if !target_ids.contains(&fragment) {
                // Point at the Markdown source when there is one: that is what gets edited.
                let source = page
                    .strip_prefix(html_dir)
                    .ok()
                    .map(|p| root.join("src").join(p).with_extension("md"))
                    .filter(|p| p.is_file() && !page.ends_with("print.html"));
                problems.push(Problem::new(
                    relative(root, source.as_deref().unwrap_or(page)),
                    None,
                    format!(
                        "links to `{href}`, but {} has no element with id `{fragment}`",
                        relative(root, &target).display()
                    ),
                ));
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_attribute_values() {
        let html = r#"<h2 id="a-b"><a class="header" href="ch01.html#a-b">x</a></h2><p id="c">"#;
        assert_eq!(attribute_values(html, "id"), vec!["a-b", "c"]);
        assert_eq!(attribute_values(html, "href"), vec!["ch01.html#a-b"]);
    }

    #[test]
    fn decodes_percent_escapes() {
        assert_eq!(percent_decode("a%20b"), "a b");
        assert_eq!(percent_decode("100%"), "100%");
    }

    #[test]
    fn reports_a_missing_fragment_and_accepts_a_present_one() {
        let dir = std::env::temp_dir().join(format!("xtask-html-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("a.html"), r##"<h1 id="top"></h1><a href="b.html#there">ok</a><a href="b.html#gone">x</a><a href="#top">t</a>"##).unwrap();
        std::fs::write(dir.join("b.html"), r#"<h2 id="there"></h2>"#).unwrap();
        let problems = check_fragments(&dir, &dir);
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].message.contains("#gone"), "{}", problems[0]);
    }
}
