//! Work stealing happens: tasks spawned from one task all land on that worker's own queue,
//! and the other workers, asleep until then, wake up and steal them.

mod common;

use ch15_many_threads_fast::{RunQueueKind, Runtime, spawn};
use common::{KINDS, LIMIT, within};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::thread::{self, ThreadId};
use std::time::{Duration, Instant};

/// How long the tasks wait, at most, for a second worker to run one of them: long enough for
/// a worker that wakes late on a loaded machine, short enough that a runtime that never
/// steals fails the test instead of hanging it.
const SPREAD_WITHIN: Duration = Duration::from_secs(5);

/// Keeps its worker busy, as a task with real work would, until the tasks have run on two
/// workers or more (`ran_on`), or until `deadline`. Returns the worker it ran on.
fn busy_until_two_workers(ran_on: &Mutex<HashSet<ThreadId>>, deadline: Instant) -> ThreadId {
    let me = thread::current().id();
    ran_on.lock().unwrap().insert(me);
    while ran_on.lock().unwrap().len() < 2 && Instant::now() < deadline {
        std::hint::spin_loop();
    }
    me
}

/// Spawns `TASKS` busy tasks from inside one task (onto its worker's own queue) and returns
/// the workers that ran them, and the runtime's steal count. The tasks stay busy until a
/// second worker runs one of them (or for `SPREAD_WITHIN`): however late the other workers
/// get the CPU, the first tasks are still running when they look for work.
fn spread(kind: RunQueueKind) -> (HashSet<ThreadId>, u64) {
    const TASKS: usize = 200;
    within(LIMIT, move || {
        let runtime = Runtime::builder()
            .worker_threads(4)
            .run_queues(kind)
            .build()
            .unwrap();
        let ran_on = Arc::new(Mutex::new(HashSet::new()));
        let deadline = Instant::now() + SPREAD_WITHIN;
        let workers = runtime.block_on(async {
            spawn(async move {
                let tasks: Vec<_> = (0..TASKS)
                    .map(|_| {
                        let ran_on = Arc::clone(&ran_on);
                        spawn(async move { busy_until_two_workers(&ran_on, deadline) })
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
