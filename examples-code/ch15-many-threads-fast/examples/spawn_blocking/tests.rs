use super::*;

#[test]
fn the_pool_reads_the_file_the_timer_ticks_and_the_panic_is_a_join_error() {
    assert_eq!(
        demo(Duration::from_millis(100)),
        [
            "read \"hello from the disk\\n\" on thread Some(\"blocking\")",
            "the slow job gave 42; the timer ticked meanwhile: true",
            "the job that panicked: task panicked: disk on fire (is_panic: true)",
        ]
    );
}

#[test]
fn main_runs() {
    main();
}
