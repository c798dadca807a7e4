//! The LIFO slot, on one worker (so the order is the scheduler's alone): a task woken by the
//! running task runs next, before the tasks queued already; a ping-pong pair does not keep
//! the worker for itself (the cap); a task that yields goes to the back of the queue, not to
//! the slot.

mod common;

use ch15_many_threads_fast::{Runtime, spawn, yield_now};
use common::{LIMIT, wait_until, within};
use futures::StreamExt;
use futures::channel::{mpsc, oneshot};
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

fn one_worker(lifo: bool) -> Runtime {
    let mut builder = Runtime::builder();
    builder.worker_threads(1);
    if !lifo {
        builder.disable_lifo_slot();
    }
    builder.build().unwrap()
}

/// Task B waits on a channel. Then one task spawns C, D and A, in that order; A sends to
/// B. Returns the order in which A, B, C and D ran.
fn order_of_a_wake(lifo: bool) -> Vec<char> {
    within(LIMIT, move || {
        let runtime = one_worker(lifo);
        let log = Arc::new(Mutex::new(Vec::new()));
        let (send, receive) = oneshot::channel::<()>();
        let waiting = Arc::new(AtomicBool::new(false));
        let b = runtime.spawn({
            let (log, waiting) = (Arc::clone(&log), Arc::clone(&waiting));
            async move {
                let mut receive = receive;
                futures::future::poll_fn(|cx| {
                    waiting.store(true, Ordering::SeqCst);
                    std::pin::Pin::new(&mut receive).poll(cx)
                })
                .await
                .unwrap();
                log.lock().unwrap().push('B');
            }
        });
        wait_until(LIMIT, "B waits", || waiting.load(Ordering::SeqCst));
        let parent = runtime.spawn({
            let log = Arc::clone(&log);
            async move {
                let task = |name| {
                    let log = Arc::clone(&log);
                    async move { log.lock().unwrap().push(name) }
                };
                let c = spawn(task('C'));
                let d = spawn(task('D'));
                let a = spawn({
                    let log = Arc::clone(&log);
                    async move {
                        log.lock().unwrap().push('A');
                        send.send(()).unwrap(); // wakes B, from this worker, during this poll
                    }
                });
                (a, c, d)
            }
        });
        let (a, c, d) = futures::executor::block_on(parent).unwrap();
        for handle in [a, c, d] {
            futures::executor::block_on(handle).unwrap();
        }
        futures::executor::block_on(b).unwrap();
        log.lock().unwrap().clone()
    })
}

#[test]
fn a_task_woken_by_the_running_task_runs_before_the_tasks_queued_already() {
    // A was spawned last, so it took the slot (C and D went to the queue); B, woken by A,
    // takes the slot in turn and runs next.
    assert_eq!(order_of_a_wake(true), ['A', 'B', 'C', 'D']);
    // Without the slot, everything goes to the back: B waits for C and D.
    assert_eq!(order_of_a_wake(false), ['C', 'D', 'A', 'B']);
}

/// A ping-pong pair makes round trips; once it runs, a task from outside is spawned. The pair
/// stops when that task has run, or after `rounds` round trips, so that the test's thread,
/// however late it gets the CPU, spawns the task while the pair still runs. Returns how many
/// round trips were done when that task ran.
fn rounds_before_an_outside_task_runs(lifo: bool, rounds: usize) -> usize {
    within(LIMIT, move || {
        let runtime = one_worker(lifo);
        let done = Arc::new(AtomicUsize::new(0));
        let outside_ran = Arc::new(AtomicBool::new(false));
        let (to_pong, mut pong_inbox) = mpsc::unbounded::<usize>();
        let (to_ping, mut ping_inbox) = mpsc::unbounded::<usize>();
        let pong = runtime.spawn(async move {
            while let Some(n) = pong_inbox.next().await {
                let _ = to_ping.unbounded_send(n);
            }
        });
        let ping = runtime.spawn({
            let (done, outside_ran) = (Arc::clone(&done), Arc::clone(&outside_ran));
            async move {
                for n in 0..rounds {
                    if outside_ran.load(Ordering::SeqCst) {
                        break;
                    }
                    to_pong.unbounded_send(n).unwrap();
                    assert_eq!(ping_inbox.next().await, Some(n));
                    done.store(n + 1, Ordering::SeqCst);
                }
            }
        });
        wait_until(LIMIT, "the pair runs", || done.load(Ordering::SeqCst) > 0);
        let outside = runtime.spawn(async move {
            outside_ran.store(true, Ordering::SeqCst);
            done.load(Ordering::SeqCst)
        });
        let seen = futures::executor::block_on(outside).unwrap();
        futures::executor::block_on(ping).unwrap();
        futures::executor::block_on(pong).unwrap();
        seen
    })
}

