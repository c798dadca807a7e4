use super::*;

#[test]
#[cfg_attr(miri, ignore = "hundreds of tasks on mio: minutes under Miri")]
fn a_spawn_from_a_task_allocates_once_the_task() {
    let cost = ch15::spawn_cost(&ch15::runtime(2), true, 5, 100);
    assert_eq!(cost.allocations, 1.0);
    assert!(cost.nanos > 0.0);
}

#[test]
#[cfg_attr(miri, ignore = "hundreds of tasks on mio: minutes under Miri")]
fn a_spawn_from_block_on_allocates_once_the_task() {
    let cost = ch15::spawn_cost(&ch15::runtime(2), false, 5, 100);
    // Once, and now and then the injector's buffer, which grows when a loaded machine lets
    // more of a batch wait there than during the warm-up: a few growths in 500 spawns at most.
    assert!(
        (1.0..1.02).contains(&cost.allocations),
        "{} allocations per spawn",
        cost.allocations
    );
}

#[test]
#[cfg_attr(miri, ignore = "hundreds of tasks on mio: minutes under Miri")]
fn a_spawn_on_chapter_12_allocates_three_times_and_a_little_more() {
    // The task's `Arc`, its boxed future, the `oneshot` of its output; and now and then its
    // map of tasks, which grows.
    let cost = ch12::spawn_cost(&ch12::runtime(2), true, 5, 100);
    assert!(
        (3.0..3.1).contains(&cost.allocations),
        "{} allocations per spawn",
        cost.allocations
    );
}

#[test]
#[cfg_attr(miri, ignore = "thousands of polls on mio: minutes under Miri")]
fn a_yield_allocates_nothing() {
    assert_eq!(ch15::yield_cost(&ch15::runtime(1), 10_000).allocations, 0.0);
    // With two workers a thief may take the task; the yields that stay on a thread count.
    assert_eq!(ch15::yield_cost(&ch15::runtime(2), 10_000).allocations, 0.0);
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
