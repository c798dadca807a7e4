use super::*;

/// Runs `f` on a fresh thread (its park token unset) and waits at most `limit` for it.
fn within<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(limit).ok()
}

#[test]
fn unpark_before_park_is_not_lost() {
    let timeout = Duration::from_secs(2);
    let took = within(LIMIT, move || unpark_then_park(timeout)).unwrap();
    // The token was kept: the park returns at once, not after its timeout.
    assert!(took < timeout / 2, "park took {took:?}");
}

#[test]
fn unpark_tokens_do_not_accumulate() {
    // A second: the first park must return well within it even on a loaded machine.
    let timeout = Duration::from_secs(1);
    let [first, second] = within(LIMIT, move || two_unparks_two_parks(timeout)).unwrap();
    assert!(first < timeout / 2, "first park took {first:?}");
    // Only one token for two unparks: the second park sleeps out its timeout.
    assert!(second >= timeout * 3 / 4, "second park took {second:?}");
}

#[test]
fn foreign_unparks_cause_extra_polls() {
    let unparks = 3;
    let polls = within(LIMIT, move || foreign_unparks(unparks)).unwrap();
    // One wake would need two polls; every foreign unpark added one, for nothing.
    // (At least, not exactly: `park` may also return spuriously.)
    assert!(polls >= unparks + 2, "polled {polls} times");
}

#[test]
fn wait_for_flag_tolerates_extra_polls() {
    // Polled again and again with nothing ready, it stays Pending, then is Ready once set.
    let flag = Arc::new(Flag::default());
    let (tx, _rx) = mpsc::channel();
    let mut future = WaitForFlag {
        flag: Arc::clone(&flag),
        polls: 0,
        pending: tx,
    };
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..5 {
        assert!(Pin::new(&mut future).poll(&mut cx).is_pending());
    }
    flag.set();
    assert_eq!(Pin::new(&mut future).poll(&mut cx), Poll::Ready(6));
}

#[test]
fn park_inside_poll_loses_the_wakeup() {
    let (in_time, after_rescue) = park_inside_poll(Duration::from_millis(200));
    // The future woke its task before returning Pending, yet block_on slept on.
    assert_eq!(in_time, None);
    // Only an unpark from outside got it going again, and then it was ready at once.
    assert_eq!(after_rescue, Some(2));
}

#[test]
fn main_runs() {
    assert!(within(LIMIT * 2, main).is_some());
}
