//! No lost wakeups and no double polls on many threads: a task woken during its poll is
//! polled again, a storm of wakes from four threads never polls a task on two workers at
//! once and is followed by a poll that sees every wake; and one wake unparks one worker.

mod common;

use ch15_many_threads_fast::{RunQueueKind, Runtime, spawn};
use common::{KINDS, LIMIT, wait_until, within};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::task::{Context, Poll, Waker};
use std::thread;

#[test]
fn a_task_that_wakes_itself_during_poll_is_polled_again() {
    let polls = within(LIMIT, || {
        let runtime = Runtime::builder().worker_threads(2).build().unwrap();
        runtime.block_on(async {
            let mut polls = 0;
            let task = std::future::poll_fn(move |cx| {
                polls += 1;
                if polls == 100 {
                    return Poll::Ready(polls);
                }
                cx.waker().wake_by_ref();
                Poll::Pending
            });
            spawn(task).await.unwrap()
        })
    });
    assert_eq!(polls, 100);
}

/// On its first poll, has another thread wake it and waits until that wake has returned,
/// and only then returns `Pending`. Ready on its second poll.
struct WokenFromAnotherThreadDuringPoll {
    polls: usize,
}

impl Future for WokenFromAnotherThreadDuringPoll {
    type Output = usize;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<usize> {
        self.polls += 1;
        if self.polls > 1 {
            return Poll::Ready(self.polls);
        }
        let waker = cx.waker().clone();
        thread::spawn(move || waker.wake()).join().unwrap();
        Poll::Pending
    }
}

#[test]
fn a_task_woken_from_another_thread_while_being_polled_is_polled_again() {
    let polls = within(LIMIT, || {
        let runtime = Runtime::builder().worker_threads(2).build().unwrap();
        runtime.block_on(runtime.spawn(WokenFromAnotherThreadDuringPoll { polls: 0 }))
    });
    assert_eq!(polls.unwrap(), 2);
}

// ANCHOR: wake_storm
const WAKERS: usize = 4;
const WAKES_EACH: usize = 100_000;

/// Counts its polls, fails loudly if two of them overlap, and is ready once a poll sees
/// that every wake has been announced.
struct Storm {
    announced: Arc<AtomicUsize>,
    in_poll: Arc<AtomicBool>,
    overlapped: Arc<AtomicBool>,
    polls: usize,
    waker: mpsc::Sender<Waker>,
}

impl Future for Storm {
    type Output = usize;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<usize> {
        if self.in_poll.swap(true, Ordering::SeqCst) {
            self.overlapped.store(true, Ordering::SeqCst); // polled on two workers at once
        }
        self.polls += 1;
        if self.polls == 1 {
            for _ in 0..WAKERS {
                self.waker.send(cx.waker().clone()).unwrap();
            }
        }
        let done = self.announced.load(Ordering::SeqCst) == WAKERS * WAKES_EACH;
        self.in_poll.store(false, Ordering::SeqCst);
        if done {
            Poll::Ready(self.polls)
        } else {
            Poll::Pending
        }
    }
}

