use super::*;
use std::sync::mpsc;
use std::time::Instant;

/// Runs `f` on a thread of its own and waits at most `limit` for its result, so a
/// `block_on` that never returns fails the test instead of hanging it.
fn within<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(limit).ok()
}

#[test]
fn strong_count_follows_every_waker_call() {
    let inner = Arc::new(ThreadWaker(thread::current()));
    assert_eq!(Arc::strong_count(&inner), 1);

    // create: `Waker::from` takes over the `Arc` it is given.
    let waker = Waker::from(Arc::clone(&inner));
    assert_eq!(Arc::strong_count(&inner), 2);

    // clone: one reference more.
    let second = waker.clone();
    assert_eq!(Arc::strong_count(&inner), 3);

    // wake_by_ref: no change.
    second.wake_by_ref();
    assert_eq!(Arc::strong_count(&inner), 3);

    // wake: consumes `second` and its reference.
    second.wake();
    assert_eq!(Arc::strong_count(&inner), 2);

    // drop: gives back the last waker's reference.
    drop(waker);
    assert_eq!(Arc::strong_count(&inner), 1);
}

#[test]
fn wake_by_ref_unparks_the_thread() {
    let waker = Waker::from(Arc::new(ThreadWaker(thread::current())));
    waker.wake_by_ref();
    // The token is set: this park returns at once instead of after its timeout.
    let start = Instant::now();
    thread::park_timeout(Duration::from_secs(5));
    assert!(start.elapsed() < Duration::from_secs(2));
}

#[test]
fn block_on_returns_the_value() {
    let value = within(Duration::from_secs(5), || {
        block_on(Delay::new(Duration::from_millis(10), 7))
    });
    assert_eq!(value, Some(7));
}

#[test]
fn main_runs() {
    assert!(within(Duration::from_secs(5), main).is_some());
}
