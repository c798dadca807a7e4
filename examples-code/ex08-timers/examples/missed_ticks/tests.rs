use super::*;
use std::sync::mpsc;
use std::thread;

/// Runs `f` on a thread of its own and fails the test if it takes longer than 20 s.
fn within<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (sender, receiver) = mpsc::channel();
    thread::spawn(move || {
        let _ = sender.send(f());
    });
    receiver
        .recv_timeout(Duration::from_secs(20))
        .expect("not finished in 20 s, or the test's thread panicked")
}

const PERIOD: Duration = Duration::from_millis(100);

/// One tick: when it was due and when it came, in periods after the first tick was due.
#[derive(Debug, Clone, Copy)]
struct Tick {
    due: f64,
    came: f64,
}

/// Two ticks, a stall of 3.5 periods, four more ticks.
fn ticks(behavior: MissedTickBehavior) -> Vec<Tick> {
    within(move || {
        Runtime::new().unwrap().block_on(async move {
            let mut interval = interval(PERIOD, behavior);
            let mut raw = Vec::new();
            for n in 0..6 {
                if n == 2 {
                    thread::sleep(PERIOD * 7 / 2);
                }
                let due = interval.tick().await;
                raw.push((due, Instant::now()));
            }
            let start = raw[0].0;
            let periods = |t: Instant| (t - start).as_secs_f64() / PERIOD.as_secs_f64();
            raw.iter()
                .map(|&(due, came)| Tick {
                    due: periods(due),
                    came: periods(came),
                })
                .collect()
        })
    })
}

fn assert_near(got: f64, want: f64, ticks: &[Tick]) {
    assert!((got - want).abs() < 1e-6, "{got} is not {want}: {ticks:?}");
}

#[test]
#[cfg_attr(miri, ignore = "Miri has no timerfd")]
fn burst_gives_the_missed_ticks_at_once_and_keeps_the_schedule() {
    let ticks = ticks(MissedTickBehavior::Burst);
    for (n, tick) in ticks.iter().enumerate() {
        assert_near(tick.due, n as f64, &ticks);
    }
    // Ticks 2, 3 and 4 were all due during the stall: they come together, at its end, not a
    // period apart (a loaded machine may put a little time between them, not a period).
    assert!(ticks[4].came - ticks[2].came < 1.0, "{ticks:?}");
}

#[test]
#[cfg_attr(miri, ignore = "Miri has no timerfd")]
fn delay_starts_a_new_schedule_from_the_late_tick() {
    let ticks = ticks(MissedTickBehavior::Delay);
    assert!(ticks[2].came >= 4.5, "the stall ended early: {ticks:?}");
    // Every tick is due a period after the one before it came: after the stall, a new
    // schedule, not the old one (which would have ticks due at 3, 4, 5).
    // (The interval reads the clock a moment before the tick is seen to come, so the next
    // is due at most a period after it came, and a loaded machine may widen that moment.)
    for pair in ticks.windows(2) {
        let after = pair[1].due - (pair[0].came + 1.0);
        assert!(after <= 1e-6 && after > -0.5, "{ticks:?}");
    }
    assert!(ticks[3].due >= 5.5, "{ticks:?}");
}

#[test]
#[cfg_attr(miri, ignore = "Miri has no timerfd")]
fn skip_drops_the_missed_ticks_and_stays_on_the_old_schedule() {
    let ticks = ticks(MissedTickBehavior::Skip);
    assert_near(ticks[2].due, 2.0, &ticks); // the late tick keeps its due time
    let late = ticks[2].came;
    assert!(late >= 4.5, "the stall ended early: {ticks:?}");
    // The next tick is the first point of the old schedule after the late tick came.
    let next = late.floor() + 1.0;
    assert_near(ticks[3].due, next, &ticks);
    assert_near(ticks[4].due, next + 1.0, &ticks);
    assert_near(ticks[5].due, next + 2.0, &ticks);
}

#[test]
#[cfg_attr(miri, ignore = "Miri has no timerfd")]
fn no_tick_comes_before_it_is_due() {
    for behavior in [
        MissedTickBehavior::Burst,
        MissedTickBehavior::Delay,
        MissedTickBehavior::Skip,
    ] {
        let ticks = ticks(behavior);
        assert!(
            ticks.iter().all(|t| t.came >= t.due),
            "{behavior:?}: {ticks:?}"
        );
    }
}

#[test]
#[cfg_attr(miri, ignore = "Miri has no timerfd")]
fn main_runs() {
    within(main);
}
