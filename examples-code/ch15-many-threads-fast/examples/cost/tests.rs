use super::*;

fn runtime() -> Runtime {
    Runtime::builder().worker_threads(2).build().unwrap()
}

#[test]
#[cfg_attr(miri, ignore = "hundreds of tasks on mio: minutes under Miri")]
fn a_spawn_from_a_task_allocates_once_the_task() {
    let cost = spawn_cost(&runtime(), true, 5, 100);
    assert_eq!(cost.allocations, 1.0);
    assert!(cost.nanos > 0.0);
}

#[test]
#[cfg_attr(miri, ignore = "hundreds of tasks on mio: minutes under Miri")]
fn a_spawn_from_block_on_allocates_once_the_task() {
    let cost = spawn_cost(&runtime(), false, 5, 100);
    assert_eq!(cost.allocations, 1.0);
}

#[test]
#[cfg_attr(miri, ignore = "thousands of polls on mio: minutes under Miri")]
fn a_yield_allocates_nothing() {
    // One worker: the task cannot move to another thread, whose count would be another.
    let one = Runtime::builder().worker_threads(1).build().unwrap();
    assert_eq!(yield_cost(&one, 10_000).allocations, 0.0);
}

#[test]
fn the_allocator_counts_this_threads_allocations() {
    let before = allocations();
    let boxed = std::hint::black_box(Box::new(7));
    assert_eq!(allocations() - before, 1);
    drop(boxed);
    let other = std::thread::spawn(|| {
        let before = allocations();
        drop(std::hint::black_box(Box::new(8)));
        allocations() - before
    });
    assert_eq!(other.join().unwrap(), 1, "each thread counts its own");
}

#[test]
#[cfg_attr(miri, ignore = "a million yields: hours under Miri")]
fn main_runs() {
    main();
}
