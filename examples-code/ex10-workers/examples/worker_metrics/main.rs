//! Exercise 10.1: per-worker poll counts. Four tasks meet at a `std` barrier, so each must be
//! on a worker of its own; then a thousand tasks of eleven polls each. Prints how many polls
//! each worker made: the split changes from run to run, the sum does not.
// xtask: numbers-vary

use ex10_workers::{Runtime, spawn, yield_now};
use std::sync::{Arc, Barrier};

/// The demo's number of workers.
const WORKERS: usize = 4;

// ANCHOR: demo
/// Runs the tasks and returns the lines it prints.
fn demo() -> Vec<String> {
    let runtime = Runtime::builder()
        .worker_threads(WORKERS)
        .build()
        .expect("cannot start the workers");
    runtime.block_on(async {
        // Each of these blocks its worker until all four have arrived: they can only all
        // arrive if each is on a worker of its own.
        let barrier = Arc::new(Barrier::new(WORKERS));
        let meet: Vec<_> = (0..WORKERS)
            .map(|_| {
                let barrier = Arc::clone(&barrier);
                spawn(async move {
                    barrier.wait();
                })
            })
            .collect();
        for handle in meet {
            handle.await.unwrap();
        }
        // Ten `Pending`s and a `Ready`: eleven polls each.
        let tasks: Vec<_> = (0..1_000)
            .map(|_| {
                spawn(async {
                    for _ in 0..10 {
                        yield_now().await;
                    }
                })
            })
            .collect();
        for handle in tasks {
            handle.await.unwrap();
        }
    });
    let metrics = runtime.metrics();
    // A worker counts a poll after it, so the last ones may still be uncounted here. The
    // drop joins the workers: after it, every count is final.
    drop(runtime);
    let mut lines = Vec::new();
    let mut total = 0;
    for worker in 0..metrics.num_workers() {
        let polls = metrics.worker_poll_count(worker);
        total += polls;
        lines.push(format!("worker {worker}: {polls} polls"));
    }
    lines.push(format!("in all: {total} polls"));
    lines
}
// ANCHOR_END: demo

fn main() {
    for line in demo() {
        println!("{line}");
    }
}

#[cfg(test)]
mod tests;
