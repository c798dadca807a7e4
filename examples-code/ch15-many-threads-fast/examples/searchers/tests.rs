use super::*;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};

/// `burst`, with tasks that stay busy until the tasks have run on two workers (or for 5 s)
/// instead of for a fixed time: on a loaded machine a woken worker may get the CPU only after
/// a fixed-length burst is over, and find nothing left to steal. A runtime that never steals
/// still fails, after the 5 s.
fn burst_until_spread(tasks: usize) -> (Counts, Vec<usize>) {
    let runtime = Runtime::builder()
        .worker_threads(WORKERS)
        .build()
        .expect("cannot start the runtime");
    all_asleep(&runtime);
    let workers = Arc::new(Mutex::new(HashSet::new()));
    let deadline = Instant::now() + Duration::from_secs(5);
    let ran_on = runtime.block_on(runtime.spawn(async move {
        let handles: Vec<_> = (0..tasks)
            .map(|_| {
                let workers = Arc::clone(&workers);
                spawn(async move {
                    let me = thread::current().id();
                    workers.lock().unwrap().insert(me);
                    while workers.lock().unwrap().len() < 2 && Instant::now() < deadline {
                        std::hint::spin_loop();
                    }
                    me
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
    (handle.counts(), per_worker)
}

#[test]
#[cfg_attr(miri, ignore = "hundreds of wakes across threads: minutes under Miri")]
fn each_spawn_onto_a_sleeping_runtime_wakes_exactly_one_worker() {
    let counts = one_at_a_time(50);
    assert_eq!(counts.notifies, 50);
    assert!(counts.unparks_driver + counts.unparks_condvar <= 50);
}

#[test]
#[cfg_attr(miri, ignore = "a thousand busy tasks: minutes under Miri")]
fn a_burst_on_one_worker_spreads_by_steals() {
    // Fewer tasks than a worker's queue holds, so none overflows to the injector: the other
    // workers get theirs only by stealing.
    let tasks = 200;
    assert!(tasks < ch15_many_threads_fast::queue::CAPACITY);
    let (counts, per_worker) = burst_until_spread(tasks);
    assert_eq!(per_worker.iter().sum::<usize>(), tasks);
    assert!(
        per_worker.len() >= 2,
        "ran on {} worker(s)",
        per_worker.len()
    );
    assert!(counts.workers.steals >= 1);
    assert!(counts.workers.searches >= 1);
}

#[test]
#[cfg_attr(miri, ignore = "a thousand busy tasks: minutes under Miri")]
fn main_runs() {
    main();
}
