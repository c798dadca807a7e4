use super::*;

#[test]
fn counts_every_wake_by_ref_of_a_countdown() {
    for remaining in 0..4 {
        assert_eq!(
            block_on(Countdown { remaining }),
            ("liftoff", remaining as usize)
        );
    }
}

#[test]
fn wake_and_wake_by_ref_count_alike_and_clones_share_the_count() {
    let signal = Arc::new(Signal {
        thread: thread::current(),
        wakes: AtomicUsize::new(0),
    });
    let waker = signal_waker(Arc::clone(&signal));
    waker.wake_by_ref();
    let clone = waker.clone();
    clone.wake();
    waker.wake();
    assert_eq!(signal.wakes.load(Ordering::Relaxed), 3);
    // Every waker is gone: only our own reference is left.
    assert_eq!(Arc::strong_count(&signal), 1);
}

#[test]
fn a_delay_is_woken_once_by_its_timer_thread() {
    let delay = Delay {
        after: Duration::from_millis(10),
        done: None,
    };
    assert_eq!(block_on(delay), (42, 1));
}

#[test]
fn main_runs() {
    main();
}
