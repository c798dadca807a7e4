//! No task is lost or run twice while the workers steal from each other: a million tasks
//! spawned from four tasks on the workers (onto their own queues, overflowing into the
//! injector), each counted exactly once, on every kind of run queue.

mod common;

use ch15_many_threads_fast::{RunQueueKind, Runtime, spawn};
use common::{KINDS, within};
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Duration;

const SPAWNERS: usize = 4;
const TASKS: usize = 1_000_000;

/// Spawns `tasks` tasks from `SPAWNERS` tasks and returns how often each one ran.
fn run_all(kind: RunQueueKind, tasks: usize) -> Vec<u8> {
    within(Duration::from_secs(120), move || {
        let runs: Arc<Vec<AtomicU8>> = Arc::new((0..tasks).map(|_| AtomicU8::new(0)).collect());
        let runtime = Runtime::builder()
            .worker_threads(4)
            .run_queues(kind)
            .build()
            .unwrap();
        let per_spawner = tasks / SPAWNERS;
        let spawners: Vec<_> = (0..SPAWNERS)
            .map(|s| {
                let runs = Arc::clone(&runs);
                runtime.spawn(async move {
                    let handles: Vec<_> = (s * per_spawner..(s + 1) * per_spawner)
                        .map(|n| {
                            let runs = Arc::clone(&runs);
                            spawn(async move {
                                runs[n].fetch_add(1, Ordering::Relaxed);
                            })
                        })
                        .collect();
                    for handle in handles {
                        handle.await.unwrap();
                    }
                })
            })
            .collect();
        for spawner in spawners {
            futures::executor::block_on(spawner).unwrap();
        }
        runs.iter().map(|r| r.load(Ordering::Relaxed)).collect()
    })
}

// ANCHOR: no_task_lost
#[test]
#[cfg_attr(miri, ignore = "a million tasks: far too slow under Miri")]
fn a_million_tasks_spawned_on_workers_each_run_exactly_once() {
    for &kind in KINDS {
        let runs = run_all(kind, TASKS);
        if let Some(n) = runs.iter().position(|&r| r != 1) {
            panic!("{kind:?}: task {n} ran {} times", runs[n]);
        }
    }
}
// ANCHOR_END: no_task_lost
