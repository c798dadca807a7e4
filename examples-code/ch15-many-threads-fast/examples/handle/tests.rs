use super::*;

#[test]
fn threads_outside_the_runtime_spawn_through_a_handle() {
    assert_eq!(
        demo(),
        [
            "thread 1: 100 tasks gave 5050",
            "thread 2: 100 tasks gave 10100",
            "thread 3: 100 tasks gave 15150",
            "spawned from a task",
        ]
    );
}

#[test]
fn main_runs() {
    main();
}
