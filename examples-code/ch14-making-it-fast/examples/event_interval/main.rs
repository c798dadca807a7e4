//! What the look at the OS every 61 polls buys: one task yields 100,000 times on runtimes
//! that look every poll (as chapter 11's workers did), every 8 polls, and every 61 (the
//! default, tokio's too). Prints the time and the system calls per yield.
// xtask: numbers-vary

use ch14_making_it_fast::{Builder, spawn, syscalls, yield_now};
use std::time::Instant;

// ANCHOR: measure
/// Nanoseconds and system calls per yield, for one task that yields `yields` times on a
/// runtime that looks at the OS every `interval` polls.
fn per_yield(interval: u32, yields: u32) -> (f64, f64) {
    let runtime = Builder::new()
        .event_interval(interval)
        .build()
        .expect("cannot create the runtime");
    let before = syscalls();
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
    let calls = (syscalls() - before).epoll_wait as f64;
    (nanos / f64::from(yields), calls / f64::from(yields))
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
