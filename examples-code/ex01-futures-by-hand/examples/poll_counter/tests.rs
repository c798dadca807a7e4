use super::*;

#[test]
fn counts_every_poll_including_the_one_that_is_ready() {
    for remaining in 0..5 {
        let counted = Counted {
            inner: Countdown { remaining },
            polls: 0,
        };
        assert_eq!(run(counted), ("liftoff", remaining + 1));
    }
}

#[test]
fn a_pending_poll_is_counted_and_passed_through() {
    let mut counted = Counted {
        inner: Countdown { remaining: 1 },
        polls: 0,
    };
    let mut cx = Context::from_waker(Waker::noop());
    assert!(Pin::new(&mut counted).poll(&mut cx).is_pending());
    assert_eq!(counted.polls, 1);
    assert_eq!(
        Pin::new(&mut counted).poll(&mut cx),
        Poll::Ready(("liftoff", 2))
    );
}

#[test]
fn main_runs() {
    main();
}
