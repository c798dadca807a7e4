//! The external tools the book needs, pinned, and how to get them on a fresh machine.
//!
//! Each tool is looked up on `PATH` and in cargo's own `bin` directory; when it is missing or
//! at another version, it is installed with `cargo install --locked` at the pinned version.
//! A tool that is present at the right version is never rebuilt.

use anyhow::{Context as _, Result};
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// A tool installed from crates.io.
#[derive(Debug, Clone, Copy)]
pub struct CargoTool {
    /// The crate and the binary it installs (the same for every tool we use).
    pub name: &'static str,
    pub version: &'static str,
    /// Extra `cargo install` arguments.
    pub args: &'static [&'static str],
}

/// mdBook itself. 0.5 renamed the hidden-line marker (`# ` with a space) and rejects unknown
/// `book.toml` keys; the book is written for exactly this version.
pub const MDBOOK: CargoTool = CargoTool {
    name: "mdbook",
    version: "0.5.4",
    args: &[],
};

/// The maintained fork of mdbook-linkcheck; 0.7.7 of the original cannot read mdBook 0.5's
/// render context ("missing field `sections`").
pub const LINKCHECK: CargoTool = CargoTool {
    name: "mdbook-linkcheck2",
    version: "0.13.0",
    args: &[],
};

/// cargo's `bin` directory: `$CARGO_HOME/bin`, or `~/.cargo/bin`.
pub fn cargo_bin_dir() -> PathBuf {
    match std::env::var_os("CARGO_HOME") {
        Some(home) => PathBuf::from(home).join("bin"),
        None => PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cargo/bin"),
    }
}

/// The version a binary reports with `--version`, if it runs: the last word that starts with
/// a digit (after stripping a leading `v`), so `mdbook v0.5.4` gives `0.5.4`.
pub fn reported_version(program: &std::path::Path) -> Option<String> {
    let output = Command::new(program)
        .arg("--version")
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&output.stdout);
    text.split_whitespace()
        .map(|word| word.trim_start_matches('v'))
        .rfind(|word| word.starts_with(|c: char| c.is_ascii_digit()))
        .map(str::to_string)
}

/// Where the tool is found: `PATH` first, then cargo's bin directory.
fn locate(name: &str) -> Vec<PathBuf> {
    let mut candidates: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|path| {
            std::env::split_paths(&path)
                .map(|dir| dir.join(name))
                .collect()
        })
        .unwrap_or_default();
    candidates.push(cargo_bin_dir().join(name));
    candidates.into_iter().filter(|p| p.is_file()).collect()
}

impl CargoTool {
    /// The path of the pinned version, if it is installed.
    pub fn find(&self) -> Option<PathBuf> {
        locate(self.name)
            .into_iter()
            .find(|p| reported_version(p).as_deref() == Some(self.version))
    }

    /// The path of the pinned version, installing it first when it is missing.
    pub fn ensure(&self) -> Result<PathBuf> {
        if let Some(path) = self.find() {
            return Ok(path);
        }
        eprintln!(
            "xtask: installing {} {} (cargo install --locked; a few minutes on 2 cores, once)",
            self.name, self.version
        );
        crate::cmd::Cmd::cargo()
            .args(["install", "--locked", self.name, "--version", self.version])
            .args(self.args)
            .run()
            .with_context(|| format!("installing {} {}", self.name, self.version))?;
        self.find().with_context(|| {
            format!(
                "{} {} was installed but is not found on PATH or in {}",
                self.name,
                self.version,
                cargo_bin_dir().display()
            )
        })
    }
}

/// A `PATH` with cargo's bin directory first, so that mdBook finds `mdbook-linkcheck2` and the
/// `rustdoc` that belongs to this toolchain.
pub fn path_with_cargo_bin() -> std::ffi::OsString {
    let mut dirs = vec![cargo_bin_dir()];
    if let Some(path) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&path));
    }
    std::env::join_paths(dirs).unwrap_or_default()
}

/// Whether `cargo +nightly miri` works here; if not, tries once to install it with rustup.
/// Returns `Err(reason)` when Miri cannot be had on this machine.
pub fn ensure_miri() -> std::result::Result<(), String> {
    let works = || {
        Command::new("cargo")
            .args(["+nightly", "miri", "--version"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if works() {
        return Ok(());
    }
    eprintln!(
        "xtask: Miri not found; trying `rustup toolchain install nightly --component miri rust-src`"
    );
    let installed = Command::new("rustup")
        .args([
            "toolchain",
            "install",
            "nightly",
            "--profile",
            "minimal",
            "--component",
            "miri",
            "--component",
            "rust-src",
        ])
        .status();
    match installed {
        Err(e) => Err(format!("rustup is not available ({e})")),
        Ok(status) if !status.success() => Err(format!(
            "`rustup toolchain install nightly --component miri` failed ({status}): this machine cannot fetch a nightly toolchain"
        )),
        Ok(_) if works() => Ok(()),
        Ok(_) => Err("nightly was installed but `cargo +nightly miri` still does not run".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pinned_versions_are_exact() {
        for tool in [MDBOOK, LINKCHECK] {
            assert_eq!(
                tool.version.split('.').count(),
                3,
                "{} must be pinned to an exact version",
                tool.name
            );
        }
    }
}
