//! File descriptors: a runtime has one eventfd however many tasks it runs, it is closed once
//! nothing needs it, and not while a waker may still write to it. These tests count the entries of `/proc/self/fd`, so they
//! take a lock: no other test of this file opens fds meanwhile (each file in `tests/` is a
//! process of its own).

mod common;

use ch14_making_it_fast::{Runtime, spawn, yield_now};
use common::{LIMIT, within};
use futures::FutureExt;
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
fn a_thousand_waiting_tasks_share_the_runtimes_one_eventfd() {
    let _lock = FDS.lock().unwrap_or_else(|e| e.into_inner());
    let before = count("[eventfd]");
    let (during, watching) = within(LIMIT, move || {
        let runtime = Runtime::new().unwrap();
        runtime.block_on(async {
            let (release, wait) = futures::channel::oneshot::channel::<()>();
            let wait = wait.shared();
            let waiting = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
            let handles: Vec<_> = (0..1000)
                .map(|_| {
                    let (wait, waiting) = (wait.clone(), std::sync::Arc::clone(&waiting));
                    spawn(async move {
                        waiting.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let _ = wait.await;
                    })
                })
                .collect();
            // `block_on` polls the main future first whenever it is woken, so one yield lets
            // one task run: yield until every task has run once, and waits.
            while waiting.load(std::sync::atomic::Ordering::Relaxed) < 1000 {
                yield_now().await;
            }
            let seen = (count("[eventfd]"), watched());
            drop(release);
            for handle in handles {
                handle.await.unwrap();
            }
            seen
        })
    });
    assert_eq!(during, before + 1, "one eventfd, not one per task");
    assert_eq!(watching, 1, "the epoll set watches the eventfd alone");
    assert_eq!(count("[eventfd]"), before);
}

#[test]
#[cfg_attr(
    miri,
    ignore = "Miri cannot read /proc/self, where the test counts descriptors"
)]
fn a_stale_waker_keeps_the_eventfd_open_until_it_is_dropped() {
    let _lock = FDS.lock().unwrap_or_else(|e| e.into_inner());
    let before = count("[eventfd]");
    let stale = within(LIMIT, move || {
        let runtime = Runtime::new().unwrap();
        runtime.block_on(async {
            spawn(poll_fn(|cx| Poll::Ready(cx.waker().clone())))
                .await
                .unwrap()
        })
    });
    assert_eq!(
        count("[eventfd]"),
        before + 1,
        "the runtime is gone, the waker (which can still write to it) is not"
    );
    stale.wake(); // the task is over, the runtime is gone: nothing is queued, nothing breaks
    assert_eq!(count("[eventfd]"), before);
}

#[test]
#[cfg_attr(
    miri,
    ignore = "Miri cannot read /proc/self, where the test counts descriptors"
)]
fn cancelled_tasks_are_dropped_and_every_fd_closed_with_the_runtime() {
    use std::sync::Arc;
    let _lock = FDS.lock().unwrap_or_else(|e| e.into_inner());
    let before = open_fds().len();
    let alive = Arc::new(());
    let in_tasks = Arc::clone(&alive);
    within(LIMIT, move || {
        let runtime = Runtime::new().unwrap();
        runtime.block_on(async {
            for _ in 0..10 {
                let alive = Arc::clone(&in_tasks);
                drop(spawn(async move {
                    let _alive = alive;
                    std::future::pending::<()>().await
                }));
            }
            drop(in_tasks);
            yield_now().await;
        });
        assert_eq!(open_fds().len(), before + 2, "the epoll fd and one eventfd");
    });
    assert_eq!(Arc::strong_count(&alive), 1, "the ten futures were dropped");
    assert_eq!(open_fds().len(), before);
}
