//! Running commands: the one place that starts a process.
//!
//! Every command runs in a process group of its own, under a time limit: when the limit passes,
//! the whole group (the command and everything it started: rustdoc, test binaries, a server a
//! test forgot) is killed, and the error says so. [`forward_signals`] makes the xtask pass a
//! SIGINT, SIGTERM or SIGHUP on to every group it started before it exits itself, so stopping
//! `cargo xtask serve` or `cargo xtask test` (Ctrl-C, `kill`) leaves nothing running behind.

use anyhow::{Context as _, Result, bail};
use std::ffi::OsStr;
use std::io::Read;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long one command may run before it is stopped: 30 minutes, or
/// `XTASK_COMMAND_TIMEOUT_MINUTES`. A hung doctest or test would otherwise hold CI until its
/// own limit and end the run with no summary at all.
pub fn default_limit() -> Duration {
    let minutes = std::env::var("XTASK_COMMAND_TIMEOUT_MINUTES")
        .ok()
        .and_then(|m| m.parse().ok())
        .unwrap_or(30u64);
    Duration::from_secs(minutes * 60)
}

/// A command to run: a [`Command`] with a time limit, in a process group of its own.
pub struct Cmd {
    command: Command,
    limit: Option<Duration>,
    shown: String,
}

/// What a captured command did.
#[derive(Debug, Clone)]
pub struct Output {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
    /// It was killed because its time limit passed.
    pub timed_out: bool,
}

impl Output {
    pub fn success(&self) -> bool {
        self.status.success() && !self.timed_out
    }

    /// `exit code 101`, `killed by signal 6`.
    pub fn status_text(&self) -> String {
        status_text(self.status)
    }
}

/// `exit code 101`, `killed by signal 6`.
pub fn status_text(status: ExitStatus) -> String {
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit code {code}"),
        (None, Some(signal)) => format!("killed by signal {signal}"),
        _ => status.to_string(),
    }
}

/// cargo, as the one that runs us (`$CARGO`), or from `PATH`.
pub fn cargo_program() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// A command built elsewhere (its environment kept), run the way every command is.
impl From<Command> for Cmd {
    fn from(mut command: Command) -> Cmd {
        let mut shown = command.get_program().to_string_lossy().into_owned();
        for arg in command.get_args() {
            shown.push(' ');
            shown.push_str(&arg.to_string_lossy());
        }
        command.stdin(Stdio::null());
        Cmd {
            command,
            limit: Some(default_limit()),
            shown,
        }
    }
}

impl Cmd {
    /// `program`, with cargo's bin directory first on `PATH` (where the pinned tools are),
    /// the default time limit, and no standard input.
    pub fn new(program: impl AsRef<OsStr>) -> Cmd {
        let program = program.as_ref();
        let mut command = Command::new(program);
        command
            .env("PATH", crate::tools::path_with_cargo_bin())
            .stdin(Stdio::null());
        Cmd {
            command,
            limit: Some(default_limit()),
            shown: program.to_string_lossy().into_owned(),
        }
    }

    /// `cargo …` (the cargo that runs the xtask).
    pub fn cargo() -> Cmd {
        Cmd::new(cargo_program())
    }

    /// `cargo …` for a build into a target directory of the xtask's own (a branch's clone, a
    /// bug's scratch copy, the snippets' libraries): built once per run and never edited, so
    /// no incremental caches, and line tables only (a standalone copy does not read the
    /// workspace's `[profile.dev]`; its dependencies keep line tables too). Both only save disk.
    pub fn cargo_scratch() -> Cmd {
        Cmd::cargo()
            .env("CARGO_INCREMENTAL", "0")
            .env("CARGO_PROFILE_DEV_DEBUG", "line-tables-only")
    }

    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Cmd {
        self.shown.push(' ');
        self.shown.push_str(&arg.as_ref().to_string_lossy());
        self.command.arg(arg);
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Cmd
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        for arg in args {
            self = self.arg(arg);
        }
        self
    }

    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Cmd {
        self.command.env(key, value);
        self
    }

    pub fn env_remove(mut self, key: impl AsRef<OsStr>) -> Cmd {
        self.command.env_remove(key);
        self
    }

    pub fn dir(mut self, dir: impl AsRef<Path>) -> Cmd {
        self.command.current_dir(dir);
        self
    }

    /// Stops the command (and its group) after `limit` instead of the default.
    pub fn limit(mut self, limit: Duration) -> Cmd {
        self.limit = Some(limit);
        self
    }

    /// No time limit: for `serve`, which runs until it is stopped.
    pub fn no_limit(mut self) -> Cmd {
        self.limit = None;
        self
    }

