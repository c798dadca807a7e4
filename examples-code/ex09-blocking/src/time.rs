//! Timers, with an API like `tokio::time`'s: `sleep`, `sleep_until`, `interval` and
//! `timeout`. A `Sleep` is an entry in the runtime's timer queue (`timers.rs`), made at its
//! first poll and taken out when it finishes or is dropped.
//!
//! `time::timerfd` holds the first design of the chapter, a kernel timer per sleep, kept to
//! compare the two.

pub mod timerfd;

use crate::runtime::current_timers;
use crate::timers::{Key, Timers};
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
        entry: None,
    }
}

/// The future of `sleep`: ready once its deadline has passed, never before.
///
/// It is an entry in the timer queue of the runtime that first polls it. Dropping it takes
/// the entry out: a cancelled sleep wakes nobody.
#[must_use = "a Sleep does nothing unless awaited"]
pub struct Sleep {
    deadline: Instant,
    /// The queue and the key of its entry, from the first poll that found it not due.
    entry: Option<(Arc<Timers>, Key)>,
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = &mut *self;
        // The clock decides, never the wake: a sleep polled early (by a task woken for
        // another reason) is still pending.
        if Instant::now() >= this.deadline {
            this.cancel();
            return Poll::Ready(());
        }
        let (timers, key) = this.entry.get_or_insert_with(|| {
            let timers = current_timers();
            let key = timers.key(this.deadline);
            (timers, key)
        });
        // The latest poll's waker: the future may have moved to another task since.
        timers.register(*key, cx.waker());
        Poll::Pending
    }
}
// ANCHOR_END: sleep

// ANCHOR: sleep_drop
impl Sleep {
    /// Takes the entry out of the queue, if there is one.
    fn cancel(&mut self) {
        if let Some((timers, key)) = self.entry.take() {
            timers.remove(key);
        }
    }

    /// Moves the deadline (like tokio's `Sleep::reset`): the old entry goes, and the next poll
    /// makes one for the new deadline.
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
    /// Cancellation: the entry leaves the queue, so it is never woken and the runtime stops
    /// counting it when it works out how long it may sleep.
    fn drop(&mut self) {
        self.cancel();
    }
}
// ANCHOR_END: sleep_drop

// ANCHOR: interval
/// Ticks every `period`, like `tokio::time::interval`: the first tick is at once.
///
/// When a tick is late (the task was busy), the ticks it missed come at once, one per call,
/// until the interval has caught up: tokio's default, `MissedTickBehavior::Burst`. The
/// schedule never drifts: tick *n* is due at `start + n * period`.
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
        // Burst: the next tick is a period after this one was *due*, however late it came.
        // (`MissedTickBehavior::Delay` would take `Instant::now() + period` instead.)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Runtime;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::task::{Wake, Waker};

    struct Count(AtomicUsize);

    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "Miri's epoll supports only edge-triggered registrations"
    )]
    fn a_dropped_sleep_leaves_the_queue_and_is_never_woken() {
        let woken = Runtime::new().unwrap().block_on(async {
            let count = Arc::new(Count(AtomicUsize::new(0)));
            let waker = Waker::from(Arc::clone(&count));
            let mut cancelled = sleep(Duration::from_millis(20));
            let polled = Pin::new(&mut cancelled).poll(&mut Context::from_waker(&waker));
            assert!(polled.is_pending());
            assert_eq!(current_timers().len(), 1, "the first poll made the entry");
            drop(cancelled);
            assert_eq!(current_timers().len(), 0, "dropping took it out");
            sleep(Duration::from_millis(60)).await; // well past its deadline
            count.0.load(Ordering::SeqCst)
        });
        assert_eq!(woken, 0);
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "Miri's epoll supports only edge-triggered registrations"
    )]
    fn a_finished_sleep_leaves_no_entry() {
        Runtime::new().unwrap().block_on(async {
            sleep(Duration::from_millis(5)).await;
            let mut early = sleep(Duration::from_millis(5));
            let noop = Waker::noop();
            let _ = Pin::new(&mut early).poll(&mut Context::from_waker(noop));
            sleep(Duration::from_millis(10)).await;
            // `early`'s deadline passed while we slept: the runtime fired its entry.
            assert_eq!(current_timers().len(), 0, "fired entries are gone");
            early.await; // and the clock says it is over
        });
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "Miri's epoll supports only edge-triggered registrations"
    )]
    fn ten_thousand_timers_in_the_queue_all_finish_and_none_early() {
        // xorshift: the same pseudo-random durations, 0 to 200 ms, every run.
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut durations = Vec::new();
        for _ in 0..10_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            durations.push(Duration::from_micros(seed % 200_000));
        }
        let runtime = Runtime::new().unwrap();
        let early = runtime.block_on(async {
            let sleeps = durations.into_iter().map(|duration| async move {
                let deadline = Instant::now() + duration;
                sleep(duration).await;
                Instant::now() < deadline
            });
            let early = futures::future::join_all(sleeps).await;
            assert_eq!(current_timers().len(), 0, "every entry is gone");
            early.into_iter().filter(|early| *early).count()
        });
        assert_eq!(early, 0);
    }
}
