//! What `mdbook test` needs to compile snippets that use crates.
//!
//! `mdbook test` runs `rustdoc --test chapter.md` with nothing but the standard library in
//! reach. A snippet that uses `futures`, `libc` or a stage crate needs `--extern name=path` for
//! each (with `-L` alone, `use futures::…` fails with E0433, mdBook issue #706; and
//! `extern crate libc` finds two candidates, the toolchain's own and ours, E0464). mdBook offers
//! no way to pass `--extern`, so we put a small `rustdoc` wrapper first on `PATH` that adds them.
//!
//! The crates are built into a target directory of their own (`target/snippets`): after a
//! `cargo clippy` into the main target directory a second `libfutures-*.rmeta` would sit beside
//! the rlib, and rustdoc would again find two candidates.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Crates from crates.io that snippets may use (besides the stage crates themselves).
pub const EXTERNAL: &[&str] = &["futures", "libc"];
/// Crates from crates.io that only `noplayground` snippets use (chapter 18's libraries):
/// `mdbook test` gets them, the stand-in playground does not offer them.
pub const LOCAL_ONLY: &[&str] = &["hyper", "http_body_util", "async_tungstenite", "tokio"];

/// Builds every stage crate's library (and so `futures` and `libc`) into `target/snippets`,
/// writes the `rustdoc` wrapper, and returns the directory to put first on `PATH`.
pub fn prepare(root: &Path) -> Result<PathBuf, String> {
    let (deps, externs) = build_snippet_crates(root)?;
    let target_dir = root.join("target").join("snippets");
    let real = real_rustdoc()?;
    let bin = target_dir.join("bin");
    std::fs::create_dir_all(&bin).map_err(|e| e.to_string())?;
    let mut script = format!(
        "#!/bin/sh\n# Written by `cargo xtask test`: rustdoc plus the crates the book's snippets use.\nexec '{}' \"$@\" -L 'dependency={}'",
        real.display(),
        deps.display()
    );
    for (name, rlib) in &externs {
        script.push_str(&format!(" --extern '{name}={rlib}'"));
    }
    script.push('\n');
    let wrapper = bin.join("rustdoc");
    std::fs::write(&wrapper, script)
        .map_err(|e| format!("cannot write {}: {e}", wrapper.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755))
            .map_err(|e| e.to_string())?;
    }
    Ok(bin)
}

/// Builds every stage crate's library into `target/snippets` and returns its `deps` directory
/// and (crate name, rlib path) for each crate a snippet may name: the stage crates and
/// [`EXTERNAL`]. The browser tests' stand-in playground uses the external ones.
pub fn build_snippet_crates(root: &Path) -> Result<(PathBuf, Vec<(String, String)>), String> {
    let target_dir = root.join("target").join("snippets");
    let output = crate::cmd::Cmd::cargo_scratch()
        .dir(root)
        .args([
            "build",
            "--workspace",
            "--exclude",
            "xtask",
            "--exclude",
            "book-tests",
            // Chapter 13's benchmark suite: its fragments are not compiled by `mdbook test`,
            // and it would bring tokio and smol into this target directory.
            "--exclude",
            "bench",
            "--exclude",
            "http-bench",
            "--lib",
            "--locked",
        ])
        .arg("--target-dir")
        .arg(&target_dir)
        .args(["--message-format", "json-render-diagnostics"])
        .output()
        .map_err(|e| format!("{e:#}"))?;
    if !output.success() {
        return Err(format!(
            "building the snippets' crates failed:\n{}",
            output.stderr
        ));
    }
    let stage_prefix = format!("path+file://{}", root.join("examples-code").display());
    let mut externs: Vec<(String, String)> = Vec::new();
    for line in output.stdout.lines() {
        let Ok(message) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if message["reason"] != "compiler-artifact" {
            continue;
        }
        let target = &message["target"];
        if !target["kind"]
            .as_array()
            .is_some_and(|kinds| kinds.iter().any(|k| k == "lib"))
        {
            continue;
        }
        let name = target["name"]
            .as_str()
            .unwrap_or_default()
            .replace('-', "_");
        let is_stage = message["package_id"]
            .as_str()
            .is_some_and(|id| id.starts_with(&stage_prefix));
        if !is_stage && !EXTERNAL.contains(&name.as_str()) && !LOCAL_ONLY.contains(&name.as_str()) {
            continue;
        }
        let rlib = message["filenames"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|f| f.as_str())
            .find(|f| f.ends_with(".rlib"));
        if let Some(rlib) = rlib {
            externs.retain(|(n, _)| n != &name);
            externs.push((name, rlib.to_string()));
        }
    }
    Ok((target_dir.join("debug").join("deps"), externs))
}

/// The toolchain's own rustdoc binary (not the rustup proxy, which would find our wrapper).
fn real_rustdoc() -> Result<PathBuf, String> {
    let output = Command::new("rustc")
        .args(["--print", "sysroot"])
        .output()
        .map_err(|e| format!("could not run rustc: {e}"))?;
    let sysroot = String::from_utf8_lossy(&output.stdout).trim().to_string();
    let rustdoc = Path::new(&sysroot).join("bin").join("rustdoc");
    if rustdoc.is_file() {
        Ok(rustdoc)
    } else {
        Err(format!("no rustdoc at {}", rustdoc.display()))
    }
}
