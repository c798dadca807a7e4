use super::*;
use std::sync::mpsc::RecvTimeoutError;

/// Runs `f` on a fresh thread and waits at most `limit` for it, so that a `park` that
/// never returns fails the test instead of hanging it.
fn within<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(limit).ok()
}

#[test]
fn park_sleeps_until_unpark() {
    let parker = Arc::new(Parker::default());
    let (tx, rx) = mpsc::channel();
    let sleeper = {
        let parker = Arc::clone(&parker);
        thread::spawn(move || {
            parker.park();
            let _ = tx.send(());
        })
    };
    // Nobody unparked yet: park is still asleep.
    assert_eq!(
        rx.recv_timeout(Duration::from_millis(100)),
        Err(RecvTimeoutError::Timeout)
    );
    parker.unpark();
    assert_eq!(rx.recv_timeout(LIMIT), Ok(()));
    sleeper.join().unwrap();
}

#[test]
fn wake_before_park_is_not_lost() {
    let parker = Arc::new(Parker::default());
    Waker::from(Arc::clone(&parker)).wake();
    // The signal was kept: this park returns at once.
    assert!(within(LIMIT, move || parker.park()).is_some());
}

#[test]
fn signals_do_not_accumulate() {
    let parker = Parker::default();
    parker.unpark();
    parker.unpark();
    parker.park();
    // One park cleared both: a second park would sleep.
    assert!(!*parker.notified.lock().unwrap());
}

#[test]
fn thread_unpark_does_not_wake_the_parker() {
    let parker = Arc::new(Parker::default());
    let (tx, rx) = mpsc::channel();
    let sleeper = {
        let parker = Arc::clone(&parker);
        thread::spawn(move || {
            parker.park();
            let _ = tx.send(());
        })
    };
    // A foreign unpark of the sleeping thread: the parker does not see it.
    sleeper.thread().unpark();
    assert_eq!(
        rx.recv_timeout(Duration::from_millis(100)),
        Err(RecvTimeoutError::Timeout)
    );
    parker.unpark();
    assert_eq!(rx.recv_timeout(LIMIT), Ok(()));
    sleeper.join().unwrap();
}

#[test]
fn foreign_unparks_cause_no_extra_polls() {
    // Exactly two polls for one wake, however many foreign unparks came in between.
    assert_eq!(within(LIMIT, || foreign_unparks(3)), Some(2));
}

#[test]
fn park_inside_poll_completes() {
    // The future of the lost wakeup in `park_pitfalls`: the library's park no longer
    // finds anything to consume, so the wake is still there for block_on.
    assert_eq!(
        within(LIMIT, || block_on(ParksInsidePoll { polls: 0 })),
        Some(2)
    );
}

#[test]
fn main_runs() {
    assert!(within(LIMIT, main).is_some());
}
