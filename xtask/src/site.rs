//! Checks of the published site that the link checker cannot see, run on the rendered book:
//!
//! - every chapter's "Suggest an edit" link (`edit-url-template` in book.toml) opens the
//!   chapter's own Markdown file on `main`;
//! - mdBook's `404.html` works under `site-url`: GitHub Pages serves it for any missing path,
//!   at any depth, so it must carry `<base href="{site-url}">` and every local link in it must
//!   name a file that exists below that base;
//! - `print.html`, the whole book on one page, holds every chapter.
//!
//! It also knows where the book is published, for the README of each chapter's branch.

use crate::{Problem, book, html::attribute_values, relative};
use std::path::{Path, PathBuf};

/// The value of the first `key = "value"` line of book.toml (keys are unique across its
/// tables: `title`, `site-url`, `git-repository-url`, `edit-url-template` …).
pub fn book_setting(root: &Path, key: &str) -> Option<String> {
    let text = std::fs::read_to_string(root.join("book.toml")).ok()?;
    setting(&text, key)
}

pub fn setting(toml: &str, key: &str) -> Option<String> {
    toml.lines().find_map(|line| {
        let (name, value) = line.split_once('=')?;
        if name.trim() != key {
            return None;
        }
        let value = value.trim();
        let value = value.strip_prefix('"')?;
        Some(value[..value.find('"')?].to_string())
    })
}

/// Where the book is published: `https://OWNER.github.io{site-url}`, with OWNER taken from
/// `git-repository-url` (`https://github.com/OWNER/REPO`).
pub fn site_base(root: &Path) -> Result<String, String> {
    let repository = book_setting(root, "git-repository-url")
        .ok_or("book.toml has no output.html git-repository-url")?;
    let site_url = book_setting(root, "site-url").unwrap_or_else(|| "/".into());
    pages_base(&repository, &site_url)
}

fn pages_base(repository: &str, site_url: &str) -> Result<String, String> {
    let owner = repository
        .strip_prefix("https://github.com/")
        .and_then(|rest| rest.split('/').next())
        .filter(|owner| !owner.is_empty())
        .ok_or_else(|| format!("git-repository-url `{repository}` is not a GitHub repository"))?;
    let mut site_url = site_url.to_string();
    if !site_url.ends_with('/') {
        site_url.push('/');
    }
    Ok(format!(
        "https://{}.github.io/{}",
        owner.to_lowercase(),
        site_url.trim_start_matches('/')
    ))
}

/// The published address of a page: `src/ch02-x.md` → `https://…github.io/book/ch02-x.html`.
pub fn published_url(root: &Path, page: &Path) -> Result<String, String> {
    let page = page
        .strip_prefix("src")
        .unwrap_or(page)
        .with_extension("html");
    Ok(format!(
        "{}{}",
        site_base(root)?,
        page.to_string_lossy().replace('\\', "/")
    ))
}

/// The chapters of the book as SUMMARY.md lists them (linked entries only): paths below `src/`.
pub fn summary_chapters(root: &Path) -> Vec<PathBuf> {
    let summary = std::fs::read_to_string(root.join("src/SUMMARY.md")).unwrap_or_default();
    summary
        .split("](")
        .skip(1)
        .filter_map(|rest| rest.split_once(')').map(|(target, _)| target.trim()))
        .filter(|target| !target.is_empty() && target.ends_with(".md"))
        .map(PathBuf::from)
        .collect()
}

/// Every check of this module against the rendered HTML in `html_dir`.
pub fn check(root: &Path, html_dir: &Path) -> Vec<Problem> {
    let mut problems = check_edit_links(root, html_dir);
    problems.extend(check_404(root, html_dir));
    problems.extend(check_print(root, html_dir));
    problems
}

