use super::*;

#[test]
fn in_an_owner_only_slot_the_child_waits_for_its_blocked_parent() {
    // Nothing else can run it: the slot is its worker's, and its worker is blocked.
    let ran = child_while_parent_blocks(&runtime(false), Duration::from_millis(200));
    assert_eq!(ran, None, "the child ran while its parent blocked");
}

#[test]
fn in_a_stealable_slot_another_worker_runs_the_child_while_its_parent_blocks() {
    // The spawn woke the sleeping worker, which took the child out of the slot.
    let ran = child_while_parent_blocks(&runtime(true), Duration::from_secs(10));
    assert!(ran.is_some(), "the child waited for its parent");
}

#[test]
fn a_child_in_a_stealable_slot_wakes_the_sleeping_worker_and_in_an_owner_only_one_nobody() {
    // The cost: a push into the slot now wakes a worker, as a push on the queue does.
    assert_eq!(wakes_for_a_child(&runtime(true)), 1);
    assert_eq!(wakes_for_a_child(&runtime(false)), 0);
}

#[test]
#[cfg_attr(miri, ignore = "280,000 round trips of ping-pong: hours under Miri")]
fn main_runs() {
    main();
}
