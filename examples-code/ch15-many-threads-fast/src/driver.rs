//! The driver: the book-keeping one worker at a time does. It owns the `mio::Poll` (whose
//! `poll` takes `&mut self`), sleeps in it until an OS event, the timerfd or a `mio::Waker`,
//! and then wakes the tasks whose sockets and timers are ready. A worker takes it to sleep
//! in (`Parker::park`) and, every 61 polls, to look without sleeping (`Parker::poll_driver`).

use crate::park::{Driver, Unpark};
use crate::reactor::Reactor;
use crate::timers::Timers;
use crate::trace::{self, Event};
use mio::{Events, Poll, Token};
use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The token of the `mio::Waker`; a socket's token is its slab key, far below.
pub(crate) const WAKE_TOKEN: Token = Token(usize::MAX);
/// The token of the timers' timerfd (none under Miri).
#[cfg_attr(miri, allow(dead_code))]
pub(crate) const TIMER_TOKEN: Token = Token(usize::MAX - 1);

// ANCHOR: driver
/// What the worker holding the driver owns.
pub(crate) struct MioDriver {
    poll: Poll,
    events: Events,
    reactor: Arc<Reactor>,
    timers: Arc<Timers>,
    /// Calls to `mio::Poll::poll`, sleeping or not (for the tests).
    turns: Arc<AtomicU64>,
}
// ANCHOR_END: driver

impl MioDriver {
    pub(crate) fn new(
        poll: Poll,
        reactor: Arc<Reactor>,
        timers: Arc<Timers>,
        turns: Arc<AtomicU64>,
    ) -> io::Result<MioDriver> {
        #[cfg(not(miri))]
        {
            use std::os::fd::AsRawFd;
            let fd = timers.timerfd().as_raw_fd();
            poll.registry().register(
                &mut mio::unix::SourceFd(&fd),
                TIMER_TOKEN,
                mio::Interest::READABLE,
            )?;
        }
        Ok(MioDriver {
            poll,
            events: Events::with_capacity(1024),
            reactor,
            timers,
            turns,
        })
    }
}

// ANCHOR: park
impl Driver for MioDriver {
    /// One `epoll_wait`: for at most `timeout`, or until an event, the timerfd (armed at the
    /// earliest deadline) or a `mio::Waker` wake; then the events' tasks and the due timers'
    /// are woken. Without a timerfd (under Miri), the timeout is the earliest deadline,
    /// which mio rounds up to whole milliseconds.
    fn park(&mut self, timeout: Option<Duration>) {
        let timeout = if timeout.is_some_and(|timeout| timeout.is_zero()) {
            timeout
        } else {
            let now = Instant::now();
            match self.timers.next_deadline() {
                Some(deadline) if deadline <= now => Some(Duration::ZERO),
                Some(deadline) if !self.timers.has_timerfd() => {
                    let left = deadline - now;
                    Some(timeout.map_or(left, |timeout| timeout.min(left)))
                }
                _ => timeout,
            }
        };
        self.turns.fetch_add(1, Ordering::Relaxed);
        let started = trace::ENABLED.then(Instant::now);
        match self.poll.poll(&mut self.events, timeout) {
            Ok(()) => {}
            // A signal cut the sleep short: the worker just looks around again.
            Err(error) if error.kind() == io::ErrorKind::Interrupted => self.events.clear(),
            Err(error) => panic!("mio::Poll::poll failed: {error}"),
        }
        if let Some(started) = started {
            let events = self.events.iter().count() as u32;
            trace::record(|| Event::EpollWait {
                nanos: trace::nanos(started.elapsed()),
                events,
            });
        }
        for event in &self.events {
            match event.token() {
                WAKE_TOKEN => {}
                #[cfg(not(miri))]
                TIMER_TOKEN => {
                    self.timers.timerfd().reset();
                }
                _ => self.reactor.dispatch(event),
            }
        }
        self.events.clear();
        self.timers.fire_due(Instant::now());
    }
}
// ANCHOR_END: park

/// `Unpark` for the driver: a `mio::Waker`, an eventfd in the driver's epoll set.
pub(crate) struct MioUnpark(pub(crate) mio::Waker);

impl Unpark for MioUnpark {
    fn unpark(&self) {
        // An error would mean the eventfd is gone with the runtime: nobody to wake.
        let _ = self.0.wake();
    }
}
