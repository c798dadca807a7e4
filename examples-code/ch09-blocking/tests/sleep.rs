//! `time::sleep` and `time::timerfd::sleep`: never over before their deadline, woken in
//! deadline order, with the latest waker, and without a busy loop.

mod common;

use ch09_blocking::time::{self, sleep, sleep_until, timerfd};
use ch09_blocking::{Runtime, spawn, syscalls};
use common::{LIMIT, within};
use futures::future::join_all;
use std::future::{Future, poll_fn};
use std::pin::{Pin, pin};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant};

/// Durations around the edges of a millisecond, and pseudo-random ones up to 30 ms.
fn durations() -> Vec<Duration> {
    let mut durations: Vec<Duration> = [0, 1, 999_999, 1_000_000, 1_000_001, 1_500_000]
        .into_iter()
        .map(Duration::from_nanos)
        .collect();
    let mut seed = 0x1234_5678_9abc_def1u64;
    for _ in 0..300 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        durations.push(Duration::from_micros(seed % 30_000));
    }
    durations
}

/// How many of the sleeps, each run by `sleep_for`, ended before their deadline.
fn early<F: Future<Output = ()>>(sleep_for: fn(Duration) -> F) -> usize {
    Runtime::new().unwrap().block_on(async move {
        let ends = durations().into_iter().map(|duration| async move {
            let deadline = Instant::now() + duration;
            sleep_for(duration).await;
            Instant::now() < deadline
        });
        join_all(ends).await.into_iter().filter(|e| *e).count()
    })
}

#[test]
#[cfg_attr(
    miri,
    ignore = "Miri's epoll supports only edge-triggered registrations"
)]
fn no_sleep_of_the_timer_queue_ends_before_its_deadline() {
    assert_eq!(within(LIMIT, || early(sleep)), 0);
}

#[test]
#[cfg_attr(
    miri,
    ignore = "Miri's epoll supports only edge-triggered registrations"
)]
fn no_timerfd_sleep_ends_before_its_deadline() {
    let sleep_for = |duration| async move { timerfd::sleep(duration).await.unwrap() };
    assert_eq!(within(LIMIT, move || early(sleep_for)), 0);
}

#[test]
#[cfg_attr(
    miri,
    ignore = "Miri's epoll supports only edge-triggered registrations"
)]
fn tasks_with_random_durations_wake_in_deadline_order() {
    // 1 to 120 ms, each once, in a scrambled order (7 and 120 have no common factor). The
    // deadlines count from one instant 20 ms after the spawns begin, so that all 120 first
    // polls usually come before the first deadline. On a loaded machine they may not, and a
    // task first polled after its deadline finds its sleep over and finishes in the order it
    // was polled, which is right too. So each task notes whether its sleep was pending at
    // its first poll, and the tasks that waited must wake in the order of their deadlines.
    let durations: Vec<u64> = (0..120).map(|i| (i * 7) % 120 + 1).collect();
    let woke = within(LIMIT, move || {
        Runtime::new().unwrap().block_on(async move {
            let woke = Arc::new(Mutex::new(Vec::new()));
            let start = Instant::now() + Duration::from_millis(20);
            let tasks: Vec<_> = durations
                .into_iter()
                .map(|ms| {
                    let woke = Arc::clone(&woke);
                    spawn(async move {
                        let mut sleep = pin!(sleep_until(start + Duration::from_millis(ms)));
                        let waited =
                            poll_fn(|cx| Poll::Ready(sleep.as_mut().poll(cx).is_pending())).await;
                        if waited {
                            sleep.await;
                        }
                        woke.lock().unwrap().push((ms, waited));
                    })
                })
                .collect();
            join_all(tasks).await;
            Arc::into_inner(woke).unwrap().into_inner().unwrap()
        })
    });
    let mut every: Vec<u64> = woke.iter().map(|&(ms, _)| ms).collect();
    every.sort_unstable();
    assert_eq!(
        every,
        (1..=120).collect::<Vec<u64>>(),
        "each task finished once"
    );
    let waited: Vec<u64> = woke.iter().filter(|w| w.1).map(|w| w.0).collect();
    assert!(
        waited.len() >= 2,
        "only {} sleeps were pending at their first poll",
        waited.len()
    );
    assert!(
        waited.is_sorted(),
        "woken out of deadline order: {waited:?}"
    );
}

