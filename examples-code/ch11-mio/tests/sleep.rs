//! Timers: `sleep`, `interval` and `timeout` on the multi-threaded runtime. A sleep registers
//! once, never ends early, and the driver sleeps in `mio::Poll::poll` until the earliest
//! deadline (rounded up, so it does not spin through the last fraction of a millisecond).

mod common;

use ch11_mio::time::{interval, sleep, sleep_until, timeout};
use ch11_mio::{Runtime, spawn};
use common::{LIMIT, within};
use std::future::{Future, poll_fn};
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

// ANCHOR: registers_once
#[test]
fn a_sleep_registers_once_and_again_only_when_its_waker_changes() {
    let (same, other) = within(LIMIT, || {
        let runtime = Runtime::builder().worker_threads(2).build().unwrap();
        let handle = runtime.handle().clone();
        runtime.block_on(async move {
            let registrations = || handle.driver_counts().timer_registrations;
            let before = registrations();
            let mut sleep = pin!(sleep(Duration::from_secs(60)));
            // A thousand polls by the same task (the same waker): one registration.
            poll_fn(|cx| {
                for _ in 0..1_000 {
                    assert!(sleep.as_mut().poll(cx).is_pending());
                }
                Poll::Ready(())
            })
            .await;
            let same = registrations() - before;
            // A poll with another waker (the sleep moved to another task): one more.
            let _ = sleep.as_mut().poll(&mut Context::from_waker(Waker::noop()));
            (same, registrations() - before)
        })
    });
    assert_eq!(
        same, 1,
        "one registration for 1,000 polls with the same waker"
    );
    assert_eq!(other, 2, "a new waker registers again");
}
// ANCHOR_END: registers_once

// ANCHOR: never_early
#[test]
fn no_sleep_ends_before_its_deadline() {
    let early = within(LIMIT, || {
        let runtime = Runtime::builder().worker_threads(2).build().unwrap();
        runtime.block_on(async {
            // 200 sleeps of 0 to 3 ms and a bit, at odd fractions of a millisecond, as tasks
            // on both workers.
            let sleeps: Vec<_> = (0..200u64)
                .map(|i| {
                    spawn(async move {
                        let duration = Duration::from_micros(i * 16 + 7);
                        let start = Instant::now();
                        sleep(duration).await;
                        start.elapsed() < duration
                    })
                })
                .collect();
            let mut early = 0;
            for sleep in sleeps {
                early += usize::from(sleep.await.unwrap());
            }
            early
        })
    });
    assert_eq!(early, 0, "a sleep ended before its deadline");
}
// ANCHOR_END: never_early

// ANCHOR: no_spin
#[test]
fn the_driver_sleeps_until_the_deadline_rounded_up_and_does_not_spin() {
    const SLEEPS: u64 = 20;
    let turns = within(LIMIT, || {
        let runtime = Runtime::builder().worker_threads(1).build().unwrap();
        let handle = runtime.handle().clone();
        runtime.block_on(async move {
            let before = handle.driver_counts().turns;
            for _ in 0..SLEEPS {
                // 1.5 ms: a timeout truncated to whole milliseconds would wake after 1 ms,
                // then poll with a timeout of 0 ms again and again for the last half.
                sleep(Duration::from_micros(1_500)).await;
            }
            handle.driver_counts().turns - before
        })
    });
    // Per sleep: woken for the new timer, asleep until it is due, one look without
    // sleeping after it, and a margin. Spinning would be hundreds.
    assert!(
        turns <= SLEEPS * 6,
        "{turns} calls to mio::Poll::poll for {SLEEPS} sleeps"
    );
}
// ANCHOR_END: no_spin

#[test]
fn an_earlier_timer_wakes_the_driver_that_sleeps_for_a_later_one() {
    let elapsed = within(LIMIT, || {
        let runtime = Runtime::builder().worker_threads(1).build().unwrap();
        runtime.block_on(async {
            // The worker goes to sleep in the driver until this one, 10 s away...
            let _far = spawn(sleep(Duration::from_secs(10)));
            sleep(Duration::from_millis(20)).await;
            // ...and a sleep registered now must cut that short.
            let start = Instant::now();
            spawn(sleep(Duration::from_millis(30))).await.unwrap();
            start.elapsed()
        })
    });
    assert!(elapsed >= Duration::from_millis(30), "{elapsed:?}");
    assert!(
        elapsed < Duration::from_secs(5),
        "{elapsed:?}: slept for the later timer"
    );
}

