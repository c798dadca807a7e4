//! No file descriptor is left behind: not by 10,000 connections opened and closed, not by the
//! runtime once dropped. These tests count `/proc/self/fd` and take a lock, so that no other
//! test of this file opens fds meanwhile (each file in `tests/` is a process of its own).

mod common;

use ch15_many_threads_fast::Runtime;
use ch15_many_threads_fast::net::{TcpListener, TcpStream};
use common::{LIMIT, within};
use std::sync::Mutex;

static FDS: Mutex<()> = Mutex::new(());

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

// ANCHOR: ten_thousand
#[test]
#[cfg_attr(
    miri,
    ignore = "Miri cannot read /proc/self, where the test counts descriptors"
)]
fn ten_thousand_connections_opened_and_closed_leave_no_fd_behind() {
    let _lock = FDS.lock().unwrap_or_else(|e| e.into_inner());
    let before = open_fds();
    let (during, sockets) = within(LIMIT * 3, || {
        let runtime = Runtime::builder().worker_threads(2).build().unwrap();
        let handle = runtime.handle().clone();
        runtime.block_on(async move {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let start = open_fds();
            for _ in 0..10_000 {
                let client = TcpStream::connect(addr).await.unwrap();
                let (server, _) = listener.accept().await.unwrap();
                // The server closes first (its side keeps TIME_WAIT, not a client port).
                drop(server);
                let mut buf = [0; 1];
                assert_eq!(client.read(&mut buf).await.unwrap(), 0);
                drop(client);
            }
            (open_fds() - start, handle.driver_counts().sockets)
        })
    });
    assert_eq!(during, 0, "fds left open by the connections");
    assert_eq!(sockets, 1, "only the listener is still registered");
    assert_eq!(open_fds(), before, "the runtime's fds are closed with it");
}
// ANCHOR_END: ten_thousand

#[test]
#[cfg_attr(
    miri,
    ignore = "Miri cannot read /proc/self, where the test counts descriptors"
)]
fn a_runtime_dropped_with_sockets_in_use_closes_them_all() {
    let _lock = FDS.lock().unwrap_or_else(|e| e.into_inner());
    let before = open_fds();
    within(LIMIT, move || {
        let runtime = Runtime::builder().worker_threads(2).build().unwrap();
        runtime.block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            for _ in 0..10 {
                // A task that waits for ever on a read, with its socket.
                let client = TcpStream::connect(addr).await.unwrap();
                drop(ch15_many_threads_fast::spawn(async move {
                    let mut buf = [0; 1];
                    let _ = client.read(&mut buf).await;
                }));
            }
            drop(ch15_many_threads_fast::spawn(async move {
                let _keep = listener;
                std::future::pending::<()>().await
            }));
        });
        // mio's epoll fd, its Registry's copy, its Waker's eventfd, the timers' timerfd, the
        // listener, the clients.
        assert_eq!(open_fds(), before + 4 + 1 + 10);
    });
    assert_eq!(open_fds(), before);
}

#[test]
#[cfg_attr(
    miri,
    ignore = "Miri cannot read /proc/self, where the test counts descriptors"
)]
fn a_thousand_waiting_tasks_open_no_fd() {
    let _lock = FDS.lock().unwrap_or_else(|e| e.into_inner());
    let (before, during) = within(LIMIT, || {
        let runtime = Runtime::builder().worker_threads(2).build().unwrap();
        let before = open_fds();
        let waiting: Vec<_> = (0..1_000)
            .map(|_| runtime.spawn(std::future::pending::<()>()))
            .collect();
        common::wait_until(LIMIT, "every task has run once", || {
            runtime.handle().idle_counts() == (0, 0)
        });
        let during = open_fds();
        drop(waiting);
        (before, during)
    });
    // Chapters 6 to 9 gave every task an eventfd; a task here is memory only.
    assert_eq!(during, before);
}