struct Count(AtomicUsize);

impl Wake for Count {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

fn counter() -> (Arc<Count>, Waker) {
    let count = Arc::new(Count(AtomicUsize::new(0)));
    (Arc::clone(&count), Waker::from(count))
}

#[test]
#[cfg_attr(
    miri,
    ignore = "Miri's epoll supports only edge-triggered registrations"
)]
fn only_the_waker_of_the_latest_poll_is_woken() {
    let (first, second) = within(LIMIT, || {
        Runtime::new().unwrap().block_on(async {
            let (first, first_waker) = counter();
            let (second, second_waker) = counter();
            let mut timer = sleep(Duration::from_millis(10));
            let mut poll_with = |waker: &Waker| {
                let polled = Pin::new(&mut timer).poll(&mut Context::from_waker(waker));
                assert!(polled.is_pending());
            };
            poll_with(&first_waker);
            poll_with(&second_waker);
            sleep(Duration::from_millis(40)).await;
            (
                first.0.load(Ordering::SeqCst),
                second.0.load(Ordering::SeqCst),
            )
        })
    });
    assert_eq!((first, second), (0, 1));
}

#[test]
#[cfg_attr(
    miri,
    ignore = "Miri's epoll supports only edge-triggered registrations"
)]
fn a_dropped_sleep_wakes_nobody() {
    let (dropped, kept) = within(LIMIT, || {
        Runtime::new().unwrap().block_on(async {
            let (dropped, dropped_waker) = counter();
            let (kept, kept_waker) = counter();
            let mut cancelled = sleep(Duration::from_millis(10));
            let mut control = sleep(Duration::from_millis(10));
            let polled = Pin::new(&mut cancelled).poll(&mut Context::from_waker(&dropped_waker));
            assert!(polled.is_pending());
            let polled = Pin::new(&mut control).poll(&mut Context::from_waker(&kept_waker));
            assert!(polled.is_pending());
            drop(cancelled);
            sleep(Duration::from_millis(40)).await;
            (
                dropped.0.load(Ordering::SeqCst),
                kept.0.load(Ordering::SeqCst),
            )
        })
    });
    assert_eq!((dropped, kept), (0, 1));
}

#[test]
#[cfg_attr(
    miri,
    ignore = "Miri's epoll supports only edge-triggered registrations"
)]
fn a_sleep_waits_in_a_few_epoll_waits_not_a_busy_loop() {
    // 20.5 ms: with the timeout rounded down, the last half millisecond would be spent in
    // `epoll_wait(0)` after `epoll_wait(0)`, hundreds of them.
    let waits = within(LIMIT, || {
        Runtime::new().unwrap().block_on(async {
            let before = syscalls();
            sleep(Duration::from_micros(20_500)).await;
            (syscalls() - before).epoll_wait
        })
    });
    assert!(waits <= 4, "{waits} epoll_waits for one sleep");
}

#[test]
#[cfg_attr(
    miri,
    ignore = "Miri's epoll supports only edge-triggered registrations"
)]
fn a_sleep_in_a_busy_task_is_still_pending_until_its_deadline() {
    // A task woken many times for other reasons polls its sleep each time: the clock decides.
    let (polls, slept) = within(LIMIT, || {
        Runtime::new().unwrap().block_on(async {
            let start = Instant::now();
            let mut timer = time::sleep(Duration::from_millis(100));
            let mut polls = 0;
            poll_fn(|cx| {
                polls += 1;
                cx.waker().wake_by_ref(); // woken again at once, for no reason
                Pin::new(&mut timer).poll(cx)
            })
            .await;
            (polls, start.elapsed())
        })
    });
    // More than one poll: at least one came before the deadline, and found it pending. (Many
    // more, normally; a loaded machine may give the task fewer turns.)
    assert!(polls > 1, "polled {polls} times");
    assert!(slept >= Duration::from_millis(100), "over after {slept:?}");
}

#[test]
#[cfg_attr(
    miri,
    ignore = "Miri's epoll supports only edge-triggered registrations"
)]
#[should_panic(expected = "a timer was polled outside of a runtime")]
fn a_sleep_polled_outside_a_runtime_panics_and_says_why() {
    futures::executor::block_on(sleep(Duration::from_millis(1)));
}
