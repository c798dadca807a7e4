//! Who wakes whom, on four workers: spawns from outside onto a runtime whose workers all
//! sleep, one at a time (each wakes one worker, and only one), and a burst of 1,000 busy
//! tasks spawned by one task (sleepers are woken while nobody searches; a worker starts a
//! search only while fewer than half search; the work spreads by steals of half a queue). Prints the counts the
//! runtime keeps.
// xtask: numbers-vary

use ch15_many_threads_fast::{Counts, Runtime, spawn};
use std::collections::HashMap;
use std::thread;
use std::time::{Duration, Instant};

const WORKERS: usize = 4;

/// Waits until every worker of `runtime` sleeps.
fn all_asleep(runtime: &Runtime) {
    while runtime.handle().idle_counts() != (0, 0) {
        thread::sleep(Duration::from_micros(100));
    }
}

// ANCHOR: one_at_a_time
/// `spawns` times: spawn one trivial task from this thread, await it, wait until every worker
/// sleeps again. Returns the counts of those rounds alone.
fn one_at_a_time(spawns: u64) -> Counts {
    let runtime = Runtime::builder()
        .worker_threads(WORKERS)
        .build()
        .expect("cannot start the runtime");
    all_asleep(&runtime);
    let before = runtime.handle().counts();
    for _ in 0..spawns {
        futures::executor::block_on(runtime.spawn(async {})).expect("a task");
        all_asleep(&runtime);
    }
    let after = runtime.handle().counts();
    Counts {
        notifies: after.notifies - before.notifies,
        unparks_driver: after.unparks_driver - before.unparks_driver,
        unparks_condvar: after.unparks_condvar - before.unparks_condvar,
        ..Counts::default()
    }
}
// ANCHOR_END: one_at_a_time

// ANCHOR: burst
/// One task spawns `tasks` tasks that keep their worker busy for `busy` each. Returns the
/// counts (taken once the workers have stopped) and how many tasks each worker ran.
fn burst(tasks: usize, busy: Duration) -> (Counts, Vec<usize>) {
    burst_of(tasks, move || {
        let start = Instant::now();
        while start.elapsed() < busy {
            std::hint::spin_loop();
        }
    })
}

/// One task spawns `tasks` tasks that each run `work` on their worker.
fn burst_of(tasks: usize, work: impl Fn() + Clone + Send + 'static) -> (Counts, Vec<usize>) {
    let runtime = Runtime::builder()
        .worker_threads(WORKERS)
        .build()
        .expect("cannot start the runtime");
    all_asleep(&runtime);
    let ran_on = runtime.block_on(runtime.spawn(async move {
        let handles: Vec<_> = (0..tasks)
            .map(|_| {
                let work = work.clone();
                spawn(async move {
                    work();
                    thread::current().id()
                })
            })
            .collect();
        let mut ran_on = HashMap::new();
        for handle in handles {
            *ran_on.entry(handle.await.expect("a task")).or_insert(0) += 1;
        }
        ran_on
    }));
    let handle = runtime.handle().clone();
    drop(runtime); // the workers publish their counts when they stop
    let mut per_worker: Vec<usize> = ran_on.expect("the spawner").into_values().collect();
    per_worker.sort_unstable_by(|a, b| b.cmp(a));
    per_worker.resize(WORKERS, 0); // the workers that ran none
    (handle.counts(), per_worker)
}
// ANCHOR_END: burst

fn main() {
    let build = if cfg!(debug_assertions) {
        "debug build: add --release for figures worth comparing"
    } else {
        "release build"
    };
    println!("{WORKERS} workers, {build}");
    let spawns = 1_000;
    let counts = one_at_a_time(spawns);
    println!(
        "{spawns} spawns onto a sleeping runtime, one at a time: {:.2} workers picked and \
         {:.2} woken per spawn ({} in the driver, {} on their parker)",
        counts.notifies as f64 / spawns as f64,
        (counts.unparks_driver + counts.unparks_condvar) as f64 / spawns as f64,
        counts.unparks_driver,
        counts.unparks_condvar
    );
    let tasks = 1_000;
    let (counts, per_worker) = burst(tasks, Duration::from_micros(20));
    let w = counts.workers;
    println!(
        "{tasks} busy tasks spawned by one task: {} workers woken, {} searches begun and {} \
         refused (half the workers searched already), {} steals took {} tasks; tasks per \
         worker {per_worker:?}",
        counts.unparks_driver + counts.unparks_condvar,
        w.searches,
        w.searches_refused,
        w.steals,
        w.stolen
    );
}

#[cfg(test)]
mod tests;
