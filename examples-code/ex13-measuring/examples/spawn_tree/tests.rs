use super::*;
use bench::subjects::book::ch05_task_queue;
use bench::subjects::others::TokioCurrentThread;

#[test]
fn a_tree_has_a_task_per_node() {
    assert_eq!(tree_size(0, 10), 1);
    assert_eq!(tree_size(2, 10), 111);
    assert_eq!(tree_size(4, 10), 11_111);
    assert_eq!(tree_size(3, 2), 15);
}

/// Runs a tree of 4 levels of 3 below the root on `R` and returns how many tasks ran.
fn ran_on<R: Exec>() -> usize {
    let runtime = R::build().unwrap();
    spawn_tree::<R>(&runtime, 4, 3).1
}

#[test]
fn every_task_of_the_tree_runs_on_every_runtime() {
    let tasks = tree_size(4, 3);
    assert_eq!(tasks, 121);
    assert_eq!(ran_on::<ch10_workers>(), tasks, "ch10");
    assert_eq!(ran_on::<ch12_work_stealing>(), tasks, "ch12");
    assert_eq!(ran_on::<TokioMultiThread>(), tasks, "tokio-mt");
    // The case is generic: single-threaded runtimes run it too.
    assert_eq!(ran_on::<ch05_task_queue>(), tasks, "ch05");
    assert_eq!(ran_on::<TokioCurrentThread>(), tasks, "tokio-ct");
}

#[test]
fn measure_times_the_asked_runs_after_a_warm_up_on_fresh_runtimes() {
    let m = measure::<ch12_work_stealing>(2, 5, 3);
    assert_eq!((m.unit, m.per), ("ns", "task"));
    assert_eq!(m.runs.len(), 3);
    assert!(m.runs.iter().all(|&ns| ns > 0.0), "{:?}", m.runs);
}
