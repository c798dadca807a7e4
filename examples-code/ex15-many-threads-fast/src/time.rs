//! Timers, with an API like `tokio::time`'s: `sleep`, `sleep_until`, `interval` and
//! `timeout`. A `Sleep` is an entry in the timer heap (`timers.rs`) of the runtime that
//! first polls it, made at its first poll that finds it not due; the worker holding the
//! driver fires it.

use crate::coop;
use crate::runtime::Handle;
use crate::timers::Timer;
use std::fmt;
use std::future::{Future, poll_fn};
use std::io;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::task::{Context, Poll, ready};
use std::time::{Duration, Instant};

// ANCHOR: sleep
/// Waits until `duration` has passed, like `tokio::time::sleep`. The deadline is taken now,
/// when `sleep` is called, not at the first poll.
pub fn sleep(duration: Duration) -> Sleep {
    // A duration too long to add (`Duration::MAX`) is as good as never.
    let far_future = || Instant::now() + Duration::from_secs(86_400 * 365 * 30);
    sleep_until(
        Instant::now()
            .checked_add(duration)
            .unwrap_or_else(far_future),
    )
}

/// Waits until `deadline`, like `tokio::time::sleep_until`.
pub fn sleep_until(deadline: Instant) -> Sleep {
    Sleep {
        deadline,
        timer: None,
    }
}

/// The future of `sleep`: ready once its deadline has passed, never before. Dropping it
/// cancels its timer: a cancelled sleep wakes nobody.
///
/// It belongs to the runtime that first polls it (a task of it, or its `block_on`); a
/// poll outside a runtime, of a sleep not yet due, panics.
#[must_use = "a Sleep does nothing unless awaited"]
pub struct Sleep {
    deadline: Instant,
    /// Its runtime and its entry in the heap, from the first poll that found it not due.
    timer: Option<(Handle, Arc<Timer>)>,
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = &mut *self;
        // The clock decides, never the wake: a sleep polled early is still pending.
        if Instant::now() >= this.deadline {
            // A sleep that is over is an operation: it spends a unit of the task's budget.
            ready!(coop::poll_proceed(cx));
            this.cancel();
            return Poll::Ready(());
        }
        match &this.timer {
            // Registered already: hand over the waker only if it changed.
            Some((handle, timer)) => handle.shared.timers.update(timer, cx.waker()),
            // The first poll: an entry in the heap of the current runtime (which re-arms the
            // timerfd if it is the earliest).
            None => {
                let handle = Handle::try_current().expect(
                    "a sleep was polled outside of a runtime: await it in a task or inside \
                     `Runtime::block_on`",
                );
                let timer = handle.shared.timers.insert(this.deadline, cx.waker());
                this.timer = Some((handle, timer));
            }
        }
        Poll::Pending
    }
}
// ANCHOR_END: sleep

impl Sleep {
    /// Cancels the timer, if there is one.
    fn cancel(&mut self) {
        if let Some((handle, timer)) = self.timer.take() {
            handle.shared.timers.cancel(&timer);
        }
    }

    /// Moves the deadline (like tokio's `Sleep::reset`): the old timer is cancelled, and
    /// the next poll makes one for the new deadline.
    pub fn reset(&mut self, deadline: Instant) {
        self.cancel();
        self.deadline = deadline;
    }

    /// When the sleep is over.
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// Whether the deadline has passed.
    pub fn is_elapsed(&self) -> bool {
        Instant::now() >= self.deadline
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        self.cancel();
    }
}

// ANCHOR: interval
/// Ticks every `period`, like `tokio::time::interval`: the first tick is at once. Missed
/// ticks come at once, one per call, until the interval has caught up (tokio's default,
/// `MissedTickBehavior::Burst`): tick *n* is due at `start + n * period`.
///
/// # Panics
///
/// When `period` is zero.
pub fn interval(period: Duration) -> Interval {
    assert!(!period.is_zero(), "`interval` needs a period above zero");
    Interval {
        period,
        sleep: sleep_until(Instant::now()),
    }
}

/// The stream of ticks of `interval`.
pub struct Interval {
    period: Duration,
    /// Sleeps until the next tick is due.
    sleep: Sleep,
}

impl Interval {
    /// Waits for the next tick and returns when it was due (not when it came).
    pub async fn tick(&mut self) -> Instant {
        poll_fn(|cx| self.poll_tick(cx)).await
    }

    /// The poll behind `tick`.
    pub fn poll_tick(&mut self, cx: &mut Context<'_>) -> Poll<Instant> {
        ready!(Pin::new(&mut self.sleep).poll(cx));
        let due = self.sleep.deadline();
        self.sleep.reset(due + self.period);
        Poll::Ready(due)
    }

    /// The interval's period.
    pub fn period(&self) -> Duration {
        self.period
    }
}
// ANCHOR_END: interval

// ANCHOR: timeout
/// Runs `future`, but gives up when `duration` has passed first, like `tokio::time::timeout`:
/// `Err(Elapsed)`, and `future` is dropped (cancelled). The future is polled before the
/// timer, so one that is ready wins even when the time is up.
pub fn timeout<F: Future>(
    duration: Duration,
    future: F,
) -> impl Future<Output = Result<F::Output, Elapsed>> {
    let mut sleep = sleep(duration); // the deadline counts from the call
    async move {
        let mut future = pin!(future);
        poll_fn(|cx| {
            if let Poll::Ready(output) = future.as_mut().poll(cx) {
                return Poll::Ready(Ok(output));
            }
            ready!(Pin::new(&mut sleep).poll(cx));
            Poll::Ready(Err(Elapsed(())))
        })
        .await
    }
}

/// The error of `timeout`: the deadline passed before the future finished.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Elapsed(());

impl fmt::Display for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("deadline has elapsed")
    }
}

impl fmt::Debug for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Elapsed")
    }
}

impl std::error::Error for Elapsed {}

/// `Elapsed` as `io::ErrorKind::TimedOut`, so that `?` works in I/O code (tokio does the same).
impl From<Elapsed> for io::Error {
    fn from(elapsed: Elapsed) -> io::Error {
        io::Error::new(io::ErrorKind::TimedOut, elapsed)
    }
}
// ANCHOR_END: timeout
