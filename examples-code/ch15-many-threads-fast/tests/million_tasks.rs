//! A million tasks, spawned from four threads at once, all complete, each exactly once; and a
//! second million leaves the memory where the first left it. The only test in its file: it
//! measures the process's memory.

mod common;

use ch15_many_threads_fast::Runtime;
use common::within;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
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
/// the outputs. Task `n` adds one to `runs[n]`.
fn round(runtime: &Runtime, runs: &Arc<Vec<AtomicU8>>) -> u64 {
    let per_thread = TASKS / SPAWNERS;
    let spawners: Vec<_> = (0..SPAWNERS)
        .map(|s| {
            let handle = runtime.handle().clone();
            let runs = Arc::clone(runs);
            thread::spawn(move || {
                let first = s * per_thread;
                let tasks: Vec<_> = (first..first + per_thread)
                    .map(|n| {
                        let runs = Arc::clone(&runs);
                        handle.spawn(async move {
                            runs[n as usize].fetch_add(1, Ordering::Relaxed);
                            n
                        })
                    })
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
#[cfg_attr(miri, ignore = "a million tasks: far too slow under Miri")]
fn a_million_tasks_from_four_threads_all_complete_once_and_memory_stays_flat() {
    let (sums, runs, rss_after, seconds) = within(Duration::from_secs(120), || {
        let runs: Arc<Vec<AtomicU8>> = Arc::new((0..TASKS).map(|_| AtomicU8::new(0)).collect());
        let runtime = Runtime::builder().worker_threads(4).build().unwrap();
        let start = Instant::now();
        let first = round(&runtime, &runs);
        let seconds = start.elapsed().as_secs_f64();
        let after_first = rss();
        let second = round(&runtime, &runs);
        let after_second = rss();
        let runs: Vec<u8> = runs.iter().map(|r| r.load(Ordering::Relaxed)).collect();
        ((first, second), runs, (after_first, after_second), seconds)
    });
    let expected = TASKS * (TASKS - 1) / 2;
    assert_eq!(sums, (expected, expected));
    // Two rounds: every task of each ran exactly once, none lost, none run twice.
    if let Some(n) = runs.iter().position(|&r| r != 2) {
        panic!("task {n} ran {} times in two rounds", runs[n]);
    }
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
