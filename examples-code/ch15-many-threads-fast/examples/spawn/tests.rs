use super::*;

#[test]
fn the_handles_give_the_sum_and_the_panic() {
    assert_eq!(
        demo(),
        [
            "workers: 4",
            "sum of 0..10000 by 1000 tasks: 49995000",
            "failed task: task panicked: task gave up",
            "the workers still run tasks",
        ]
    );
}

#[test]
fn main_runs() {
    main();
}
