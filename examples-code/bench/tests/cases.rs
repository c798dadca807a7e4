//! Each case does what it says on every runtime that supports it. Speed is never asserted:
//! these only pin down what is measured.

use bench::harness::{self, Sizes};
use bench::subjects::book::{ch05_task_queue, ch08_timers};
use bench::subjects::others::{
    FuturesLocalPool, SmolExecutor, TokioCurrentThread, TokioMultiThread,
};
use bench::{CASES, Exec, cases, subjects};
use std::time::Duration;

#[test]
fn every_runtime_has_a_unique_key() {
    let all = subjects();
    let mut keys: Vec<_> = all.iter().map(|s| s.key).collect();
    keys.sort_unstable();
    keys.dedup();
    assert_eq!(keys.len(), all.len());
}

#[test]
fn a_runtime_without_timers_or_sockets_is_not_applicable_there() {
    let all = subjects();
    let find = |key| all.iter().find(|s| s.key == key).unwrap();
    for key in ["ch05", "localpool"] {
        assert!(!find(key).supports("timers"), "{key}");
        assert!(!find(key).supports("tcp_echo"), "{key}");
        assert!(find(key).run("timers", &Sizes::SMOKE).is_none());
    }
    for key in ["ch08", "tokio-ct", "smol-local"] {
        assert!(find(key).supports("timers") && find(key).supports("tcp_echo"));
    }
    assert!(
        all.iter()
            .all(|s| s.supports("spawn_many") && s.supports("memory"))
    );
}

#[test]
fn every_supported_case_runs_on_every_runtime_at_smoke_size() {
    let sizes = Sizes {
        spawn_tasks: 300,
        spawn_batch: 100,
        yields: 300,
        ping_pong_rounds: 100,
        timer_tasks: 20,
        timer_max: Duration::from_millis(2),
        tcp_connections: 2,
        tcp_rounds: 10,
        ext_wakes: 50,
        idle_tasks: 50,
        runs: 2,
        warm_up: true,
    };
    for subject in subjects() {
        for case in CASES.iter().filter(|c| subject.supports(c)) {
            let measured = subject.run(case, &sizes).unwrap();
            let expected_runs = if *case == "memory" { 1 } else { 2 };
            assert_eq!(measured.runs.len(), expected_runs, "{} {case}", subject.key);
            if *case != "memory" {
                assert!(measured.median() > 0.0, "{} {case}", subject.key);
            }
        }
    }
}

#[test]
fn spawn_many_awaits_every_task_in_batches_below_the_fd_limit() {
    // 3,000 tasks in batches of 1,000 on chapter 6's design: an eventfd per live task.
    let runtime = ch08_timers::build().unwrap();
    let elapsed = cases::spawn_many::<ch08_timers>(&runtime, 3_000, 1_000);
    assert!(elapsed > Duration::ZERO);
}

#[test]
fn ping_pong_times_every_round_trip() {
    let runtime = TokioMultiThread::build().unwrap();
    let (total, each) = cases::ping_pong::<TokioMultiThread>(&runtime, 500);
    assert_eq!(each.len(), 500);
    let sum: u64 = each.iter().map(|&n| u64::from(n)).sum();
    assert!(
        Duration::from_nanos(sum) <= total,
        "the round trips fit in the whole"
    );
}

#[test]
fn no_timer_ends_before_the_longest_sleep() {
    let runtime = TokioCurrentThread::build().unwrap();
    let max = Duration::from_millis(20);
    let (total, lateness) = cases::timers::<TokioCurrentThread>(&runtime, 200, max);
    assert_eq!(lateness.len(), 200);
    // 200 draws from 0..=20 ms: the longest is well above 15 ms.
    assert!(total >= Duration::from_millis(15), "{total:?}");
}

#[test]
fn the_same_seed_draws_the_same_sleeps() {
    let draw = |seed| {
        let mut random = cases::Xorshift(seed);
        (0..5).map(|_| random.next_u64()).collect::<Vec<_>>()
    };
    assert_eq!(draw(7), draw(7));
    assert_ne!(draw(7), draw(8));
}

#[test]
fn tcp_echo_completes_every_round_trip() {
    let runtime = SmolExecutor::build().unwrap();
    let elapsed = cases::tcp_echo::<SmolExecutor>(&runtime, 3, 20);
    assert!(elapsed > Duration::ZERO);
}

#[test]
fn a_std_thread_wakes_the_task_every_time() {
    let runtime = ch05_task_queue::build().unwrap();
    cases::ext_wake::<ch05_task_queue>(&runtime, 1_000);
    let runtime = FuturesLocalPool::build().unwrap();
    cases::ext_wake::<FuturesLocalPool>(&runtime, 1_000);
}

#[test]
fn medians_and_percentiles() {
    assert_eq!(harness::median(&[3.0, 1.0, 2.0]), 2.0);
    assert_eq!(harness::median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
    let sorted: Vec<u32> = (1..=100).collect();
    assert_eq!(harness::percentile(&sorted, 50.0), 50);
    assert_eq!(harness::percentile(&sorted, 99.0), 99);
    assert_eq!(harness::percentile(&[7], 99.0), 7);
}

#[test]
fn the_resident_set_is_read() {
    assert!(harness::resident_bytes() > 0);
}