/// Round trips of a ping-pong pair at most: fewer under Miri, which runs each poll thousands of
/// times slower (the cap shows within the first few).
const ROUNDS: usize = if cfg!(miri) { 300 } else { 10_000_000 };

// ANCHOR: cap
#[test]
#[cfg_attr(
    miri,
    ignore = "Miri may run the whole pair before the test's thread spawns the outside task"
)]
fn a_ping_pong_pair_in_the_slot_does_not_keep_its_worker_to_itself() {
    // Every third slot poll in a row sends the next task to the back of the queue (and the
    // budget, shared along the chain, would after 128): the worker's polls go on counting,
    // and every 61 it looks at the injector. Were the chain never cut, the pair would run
    // from the slot until it is done, and the outside task after it.
    let seen = rounds_before_an_outside_task_runs(true, ROUNDS);
    assert!(
        seen < ROUNDS,
        "the outside task waited for all {seen} round trips"
    );
}

#[test]
fn a_ping_pong_pair_runs_from_the_slot_three_polls_in_a_row_at_most() {
    let counts = within(LIMIT, || {
        let runtime = one_worker(true);
        runtime.block_on(async {
            let (to_pong, mut pong_inbox) = mpsc::unbounded::<usize>();
            let (to_ping, mut ping_inbox) = mpsc::unbounded::<usize>();
            let pong = spawn(async move {
                while let Some(n) = pong_inbox.next().await {
                    let _ = to_ping.unbounded_send(n);
                }
            });
            let ping = spawn(async move {
                for n in 0..ROUNDS.min(1_000) {
                    to_pong.unbounded_send(n).unwrap();
                    assert_eq!(ping_inbox.next().await, Some(n));
                }
            });
            ping.await.unwrap();
            pong.await.unwrap();
        });
        let handle = runtime.handle().clone();
        drop(runtime); // the worker publishes its counts when it stops
        handle.counts().workers
    });
    // Of every four polls of the pair, three come from the slot and one from the queue. (The
    // budget alone would let the slot run 128 in a row.)
    assert!(counts.lifo_capped > 0);
    assert!(
        counts.lifo_polls * 4 <= counts.polls * 3 + 8,
        "{} of {} polls from the slot",
        counts.lifo_polls,
        counts.polls
    );
}
// ANCHOR_END: cap

#[test]
fn a_task_that_yields_goes_to_the_back_of_the_queue_not_to_the_slot() {
    let log = within(LIMIT, || {
        let runtime = one_worker(true);
        let log = Arc::new(Mutex::new(Vec::new()));
        let parent = runtime.spawn({
            let log = Arc::clone(&log);
            async move {
                let yielder = |name| {
                    let log = Arc::clone(&log);
                    async move {
                        for _ in 0..4 {
                            log.lock().unwrap().push(name);
                            yield_now().await;
                        }
                    }
                };
                (spawn(yielder('x')), spawn(yielder('y')))
            }
        });
        let (x, y) = futures::executor::block_on(parent).unwrap();
        futures::executor::block_on(x).unwrap();
        futures::executor::block_on(y).unwrap();
        log.lock().unwrap().clone()
    });
    // y took the slot and runs first; each yield sends its task behind the other.
    assert_eq!(log, ['y', 'x', 'y', 'x', 'y', 'x', 'y', 'x']);
}
