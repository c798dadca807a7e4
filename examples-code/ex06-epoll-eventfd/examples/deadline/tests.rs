use super::*;
use ex06_epoll_eventfd::yield_now;
use std::future::pending;
use std::sync::mpsc;
use std::time::Instant;

/// Runs `f` on a thread of its own and fails the test if it takes longer than 20 s: a
/// deadline that is never checked hangs instead of failing.
fn within<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (sender, receiver) = mpsc::channel();
    thread::spawn(move || {
        let _ = sender.send(f());
    });
    receiver
        .recv_timeout(Duration::from_secs(20))
        .expect("not finished in 20 s, or the test's thread panicked")
}

const LIMIT: Duration = Duration::from_millis(200);

/// Generous: a loaded machine may be late, but not by seconds.
const LATE: Duration = Duration::from_secs(5);

#[test]
#[cfg_attr(
    miri,
    ignore = "Miri's epoll supports only edge-triggered registrations"
)]
fn the_demo_gives_ok_then_elapsed_and_the_left_task_finishes_later() {
    // Each outcome is decided with three or four units to spare: at 250 ms, a thread that
    // loses the CPU for most of a second on a loaded machine still gets the same lines.
    assert_eq!(
        within(|| demo(Duration::from_millis(250))),
        [
            "a 1-unit sleep with a 4-unit deadline: Ok(())",
            "an 8-unit sleep with a 4-unit deadline: Err(Elapsed(()))",
            "the task it spawned, after the next block_on: Ok(())",
            "as an io::Error: TimedOut, deadline has elapsed",
        ]
    );
}

#[test]
#[cfg_attr(
    miri,
    ignore = "Miri's epoll supports only edge-triggered registrations"
)]
fn a_future_that_never_finishes_gives_elapsed_at_the_deadline() {
    let (result, took) = within(|| {
        let runtime = Runtime::new().unwrap();
        let start = Instant::now();
        let result = runtime.block_on_timeout(pending::<()>(), LIMIT);
        (result, start.elapsed())
    });
    assert_eq!(result.unwrap_err().to_string(), "deadline has elapsed");
    assert!(took >= LIMIT, "gave up after {took:?}, before the deadline");
    assert!(took < LIMIT + LATE, "gave up only after {took:?}");
}

#[test]
#[cfg_attr(
    miri,
    ignore = "Miri's epoll supports only edge-triggered registrations"
)]
fn a_main_future_that_wakes_itself_for_ever_still_times_out() {
    // Every `epoll_wait` returns at once with the main future's token: a deadline checked
    // only when a wait times out would never be checked.
    let (timed_out, took) = within(|| {
        let runtime = Runtime::new().unwrap();
        let start = Instant::now();
        let result = runtime.block_on_timeout(
            async {
                loop {
                    yield_now().await;
                }
            },
            LIMIT,
        );
        (result.is_err(), start.elapsed())
    });
    assert!(timed_out);
    assert!(took >= LIMIT && took < LIMIT + LATE, "{took:?}");
}

#[test]
#[cfg_attr(
    miri,
    ignore = "Miri's epoll supports only edge-triggered registrations"
)]
fn a_task_that_wakes_itself_for_ever_does_not_hold_off_the_deadline() {
    let timed_out = within(|| {
        let runtime = Runtime::new().unwrap();
        runtime
            .block_on_timeout(
                async {
                    spawn(async {
                        loop {
                            yield_now().await;
                        }
                    });
                    pending::<()>().await
                },
                LIMIT,
            )
            .is_err()
    });
    assert!(timed_out);
}

#[test]
#[cfg_attr(
    miri,
    ignore = "Miri's epoll supports only edge-triggered registrations"
)]
fn a_future_that_finishes_in_time_gives_its_output_without_waiting_for_the_deadline() {
    let (output, took) = within(|| {
        let runtime = Runtime::new().unwrap();
        let start = Instant::now();
        let output = runtime.block_on_timeout(
            async {
                sleep(Duration::from_millis(20)).await;
                42
            },
            Duration::from_secs(10),
        );
        (output, start.elapsed())
    });
    assert_eq!(output, Ok(42));
    assert!(took < Duration::from_secs(10), "{took:?}");
}

#[test]
#[cfg_attr(
    miri,
    ignore = "Miri's epoll supports only edge-triggered registrations"
)]
fn a_zero_timeout_still_polls_the_future_once() {
    let output = within(|| {
        Runtime::new()
            .unwrap()
            .block_on_timeout(async { "ready at once" }, Duration::ZERO)
    });
    assert_eq!(output, Ok("ready at once"));
}

#[test]
#[cfg_attr(
    miri,
    ignore = "Miri's epoll supports only edge-triggered registrations"
)]
fn main_runs() {
    within(main);
}
