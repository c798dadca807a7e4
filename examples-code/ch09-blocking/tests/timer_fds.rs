//! The fds of timers: a timerfd sleep holds one from its first poll until it ends or is
//! dropped, and then it is out of the epoll set and closed; the timer queue holds none. These
//! tests count the entries of `/proc/self/fd`, so they take a lock: no other test of this file
//! opens fds meanwhile (each file in `tests/` is a process of its own).

mod common;

use ch09_blocking::Runtime;
use ch09_blocking::time::{self, timerfd};
use common::{LIMIT, within};
use futures::future::join_all;
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::task::{Context, Waker};
use std::time::Duration;

static FDS: Mutex<()> = Mutex::new(());

/// How many timerfds the process has open.
fn timerfds() -> usize {
    std::fs::read_dir("/proc/self/fd")
        .unwrap()
        .flatten()
        .filter_map(|entry| std::fs::read_link(entry.path()).ok())
        .filter(|target| target.to_string_lossy().contains("[timerfd]"))
        .count()
}

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

#[test]
#[cfg_attr(
    miri,
    ignore = "Miri cannot read /proc/self, where the test counts descriptors"
)]
fn no_timerfd_is_left_after_sleeps_end_or_are_dropped() {
    let _lock = FDS.lock().unwrap_or_else(|e| e.into_inner());
    let counts = within(LIMIT, || {
        Runtime::new().unwrap().block_on(async {
            let before = timerfds();
            // 100 sleeps polled once (each makes its timerfd), then dropped unfinished.
            let mut pending: Vec<_> = (0..100)
                .map(|_| timerfd::sleep(Duration::from_secs(60)))
                .collect();
            for sleep in &mut pending {
                let _ = Pin::new(sleep).poll(&mut Context::from_waker(Waker::noop()));
            }
            let polled = timerfds();
            drop(pending);
            let dropped = timerfds();
            // 100 sleeps that end.
            let ends = (0..100).map(|ms| timerfd::sleep(Duration::from_millis(ms % 10)));
            for end in join_all(ends).await {
                end.unwrap();
            }
            (before, polled, dropped, timerfds())
        })
    });
    assert_eq!(counts, (0, 100, 0, 0));
}

#[test]
#[cfg_attr(
    miri,
    ignore = "Miri cannot read /proc/self, where the test counts descriptors"
)]
fn the_timer_queue_holds_no_fd() {
    let _lock = FDS.lock().unwrap_or_else(|e| e.into_inner());
    let (before, during) = within(LIMIT, || {
        Runtime::new().unwrap().block_on(async {
            let before = open_fds();
            let mut pending: Vec<_> = (0..1000)
                .map(|_| time::sleep(Duration::from_secs(60)))
                .collect();
            for sleep in &mut pending {
                let _ = Pin::new(sleep).poll(&mut Context::from_waker(Waker::noop()));
            }
            (before, open_fds())
        })
    });
    assert_eq!(before, during);
}
