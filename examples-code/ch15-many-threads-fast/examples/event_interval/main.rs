//! What the look at the OS every 61 polls buys: one task yields 100,000 times on one-worker
//! runtimes that look at the driver before every poll (as chapter 12's workers did), every 8
//! polls, and every 61 (the default, tokio's too). Prints the time per yield and the
//! `epoll_wait`s per yield.
// xtask: numbers-vary

use ch15_many_threads_fast::{Runtime, spawn, yield_now};
use std::time::Instant;

// ANCHOR: measure
/// Nanoseconds and `epoll_wait`s per yield, for one task that yields `yields` times on a
/// one-worker runtime that looks at the driver every `interval` polls.
fn per_yield(interval: u32, yields: u32) -> (f64, f64) {
    let runtime = Runtime::builder()
        .worker_threads(1)
        .event_interval(interval)
        .build()
        .expect("cannot create the runtime");
    let before = runtime.handle().driver_counts().turns;
    let start = Instant::now();
    runtime.block_on(async move {
        spawn(async move {
            for _ in 0..yields {
                yield_now().await;
            }
        })
        .await
        .unwrap();
    });
    let nanos = start.elapsed().as_nanos() as f64;
    let turns = (runtime.handle().driver_counts().turns - before) as f64;
    (nanos / f64::from(yields), turns / f64::from(yields))
}
// ANCHOR_END: measure

const YIELDS: u32 = 100_000;

fn main() {
    if cfg!(debug_assertions) {
        println!("debug build: add --release for figures worth comparing");
    }
    for interval in [1, 8, 61] {
        let (nanos, calls) = per_yield(interval, YIELDS);
        println!("event_interval {interval:>2}: {nanos:.0} ns and {calls:.3} epoll_wait per yield");
    }
}

#[cfg(test)]
mod tests;
