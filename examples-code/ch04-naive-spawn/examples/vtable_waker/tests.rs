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
fn strong_count_follows_every_vtable_call() {
    let thread = Arc::new(thread::current());
    assert_eq!(Arc::strong_count(&thread), 1);

    // create: the waker owns the clone it was given.
    let waker = thread_waker(Arc::clone(&thread));
    assert_eq!(Arc::strong_count(&thread), 2);

    // clone: one reference more.
    let second = waker.clone();
    assert_eq!(Arc::strong_count(&thread), 3);

    // wake_by_ref: no change, on either waker.
    second.wake_by_ref();
    assert_eq!(Arc::strong_count(&thread), 3);
    waker.wake_by_ref();
    assert_eq!(Arc::strong_count(&thread), 3);

    // wake: consumes `second` and its reference.
    second.wake();
    assert_eq!(Arc::strong_count(&thread), 2);

    // drop: gives back the last waker's reference.
    drop(waker);
    assert_eq!(Arc::strong_count(&thread), 1);
}

#[test]
fn clones_wake_the_same_thread() {
    let waker = thread_waker(Arc::new(thread::current()));
    let second = waker.clone();
    // Same data pointer, same vtable.
    assert!(waker.will_wake(&second));
}

#[test]
fn wake_by_ref_unparks_the_thread() {
    let waker = thread_waker(Arc::new(thread::current()));
    waker.wake_by_ref();
    // The unpark left this thread's token set: this park returns at once instead of
    // sleeping for its full timeout.
    let start = Instant::now();
    thread::park_timeout(Duration::from_secs(5));
    assert!(start.elapsed() < Duration::from_secs(2));
}

#[test]
fn wake_from_another_thread_unparks() {
    let waker = thread_waker(Arc::new(thread::current()));
    let woken = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&woken);
    let start = Instant::now();
    let waker_thread = thread::spawn(move || {
        thread::sleep(Duration::from_millis(20));
        flag.store(true, Ordering::Release);
        waker.wake();
    });
    // Park until the flag is set, but never for long: a lost wake fails the test below.
    let deadline = start + Duration::from_secs(5);
    while !woken.load(Ordering::Acquire) && Instant::now() < deadline {
        thread::park_timeout(deadline - Instant::now());
    }
    assert!(woken.load(Ordering::Acquire));
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "woken by the timeout, not the waker"
    );
    waker_thread.join().unwrap();
}

#[test]
fn block_on_returns_the_value() {
    let value = within(Duration::from_secs(5), || {
        block_on(Delay::new(Duration::from_millis(10), 7))
    });
    assert_eq!(value, Some(7));
}

#[test]
fn block_on_polls_twice_for_one_wake() {
    /// Pending once, waking its own waker from another thread; counts its polls.
    struct WokenOnce(u32);
    impl Future for WokenOnce {
        type Output = u32;
        fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u32> {
            self.0 += 1;
            if self.0 == 1 {
                let waker = cx.waker().clone();
                thread::spawn(move || waker.wake());
                Poll::Pending
            } else {
                Poll::Ready(self.0)
            }
        }
    }
    assert_eq!(
        within(Duration::from_secs(5), || block_on(WokenOnce(0))),
        Some(2)
    );
}

#[test]
fn main_runs() {
    assert!(within(Duration::from_secs(5), main).is_some());
}
