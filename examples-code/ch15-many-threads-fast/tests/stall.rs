//! Why `spawn_blocking` exists: a task that blocks its worker stalls what that worker would
//! run, and with one worker, every other task, timers included. With a second worker, the
//! other one drives the timers; and the same wait on the blocking pool stalls nothing.

mod common;

use ch15_many_threads_fast::time::sleep;
use ch15_many_threads_fast::{Runtime, spawn, spawn_blocking};
use common::{LIMIT, within};
use std::thread;
use std::time::{Duration, Instant};

const TIMER: Duration = Duration::from_millis(50);
/// Long beside the timer, so that "the timer ended long before the block did" holds on a
/// loaded machine whose threads lose the CPU for a few hundred milliseconds.
const BLOCK: Duration = Duration::from_secs(1);

/// Runs a task with a 50 ms timer beside a task that blocks for a second, the way `blocker`
/// does, on `workers` workers; returns when the timer's task saw its sleep end, counted from
/// the start.
fn timer_beside(
    workers: usize,
    blocker: fn() -> ch15_many_threads_fast::JoinHandle<()>,
) -> Duration {
    within(LIMIT, move || {
        let runtime = Runtime::builder().worker_threads(workers).build().unwrap();
        runtime.block_on(async move {
            let start = Instant::now();
            let timer = spawn(async move {
                sleep(TIMER).await;
                start.elapsed()
            });
            let blocked = blocker();
            let ended = timer.await.unwrap();
            blocked.await.unwrap();
            ended
        })
    })
}

#[test]
fn with_one_worker_a_task_that_blocks_it_delays_a_timer_by_as_much() {
    let ended = timer_beside(1, || spawn(async { thread::sleep(BLOCK) }));
    assert!(
        ended >= BLOCK,
        "the timer ended after {ended:?}, before the block was over"
    );
}

#[test]
fn with_two_workers_the_other_one_keeps_the_timer_on_time() {
    let ended = timer_beside(2, || spawn(async { thread::sleep(BLOCK) }));
    assert!(ended >= TIMER);
    assert!(ended < BLOCK / 2, "the timer ended after {ended:?}");
}

#[test]
fn the_same_block_on_the_pool_leaves_the_timer_on_time_with_one_worker() {
    let ended = timer_beside(1, || {
        spawn(async { spawn_blocking(|| thread::sleep(BLOCK)).await.unwrap() })
    });
    assert!(ended >= TIMER);
    assert!(ended < BLOCK / 2, "the timer ended after {ended:?}");
}
