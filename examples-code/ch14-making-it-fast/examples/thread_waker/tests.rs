use super::*;
use std::time::Instant;

#[test]
fn tasks_finish_in_the_order_their_threads_wake_them() {
    // The tasks finish a unit apart: a thread that loses the CPU for less than a unit on a
    // loaded machine must not change their order.
    let unit = Duration::from_millis(500);
    let start = Instant::now();
    let order = demo(unit);
    assert_eq!(
        order,
        [
            "task b woken by its thread after 1 units",
            "task c woken by its thread after 2 units",
            "task a woken by its thread after 3 units",
        ]
    );
    // The sleeps overlap: about 3 units in all, not the 6 (at the least) that one after the
    // other would take. Two units to spare for a loaded machine.
    let elapsed = start.elapsed();
    assert!(elapsed >= unit * 3 && elapsed < unit * 5, "{elapsed:?}");
}

#[test]
fn main_runs() {
    main();
}