#[test]
fn sleeps_in_many_tasks_finish_in_deadline_order() {
    let order = within(LIMIT, || {
        let runtime = Runtime::builder().worker_threads(3).build().unwrap();
        runtime.block_on(async {
            let (sender, receiver) = std::sync::mpsc::channel();
            // The deadlines count from one instant, 20 ms after the spawns begin; a task first
            // polled after its deadline (a loaded machine) finds its sleep over and sends at
            // once, in the order it ran, so each task says whether it waited.
            let start = Instant::now() + Duration::from_millis(20);
            let tasks: Vec<_> = [50u64, 10, 30, 40, 20]
                .into_iter()
                .map(|ms| {
                    let sender = sender.clone();
                    spawn(async move {
                        let deadline = start + Duration::from_millis(ms * 2);
                        let mut sleep = pin!(sleep_until(deadline));
                        let waited =
                            poll_fn(|cx| Poll::Ready(sleep.as_mut().poll(cx).is_pending())).await;
                        if waited {
                            sleep.await;
                        }
                        sender.send((ms, waited)).unwrap();
                    })
                })
                .collect();
            for task in tasks {
                task.await.unwrap();
            }
            receiver.try_iter().collect::<Vec<_>>()
        })
    });
    let mut every: Vec<u64> = order.iter().map(|&(ms, _)| ms).collect();
    every.sort_unstable();
    assert_eq!(every, [10, 20, 30, 40, 50], "each task finished once");
    let waited: Vec<u64> = order.iter().filter(|o| o.1).map(|o| o.0).collect();
    assert!(
        waited.len() >= 2,
        "only {waited:?} were pending at their first poll"
    );
    assert!(
        waited.is_sorted(),
        "woken out of deadline order: {waited:?}"
    );
}

#[test]
fn a_dropped_sleep_is_cancelled_and_swept_out_of_the_heap() {
    let left = within(LIMIT, || {
        let runtime = Runtime::builder().worker_threads(1).build().unwrap();
        let handle = runtime.handle().clone();
        runtime.block_on(async move {
            // 1,000 sleeps polled once, then dropped: timeouts that lost to their futures.
            for _ in 0..1_000 {
                let outcome = timeout(Duration::from_secs(60), async { 1 }).await;
                assert_eq!(outcome, Ok(1));
                let mut sleep = pin!(sleep(Duration::from_secs(60)));
                let _ = sleep.as_mut().poll(&mut Context::from_waker(Waker::noop()));
            }
            handle.driver_counts().timers
        })
    });
    // Cancelled entries are swept out once they are more than half the heap.
    assert!(left <= 130, "{left} dead timers left in the heap");
}

#[test]
fn timeout_gives_the_output_in_time_and_elapsed_after() {
    let (fast, slow) = within(LIMIT, || {
        let runtime = Runtime::builder().worker_threads(2).build().unwrap();
        runtime.block_on(async {
            let fast = timeout(Duration::from_secs(5), async {
                sleep(Duration::from_millis(5)).await;
                "done"
            })
            .await;
            let start = Instant::now();
            let slow = timeout(Duration::from_millis(20), sleep(Duration::from_secs(60))).await;
            (
                fast,
                slow.map(|()| start.elapsed())
                    .map_err(|e| (e, start.elapsed())),
            )
        })
    });
    assert_eq!(fast, Ok("done"));
    let (error, elapsed) = slow.unwrap_err();
    assert_eq!(error.to_string(), "deadline has elapsed");
    assert!(elapsed >= Duration::from_millis(20), "{elapsed:?}");
}

#[test]
fn interval_ticks_on_schedule_and_the_first_at_once() {
    let ticks = within(LIMIT, || {
        let runtime = Runtime::builder().worker_threads(2).build().unwrap();
        runtime.block_on(async {
            let start = Instant::now();
            let mut every = interval(Duration::from_millis(10));
            let mut ticks = Vec::new();
            for _ in 0..5 {
                let due = every.tick().await;
                ticks.push((due - start, start.elapsed()));
            }
            ticks
        })
    });
    let first = ticks[0].0;
    // `due` is measured from just before `interval` was called: the first is due at once
    // (within a second, on a loaded machine), the others on the schedule it sets.
    assert!(
        first < Duration::from_secs(1),
        "the first tick is due at {first:?}"
    );
    for (n, (due, came)) in ticks.into_iter().enumerate() {
        let planned = Duration::from_millis(10 * n as u64);
        assert_eq!(due - first, planned, "tick {n} is due on the schedule");
        assert!(
            came >= planned,
            "tick {n} came at {came:?}, before {planned:?}"
        );
    }
}
