use super::*;

#[test]
fn the_handles_give_the_outputs_and_the_panic() {
    assert_eq!(
        demo(),
        [
            "sum of squares: 14",
            "failed task: task panicked: task gave up",
            "detached task ran",
        ]
    );
}

#[test]
fn main_runs() {
    main();
}
