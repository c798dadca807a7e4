//! Exercise 8.1: an interval that knows what to do with the ticks it missed, with tokio's
//! three answers. `Burst` gives them at once (chapter 8's `interval`), `Delay` starts a new
//! schedule from the late tick, `Skip` drops them and stays on the old schedule.
// xtask: numbers-vary

use ch08_timers::Runtime;
use ch08_timers::time::{Sleep, sleep_until};
use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::{Duration, Instant};

/// The demo's time unit: the interval's period.
const UNIT: Duration = Duration::from_millis(100);

// ANCHOR: interval
/// What an interval does when a tick comes late, like tokio's `MissedTickBehavior`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum MissedTickBehavior {
    /// The missed ticks come at once, one per call, until the schedule has caught up.
    Burst,
    /// The next tick is a period after the late one *came*: a new schedule.
    Delay,
    /// The missed ticks are dropped; the next tick is the next one on the old schedule.
    Skip,
}

/// Ticks every `period`, the first at once; late ticks are handled by `behavior`.
fn interval(period: Duration, behavior: MissedTickBehavior) -> Interval {
    assert!(!period.is_zero(), "`interval` needs a period above zero");
    Interval {
        period,
        behavior,
        sleep: sleep_until(Instant::now()),
    }
}

struct Interval {
    period: Duration,
    behavior: MissedTickBehavior,
    /// Sleeps until the next tick is due.
    sleep: Sleep,
}

impl Interval {
    /// Waits for the next tick and returns when it was due (not when it came).
    async fn tick(&mut self) -> Instant {
        poll_fn(|cx| self.poll_tick(cx)).await
    }

    fn poll_tick(&mut self, cx: &mut Context<'_>) -> Poll<Instant> {
        ready!(Pin::new(&mut self.sleep).poll(cx));
        let due = self.sleep.deadline();
        let now = Instant::now();
        let next = match self.behavior {
            MissedTickBehavior::Burst => due + self.period,
            MissedTickBehavior::Delay => now + self.period,
            MissedTickBehavior::Skip => {
                // Whole periods between the due time and now: ticks that are lost.
                let missed = (now - due).as_nanos() / self.period.as_nanos();
                due + self.period * (missed as u32 + 1)
            }
        };
        self.sleep.reset(next);
        Poll::Ready(due)
    }
}
// ANCHOR_END: interval

// ANCHOR: demo
/// Takes two ticks, stalls the thread for 3.5 periods (a slow consumer), then takes four more;
/// returns when each tick was due, in periods after the first.
fn due_times(behavior: MissedTickBehavior, period: Duration) -> Vec<f64> {
    Runtime::new().unwrap().block_on(async {
        let mut interval = interval(period, behavior);
        let start = interval.tick().await;
        let mut due = vec![start];
        due.push(interval.tick().await);
        std::thread::sleep(period * 7 / 2); // busy: the runtime's thread does nothing else
        for _ in 0..4 {
            due.push(interval.tick().await);
        }
        due.iter()
            .map(|t| (*t - start).as_secs_f64() / period.as_secs_f64())
            .collect()
    })
}

fn main() {
    use MissedTickBehavior::*;
    println!("a stall of 3.5 periods after tick 1; when each tick was due, in periods:");
    for behavior in [Burst, Delay, Skip] {
        let due: Vec<String> = due_times(behavior, UNIT)
            .iter()
            .map(|t| format!("{t:.1}"))
            .collect();
        println!("{:<6} {}", format!("{behavior:?}:"), due.join("  "));
    }
}
// ANCHOR_END: demo

#[cfg(test)]
mod tests;
