//! Chapter 9's `spawn` needed an fd per task, and a full fd table made it fail (a `JoinError`
//! carrying `EMFILE`). Here a task is memory only: with not one fd left, a thousand tasks
//! still spawn, wait and finish, while a new socket gets a clear `EMFILE` `io::Error`.
//!
//! Lowering `RLIMIT_NOFILE` affects the whole process, so the test runs its body in a child
//! process: the test binary again, with an environment variable set and `--exact`.

use ch15_many_threads_fast::net::TcpListener;
use ch15_many_threads_fast::{Runtime, spawn};
use futures::channel::oneshot;
use std::process::Command;
use std::time::{Duration, Instant};

const CHILD: &str = "CH14_EMFILE_CHILD";
const TEST: &str = "spawn_needs_no_fd_and_works_with_the_fd_table_full";

#[test]
#[cfg_attr(miri, ignore = "Miri cannot spawn a child process")]
fn spawn_needs_no_fd_and_works_with_the_fd_table_full() {
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
    let (results, bind, after) = runtime.block_on(async {
        // A few numbers left under the limit, and files take them: the table is full.
        let old = set_fd_limit(limit_leaving(4));
        let mut full = Vec::new();
        let error = loop {
            match std::fs::File::open("/dev/null") {
                Ok(file) => full.push(file),
                Err(error) => break error,
            }
        };
        assert_eq!(
            error.raw_os_error(),
            Some(libc::EMFILE),
            "the fd table is full"
        );
        assert!(full.len() < 10, "the limit left {} fds", full.len());
        let mut senders = Vec::new();
        let waiting = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let handles: Vec<_> = (0..1000)
            .map(|i| {
                let (sender, receiver) = oneshot::channel::<()>();
                senders.push(sender);
                let waiting = std::sync::Arc::clone(&waiting);
                spawn(async move {
                    waiting.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let _ = receiver.await; // a task that waits, then finishes
                    i
                })
            })
            .collect();
        // `block_on` polls the main future first whenever it is woken: yield until every
        // task has run and waits, then the senders wake them all.
        while waiting.load(std::sync::atomic::Ordering::Relaxed) < 1000 {
            ch15_many_threads_fast::yield_now().await;
        }
        drop(senders);
        let mut results = Vec::new();
        for handle in handles {
            results.push(handle.await);
        }
        let bind = TcpListener::bind("127.0.0.1:0").await.map(|_| ());
        drop(full);
        let after = TcpListener::bind("127.0.0.1:0").await.map(|_| ());
        set_fd_limit(old);
        (results, bind, after)
    });
    let outputs: Vec<usize> = results.into_iter().map(|r| r.unwrap()).collect();
    assert_eq!(outputs, (0..1000).collect::<Vec<_>>());
    assert_eq!(bind.unwrap_err().raw_os_error(), Some(libc::EMFILE));
    after.expect("with one fd free again, a socket binds");
}
