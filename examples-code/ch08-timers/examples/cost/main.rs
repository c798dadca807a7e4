//! What a spawn and a wake cost in this chapter's runtime: spawn and finish 10,000 trivial
//! tasks, then wake one task 100,000 times. Prints nanoseconds per operation.
// xtask: numbers-vary

use ch08_timers::{Runtime, spawn, yield_now};
use std::time::Instant;

// ANCHOR: measure
/// Tasks spawned for the spawn figure, in batches of `BATCH` (spawned, then all awaited).
const TASKS: u32 = 10_000;
const BATCH: u32 = 100;
/// Wakes for the wake figure: one task that yields this many times.
const WAKES: u32 = 100_000;

/// Nanoseconds per task to spawn `tasks` trivial tasks and await them, `batch` at a time.
fn spawn_cost(runtime: &Runtime, tasks: u32, batch: u32) -> f64 {
    let start = Instant::now();
    runtime.block_on(async {
        for _ in 0..tasks / batch {
            let handles: Vec<_> = (0..batch).map(|i| spawn(async move { i })).collect();
            for handle in handles {
                handle.await.unwrap();
            }
        }
    });
    start.elapsed().as_nanos() as f64 / f64::from(tasks)
}

/// Nanoseconds per wake for one task that wakes itself and yields `wakes` times: each
/// round is a wake, a trip through the executor and a poll.
fn wake_cost(runtime: &Runtime, wakes: u32) -> f64 {
    let start = Instant::now();
    runtime.block_on(async {
        spawn(async move {
            for _ in 0..wakes {
                yield_now().await;
            }
        })
        .await
        .unwrap();
    });
    start.elapsed().as_nanos() as f64 / f64::from(wakes)
}
// ANCHOR_END: measure

fn main() {
    let runtime = Runtime::new().expect("cannot create the runtime");
    let spawn = spawn_cost(&runtime, TASKS, BATCH);
    let wake = wake_cost(&runtime, WAKES);
    println!("spawn + complete, {TASKS} tasks in batches of {BATCH}: {spawn:.0} ns per task");
    println!("wake + poll, one task woken {WAKES} times: {wake:.0} ns per wake");
}

#[cfg(test)]
mod tests;
