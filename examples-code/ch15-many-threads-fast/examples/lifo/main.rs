//! What the LIFO slot buys: two tasks that answer each other over channels (ping-pong), on
//! two workers, with the slot and without it (`Builder::disable_lifo_slot`), alone and with
//! eight tasks that yield in a loop on the same workers. With the slot, the task woken by a
//! message runs next on the worker that sent it; without it, it waits at the back of the
//! queue, behind whatever is there.
// xtask: numbers-vary

use ch15_many_threads_fast::{Runtime, spawn, yield_now};
use futures::StreamExt;
use futures::channel::mpsc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

// ANCHOR: ping_pong
/// `rounds` round trips between two tasks, beside `yielders` tasks that yield until the
/// round trips are done. Returns the time per round trip.
fn ping_pong(runtime: &Runtime, rounds: u32, yielders: usize) -> Duration {
    runtime.block_on(async move {
        let done = Arc::new(AtomicBool::new(false));
        let background: Vec<_> = (0..yielders)
            .map(|_| {
                let done = Arc::clone(&done);
                spawn(async move {
                    while !done.load(Ordering::Relaxed) {
                        yield_now().await;
                    }
                })
            })
            .collect();
        let (to_pong, mut pong_inbox) = mpsc::unbounded::<u32>();
        let (to_ping, mut ping_inbox) = mpsc::unbounded::<u32>();
        let pong = spawn(async move {
            while let Some(n) = pong_inbox.next().await {
                if to_ping.unbounded_send(n).is_err() {
                    break;
                }
            }
        });
        let ping = spawn(async move {
            let start = Instant::now();
            for n in 0..rounds {
                to_pong.unbounded_send(n).expect("pong is alive");
                assert_eq!(ping_inbox.next().await, Some(n));
            }
            start.elapsed() / rounds
        });
        let per_round = ping.await.expect("ping");
        pong.await.expect("pong");
        done.store(true, Ordering::Relaxed);
        for task in background {
            task.await.expect("a yielder");
        }
        per_round
    })
}
// ANCHOR_END: ping_pong

/// A two-worker runtime, with the LIFO slot or without.
fn runtime(lifo: bool) -> Runtime {
    let mut builder = Runtime::builder();
    builder.worker_threads(2);
    if !lifo {
        builder.disable_lifo_slot();
    }
    builder.build().expect("cannot start the runtime")
}

/// The figures of `main`: for each number of yielders, the best of `runs` runs with the slot
/// and without it, and how the runtime ran the pair (LIFO polls, steals).
fn measure(rounds: u32, runs: usize) -> Vec<(usize, Duration, Duration, u64, u64)> {
    [0, 8]
        .into_iter()
        .map(|yielders| {
            let with = runtime(true);
            let without = runtime(false);
            let best = |runtime: &Runtime| {
                (0..runs)
                    .map(|_| ping_pong(runtime, rounds, yielders))
                    .min()
                    .expect("at least one run")
            };
            let (slot, queue) = (best(&with), best(&without));
            let (with_handle, without_handle) = (with.handle().clone(), without.handle().clone());
            drop((with, without)); // the workers publish their counts when they stop
            (
                yielders,
                slot,
                queue,
                with_handle.counts().workers.lifo_polls,
                without_handle.counts().workers.steals,
            )
        })
        .collect()
}

fn main() {
    let build = if cfg!(debug_assertions) {
        "debug build: add --release for figures worth comparing"
    } else {
        "release build"
    };
    println!("2 workers, 20000 round trips, best of 5 runs, {build}");
    for (yielders, slot, queue, lifo_polls, steals) in measure(20_000, 5) {
        println!(
            "{yielders} yielding tasks beside: {} ns per round trip with the LIFO slot \
             ({lifo_polls} polls from the slot), {} ns without it ({steals} steals)",
            slot.as_nanos(),
            queue.as_nanos()
        );
    }
}

#[cfg(test)]
mod tests;