/// Each chapter's page links to `{git-repository-url}/edit/main/src/<chapter>.md`, a file that
/// exists.
pub fn check_edit_links(root: &Path, html_dir: &Path) -> Vec<Problem> {
    let Some(repository) = book_setting(root, "git-repository-url") else {
        return vec![Problem::new("book.toml", None, "no git-repository-url")];
    };
    let prefix = format!("{repository}/edit/");
    let mut problems = Vec::new();
    for chapter in summary_chapters(root) {
        let page = html_dir.join(&chapter).with_extension("html");
        let source = Path::new("src").join(&chapter);
        let Ok(text) = std::fs::read_to_string(&page) else {
            problems.push(Problem::new(
                &source,
                None,
                format!("{} was not rendered", relative(root, &page).display()),
            ));
            continue;
        };
        let edits: Vec<&str> = attribute_values(&text, "href")
            .into_iter()
            .filter(|href| href.starts_with(&prefix))
            .collect();
        let expected = format!(
            "{prefix}main/{}",
            source.to_string_lossy().replace('\\', "/")
        );
        match edits.as_slice() {
            [] => problems.push(Problem::new(
                "book.toml",
                None,
                format!(
                    "{} has no edit link (edit-url-template should give {expected})",
                    relative(root, &page).display()
                ),
            )),
            [href] if *href == expected && root.join(&source).is_file() => {}
            [href] => problems.push(Problem::new(
                "book.toml",
                None,
                format!(
                    "the edit link of {} is {href}, but its source is {expected} (edit-url-template)",
                    relative(root, &page).display()
                ),
            )),
            many => problems.push(Problem::new(
                &source,
                None,
                format!("{} edit links: {many:?}", many.len()),
            )),
        }
    }
    problems
}

/// The file a local link of a page under `<base href="{site_url}">` opens, relative to the
/// site's root; `None` for links that leave the site or stay on the page.
fn local_target(href: &str, site_url: &str) -> Option<Result<String, String>> {
    let path = href.split(['#', '?']).next().unwrap_or("");
    if path.is_empty()
        || path.contains("://")
        || path.starts_with("//")
        || ["mailto:", "javascript:", "data:"]
            .iter()
            .any(|scheme| path.starts_with(scheme))
    {
        return None;
    }
    let path = if let Some(absolute) = path.strip_prefix('/') {
        match format!("/{absolute}").strip_prefix(site_url) {
            Some(below) => below.to_string(),
            None => {
                return Some(Err(format!(
                    "`{href}` is outside the site-url `{site_url}`"
                )));
            }
        }
    } else {
        path.to_string()
    };
    Some(Ok(if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path
    }))
}

/// `404.html` exists, sets `<base href="{site-url}">`, and each of its local links opens a
/// file of the rendered book.
pub fn check_404(root: &Path, html_dir: &Path) -> Vec<Problem> {
    let page = html_dir.join("404.html");
    let at = |message: String| Problem::new(relative(root, &page), None, message);
    let Ok(text) = std::fs::read_to_string(&page) else {
        return vec![at("mdBook wrote no 404 page".into())];
    };
    let site_url = book_setting(root, "site-url").unwrap_or_else(|| "/".into());
    let mut problems = Vec::new();
    let base = format!("<base href=\"{site_url}\">");
    if !text.contains(&base) {
        problems.push(at(format!(
            "has no `{base}`: its links break on a missing page below the top (check site-url in book.toml)"
        )));
    }
    let mut links = attribute_values(&text, "href");
    links.extend(attribute_values(&text, "src"));
    for href in links {
        match local_target(href, &site_url) {
            None => {}
            Some(Err(message)) => problems.push(at(message)),
            Some(Ok(target)) => {
                let file = book::normalize(&html_dir.join(&target));
                if !file.starts_with(html_dir) || !file.is_file() {
                    problems.push(at(format!(
                        "links to `{href}`, which opens {site_url}{target}: no such file in the book"
                    )));
                }
            }
        }
    }
    problems
}

/// Text of an HTML page, tags dropped and the common entities decoded.
fn visible_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
}

