use super::*;
use std::sync::mpsc;

/// Runs `f` on a thread of its own and fails the test if it takes longer than 20 s: a lost
/// wake leaves `wait_until` waiting for ever, and fails the test instead.
fn within<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (sender, receiver) = mpsc::channel();
    thread::spawn(move || {
        let _ = sender.send(f());
    });
    receiver
        .recv_timeout(Duration::from_secs(20))
        .expect("not finished in 20 s, or the test's thread panicked")
}

/// A futex-based `Condvar` may, rarely, return from `wait` with no notification.
const SPURIOUS: u64 = 5;

#[test]
fn with_notify_one_each_wake_gets_one_worker_up_and_none_for_nothing() {
    let counts = within(|| herd(Notify::One, WORKERS, ROUNDS));
    assert_eq!(counts.notifies, ROUNDS);
    assert!(counts.unparks <= ROUNDS + SPURIOUS, "{counts:?}");
    assert!(counts.idle_wakeups <= SPURIOUS, "{counts:?}");
}

#[test]
fn with_notify_all_each_wake_gets_every_sleeper_up_and_all_but_one_for_nothing() {
    let counts = within(|| herd(Notify::All, WORKERS, ROUNDS));
    assert_eq!(counts.notifies, ROUNDS, "one notify_all per push");
    let workers = WORKERS as u64;
    assert!(counts.unparks >= ROUNDS * workers, "{counts:?}");
    assert!(
        counts.idle_wakeups >= ROUNDS * (workers - 1),
        "three of four find the queue empty: {counts:?}"
    );
    assert!(
        counts.idle_wakeups <= ROUNDS * (workers - 1) + SPURIOUS,
        "{counts:?}"
    );
}

#[test]
fn notify_all_still_runs_every_task_on_many_workers() {
    let sum = within(|| {
        let runtime = Runtime::builder()
            .worker_threads(3)
            .notify(Notify::All)
            .build()
            .unwrap();
        let handles: Vec<_> = (0..1_000u64)
            .map(|n| runtime.spawn(async move { n }))
            .collect();
        handles
            .into_iter()
            .map(|handle| futures::executor::block_on(handle).unwrap())
            .sum::<u64>()
    });
    assert_eq!(sum, 499_500);
}

#[test]
fn main_runs() {
    within(main);
}
