use super::*;

#[test]
#[cfg_attr(miri, ignore = "Miri supports no TCP sockets")]
fn with_the_budget_the_busy_task_yields_every_128_operations() {
    let seen = race(true, OPERATIONS);
    assert_eq!(
        seen.queued_task, 128,
        "the queued task ran after the first poll's 128"
    );
    assert!(
        seen.socket_read < OPERATIONS,
        "the read completed while the busy task was still busy: {seen:?}"
    );
}

#[test]
#[cfg_attr(miri, ignore = "Miri supports no TCP sockets")]
fn unconstrained_the_busy_task_keeps_its_worker_to_the_end() {
    let seen = race(false, OPERATIONS);
    assert_eq!(
        seen,
        Seen {
            queued_task: OPERATIONS,
            socket_read: OPERATIONS
        }
    );
}

#[test]
#[cfg_attr(miri, ignore = "Miri supports no TCP sockets")]
fn main_runs() {
    main();
}