/// `print.html` holds every chapter of SUMMARY.md: each one's title (its `# ` heading).
pub fn check_print(root: &Path, html_dir: &Path) -> Vec<Problem> {
    let page = html_dir.join("print.html");
    let Ok(text) = std::fs::read_to_string(&page) else {
        return vec![Problem::new(
            relative(root, &page),
            None,
            "mdBook wrote no print page",
        )];
    };
    // mdBook's smart punctuation prints a heading's `'` as `’`.
    let text = visible_text(&text).replace('\u{2019}', "'");
    let mut problems = Vec::new();
    for chapter in summary_chapters(root) {
        let source = Path::new("src").join(&chapter);
        let markdown = match std::fs::read_to_string(root.join(&source)) {
            Ok(markdown) => markdown,
            Err(error) => {
                problems.push(Problem::new(
                    &source,
                    None,
                    format!("cannot be read: {error}"),
                ));
                continue;
            }
        };
        let Some(title) = crate::branches::page_title(&markdown) else {
            continue;
        };
        let title = title.replace(['`', '*'], "");
        if !text.contains(&title) {
            problems.push(Problem::new(
                &source,
                None,
                format!("print.html does not hold this chapter's title `{title}`"),
            ));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_settings_and_the_published_address() {
        let toml = "[book]\ntitle = \"A \\\"B\\\"\"\n[output.html]\nsite-url = \"/book/\"\n";
        assert_eq!(setting(toml, "site-url").as_deref(), Some("/book/"));
        assert_eq!(setting(toml, "missing"), None);
        assert_eq!(
            pages_base(
                "https://github.com/Build-Your-Own-Async-Runtime/book",
                "/book/"
            )
            .unwrap(),
            "https://build-your-own-async-runtime.github.io/book/"
        );
        assert_eq!(
            pages_base("https://github.com/o/o.github.io", "/").unwrap(),
            "https://o.github.io/"
        );
        assert!(pages_base("https://gitlab.com/o/book", "/").is_err());
    }

    #[test]
    fn the_published_book_is_where_the_readme_says() {
        let root = crate::repo_root();
        assert_eq!(
            published_url(&root, Path::new("src/ch02-thread-park-waker.md")).unwrap(),
            "https://build-your-own-async-runtime.github.io/book/ch02-thread-park-waker.html"
        );
    }

    #[test]
    fn resolves_links_under_the_site_url() {
        let t = |href| local_target(href, "/book/");
        assert_eq!(t("/book/"), Some(Ok("index.html".into())));
        assert_eq!(t("css/a.css"), Some(Ok("css/a.css".into())));
        assert_eq!(t("/book/print.html#x"), Some(Ok("print.html".into())));
        assert!(matches!(t("/other.html"), Some(Err(_))));
        assert_eq!(t("#top"), None);
        assert_eq!(t("https://github.com/o/book"), None);
    }

    #[test]
    fn strips_tags_and_entities() {
        assert_eq!(
            visible_text("<h1 id=\"a\"><a href=\"#a\">Tom &amp; <code>Jerry</code></a></h1>"),
            "Tom & Jerry"
        );
    }

    /// A small rendered book with one of each mistake.
    #[test]
    fn finds_a_wrong_edit_link_a_broken_404_and_a_missing_chapter() {
        let root = std::env::temp_dir().join(format!("xtask-site-{}", std::process::id()));
        let html = root.join("book/html");
        let write = |path: &Path, text: &str| {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        write(
            &root.join("book.toml"),
            "[output.html]\nsite-url = \"/book/\"\ngit-repository-url = \"https://github.com/o/book\"\n",
        );
        write(
            &root.join("src/SUMMARY.md"),
            "- [A](a.md)\n- [B](b.md)\n- [Draft]()\n",
        );
        write(&root.join("src/a.md"), "# Alpha\n");
        write(&root.join("src/b.md"), "# Beta\n");
        let edit = |p: &str| format!(r#"<a href="https://github.com/o/book/edit/main/{p}">e</a>"#);
        write(&html.join("a.html"), &edit("src/a.md"));
        write(&html.join("b.html"), &edit("b.md"));
        write(&html.join("index.html"), "");
        write(
            &html.join("404.html"),
            r#"<base href="/book/"><a href="/book/">home</a><a href="a.html">a</a><script src="gone.js"></script><a href="/x.html">x</a>"#,
        );
        write(&html.join("print.html"), "<h1>Alpha</h1>");
        let problems: Vec<String> = check(&root, &html).iter().map(|p| p.to_string()).collect();
        std::fs::remove_dir_all(&root).unwrap();
        assert_eq!(problems.len(), 4, "{problems:#?}");
        assert!(
            problems[0].contains("edit link of book/html/b.html is"),
            "{problems:#?}"
        );
        assert!(
            problems[1].contains("outside the site-url"),
            "{problems:#?}"
        );
        assert!(problems[2].contains("gone.js"), "{problems:#?}");
        assert!(problems[3].starts_with("src/b.md") && problems[3].contains("Beta"));
    }
}
