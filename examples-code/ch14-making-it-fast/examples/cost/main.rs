//! What a spawn and a wake cost in this chapter's runtime, in time and in system calls: spawn
//! and finish 10,000 trivial tasks, wake one task 100,000 times from its own thread, and time
//! the wakes alone of 10,000 waiting tasks.
// xtask: numbers-vary

use ch14_making_it_fast::{Runtime, spawn, syscalls, yield_now};
use std::future::poll_fn;
use std::sync::{Arc, Mutex};
use std::task::Poll;
use std::time::Instant;

// ANCHOR: measure
/// Tasks spawned for the spawn figure, in batches of `BATCH` (spawned, then all awaited).
const TASKS: u32 = 10_000;
const BATCH: u32 = 100;
/// Wakes for the wake figure: one task that yields this many times.
const WAKES: u32 = 100_000;

/// What one operation cost: nanoseconds, system calls made by the runtime's thread, and how
/// many of those were `epoll_wait`.
#[derive(Clone, Copy)]
struct Cost {
    nanos: f64,
    syscalls: f64,
    epoll_waits: f64,
}

/// Runs `work` in `block_on` and divides its time and system calls by `count`.
fn measure<F: Future>(runtime: &Runtime, count: u32, work: F) -> Cost {
    let before = syscalls();
    let start = Instant::now();
    runtime.block_on(work);
    let nanos = start.elapsed().as_nanos() as f64;
    let calls = syscalls() - before;
    Cost {
        nanos: nanos / f64::from(count),
        syscalls: calls.total() as f64 / f64::from(count),
        epoll_waits: calls.epoll_wait as f64 / f64::from(count),
    }
}

/// Spawns `tasks` trivial tasks and awaits them, `batch` at a time.
fn spawn_cost(runtime: &Runtime, tasks: u32, batch: u32) -> Cost {
    measure(runtime, tasks, async move {
        for _ in 0..tasks / batch {
            let handles: Vec<_> = (0..batch).map(|i| spawn(async move { i })).collect();
            for handle in handles {
                handle.await.unwrap();
            }
        }
    })
}

/// One task wakes itself and yields `wakes` times: each round is a wake, a trip through the
/// run queue and a poll.
fn wake_cost(runtime: &Runtime, wakes: u32) -> Cost {
    measure(runtime, wakes, async move {
        spawn(async move {
            for _ in 0..wakes {
                yield_now().await;
            }
        })
        .await
        .unwrap();
    })
}

/// The wake alone, without the poll that follows: `tasks` tasks each leave their waker and
/// wait; the main future, on the runtime's thread, wakes them all, and only that is timed.
fn wake_alone_cost(runtime: &Runtime, tasks: u32) -> Cost {
    runtime.block_on(async move {
        let wakers = Arc::new(Mutex::new(Vec::new()));
        let handles: Vec<_> = (0..tasks)
            .map(|_| {
                let wakers = Arc::clone(&wakers);
                let mut waited = false;
                spawn(poll_fn(move |cx| {
                    if waited {
                        return Poll::Ready(());
                    }
                    waited = true;
                    wakers.lock().unwrap().push(cx.waker().clone());
                    Poll::Pending
                }))
            })
            .collect();
        while wakers.lock().unwrap().len() < tasks as usize {
            yield_now().await;
        }
        let wakers = std::mem::take(&mut *wakers.lock().unwrap());
        let before = syscalls();
        let start = Instant::now();
        for waker in &wakers {
            waker.wake_by_ref();
        }
        let nanos = start.elapsed().as_nanos() as f64;
        let calls = syscalls() - before;
        drop(wakers);
        for handle in handles {
            handle.await.unwrap();
        }
        Cost {
            nanos: nanos / f64::from(tasks),
            syscalls: calls.total() as f64 / f64::from(tasks),
            epoll_waits: calls.epoll_wait as f64 / f64::from(tasks),
        }
    })
}
// ANCHOR_END: measure

/// Rounds of the wake alone, for its spread: the book's target for it is an absolute one.
const ROUNDS: usize = 7;

fn main() {
    let runtime = Runtime::new().expect("cannot create the runtime");
    if cfg!(debug_assertions) {
        println!("debug build: add --release for figures worth comparing");
    }
    let spawn = spawn_cost(&runtime, TASKS, BATCH);
    let wake = wake_cost(&runtime, WAKES);
    let mut rounds: Vec<Cost> = (0..ROUNDS)
        .map(|_| wake_alone_cost(&runtime, TASKS))
        .collect();
    rounds.sort_by(|a, b| a.nanos.total_cmp(&b.nanos));
    let alone = rounds[ROUNDS / 2];
    for (what, cost) in [
        (
            format!("spawn + complete, {TASKS} tasks in batches of {BATCH}"),
            spawn,
        ),
        (format!("wake + poll, one task woken {WAKES} times"), wake),
        (
            format!("wake alone, {TASKS} waiting tasks woken from the runtime's thread (median)"),
            alone,
        ),
    ] {
        println!(
            "{what}: {:.0} ns and {:.3} system calls ({:.3} epoll_wait) each",
            cost.nanos, cost.syscalls, cost.epoll_waits
        );
    }
    println!(
        "wake alone, {ROUNDS} rounds: {:.0} to {:.0} ns",
        rounds[0].nanos,
        rounds[ROUNDS - 1].nanos
    );
}

#[cfg(test)]
mod tests;
