//! A million tasks, spawned from four threads at once, all complete; and a second million
//! leaves the memory where the first left it. The only test in its file: it measures the
//! process's memory.

mod common;

use ch10_workers::Runtime;
use common::within;
use std::thread;
use std::time::{Duration, Instant};

const SPAWNERS: u64 = 4;
const TASKS: u64 = 1_000_000;

/// The resident set size of this process, in bytes (Linux).
fn rss() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
    let pages: u64 = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4096
}

/// Spawns `TASKS` tasks from `SPAWNERS` threads, waits for every handle, returns the sum of
/// the outputs.
fn round(runtime: &Runtime) -> u64 {
    let per_thread = TASKS / SPAWNERS;
    let spawners: Vec<_> = (0..SPAWNERS)
        .map(|s| {
            let handle = runtime.handle().clone();
            thread::spawn(move || {
                let first = s * per_thread;
                let tasks: Vec<_> = (first..first + per_thread)
                    .map(|n| handle.spawn(async move { n }))
                    .collect();
                futures::executor::block_on(async {
                    let mut sum = 0;
                    for task in tasks {
                        sum += task.await.unwrap();
                    }
                    sum
                })
            })
        })
        .collect();
    spawners.into_iter().map(|s| s.join().unwrap()).sum()
}

#[test]
fn a_million_tasks_from_four_threads_all_complete_and_memory_stays_flat() {
    let (sums, rss_after, seconds) = within(Duration::from_secs(120), || {
        let runtime = Runtime::builder().worker_threads(4).build().unwrap();
        let start = Instant::now();
        let first = round(&runtime);
        let seconds = start.elapsed().as_secs_f64();
        let after_first = rss();
        let second = round(&runtime);
        let after_second = rss();
        ((first, second), (after_first, after_second), seconds)
    });
    let expected = TASKS * (TASKS - 1) / 2;
    assert_eq!(sums, (expected, expected));
    let (after_first, after_second) = rss_after;
    eprintln!(
        "1,000,000 tasks: {seconds:.2} s; RSS after the first round {} MiB, after the second {} MiB",
        after_first >> 20,
        after_second >> 20
    );
    // The second round reuses what the first freed. A leak of even 100 bytes per task would
    // add 100 MiB; the allocator's slack (glibc keeps an arena per thread, and five threads
    // allocate here) has been seen to add up to 26 MiB. So: less than 50 MiB.
    assert!(
        after_second <= after_first + (50 << 20),
        "RSS grew from {after_first} to {after_second} bytes"
    );
}
