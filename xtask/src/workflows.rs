//! The `workflows` step: the GitHub workflows cannot run here, so they are audited statically
//! by [zizmor](https://docs.zizmor.sh), offline. zizmor is pinned; when it is not on `PATH` at
//! that version, it is installed from PyPI (a wheel with the binary inside, seconds) into a
//! virtual environment in `target/zizmor`. When neither can be had, the step is skipped and
//! says why (on GitHub Actions, it fails).

use crate::cmd::Cmd;
use crate::steps::Outcome;
use anyhow::{Result, bail};
use std::path::{Path, PathBuf};

/// The zizmor the audit is written against.
pub const ZIZMOR_VERSION: &str = "1.33.1";

/// Where the workflows are.
pub const WORKFLOWS: &str = ".github/workflows";

/// zizmor at the pinned version: on `PATH`, in `target/zizmor`, or installed there.
fn zizmor(root: &Path) -> std::result::Result<PathBuf, String> {
    let venv = root.join("target").join("zizmor");
    let local = venv.join("bin").join("zizmor");
    for candidate in [PathBuf::from("zizmor"), local.clone()] {
        if crate::tools::reported_version(&candidate).as_deref() == Some(ZIZMOR_VERSION) {
            return Ok(candidate);
        }
    }
    eprintln!("xtask: installing zizmor {ZIZMOR_VERSION} from PyPI into target/zizmor");
    let _ = std::fs::remove_dir_all(&venv);
    Cmd::new("python3")
        .args(["-m", "venv"])
        .arg(&venv)
        .read()
        .map_err(|e| format!("no Python virtual environment could be made ({e:#})"))?;
    Cmd::new(venv.join("bin").join("pip"))
        .args(["install", "--quiet", "--disable-pip-version-check"])
        .arg(format!("zizmor=={ZIZMOR_VERSION}"))
        .read()
        .map_err(|e| format!("`pip install zizmor=={ZIZMOR_VERSION}` failed ({e:#})"))?;
    if crate::tools::reported_version(&local).as_deref() == Some(ZIZMOR_VERSION) {
        Ok(local)
    } else {
        Err(format!(
            "zizmor {ZIZMOR_VERSION} was installed but does not run"
        ))
    }
}

/// Audits the workflows: any finding fails the step.
pub fn step(root: &Path) -> Outcome {
    let zizmor = match zizmor(root) {
        Ok(zizmor) => zizmor,
        Err(reason) => {
            if std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true") {
                bail!("zizmor is required on GitHub Actions: {reason}");
            }
            return Ok(Some(format!("zizmor was skipped: {reason}")));
        }
    };
    audit(root, &zizmor).map(|()| None)
}

fn audit(root: &Path, zizmor: &Path) -> Result<()> {
    let output = Cmd::new(zizmor)
        .args(["--offline", "--no-progress", WORKFLOWS])
        .dir(root)
        .output()?;
    if output.success() {
        return Ok(());
    }
    eprintln!("{}{}", output.stdout, output.stderr);
    bail!(
        "zizmor found problems in {WORKFLOWS} ({}): fix them, or explain a deliberate choice \
         in a comment and ignore that finding (`# zizmor: ignore[audit]`)",
        output.status_text()
    )
}
