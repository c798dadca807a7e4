use super::*;

/// Waits up to `limit` for `counter` to reach `n`.
fn wait_for(counter: &Counter, n: usize, limit: Duration) -> bool {
    let start = std::time::Instant::now();
    while counter.count() < n {
        if start.elapsed() > limit {
            return false;
        }
        thread::sleep(Duration::from_millis(5));
    }
    true
}

fn poll(task: &mut Task, waker: &Waker) -> Poll<usize> {
    Pin::new(task).poll(&mut Context::from_waker(waker))
}

#[test]
fn a_task_polled_with_a_new_waker_wakes_the_new_one_not_the_old_one() {
    let reactor = Reactor::new();
    // Long enough not to fire between the two polls, even on a loaded machine.
    let mut task = Task::new(1, Duration::from_secs(1), &reactor);
    let (old, old_waker) = Counter::new();
    let (new, new_waker) = Counter::new();
    assert!(poll(&mut task, &old_waker).is_pending());
    assert!(poll(&mut task, &new_waker).is_pending());
    assert!(wait_for(&new, 1, Duration::from_secs(20)));
    assert_eq!(old.count(), 0);
    assert_eq!(poll(&mut task, &new_waker), Poll::Ready(1));
}

#[test]
fn polling_again_with_the_same_waker_keeps_the_stored_one() {
    let reactor = Reactor::new();
    let mut task = Task::new(7, Duration::from_secs(60), &reactor);
    let (_, waker) = Counter::new();
    assert!(poll(&mut task, &waker).is_pending());
    let before = reactor.timers.lock().unwrap().wakers[&7].data();
    assert!(poll(&mut task, &waker.clone()).is_pending());
    // `will_wake` said yes: the waker stored by the first poll is still the one kept.
    assert_eq!(reactor.timers.lock().unwrap().wakers[&7].data(), before);
    // Fire nothing: leaving would wait for the 60 s sleeper, so leak the reactor instead.
    std::mem::forget(task);
    std::mem::forget(reactor);
}

#[test]
fn main_runs() {
    main();
}
