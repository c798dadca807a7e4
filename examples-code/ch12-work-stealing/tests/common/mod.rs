//! Helpers shared by the tests (each test file includes this one with `mod common;`).
// Each test file uses some of these helpers, not all.
#![allow(dead_code)]

use std::sync::mpsc;
use std::thread;
use std::time::Duration;

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
    let start = std::time::Instant::now();
    while !condition() {
        assert!(start.elapsed() < limit, "timed out waiting until {what}");
        thread::sleep(Duration::from_millis(1));
    }
}

/// Every kind of run queue: the tests that pin down the scheduler's behaviour run on each.
pub const KINDS: [ch12_work_stealing::RunQueueKind; 3] = [
    ch12_work_stealing::RunQueueKind::Crossbeam,
    ch12_work_stealing::RunQueueKind::Book,
    ch12_work_stealing::RunQueueKind::OneQueue,
];
