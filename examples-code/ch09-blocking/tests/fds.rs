//! File descriptors: every eventfd is closed once nothing needs it, and none is closed while a
//! waker may still write to it. These tests count the entries of `/proc/self/fd`, so they
//! take a lock: no other test of this file opens fds meanwhile (each file in `tests/` is a
//! process of its own).

mod common;

use ch09_blocking::{Runtime, spawn, yield_now};
use common::{LIMIT, within};
use std::future::poll_fn;
use std::sync::Mutex;
use std::task::Poll;

static FDS: Mutex<()> = Mutex::new(());

/// What each open fd of this process is (`anon_inode:[eventfd]`, `/dev/null`, …).
fn open_fds() -> Vec<String> {
    std::fs::read_dir("/proc/self/fd")
        .unwrap()
        .flatten()
        .filter_map(|entry| std::fs::read_link(entry.path()).ok())
        .map(|target| target.to_string_lossy().into_owned())
        .collect()
}

fn count(kind: &str) -> usize {
    open_fds().iter().filter(|fd| fd.contains(kind)).count()
}

/// How many fds the process's one epoll set watches: the `tfd:` lines of its fdinfo.
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
    assert_eq!(epolls.len(), 1, "one runtime, one epoll fd");
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
fn no_fd_is_left_open_after_1000_tasks_and_the_runtime_are_gone() {
    let _lock = FDS.lock().unwrap_or_else(|e| e.into_inner());
    let before = open_fds().len();
    within(LIMIT, || {
        let runtime = Runtime::new().unwrap();
        runtime.block_on(async {
            for _ in 0..10 {
                let handles: Vec<_> = (0..100)
                    .map(|i| {
                        spawn(async move {
                            yield_now().await;
                            i
                        })
                    })
                    .collect();
                for handle in handles {
                    handle.await.unwrap();
                }
            }
        });
    });
    assert_eq!(open_fds().len(), before);
}

#[test]
#[cfg_attr(
    miri,
    ignore = "Miri cannot read /proc/self, where the test counts descriptors"
)]
fn a_finished_tasks_eventfd_leaves_the_epoll_set_but_stays_open_while_a_waker_holds_it() {
    let _lock = FDS.lock().unwrap_or_else(|e| e.into_inner());
    let before = count("[eventfd]");
    let (during, stale) = within(LIMIT, move || {
        let runtime = Runtime::new().unwrap();
        runtime.block_on(async {
            let stale = spawn(poll_fn(|cx| Poll::Ready(cx.waker().clone())))
                .await
                .unwrap();
            // Only the main future's eventfd is still watched...
            assert_eq!(watched(), 1);
            // ...but two are open: the main future's, and the finished task's, kept by `stale`.
            (count("[eventfd]"), stale)
        })
    });
    assert_eq!(during, before + 2);
    assert_eq!(
        count("[eventfd]"),
        before + 1,
        "the runtime is gone, the waker is not"
    );
    stale.wake(); // a write to the open, unwatched eventfd; then the last owner is dropped
    assert_eq!(count("[eventfd]"), before);
}

#[test]
#[cfg_attr(
    miri,
    ignore = "Miri cannot read /proc/self, where the test counts descriptors"
)]
fn a_cancelled_tasks_eventfd_is_closed_with_the_runtime() {
    let _lock = FDS.lock().unwrap_or_else(|e| e.into_inner());
    let before = open_fds().len();
    within(LIMIT, move || {
        let runtime = Runtime::new().unwrap();
        runtime.block_on(async {
            for _ in 0..10 {
                drop(spawn(std::future::pending::<()>()));
            }
            yield_now().await;
        });
        assert!(
            open_fds().len() >= before + 11,
            "the epoll fd and ten eventfds"
        );
    });
    assert_eq!(open_fds().len(), before);
}
