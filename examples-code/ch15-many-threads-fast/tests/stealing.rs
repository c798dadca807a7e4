//! Work stealing happens: tasks spawned from one task all land on that worker's own queue,
//! and the other workers, asleep until then, wake up and steal them.

mod common;

use ch15_many_threads_fast::{RunQueueKind, Runtime, spawn};
use common::{KINDS, LIMIT, within};
use std::collections::HashSet;
use std::thread;
use std::time::{Duration, Instant};

/// Keeps its worker busy for a while, as a task with real work would.
fn busy(duration: Duration) {
    let start = Instant::now();
    while start.elapsed() < duration {
        std::hint::spin_loop();
    }
}

/// Spawns `TASKS` busy tasks from inside one task (onto its worker's own queue) and returns
/// the workers that ran them, and the runtime's steal count.
fn spread(kind: RunQueueKind) -> (HashSet<thread::ThreadId>, u64) {
    const TASKS: usize = 200;
    within(LIMIT, move || {
        let runtime = Runtime::builder()
            .worker_threads(4)
            .run_queues(kind)
            .build()
            .unwrap();
        let workers = runtime.block_on(async {
            spawn(async {
                let tasks: Vec<_> = (0..TASKS)
                    .map(|_| {
                        spawn(async {
                            busy(Duration::from_micros(200));
                            thread::current().id()
                        })
                    })
                    .collect();
                let mut workers = HashSet::new();
                for task in tasks {
                    workers.insert(task.await.unwrap());
                }
                workers
            })
            .await
            .unwrap()
        });
        // The workers publish their counts when they stop.
        let handle = runtime.handle().clone();
        drop(runtime);
        (workers, handle.counts().workers.steals)
    })
}

// ANCHOR: stealing_happens
#[test]
#[cfg_attr(
    miri,
    ignore = "busy tasks that spin on the clock: far too slow under Miri"
)]
fn tasks_spawned_on_one_worker_are_stolen_by_the_others() {
    for &kind in KINDS {
        let (workers, steals) = spread(kind);
        assert!(steals > 0, "{kind:?}: no steal");
        assert!(
            workers.len() >= 2,
            "{kind:?}: 200 tasks spawned on one worker ran on {} worker(s)",
            workers.len()
        );
    }
}
// ANCHOR_END: stealing_happens