    /// Starts it in a process group of its own, known to [`forward_signals`] while it runs,
    /// with the signals unblocked that this process blocks: a child inherits the signal mask
    /// of the thread that starts it, and std's `spawn` does not clear it. The group is
    /// registered under the lock the signal thread takes, so a signal that comes during the
    /// spawn still reaches it; after a signal, nothing new starts.
    fn spawn(&mut self, capture: bool) -> Result<(std::process::Child, Guard)> {
        if capture {
            self.command.stdout(Stdio::piped()).stderr(Stdio::piped());
        }
        // SAFETY: the closure runs in the child between fork and exec, where only
        // async-signal-safe functions may be called: it calls sigemptyset and sigprocmask,
        // both on the list, on a signal set on its own stack, and allocates nothing.
        unsafe {
            self.command.pre_exec(|| {
                let mut none: libc::sigset_t = std::mem::zeroed();
                libc::sigemptyset(&mut none);
                if libc::sigprocmask(libc::SIG_SETMASK, &none, std::ptr::null_mut()) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            })
        };
        let mut groups = lock_groups();
        if let Some(signal) = groups.stopping {
            bail!("stopped by signal {signal}: `{}` not started", self.shown);
        }
        let child = self
            .command
            .process_group(0)
            .spawn()
            .with_context(|| format!("could not start `{}`", self.shown))?;
        let group = child.id() as i32;
        groups.running.push(group);
        Ok((child, Guard(group)))
    }

    /// How the command is shown in messages: `cargo test -p x`.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// Runs it with the terminal's output; an error when it fails or times out.
    pub fn run(mut self) -> Result<()> {
        let (mut child, _guard) = self.spawn(false)?;
        let (status, timed_out) = wait(&mut child, self.limit)?;
        if timed_out {
            bail!(
                "`{}` was still running after {} s and was stopped (a hung test? \
                 XTASK_COMMAND_TIMEOUT_MINUTES sets the limit)",
                self.shown,
                self.limit.unwrap_or_default().as_secs()
            );
        }
        if !status.success() {
            bail!("`{}` failed ({})", self.shown, status_text(status));
        }
        Ok(())
    }

    /// Runs it with its output captured; never an error for a failure of the command itself.
    pub fn output(mut self) -> Result<Output> {
        let (mut child, _guard) = self.spawn(true)?;
        let mut stdout = child.stdout.take().expect("piped");
        let mut stderr = child.stderr.take().expect("piped");
        let out = std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = stdout.read_to_end(&mut bytes);
            bytes
        });
        let err = std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = stderr.read_to_end(&mut bytes);
            bytes
        });
        let (status, timed_out) = wait(&mut child, self.limit)?;
        let text = |bytes: Vec<u8>| String::from_utf8_lossy(&bytes).into_owned();
        Ok(Output {
            status,
            stdout: text(out.join().unwrap_or_default()),
            stderr: text(err.join().unwrap_or_default()),
            timed_out,
        })
    }

    /// Runs it captured and returns its standard output; an error, with its standard error,
    /// when it fails.
    pub fn read(self) -> Result<String> {
        let shown = self.shown.clone();
        let output = self.output()?;
        if output.timed_out {
            bail!("`{shown}` was still running at its time limit and was stopped");
        }
        if !output.status.success() {
            bail!(
                "`{shown}` failed ({}): {}",
                output.status_text(),
                output.stderr.trim()
            );
        }
        Ok(output.stdout)
    }

    /// Runs it captured with `input` on its standard input; returns its standard output.
    pub fn read_with_input(mut self, input: &[u8]) -> Result<String> {
        use std::io::Write;
        self.command.stdin(Stdio::piped());
        let (mut child, _guard) = self.spawn(true)?;
        let mut stdin = child.stdin.take().expect("piped");
        let bytes = input.to_vec();
        let writer = std::thread::spawn(move || stdin.write_all(&bytes));
        let mut stdout = child.stdout.take().expect("piped");
        let mut stderr = child.stderr.take().expect("piped");
        let err = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            text
        });
        let mut out = String::new();
        let _ = stdout.read_to_string(&mut out);
        let (status, timed_out) = wait(&mut child, self.limit)?;
        let written = writer
            .join()
            .map_err(|_| anyhow::anyhow!("writer panicked"))?;
        let err = err.join().unwrap_or_default();
        if timed_out || !status.success() {
            bail!(
                "`{}` failed ({}): {}",
                self.shown,
                status_text(status),
                err.trim()
            );
        }
        written.with_context(|| format!("writing to `{}`", self.shown))?;
        Ok(out)
    }
}

/// Waits for `child`, at most `limit`; on time-out kills its whole group. Returns its status
/// and whether it timed out.
fn wait(child: &mut std::process::Child, limit: Option<Duration>) -> Result<(ExitStatus, bool)> {
    let deadline = limit.map(|limit| Instant::now() + limit);
    loop {
        if let Some(status) = child.try_wait().context("waiting for a command")? {
            return Ok((status, false));
        }
        if deadline.is_some_and(|deadline| Instant::now() >= deadline) {
            kill_group(child.id() as i32, libc::SIGKILL);
            let status = child.wait().context("waiting for a killed command")?;
            return Ok((status, true));
        }
        std::thread::sleep(Duration::from_millis(25));
    }
}

