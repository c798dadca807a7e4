use super::*;

#[test]
#[cfg_attr(
    miri,
    ignore = "Miri runs no timers of epoll_wait's kind, and records nothing worth drawing"
)]
fn a_busy_runtime_looks_at_the_os_once_every_61_polls_and_takes_the_outside_wake() {
    let trace = record(300);
    let polls = trace.count(|e| matches!(e, Event::PollStart { task } if *task != trace::MAIN));
    let looks = trace.count(|e| matches!(e, Event::EpollWait { .. }));
    // 600 yields and a few first polls: the busy loop alone looks about 600 / 61 times; the
    // sleeps, when every task waits, add a few more.
    assert!(polls >= 600, "{polls} polls");
    assert!(looks >= polls / 61, "{looks} looks for {polls} polls");
    assert!(looks <= polls / 61 + 8, "{looks} looks for {polls} polls");
    assert_eq!(
        trace.count(|e| matches!(
            e,
            Event::Wake {
                from_worker: false,
                ..
            }
        )),
        1,
        "one wake came from the plain thread"
    );
}

#[test]
fn every_poll_that_starts_ends_on_the_runtimes_one_thread() {
    let trace = record(10);
    let starts = trace.count(|e| matches!(e, Event::PollStart { .. }));
    let ends = trace.count(|e| matches!(e, Event::PollEnd { .. }));
    assert_eq!(starts, ends);
    let threads: std::collections::BTreeSet<u32> = trace
        .records
        .iter()
        .filter(|r| matches!(r.event, Event::PollStart { .. }))
        .map(|r| r.thread)
        .collect();
    assert_eq!(threads.len(), 1, "one thread polls");
}

#[test]
fn main_runs() {
    main();
}
