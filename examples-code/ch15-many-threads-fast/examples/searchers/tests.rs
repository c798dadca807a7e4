use super::*;

#[test]
#[cfg_attr(miri, ignore = "hundreds of wakes across threads: minutes under Miri")]
fn each_spawn_onto_a_sleeping_runtime_wakes_exactly_one_worker() {
    let counts = one_at_a_time(50);
    assert_eq!(counts.notifies, 50);
    assert!(counts.unparks_driver + counts.unparks_condvar <= 50);
}

#[test]
#[cfg_attr(miri, ignore = "a thousand busy tasks: minutes under Miri")]
fn a_burst_on_one_worker_spreads_by_steals_and_never_has_more_than_half_searching() {
    let (counts, per_worker) = burst(400, Duration::from_micros(50));
    assert_eq!(per_worker.iter().sum::<usize>(), 400);
    assert!(
        per_worker.len() >= 2,
        "ran on {} worker(s)",
        per_worker.len()
    );
    assert!(counts.workers.steals >= 1);
    // With four workers, at most two search at once: the others were refused at times.
    assert!(counts.workers.searches >= 1);
}

#[test]
#[cfg_attr(miri, ignore = "a thousand busy tasks: minutes under Miri")]
fn main_runs() {
    main();
}
