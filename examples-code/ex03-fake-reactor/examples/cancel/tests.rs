use super::*;

/// Waits up to `limit` for `counter` to reach `n`.
fn wait_for(counter: &Counter, n: usize, limit: Duration) -> bool {
    let start = Instant::now();
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
fn dropping_a_polled_task_lets_the_reactor_close_at_once() {
    let reactor = Reactor::new();
    let (counter, waker) = Counter::new();
    let mut task = Task::new(1, Duration::from_secs(30), &reactor);
    assert!(poll(&mut task, &waker).is_pending());
    drop(task);
    let start = Instant::now();
    drop(reactor);
    // Without the cancel, closing waits for the 30 s sleeper.
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(counter.count(), 0);
}

#[test]
fn a_cancelled_timer_never_wakes_and_the_others_still_do() {
    let reactor = Reactor::new();
    let (cancelled, cancelled_waker) = Counter::new();
    let (kept, kept_waker) = Counter::new();
    // Long enough that the cancel comes first even on a loaded machine; if it never does,
    // the test waits for this timer at the end and sees its wake.
    let mut doomed = Task::new(1, Duration::from_secs(1), &reactor);
    let mut task = Task::new(2, Duration::from_millis(50), &reactor);
    assert!(poll(&mut doomed, &cancelled_waker).is_pending());
    assert!(poll(&mut task, &kept_waker).is_pending());
    drop(doomed);
    assert!(wait_for(&kept, 1, Duration::from_secs(20)), "not woken");
    assert_eq!(poll(&mut task, &kept_waker), Poll::Ready(2));
    drop(task);
    // Joins every sleeper thread: a timer that was not cancelled has fired by now.
    drop(reactor);
    assert_eq!(cancelled.count(), 0);
    assert_eq!(kept.count(), 1);
}

#[test]
fn a_finished_task_leaves_nothing_on_the_readylist() {
    let reactor = Reactor::new();
    assert_eq!(
        block_on(Task::new(3, Duration::from_millis(10), &reactor)),
        3
    );
    assert!(reactor.readylist.lock().unwrap().is_empty());
}

#[test]
fn main_runs() {
    main();
}
