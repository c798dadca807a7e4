//! Exercise 10.2: the thundering herd, counted. Fifty wakes of a runtime whose four workers
//! all sleep, first with the runtime's `notify_one`, then with `notify_all`: how many workers
//! came out of `wait`, and how many of them found nothing to do.
// xtask: numbers-vary

use ex10_workers::{Counts, Notify, Runtime};
use std::thread;
use std::time::Duration;

const WORKERS: usize = 4;
const ROUNDS: u64 = 50;

/// Waits until `condition` holds, checking every millisecond.
fn wait_until(mut condition: impl FnMut() -> bool) {
    while !condition() {
        thread::sleep(Duration::from_millis(1));
    }
}

// ANCHOR: herd
/// Wakes a runtime whose `workers` all sleep, `rounds` times, one task each time, and
/// returns how its counts moved meanwhile.
fn herd(notify: Notify, workers: usize, rounds: u64) -> Counts {
    let runtime = Runtime::builder()
        .worker_threads(workers)
        .notify(notify)
        .build()
        .expect("cannot start the workers");
    let handle = runtime.handle();
    // Asleep, and no wake on its way: with `notify_all`, a worker may be notified but not
    // yet back from `wait`, and `sleeping` still counts it.
    let all_asleep = || {
        let counts = handle.counts();
        counts.sleeping == workers && counts.notified == 0
    };
    wait_until(all_asleep);
    let before = handle.counts();
    for _ in 0..rounds {
        // One task, spawned while every worker sleeps: one push, one wake of the queue.
        futures::executor::block_on(handle.spawn(async {})).unwrap();
        wait_until(all_asleep);
    }
    let after = handle.counts();
    Counts {
        parks: after.parks - before.parks,
        notifies: after.notifies - before.notifies,
        unparks: after.unparks - before.unparks,
        idle_wakeups: after.idle_wakeups - before.idle_wakeups,
        sleeping: after.sleeping,
        notified: after.notified,
    }
}
// ANCHOR_END: herd

// ANCHOR: demo
fn main() {
    for (name, notify) in [("notify_one", Notify::One), ("notify_all", Notify::All)] {
        let counts = herd(notify, WORKERS, ROUNDS);
        println!(
            "{name}: {ROUNDS} wakes, {} notifications, {} workers out of `wait`, \
             {} of them for nothing",
            counts.notifies, counts.unparks, counts.idle_wakeups
        );
    }
}
// ANCHOR_END: demo

#[cfg(test)]
mod tests;
