//! Sockets leave nothing behind: dropping one takes it out of the epoll set and closes it,
//! and after 10,000 connections made and closed, and every task and socket dropped, the
//! process has exactly the fds it had before. These tests count the entries of
//! `/proc/self/fd`, so they take a lock: no other test of this file opens fds meanwhile (each
//! file in `tests/` is a process of its own).

mod common;

use ch15_many_threads_fast::net::{TcpListener, TcpStream, UdpSocket};
use ch15_many_threads_fast::{Runtime, spawn, yield_now};
use common::{LIMIT, within};
use std::sync::Mutex;
use std::time::Duration;

static FDS: Mutex<()> = Mutex::new(());

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

/// How many fds the runtime's epoll set watches: the `tfd:` lines of its fdinfo.
fn watched() -> usize {
    let epolls: Vec<_> = std::fs::read_dir("/proc/self/fd")
        .unwrap()
        .flatten()
        .filter(|entry| {
            std::fs::read_link(entry.path())
                .is_ok_and(|t| t.to_string_lossy().contains("[eventpoll]"))
        })
        .map(|entry| entry.file_name())
        .collect();
    // One runtime: mio's `Poll` and the copy its `Registry` holds, the same epoll set.
    assert_eq!(epolls.len(), 2, "one runtime, one epoll set");
    let info =
        std::fs::read_to_string(format!("/proc/self/fdinfo/{}", epolls[0].to_string_lossy()));
    info.unwrap()
        .lines()
        .filter(|line| line.starts_with("tfd:"))
        .count()
}

#[test]
#[cfg_attr(
    miri,
    ignore = "Miri cannot read /proc/self, where the test counts descriptors"
)]
fn dropping_a_socket_takes_it_out_of_the_epoll_set() {
    let _lock = FDS.lock().unwrap_or_else(|e| e.into_inner());
    let counts = within(LIMIT, || {
        Runtime::new().unwrap().block_on(async {
            let alone = watched(); // mio's Waker (an eventfd) and the timers' timerfd
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let udp = UdpSocket::bind("127.0.0.1:0").await.unwrap();
            let client = TcpStream::connect(listener.local_addr().unwrap())
                .await
                .unwrap();
            let (server, _) = listener.accept().await.unwrap();
            let all = watched();
            drop((listener, udp, client, server));
            (alone, all, watched())
        })
    });
    assert_eq!(counts, (2, 6, 2));
}

#[test]
#[cfg_attr(
    miri,
    ignore = "Miri cannot read /proc/self, where the test counts descriptors"
)]
fn no_fd_is_left_after_10000_connections_are_made_and_closed() {
    let _lock = FDS.lock().unwrap_or_else(|e| e.into_inner());
    let before = open_fds();
    let during = within(Duration::from_secs(120), || {
        let runtime = Runtime::new().unwrap();
        let during = runtime.block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let mut most = 0;
            for _ in 0..10_000 {
                let client = TcpStream::connect(addr).await.unwrap();
                let (server, _) = listener.accept().await.unwrap();
                most = most.max(open_fds());
                drop((client, server));
            }
            most
        });
        drop(runtime);
        during
    });
    // The runtime's four (two for the epoll set, the eventfd, the timerfd), the listener,
    // and one connection at a time.
    assert!(
        during <= before + 7,
        "{during} fds open at most, {before} before"
    );
    assert_eq!(open_fds(), before);
}

#[test]
#[cfg_attr(
    miri,
    ignore = "Miri cannot read /proc/self, where the test counts descriptors"
)]
fn sockets_held_by_unfinished_tasks_close_with_the_runtime() {
    let _lock = FDS.lock().unwrap_or_else(|e| e.into_inner());
    let before = open_fds();
    within(LIMIT, move || {
        let runtime = Runtime::new().unwrap();
        runtime.block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            // Ten connections whose reads never end, each held by a task, and the listener
            // held by an accepting task.
            for _ in 0..10 {
                let client = TcpStream::connect(addr).await.unwrap();
                let (server, _) = listener.accept().await.unwrap();
                spawn(async move {
                    let mut buf = [0; 8];
                    let _ = server.read(&mut buf).await;
                    drop(client);
                });
            }
            spawn(async move {
                let _ = listener.accept().await;
            });
            yield_now().await; // the tasks start, and wait
        });
        // The runtime's four fds, 21 sockets.
        assert!(open_fds() >= before + 25, "{} open", open_fds());
    }); // the runtime is dropped: its tasks are cancelled, their sockets closed
    assert_eq!(open_fds(), before);
}
