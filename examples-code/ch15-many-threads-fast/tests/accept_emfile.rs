//! The accept-loop trap. When the process is out of file descriptors, `accept` fails with
//! `EMFILE`, and the connection stays in the listener's queue, so the listener stays readable.
//! A runtime that kept the listener registered level-triggered would be told "readable" by
//! every `epoll_wait`, at once, for as long as the table is full: a spinning executor.
//!
//! This one hands the error to the caller, and the listener, registered with `EPOLLONESHOT`,
//! is reported once and then not again until somebody waits on it. Once descriptors are free,
//! the same listener accepts the waiting connections.
//!
//! The fd limit is per process, so the test runs in a child process.

mod common;

use ch15_many_threads_fast::Runtime;
use ch15_many_threads_fast::net::TcpListener;
use common::{is_child, run_in_child, thread_cpu_time};
use futures::FutureExt;
use futures::channel::oneshot;
use std::pin::pin;
use std::thread;
use std::time::Duration;

const TEST: &str = "accept_with_no_fd_left_fails_without_spinning_and_works_again_later";

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

/// How long the runtime waits, out of descriptors, with a connection in the queue.
const STUCK: Duration = Duration::from_millis(300);

#[test]
#[cfg_attr(miri, ignore = "Miri cannot spawn a child process")]
fn accept_with_no_fd_left_fails_without_spinning_and_works_again_later() {
    if !is_child(TEST) {
        let status = run_in_child(TEST);
        assert!(status.success(), "the child process failed: {status}");
        return;
    }
    let runtime = Runtime::new().unwrap();
    runtime.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        // Wait on the listener first: it is armed for readable.
        let mut accept = pin!(listener.accept());
        assert!((&mut accept).now_or_never().is_none());

        // The thread that wakes us after STUCK exists before the table fills up.
        let (wake, stuck) = oneshot::channel::<()>();
        let (go, start) = std::sync::mpsc::channel::<()>();
        let timer = thread::spawn(move || {
            start.recv().unwrap();
            thread::sleep(STUCK);
            wake.send(()).unwrap();
        });

        // Fill the fd table with clients: the first ones reach the queue, then socket()
        // itself fails with EMFILE.
        let old = set_fd_limit(limit_leaving(4));
        let mut clients = Vec::new();
        let full = loop {
            assert!(clients.len() < 64, "the fd table does not fill up");
            match std::net::TcpStream::connect(addr) {
                Ok(client) => clients.push(client),
                Err(error) => break error,
            }
        };
        assert_eq!(full.raw_os_error(), Some(libc::EMFILE), "{full}");
        assert!(!clients.is_empty());

        // The accept that was waiting gets the error instead of a connection.
        let error = accept.await.map(|_| ()).unwrap_err();
        assert_eq!(error.raw_os_error(), Some(libc::EMFILE), "{error}");

        // The connections wait in the queue; the listener is readable; nobody accepts. The
        // executor must sleep through STUCK, not spin.
        let cpu = thread_cpu_time();
        go.send(()).unwrap();
        stuck.await.unwrap();
        let cpu = thread_cpu_time() - cpu;
        assert!(cpu < STUCK / 3, "used {cpu:?} of CPU while stuck");
        timer.join().unwrap();

        // Free one descriptor: the same listener accepts again, and again as they free up.
        let waiting = clients.len();
        clients.pop();
        let mut accepted = Vec::new();
        for _ in 0..waiting {
            let (stream, _) = listener.accept().await.unwrap();
            accepted.push(stream);
            clients.pop(); // a free fd for the next one
        }
        assert_eq!(accepted.len(), waiting);
        set_fd_limit(old);
    });
}
