//! When the fd table is full, `spawn` cannot create the task's eventfd. It must not abort
//! the runtime or hang: the handle gives a `JoinError` carrying the `io::Error` (`EMFILE`).
//!
//! Lowering `RLIMIT_NOFILE` affects the whole process, so the test runs its body in a child
//! process: the test binary again, with an environment variable set and `--exact`.

use ch06_epoll_eventfd::{Runtime, spawn};
use futures::channel::oneshot;
use std::process::Command;
use std::time::{Duration, Instant};

const CHILD: &str = "CH06_EMFILE_CHILD";
const TEST: &str = "spawn_with_no_fd_left_gives_a_join_error_with_emfile";

#[test]
#[cfg_attr(miri, ignore = "Miri cannot spawn a child process")]
fn spawn_with_no_fd_left_gives_a_join_error_with_emfile() {
    if std::env::var_os(CHILD).is_some() {
        return child();
    }
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([TEST, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the child process did not finish in 60 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "the child process failed: {status}");
}

/// Sets the soft limit on open files; returns the old one.
fn set_fd_limit(soft: libc::rlim_t) -> libc::rlim_t {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `limit` is a valid, writable rlimit for the call to fill in.
    let got = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) };
    assert_eq!(got, 0, "{}", std::io::Error::last_os_error());
    let old = limit.rlim_cur;
    limit.rlim_cur = soft;
    // SAFETY: `limit` is a valid rlimit; lowering the soft limit needs no privilege.
    let set = unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) };
    assert_eq!(set, 0, "{}", std::io::Error::last_os_error());
    old
}

/// The limit below which exactly `free` fd numbers are unused. A new fd takes the lowest
/// unused number, and fails with `EMFILE` when that number is not below the limit.
fn limit_leaving(free: usize) -> libc::rlim_t {
    let open: Vec<libc::rlim_t> = std::fs::read_dir("/proc/self/fd")
        .unwrap()
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse().ok())
        .collect();
    (0..).filter(|n| !open.contains(n)).nth(free - 1).unwrap() + 1
}

fn child() {
    let runtime = Runtime::new().unwrap();
    let (results, after) = runtime.block_on(async {
        // Room for about nine more fds (other fds of the process may come and go).
        let old = set_fd_limit(limit_leaving(9));
        let mut senders = Vec::new();
        let handles: Vec<_> = (0..100)
            .map(|_| {
                let (sender, receiver) = oneshot::channel::<()>();
                senders.push(sender);
                spawn(async move {
                    let _ = receiver.await; // keeps its eventfd open until released
                })
            })
            .collect();
        drop(senders); // releases them all
        let mut results = Vec::new();
        for handle in handles {
            results.push(handle.await);
        }
        // Still at the low limit: the finished tasks closed their fds, spawn works again.
        let after = spawn(async { "spawned after" }).await;
        set_fd_limit(old);
        (results, after)
    });
    let spawned = results.iter().take_while(|r| r.is_ok()).count();
    assert!((1..=20).contains(&spawned), "{spawned} tasks spawned");
    for error in results[spawned..].iter().map(|r| r.as_ref().unwrap_err()) {
        let io = error.io_error().expect("an io::Error");
        assert_eq!(io.raw_os_error(), Some(libc::EMFILE), "{error}");
        assert!(!error.is_panic() && !error.is_cancelled());
        assert!(error.to_string().starts_with("task could not be spawned: "));
    }
    assert_eq!(after.unwrap(), "spawned after");
}
