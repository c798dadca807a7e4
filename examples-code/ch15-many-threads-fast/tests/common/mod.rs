//! Helpers shared by the tests (each test file includes this one with `mod common;`, and
//! uses some of them).
#![allow(dead_code)]

use std::process::{Command, ExitStatus};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// Runs `f` on a thread of its own and returns its result, or panics after `limit`:
/// a lost wakeup fails the test instead of hanging it.
pub fn within<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (sender, receiver) = mpsc::channel();
    thread::spawn(move || {
        let _ = sender.send(f());
    });
    match receiver.recv_timeout(limit) {
        Ok(result) => result,
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("not finished after {limit:?}"),
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("the test's thread panicked"),
    }
}

/// Long enough for anything here to finish on a slow, busy machine.
pub const LIMIT: Duration = Duration::from_secs(20);

/// Waits until `condition` holds, checking every millisecond; panics after `limit`.
pub fn wait_until(limit: Duration, what: &str, mut condition: impl FnMut() -> bool) {
    let start = Instant::now();
    while !condition() {
        assert!(start.elapsed() < limit, "timed out waiting until {what}");
        thread::sleep(Duration::from_millis(1));
    }
}

/// Both kinds of run queue: the tests that pin down the scheduler's behaviour run on each.
/// Under Miri, the book's ring only: `crossbeam-epoch`, under `crossbeam-deque`, breaks the
/// Stacked Borrows rules Miri checks by default (crossbeam's issues #545 and #878; crossbeam
/// runs Miri with Tree Borrows instead, PR #996).
#[cfg(not(miri))]
pub const KINDS: &[ch15_many_threads_fast::RunQueueKind] = &[
    ch15_many_threads_fast::RunQueueKind::Ring,
    ch15_many_threads_fast::RunQueueKind::Crossbeam,
];
#[cfg(miri)]
pub const KINDS: &[ch15_many_threads_fast::RunQueueKind] =
    &[ch15_many_threads_fast::RunQueueKind::Ring];

/// The environment variable that tells a test it runs as the child of `run_in_child`.
const CHILD: &str = "CH15_CHILD_TEST";

/// Whether this process is the child `run_in_child(test)` started.
pub fn is_child(test: &str) -> bool {
    std::env::var_os(CHILD).is_some_and(|name| name == test)
}

/// Runs the test `test` again, alone, in a child process (the test binary with `--exact`),
/// for a test that changes something process-wide (the fd limit, the `SIGPIPE` handler).
/// Kills it after 60 s. Returns how it ended.
pub fn run_in_child(test: &str) -> ExitStatus {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, test)
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the child process did not finish in 60 s");
        }
        thread::sleep(Duration::from_millis(20));
    }
}

/// The CPU time (user and system) the calling thread has used so far.
pub fn thread_cpu_time() -> Duration {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: `usage` is a writable rusage for the call to fill in.
    let result = unsafe { libc::getrusage(libc::RUSAGE_THREAD, usage.as_mut_ptr()) };
    assert_eq!(result, 0, "{}", std::io::Error::last_os_error());
    // SAFETY: getrusage succeeded, so it filled `usage` (and zeroed is a valid rusage anyway).
    let usage = unsafe { usage.assume_init() };
    let time = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
    };
    time(usage.ru_utime) + time(usage.ru_stime)
}

/// Sets `SO_LINGER` to "on, 0 seconds" on `stream`: closing it then sends a reset (RST)
/// instead of a normal end of stream (FIN). `std` has this only on nightly (`set_linger`).
pub fn reset_on_close(stream: &std::net::TcpStream) {
    use std::os::fd::AsRawFd;
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: the fd is open (we borrow its owner); the pointer and length describe
    // `linger`, which the kernel only reads during the call.
    let result = unsafe {
        libc::setsockopt(
            stream.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            (&raw const linger).cast(),
            size_of::<libc::linger>() as libc::socklen_t,
        )
    };
    assert_eq!(result, 0, "{}", std::io::Error::last_os_error());
}
