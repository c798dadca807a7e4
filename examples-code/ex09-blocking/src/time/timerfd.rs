//! The chapter's first design: one kernel timer per sleep. Each `Sleep` makes a `timerfd`,
//! arms it, and registers it in the runtime's epoll set like a socket; the reactor wakes the
//! task when it turns readable. It works, and every sleep costs a file descriptor and about
//! ten system calls. The runtime's `time::sleep` uses the timer queue instead.

use crate::reactor::{Direction, Registered};
use crate::runtime::current_reactor;
use crate::sys::TimerFd;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

/// Waits until `duration` has passed, with a timerfd of its own.
pub fn sleep(duration: Duration) -> Sleep {
    Sleep {
        deadline: Instant::now() + duration,
        timer: None,
    }
}

/// The future of `timerfd::sleep`. Its output is an `io::Result`: a timer that needs a file
/// descriptor can fail for want of one (`EMFILE`).
#[must_use = "a Sleep does nothing unless awaited"]
pub struct Sleep {
    deadline: Instant,
    /// The armed timerfd in the epoll set, from the first poll on. Dropping it takes it out
    /// of the set and closes it: that is the whole of cancellation.
    timer: Option<Registered<TimerFd>>,
}

impl Future for Sleep {
    type Output = io::Result<()>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        if this.timer.is_none() {
            let left = this.deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Poll::Ready(Ok(()));
            }
            // timerfd_create, timerfd_settime, epoll_ctl(ADD): three calls before any wait.
            let timer = TimerFd::new()?;
            timer.set(left)?;
            this.timer = Some(Registered::new(timer, current_reactor())?);
        }
        let timer = this.timer.as_ref().expect("made above");
        // The socket pattern: `read` says WouldBlock until the timer expires, and then how
        // many times it expired (1). A WouldBlock arms the registration and waits.
        match timer.poll_io(cx, Direction::Read, TimerFd::read) {
            Poll::Ready(result) => Poll::Ready(result.map(|_expirations| ())),
            Poll::Pending => Poll::Pending,
        }
    }
}
