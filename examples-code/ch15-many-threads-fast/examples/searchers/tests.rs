use super::*;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};

/// `burst`, with tasks that stay busy until the tasks have run on two workers (or for 5 s)
/// instead of for a fixed time: on a loaded machine a woken worker may get the CPU only after
/// a fixed-length burst is over, and find nothing left to steal. A runtime that never steals
/// still fails, after the 5 s.
fn burst_until_spread(tasks: usize) -> (Counts, Vec<usize>) {
    let workers = Arc::new(Mutex::new(HashSet::new()));
    let deadline = Instant::now() + Duration::from_secs(5);
    burst_of(tasks, move || {
        workers.lock().unwrap().insert(thread::current().id());
        while workers.lock().unwrap().len() < 2 && Instant::now() < deadline {
            std::hint::spin_loop();
        }
    })
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
    assert_eq!(per_worker.len(), WORKERS);
    let ran = per_worker.iter().filter(|&&n| n > 0).count();
    assert!(ran >= 2, "ran on {ran} worker(s)");
    assert!(counts.workers.steals >= 1);
    assert!(counts.workers.searches >= 1);
}

#[test]
#[cfg_attr(miri, ignore = "a thousand busy tasks: minutes under Miri")]
fn main_runs() {
    main();
}
