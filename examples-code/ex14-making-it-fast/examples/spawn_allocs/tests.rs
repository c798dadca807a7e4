use super::*;
use std::hint::black_box;

#[test]
fn the_allocator_counts_this_threads_allocations_and_growths() {
    let before = allocations();
    let boxed = black_box(Box::new(7_u64));
    assert_eq!(allocations() - before, 1, "one `Box`, one allocation");
    let empty = black_box(Box::new(()));
    assert_eq!(
        allocations() - before,
        1,
        "a zero-sized `Box` allocates nothing"
    );
    let mut grown = black_box(Vec::<u64>::with_capacity(1));
    grown.extend([1, 2, 3, 4]);
    assert_eq!(allocations() - before, 3, "a `Vec` and one growth");
    drop((boxed, empty, grown));
}

#[test]
fn another_threads_allocations_are_not_counted_here() {
    let before = allocations();
    let theirs = std::thread::spawn(|| {
        let start = allocations();
        let boxes: Vec<Box<u64>> = (0..1_000).map(Box::new).collect();
        drop(black_box(boxes));
        allocations() - start
    })
    .join()
    .unwrap();
    assert_eq!(
        theirs, 1_001,
        "the other thread counts its own: 1,000 boxes and a `Vec`"
    );
    let ours = allocations() - before;
    assert!(
        ours < 100,
        "starting a thread costs this one a few, not 1,001: {ours}"
    );
}

#[test]
#[cfg_attr(
    miri,
    ignore = "thousands of tasks: too slow under Miri, which interprets every instruction"
)]
fn a_spawn_on_chapter_14_makes_one_allocation() {
    // Warmed up: the slab of live tasks and the run queue have room already.
    let per_task = ch14_making_it_fast::per_spawn(1_000, 1, 5);
    assert!((1.0..1.1).contains(&per_task), "{per_task} per task");
}

#[test]
#[cfg_attr(
    miri,
    ignore = "Miri's epoll supports only edge-triggered registrations"
)]
fn a_spawn_on_chapter_9_makes_three_allocations() {
    let per_task = ch09_blocking::per_spawn(1_000, 1, 5);
    assert!((3.0..3.1).contains(&per_task), "{per_task} per task");
}

#[test]
#[cfg_attr(
    miri,
    ignore = "thousands of tasks: too slow under Miri, which interprets every instruction"
)]
fn a_cold_runtime_also_pays_for_the_growth_of_its_queues_amortised() {
    let cold = ch14_making_it_fast::per_spawn(1_000, 0, 1);
    assert!(cold > 1.0, "the slab and the run queue grow: {cold}");
    assert!(
        cold < 1.1,
        "by doubling, a few times per thousand tasks: {cold}"
    );
}

#[test]
#[cfg_attr(
    miri,
    ignore = "thousands of tasks: too slow under Miri, which interprets every instruction"
)]
fn a_wake_on_the_runtimes_own_thread_allocates_nothing_on_chapter_14() {
    assert_eq!(ch14_making_it_fast::per_wake(10_000), 0.0);
}
