use super::*;

#[test]
fn sleepers_wake_in_deadline_order_ticks_keep_their_schedule_and_the_read_times_out() {
    assert_eq!(
        demo(Duration::from_millis(100)),
        [
            "task b woke after 1 unit",
            "task c woke after 2 units",
            "task a woke after 3 units",
            "interval ticks due at units 0, [1, 2, 3] after the first",
            "read gave up: deadline has elapsed, after at least one unit: true",
        ]
    );
}

#[test]
fn main_runs() {
    main();
}
