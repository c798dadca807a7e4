//! The driver: the book-keeping one worker at a time does, behind a lock. It owns the
//! `mio::Poll` (whose `poll` takes `&mut self`), sleeps in it until an OS event, the earliest
//! timer or a `mio::Waker`, and then wakes the tasks whose sockets and timers are ready.

use crate::reactor::Reactor;
use crate::scheduler::{Park, Unpark};
use crate::timers::Timers;
use mio::{Events, Poll, Token};
use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The token of the `mio::Waker`; a socket's token is its slab key, far below.
pub(crate) const WAKE_TOKEN: Token = Token(usize::MAX);

// ANCHOR: driver
/// What the worker holding the driver's lock owns.
pub(crate) struct Driver {
    poll: Poll,
    events: Events,
    reactor: Arc<Reactor>,
    timers: Arc<Timers>,
    /// Calls to `mio::Poll::poll`, sleeping or not (for the tests).
    turns: Arc<AtomicU64>,
}
// ANCHOR_END: driver

impl Driver {
    pub(crate) fn new(
        poll: Poll,
        reactor: Arc<Reactor>,
        timers: Arc<Timers>,
        turns: Arc<AtomicU64>,
    ) -> Driver {
        Driver {
            poll,
            events: Events::with_capacity(1024),
            reactor,
            timers,
            turns,
        }
    }

    /// One call to `mio::Poll::poll`; the events wait in `self.events` for `dispatch`.
    fn poll(&mut self, timeout: Option<Duration>) {
        self.turns.fetch_add(1, Ordering::Relaxed);
        match self.poll.poll(&mut self.events, timeout) {
            Ok(()) => {}
            // A signal cut the sleep short: the worker just looks around again.
            Err(error) if error.kind() == io::ErrorKind::Interrupted => self.events.clear(),
            Err(error) => panic!("mio::Poll::poll failed: {error}"),
        }
    }

    // ANCHOR: book_keeping
    /// Step 1 of the worker loop: look at the OS without sleeping (a zero timeout), and
    /// wake whatever is ready or due.
    pub(crate) fn book_keeping(&mut self) {
        self.poll(Some(Duration::ZERO));
        self.dispatch();
    }
    // ANCHOR_END: book_keeping
}

// ANCHOR: park
impl Park for Driver {
    /// Sleeps in `epoll_wait` until a socket event, a `mio::Waker` wake, or the earliest
    /// deadline. mio rounds the timeout *up* to whole milliseconds, so the driver never wakes
    /// before the deadline it slept for.
    fn park(&mut self) {
        let timeout = self
            .timers
            .next_deadline()
            .map(|deadline| deadline.saturating_duration_since(Instant::now()));
        self.poll(timeout);
    }

    /// Wakes the tasks of the sockets mio reported, then those whose deadline has passed.
    fn dispatch(&mut self) {
        for event in &self.events {
            if event.token() != WAKE_TOKEN {
                self.reactor.dispatch(event);
            }
        }
        self.events.clear();
        self.timers.fire_due(Instant::now());
    }
}
// ANCHOR_END: park

/// `Unpark` for the queue: a `mio::Waker`, an eventfd in the driver's epoll set.
pub(crate) struct MioUnpark(pub(crate) mio::Waker);

impl Unpark for MioUnpark {
    fn unpark(&self) {
        // An error would mean the eventfd is gone with the runtime: nobody to wake.
        let _ = self.0.wake();
    }
}
