use super::*;

/// The busy task's operations at most, in the budgeted race: it stops as soon as the read has
/// completed, so it gets near this only if the read waits for it. Far more than
/// `OPERATIONS`: the thread that sends the byte may lose the CPU for a while on a loaded
/// machine, and the busy task must still be busy when the byte comes.
const CAP: u64 = 50_000_000;

#[test]
#[cfg_attr(miri, ignore = "Miri supports no TCP sockets")]
fn with_the_budget_the_busy_task_yields_every_128_operations() {
    let seen = race(true, CAP);
    assert_eq!(
        seen.queued_task, 128,
        "the queued task ran after the first poll's 128"
    );
    assert!(
        seen.socket_read < CAP,
        "the read completed only once the busy task was done: {seen:?}"
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
