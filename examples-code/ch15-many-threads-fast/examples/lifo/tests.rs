use super::*;

#[test]
#[cfg_attr(miri, ignore = "thousands of polls on mio: minutes under Miri")]
fn with_the_slot_the_pair_runs_from_it_and_without_it_never() {
    for (yielders, _, _, lifo_polls, _) in measure(1_000, 1) {
        // Two polls per round trip (ping's and pong's); the slot serves most of them, all but
        // one in three when the cap sends the third in a row to the back of the queue.
        assert!(
            lifo_polls >= 1_000,
            "{yielders} yielders: {lifo_polls} LIFO polls"
        );
    }
    let without = runtime(false);
    ping_pong(&without, 1_000, 8);
    let handle = without.handle().clone();
    drop(without);
    assert_eq!(handle.counts().workers.lifo_polls, 0);
}

#[test]
#[cfg_attr(miri, ignore = "thousands of polls on mio: minutes under Miri")]
fn main_runs() {
    main();
}
