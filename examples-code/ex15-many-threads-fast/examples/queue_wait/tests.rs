use super::*;

#[test]
#[cfg_attr(
    miri,
    ignore = "records 1,000 round trips beside 8 yielders: too slow under Miri"
)]
fn with_the_slot_the_pair_runs_next_three_times_in_four_and_else_waits_behind_the_yielders() {
    let (trace, pair) = record(true, 1_000);
    let (of_pair, _) = waits(&trace, pair);
    assert!(of_pair.len() >= 2_000, "two polls per round trip");
    // The cap sends every fourth wake to the back of the queue, behind the eight yielders
    // (but at the start, when the tasks come out of their spawner's poll).
    let other = of_pair
        .iter()
        .filter(|&&w| w != 0 && w != YIELDERS as u64)
        .count();
    assert!(other <= 2, "{other} of the pair's polls waited otherwise");
    let (mean, next) = summary(&of_pair);
    assert!((0.74..=0.76).contains(&next), "{next}");
    assert!((1.9..=2.1).contains(&mean), "{mean}");
}

#[test]
#[cfg_attr(
    miri,
    ignore = "records 1,000 round trips beside 8 yielders: too slow under Miri"
)]
fn without_the_slot_every_woken_task_waits_behind_the_yielders() {
    let (trace, pair) = record(false, 1_000);
    let (of_pair, of_others) = waits(&trace, pair);
    // Nine tasks in the queue at any time (a yielder behind the others, or one of the pair:
    // the other is running): each waits for the eight ahead of it (but at the start and
    // at the end, when fewer tasks are left).
    let late = of_pair.iter().filter(|&&w| w != YIELDERS as u64).count();
    assert!(late <= 2, "{late} of the pair's polls waited otherwise");
    let (mean, next) = summary(&of_others);
    assert!(
        next < 0.001,
        "a yielder ran right after its own yield: {next}"
    );
    assert!((7.9..=8.1).contains(&mean), "{mean}");
}

#[test]
fn a_poll_right_after_the_push_waited_zero_polls() {
    // A trace by hand: task 1 pushed, then polled at once; task 2 pushed, then polled
    // after task 3's poll.
    let record = |nanos, event| trace::Record {
        nanos,
        thread: 0,
        event,
    };
    let push = |task| Event::Push {
        task,
        queue: trace::Queue::Local,
    };
    let trace = Trace {
        records: vec![
            record(1, push(1)),
            record(2, Event::PollStart { task: 1 }),
            record(3, push(2)),
            record(4, push(3)),
            record(5, Event::PollStart { task: 3 }),
            record(6, Event::PollStart { task: 2 }),
        ],
        threads: vec![(0, "worker 0".to_string())],
    };
    let (of_pair, of_others) = waits(&trace, [1, 2]);
    assert_eq!(of_pair, [0, 1]);
    assert_eq!(of_others, [0]);
}

#[test]
#[cfg_attr(
    miri,
    ignore = "records 1,000 round trips beside 8 yielders: too slow under Miri"
)]
fn main_runs() {
    main();
}
