use super::*;
use std::time::Instant;

#[test]
fn tasks_finish_in_the_order_their_threads_wake_them() {
    let unit = Duration::from_millis(100);
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
    // The sleeps overlap: about 3 units in all, not the 6 that one after the other would take.
    let elapsed = start.elapsed();
    assert!(
        elapsed >= unit * 3 && elapsed < unit * 11 / 2,
        "{elapsed:?}"
    );
}

#[test]
fn main_runs() {
    main();
}
