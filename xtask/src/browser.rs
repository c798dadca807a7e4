//! The `browser` step: the built book in a real, headless Chromium.
//!
//! The tests themselves are JavaScript, in `tests/browser/*.test.mjs`, run by node's built-in
//! test runner with `playwright-core` (pinned in `tests/browser/package-lock.json`) driving the
//! Chromium of the machine. They serve `book/html` on 127.0.0.1, load every page, try the
//! sidebar, search, themes and hidden lines, check a 375 px screen, and press every play button
//! with play.rust-lang.org replaced by a stand-in that compiles the code with the local `rustc`
//! (see `tests/browser/support.mjs`).
//!
//! What is missing is installed, what is present is used as it is: Chromium with
//! `apt-get install -y chromium` (`apt-get update` first only when that fails), node with
//! `apt-get install -y nodejs npm`, and `playwright-core` with `npm ci`. When that cannot be done
//! the step is skipped with the reason, except on GitHub Actions, where it fails.

use crate::cmd::Cmd;
use crate::{snippets, tools};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Chromium binaries we accept, in order; `BOOK_CHROMIUM` overrides them.
const CHROMIUM_NAMES: &[&str] = &[
    "chromium",
    "chromium-browser",
    "google-chrome-stable",
    "google-chrome",
];

/// The oldest node that runs the tests: playwright-core needs 20, `--test-concurrency` 20.10.
const NODE_MIN: (u32, u32) = (20, 10);

/// Why the step cannot run on this machine (as opposed to a test that failed).
struct Unavailable(String);

/// Runs the step: Ok(None) passed, Ok(Some(reason)) skipped, Err failed.
pub fn run(root: &Path, html: &Path) -> Result<Option<String>, String> {
    if !html.join("index.html").is_file() {
        return Err("book/html does not exist: the build step must run first".into());
    }
    let dir = root.join("tests").join("browser");
    let (chromium, node) = match prepare(&dir) {
        Ok(found) => found,
        Err(Unavailable(reason)) => {
            if std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true") {
                return Err(format!(
                    "the browser tests are required on GitHub Actions: {reason}"
                ));
            }
            return Ok(Some(format!("the browser tests were skipped: {reason}")));
        }
    };
    // The playground has futures and libc: give the stand-in's rustc the same crates.
    let (deps, externs) = snippets::build_snippet_crates(root)?;
    let mut rustc_args = vec!["-L".to_string(), format!("dependency={}", deps.display())];
    for (name, rlib) in externs
        .iter()
        .filter(|(name, _)| snippets::EXTERNAL.contains(&name.as_str()))
    {
        rustc_args.push("--extern".into());
        rustc_args.push(format!("{name}={rlib}"));
    }
    let mut files: Vec<PathBuf> = crate::files_with_suffix(&dir, ".test.mjs")
        .into_iter()
        .filter(|f| f.parent() == Some(dir.as_path()))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(format!("no *.test.mjs files in {}", dir.display()));
    }
    let result = Cmd::new(&node)
        .args(["--test", "--test-concurrency=2", "--test-reporter=spec"])
        .args(&files)
        .dir(&dir)
        .env("BOOK_ROOT", root)
        .env("BOOK_HTML", html)
        .env("BOOK_CHROMIUM", &chromium)
        .env(
            "BOOK_RUSTC_ARGS",
            serde_json::to_string(&rustc_args).unwrap(),
        )
        .env(
            "BOOK_CRATES",
            serde_json::to_string(snippets::EXTERNAL).unwrap(),
        )
        .run();
    match result {
        Ok(()) => Ok(None),
        Err(error) => Err(format!("the browser tests failed: {error:#}")),
    }
}

/// Chromium, node and playwright-core, installed when missing.
fn prepare(dir: &Path) -> Result<(PathBuf, PathBuf), Unavailable> {
    let chromium = match find_chromium() {
        Some(path) => path,
        None => {
            apt_install(&["chromium"])?;
            find_chromium().ok_or_else(|| {
                Unavailable("`apt-get install chromium` ran, but no chromium is on PATH".into())
            })?
        }
    };
    let node = match find_node() {
        Ok(node) => node,
        Err(_) => {
            apt_install(&["nodejs", "npm"])?;
            find_node().map_err(Unavailable)?
        }
    };
    ensure_playwright(dir)?;
    Ok((chromium, node))
}

/// The first executable named `name` on `PATH`.
fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

fn find_chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("BOOK_CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    CHROMIUM_NAMES.iter().find_map(|name| which(name))
}

/// node, if it is recent enough; otherwise why not.
fn find_node() -> Result<PathBuf, String> {
    let node = which("node").ok_or("node is not installed")?;
    let version = tools::reported_version(&node).unwrap_or_default();
    let mut parts = version.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    let found = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    if found < NODE_MIN {
        return Err(format!(
            "node {version} is too old: the browser tests need node {}.{} or newer",
            NODE_MIN.0, NODE_MIN.1
        ));
    }
    Ok(node)
}

/// `apt-get install -y PACKAGES`, with `apt-get update` first only if that fails. As root,
/// or through `sudo -n` (GitHub's runners).
fn apt_install(packages: &[&str]) -> Result<(), Unavailable> {
    if which("apt-get").is_none() {
        return Err(Unavailable(format!(
            "{} is missing and this machine has no apt-get to install it",
            packages.join(" and ")
        )));
    }
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    let apt = |args: &[&str]| {
        let mut command = if is_root {
            Command::new("apt-get")
        } else {
            let mut sudo = Command::new("sudo");
            sudo.args(["-n", "apt-get"]);
            sudo
        };
        command.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        Cmd::from(command).output().is_ok_and(|o| o.success())
    };
    let mut install = vec!["install", "-y", "--no-install-recommends"];
    install.extend_from_slice(packages);
    eprintln!("xtask: installing {} (apt-get)", packages.join(" "));
    if apt(&install) {
        return Ok(());
    }
    eprintln!("xtask: apt-get install failed; running apt-get update and trying again");
    if apt(&["update"]) && apt(&install) {
        return Ok(());
    }
    Err(Unavailable(format!(
        "`apt-get install -y {}` failed (no root, no network or no such package)",
        packages.join(" ")
    )))
}

/// The playwright-core version `package.json` pins.
fn pinned_playwright(dir: &Path) -> Result<String, Unavailable> {
    let text = std::fs::read_to_string(dir.join("package.json"))
        .map_err(|e| Unavailable(format!("cannot read tests/browser/package.json: {e}")))?;
    let json: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| Unavailable(format!("tests/browser/package.json: {e}")))?;
    json["dependencies"]["playwright-core"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| Unavailable("tests/browser/package.json pins no playwright-core".into()))
}

/// `npm ci` when node_modules lacks the pinned playwright-core.
fn ensure_playwright(dir: &Path) -> Result<(), Unavailable> {
    let pinned = pinned_playwright(dir)?;
    let installed = std::fs::read_to_string(dir.join("node_modules/playwright-core/package.json"))
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .and_then(|json| json["version"].as_str().map(str::to_string));
    if installed.as_deref() == Some(pinned.as_str()) {
        return Ok(());
    }
    let npm = which("npm").ok_or_else(|| Unavailable("npm is not installed".into()))?;
    eprintln!("xtask: installing playwright-core {pinned} (npm ci in tests/browser)");
    let ok = Cmd::new(npm)
        .args(["ci", "--no-audit", "--no-fund"])
        .dir(dir)
        .run()
        .is_ok();
    if ok {
        Ok(())
    } else {
        Err(Unavailable(format!(
            "`npm ci` could not install playwright-core {pinned} (no network?)"
        )))
    }
}
