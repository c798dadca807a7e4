use super::*;

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
    let mut doomed = Task::new(1, Duration::from_millis(50), &reactor);
    let mut task = Task::new(2, Duration::from_millis(50), &reactor);
    assert!(poll(&mut doomed, &cancelled_waker).is_pending());
    assert!(poll(&mut task, &kept_waker).is_pending());
    drop(doomed);
    thread::sleep(Duration::from_millis(200));
    assert_eq!(cancelled.count(), 0);
    assert_eq!(kept.count(), 1);
    assert_eq!(poll(&mut task, &kept_waker), Poll::Ready(2));
    drop(task);
    drop(reactor);
    // Nothing of the cancelled timer is left on the readylist.
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
