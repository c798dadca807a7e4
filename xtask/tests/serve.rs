//! Stopping `cargo xtask serve` stops the `mdbook serve` it started. The child runs in a
//! process group of its own (so that a time limit can kill all of it), which a Ctrl-C at the
//! terminal does not reach: the xtask must pass the signal on. Here a stand-in for mdBook
//! (`XTASK_MDBOOK`) writes its process id and sleeps; the test signals the xtask and then
//! requires the stand-in to be gone, ended by the SIGTERM the xtask passes on (which it notes
//! in a file) rather than by the SIGKILL that follows two seconds later: a child that
//! inherited the xtask's blocked signals would only get the second.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// A folder of our own with the stand-in in it; returns the stand-in, the file of its
/// process id and the file it writes when a SIGTERM reaches it.
fn stand_in(tag: &str) -> (PathBuf, PathBuf, PathBuf) {
    let dir = std::env::temp_dir().join(format!("xtask-serve-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let pid_file = dir.join("pid");
    let term_file = dir.join("term");
    let script = dir.join("mdbook");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\ntrap 'echo TERM > \"{}\"; exit 143' TERM\necho $$ > '{}'\nsleep 300 &\nwait\n",
            term_file.display(),
            pid_file.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    (script, pid_file, term_file)
}

/// Whether the process is gone (or a zombie nobody has reaped yet: it runs no more).
fn ended(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
    }
}

fn wait_for(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < limit, "{what} within {limit:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn serve_then(signal: i32, tag: &str) {
    let (script, pid_file, term_file) = stand_in(tag);
    let mut xtask = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["serve", "--port", "3999"])
        .env("XTASK_MDBOOK", &script)
        .spawn()
        .unwrap();
    wait_for("the stand-in starts", Duration::from_secs(30), || {
        std::fs::read_to_string(&pid_file).is_ok_and(|t| t.ends_with('\n'))
    });
    let child: i32 = std::fs::read_to_string(&pid_file)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(!ended(child));
    // SAFETY: kill has no memory-safety preconditions; the pid is our own child's.
    assert_eq!(unsafe { libc::kill(xtask.id() as i32, signal) }, 0);
    let status = xtask.wait().unwrap();
    assert_eq!(status.code(), Some(128 + signal), "{status}");
    wait_for(
        "the stand-in ends with the xtask",
        Duration::from_secs(10),
        || ended(child),
    );
    assert!(
        term_file.exists(),
        "the stand-in was killed, but the SIGTERM passed on never reached it"
    );
    let _ = std::fs::remove_dir_all(Path::new(&script).parent().unwrap());
}

#[test]
fn a_sigterm_to_serve_ends_its_mdbook_too() {
    serve_then(libc::SIGTERM, "term");
}

#[test]
fn a_sigint_to_serve_ends_its_mdbook_too() {
    serve_then(libc::SIGINT, "int");
}