fn kill_group(group: i32, signal: i32) {
    // SAFETY: kill has no memory-safety preconditions; a negative pid names a process group
    // (ours, made by `process_group(0)` with the child's id as its id).
    unsafe { libc::kill(-group, signal) };
}

/// The process groups of the commands running now, and the signal that is stopping this
/// process, if one came: for [`forward_signals`].
struct Groups {
    running: Vec<i32>,
    stopping: Option<i32>,
}

static GROUPS: Mutex<Groups> = Mutex::new(Groups {
    running: Vec::new(),
    stopping: None,
});

fn lock_groups() -> std::sync::MutexGuard<'static, Groups> {
    GROUPS.lock().unwrap_or_else(|e| e.into_inner())
}

/// Keeps a running command's group in [`GROUPS`] while it runs.
struct Guard(i32);

impl Drop for Guard {
    fn drop(&mut self) {
        lock_groups().running.retain(|g| *g != self.0);
    }
}

/// When a signal is stopping this process, waits for the signal thread to end it with the
/// signal's exit code (128 + its number), instead of ending it first with another code: the
/// commands it stopped fail, and `main` would report that failure.
pub fn defer_to_a_signal() {
    if lock_groups().stopping.is_some() {
        loop {
            std::thread::park();
        }
    }
}

/// From now on, a SIGINT, SIGTERM or SIGHUP sent to this process is passed on to every
/// command it is running (each in a group of its own, so a Ctrl-C at the terminal would not
/// reach them), which get two seconds to end before they are killed; then this process exits
/// as if killed by that signal (exit code 128 + its number). Call it first thing in `main`,
/// before any thread starts: the signals are blocked in every thread and taken by one.
pub fn forward_signals() -> Result<()> {
    let signals = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];
    // SAFETY: an all-zero sigset_t is valid storage; sigemptyset initialises it.
    let mut set: libc::sigset_t = unsafe { std::mem::zeroed() };
    // SAFETY: `set` is valid, writable storage for a signal set.
    unsafe { libc::sigemptyset(&mut set) };
    for signal in signals {
        // SAFETY: `set` was initialised by sigemptyset; the signals are valid numbers.
        unsafe { libc::sigaddset(&mut set, signal) };
    }
    // SAFETY: `set` is an initialised signal set; a null old-set pointer is allowed. Threads
    // started from now on inherit the mask; so would children, and `Cmd::spawn` clears it
    // in each.
    let result = unsafe { libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut()) };
    if result != 0 {
        bail!(
            "pthread_sigmask failed: {}",
            std::io::Error::from_raw_os_error(result)
        );
    }
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            let mut signal = 0;
            // SAFETY: `set` is an initialised signal set whose signals are blocked in every
            // thread; `signal` is writable.
            if unsafe { libc::sigwait(&set, &mut signal) } != 0 {
                return;
            }
            let groups: Vec<i32> = {
                let mut state = lock_groups();
                state.stopping = Some(signal);
                state.running.clone()
            };
            for &group in &groups {
                kill_group(group, libc::SIGTERM);
            }
            let deadline = Instant::now() + Duration::from_secs(2);
            while Instant::now() < deadline
                && lock_groups().running.iter().any(|g| groups.contains(g))
            {
                std::thread::sleep(Duration::from_millis(20));
            }
            for &group in &groups {
                kill_group(group, libc::SIGKILL);
            }
            eprintln!("xtask: stopped by signal {signal}");
            std::process::exit(128 + signal);
        })
        .context("could not start the signal thread")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_command_past_its_limit_is_stopped_with_its_children() {
        let started = Instant::now();
        let error = Cmd::new("sh")
            .args(["-c", "sleep 30 & sleep 30"])
            .limit(Duration::from_millis(300))
            .run()
            .unwrap_err();
        assert!(error.to_string().contains("was stopped"), "{error}");
        assert!(started.elapsed() < Duration::from_secs(10));
        Cmd::new("true").run().unwrap();
    }

    #[test]
    fn output_keeps_both_streams_and_a_failure_is_not_an_error() {
        let output = Cmd::new("sh")
            .args(["-c", "echo out; echo err >&2; exit 3"])
            .output()
            .unwrap();
        assert_eq!(
            (output.stdout.as_str(), output.stderr.as_str()),
            ("out\n", "err\n")
        );
        assert_eq!(output.status_text(), "exit code 3");
        assert!(!output.success());
        let error = Cmd::new("sh")
            .args(["-c", "echo why >&2; exit 1"])
            .read()
            .unwrap_err();
        assert!(error.to_string().contains("why"), "{error}");
        assert!(Cmd::new("no-such-program-here").run().is_err());
    }

    #[test]
    fn input_reaches_the_command() {
        let out = Cmd::new("cat").read_with_input(b"abc").unwrap();
        assert_eq!(out, "abc");
    }
}
