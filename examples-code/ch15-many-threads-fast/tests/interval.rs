//! `time::interval`: the first tick at once, then one per period on a schedule that never
//! drifts; ticks missed while the task was busy come at once (burst).

mod common;

use ch15_many_threads_fast::Runtime;
use ch15_many_threads_fast::time::interval;
use common::{LIMIT, within};
use std::time::{Duration, Instant};

const PERIOD: Duration = Duration::from_millis(20);

#[test]
#[cfg_attr(
    miri,
    ignore = "timings: Miri runs far too slowly for the test's tolerances"
)]
fn an_interval_ticks_at_once_then_once_per_period() {
    let (start, ticks) = within(LIMIT, || {
        Runtime::new().unwrap().block_on(async {
            let start = Instant::now();
            let mut ticker = interval(PERIOD);
            let mut ticks = Vec::new();
            for _ in 0..5 {
                let due = ticker.tick().await;
                ticks.push((due, Instant::now()));
            }
            (start, ticks)
        })
    });
    let first = ticks[0].0;
    assert!(
        first >= start && first - start < PERIOD,
        "the first tick is due at once"
    );
    for (n, (due, came)) in ticks.into_iter().enumerate() {
        assert_eq!(
            due,
            first + PERIOD * n as u32,
            "tick {n} is due on the schedule"
        );
        assert!(came >= due, "tick {n} came before it was due");
        // Generous: a busy machine may be late, but not by periods.
        assert!(
            came - due < PERIOD * 5,
            "tick {n} came {:?} late",
            came - due
        );
    }
}

#[test]
#[cfg_attr(
    miri,
    ignore = "timings: Miri runs far too slowly for the test's tolerances"
)]
fn a_late_interval_bursts_to_catch_up_and_keeps_its_schedule() {
    let ticks = within(LIMIT, || {
        Runtime::new().unwrap().block_on(async {
            let mut ticker = interval(PERIOD);
            let first = ticker.tick().await;
            // The task blocks for 3.5 periods: ticks 1, 2 and 3 are missed.
            std::thread::sleep(PERIOD * 7 / 2);
            let mut ticks = Vec::new();
            for _ in 0..4 {
                let due = ticker.tick().await;
                ticks.push(((due - first).as_millis(), Instant::now() - first));
            }
            ticks
        })
    });
    let due: Vec<u128> = ticks.iter().map(|(due, _)| *due).collect();
    // Burst: the missed ticks keep their due times (tokio's default). `Delay` would give
    // 70, 90, 110, 130.
    assert_eq!(due, [20, 40, 60, 80]);
    // The missed ones come at once, before tick 4 is due; tick 4 waits for its time.
    assert!(
        ticks[2].1 < PERIOD * 4,
        "the burst took until {:?}",
        ticks[2].1
    );
    assert!(ticks[3].1 >= PERIOD * 4);
}

#[test]
#[cfg_attr(
    miri,
    ignore = "timings: Miri runs far too slowly for the test's tolerances"
)]
#[should_panic(expected = "`interval` needs a period above zero")]
fn an_interval_of_zero_panics() {
    let _ = interval(Duration::ZERO);
}