/// Four threads wake one task 100,000 times each; returns its polls, and whether two of them
/// overlapped.
fn storm(kind: RunQueueKind) -> (usize, bool) {
    within(LIMIT, move || {
        let runtime = Runtime::builder()
            .worker_threads(4)
            .run_queues(kind)
            .build()
            .unwrap();
        let (send_waker, wakers) = mpsc::channel();
        let announced = Arc::new(AtomicUsize::new(0));
        let overlapped = Arc::new(AtomicBool::new(false));
        let task = runtime.spawn(Storm {
            announced: Arc::clone(&announced),
            in_poll: Arc::new(AtomicBool::new(false)),
            overlapped: Arc::clone(&overlapped),
            polls: 0,
            waker: send_waker,
        });
        let threads: Vec<_> = (0..WAKERS)
            .map(|_| {
                let waker: Waker = wakers.recv().unwrap();
                let announced = Arc::clone(&announced);
                thread::spawn(move || {
                    for _ in 0..WAKES_EACH {
                        // Something happened (the count goes up), then the wake announces it.
                        announced.fetch_add(1, Ordering::SeqCst);
                        waker.wake_by_ref();
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        // Only a poll that starts after the last wake sees the full count and ends the task.
        let polls = futures::executor::block_on(task).unwrap();
        (polls, overlapped.load(Ordering::SeqCst))
    })
}

#[test]
#[cfg_attr(miri, ignore = "400,000 wakes: far too slow under Miri")]
fn a_wake_storm_never_polls_a_task_twice_at_once_and_loses_no_wake() {
    for &kind in KINDS {
        let (polls, overlapped) = storm(kind);
        assert!(
            !overlapped,
            "{kind:?}: the task was polled on two workers at the same time"
        );
        assert!(polls >= 2, "{kind:?}: polled {polls} times");
        assert!(
            polls <= WAKERS * WAKES_EACH + 1,
            "{kind:?}: at most one poll per wake"
        );
    }
}
// ANCHOR_END: wake_storm

// ANCHOR: unpark_one
/// Waits until every worker of `handle`'s runtime sleeps, then runs `ROUNDS` times: spawn one
/// task from outside, await it, wait until every worker sleeps again. Returns the notifies,
/// unparks of a worker on its condvar, and unparks of the worker in the driver it took.
fn wakes_of_spawns_onto_a_sleeping_runtime(workers: usize, rounds: u64) -> (u64, u64, u64) {
    wakes_of_spawns(workers, false, rounds)
}

fn wakes_of_spawns(workers: usize, tokio_rule: bool, rounds: u64) -> (u64, u64, u64) {
    within(LIMIT, move || {
        let mut builder = Runtime::builder();
        builder.worker_threads(workers);
        if tokio_rule {
            builder.always_wake_after_search();
        }
        let runtime = builder.build().unwrap();
        let handle = runtime.handle().clone();
        let all_asleep = || handle.idle_counts() == (0, 0);
        wait_until(LIMIT, "every worker sleeps", all_asleep);
        let before = handle.counts();
        for _ in 0..rounds {
            futures::executor::block_on(handle.spawn(async {})).unwrap();
            wait_until(LIMIT, "every worker sleeps again", all_asleep);
        }
        let after = handle.counts();
        (
            after.notifies - before.notifies,
            after.unparks_condvar - before.unparks_condvar,
            after.unparks_driver - before.unparks_driver,
        )
    })
}

#[test]
fn one_wake_unparks_at_most_one_sleeping_worker() {
    const ROUNDS: u64 = 50;
    let (notifies, condvar, driver) = wakes_of_spawns_onto_a_sleeping_runtime(4, ROUNDS);
    // The worker woken finds the task, and as the last searcher looks at every queue once
    // more: nothing there, so it wakes nobody else (tokio's last searcher would).
    assert_eq!(notifies, ROUNDS, "one worker picked per spawn");
    // At most one system call per spawn: none when the worker picked had counted itself
    // asleep but was not in its `wait` yet (its park then returns at once).
    assert!(condvar + driver <= ROUNDS, "{} unparks", condvar + driver);
}

#[test]
fn with_tokios_rule_the_last_searcher_wakes_a_second_worker_for_nothing() {
    const ROUNDS: u64 = 50;
    let (notifies, condvar, driver) = wakes_of_spawns(4, true, ROUNDS);
    // The worker woken for the spawn is the last searcher when it finds the task, and wakes
    // another, which finds nothing and sleeps again: two of each per spawn.
    assert_eq!(notifies, 2 * ROUNDS);
    assert!(condvar + driver <= 2 * ROUNDS);
}
// ANCHOR_END: unpark_one

#[test]
fn with_one_worker_each_wake_unparks_the_driver_once() {
    const ROUNDS: u64 = 50;
    let (notifies, condvar, driver) = wakes_of_spawns_onto_a_sleeping_runtime(1, ROUNDS);
    assert_eq!(notifies, ROUNDS);
    assert_eq!(condvar, 0, "a lone worker always sleeps in the driver");
    assert!(
        driver <= ROUNDS,
        "at most one mio::Waker wake per spawn: {driver}"
    );
}

#[test]
fn a_task_woken_many_times_before_it_runs_is_polled_once() {
    let polls = within(LIMIT, || {
        let runtime = Runtime::builder().worker_threads(1).build().unwrap();
        let polls = Arc::new(AtomicUsize::new(0));
        let done = Arc::new(AtomicBool::new(false));
        let (wakers, waker) = mpsc::channel();
        let task = runtime.spawn({
            let (polls, done) = (Arc::clone(&polls), Arc::clone(&done));
            std::future::poll_fn(move |cx| {
                if polls.fetch_add(1, Ordering::SeqCst) == 0 {
                    wakers.send(cx.waker().clone()).unwrap();
                }
                if done.load(Ordering::SeqCst) {
                    Poll::Ready(())
                } else {
                    Poll::Pending
                }
            })
        });
        let waker: Waker = waker.recv().unwrap(); // after the first poll
        // The one worker is kept busy meanwhile, so the task cannot run between the wakes.
        let (busy_now, release) = (
            Arc::new(AtomicBool::new(false)),
            Arc::new(AtomicBool::new(false)),
        );
        let busy = runtime.spawn({
            let (busy_now, release) = (Arc::clone(&busy_now), Arc::clone(&release));
            async move {
                busy_now.store(true, Ordering::SeqCst);
                while !release.load(Ordering::SeqCst) {
                    std::hint::spin_loop();
                }
            }
        });
        wait_until(LIMIT, "the worker is busy", || {
            busy_now.load(Ordering::SeqCst)
        });
        for _ in 0..5 {
            waker.wake_by_ref();
        }
        release.store(true, Ordering::SeqCst);
        futures::executor::block_on(busy).unwrap();
        wait_until(LIMIT, "the worker sleeps", || {
            runtime.handle().idle_counts() == (0, 0)
        });
        done.store(true, Ordering::SeqCst);
        waker.wake_by_ref();
        futures::executor::block_on(task).unwrap();
        polls.load(Ordering::SeqCst)
    });
    // One poll at spawn, one for the five wakes (the state word queued the task once), one
    // for the last wake.
    assert_eq!(polls, 3);
}
