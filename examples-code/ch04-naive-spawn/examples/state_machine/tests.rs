use super::*;
use std::panic::{AssertUnwindSafe, catch_unwind};

fn trace_by_compiler() -> Vec<String> {
    let trace = Trace::default();
    run(two_countdowns(&trace), &trace);
    trace.0.into_inner()
}

fn trace_by_hand() -> Vec<String> {
    let trace = Trace::default();
    run(two_countdowns_by_hand(&trace), &trace);
    trace.0.into_inner()
}

#[test]
fn async_fn_and_hand_written_enum_leave_the_same_trace() {
    assert_eq!(trace_by_compiler(), trace_by_hand());
}

#[test]
fn trace_is_four_polls_with_the_body_running_between_them() {
    let expected = [
        "poll 1",
        "  start",
        "  -> Pending",
        "poll 2",
        "  -> Pending",
        "poll 3",
        "  first countdown: liftoff",
        "  -> Pending",
        "poll 4",
        "  second countdown: liftoff",
        "  -> Ready(\"liftoff, then liftoff\")",
    ];
    assert_eq!(trace_by_compiler(), expected);
    assert_eq!(trace_by_hand(), expected);
}

#[test]
fn neither_runs_any_of_its_body_until_first_polled() {
    let trace = Trace::default();
    let by_compiler = two_countdowns(&trace);
    let by_hand = two_countdowns_by_hand(&trace);
    assert!(trace.0.borrow().is_empty());

    let mut cx = Context::from_waker(Waker::noop());
    let mut by_compiler = pin!(by_compiler);
    assert!(by_compiler.as_mut().poll(&mut cx).is_pending());
    assert_eq!(*trace.0.borrow(), ["  start"]);

    let mut by_hand = by_hand;
    assert!(Pin::new(&mut by_hand).poll(&mut cx).is_pending());
    assert_eq!(*trace.0.borrow(), ["  start", "  start"]);
}

#[test]
fn both_panic_when_polled_after_completion() {
    let trace = Trace::default();
    let mut cx = Context::from_waker(Waker::noop());

    let mut by_compiler = pin!(two_countdowns(&trace));
    while by_compiler.as_mut().poll(&mut cx).is_pending() {}
    let again = catch_unwind(AssertUnwindSafe(|| by_compiler.as_mut().poll(&mut cx)));
    assert!(again.is_err());

    let mut by_hand = two_countdowns_by_hand(&trace);
    while Pin::new(&mut by_hand).poll(&mut cx).is_pending() {}
    let again = catch_unwind(AssertUnwindSafe(|| Pin::new(&mut by_hand).poll(&mut cx)));
    assert!(again.is_err());
}

#[test]
fn async_future_is_big_enough_for_its_largest_state() {
    // Suspended at the second `.await`, the future must hold the argument,
    // `first` and the countdown being awaited, all at once.
    let largest_state = size_of::<&Trace>() + size_of::<&'static str>() + size_of::<Countdown>();
    let trace = Trace::default();
    assert!(size_of_val(&two_countdowns(&trace)) >= largest_state);
    assert!(size_of::<TwoCountdowns>() >= largest_state);
}

#[test]
fn main_runs() {
    main();
}
