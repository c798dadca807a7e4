//! The reactor: which task waits for which socket. A slab maps each `mio::Token` to the
//! socket's readiness and the wakers of the tasks that wait to read and to write; the driver
//! fills in readiness from mio's events, and the socket futures use it.

use crate::coop;
use crate::sync::lock_std as lock;
use mio::event::{Event, Source};
use mio::{Interest, Registry, Token};
use slab::Slab;
use std::io;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker, ready};

/// Which half of a socket a task waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Direction {
    Read = 0,
    Write = 1,
}

impl Direction {
    fn bit(self) -> usize {
        1 << self as usize
    }
}

/// Both readiness bits.
const READY_BOTH: usize = 0b11;
/// The rest of the readiness word counts the events the driver has delivered (the *tick*).
const TICK_ONE: usize = 0b100;

// ANCHOR: scheduled_io
/// One registered socket: what mio said it is ready for, and who waits.
pub(crate) struct ScheduledIo {
    /// Bit 0: readable, bit 1: writable; above them, a count of events. An edge from mio sets
    /// a bit; only a `WouldBlock` clears it, and only if no event came in between.
    readiness: AtomicUsize,
    /// The latest waker of the task waiting to read, and of the one waiting to write.
    wakers: Mutex<[Option<Waker>; 2]>,
}

/// Every registered socket, by token.
pub(crate) struct Reactor {
    registry: Registry,
    sources: Mutex<Slab<Arc<ScheduledIo>>>,
}
// ANCHOR_END: scheduled_io

impl Reactor {
    pub(crate) fn new(registry: Registry) -> Reactor {
        Reactor {
            registry,
            sources: Mutex::new(Slab::new()),
        }
    }

    // ANCHOR: dispatch
    /// The driver's half: mio says the socket of `event.token()` is ready. Set the bits,
    /// then wake whoever waits for them.
    pub(crate) fn dispatch(&self, event: &Event) {
        let Some(io) = lock(&self.sources).get(event.token().0).cloned() else {
            return; // deregistered since
        };
        // An error or a hang-up wakes both sides: their next call returns it.
        let mut ready = 0;
        if event.is_readable() || event.is_read_closed() || event.is_error() {
            ready |= Direction::Read.bit();
        }
        if event.is_writable() || event.is_write_closed() || event.is_error() {
            ready |= Direction::Write.bit();
        }
        // Set the bits and move the tick on, in one step.
        let _ = io
            .readiness
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |word| {
                Some((word & !READY_BOTH).wrapping_add(TICK_ONE) | (word & READY_BOTH) | ready)
            });
        let mut woken = Vec::with_capacity(2);
        {
            let mut wakers = lock(&io.wakers);
            for direction in [Direction::Read, Direction::Write] {
                if ready & direction.bit() != 0 {
                    woken.extend(wakers[direction as usize].take());
                }
            }
        }
        for waker in woken {
            waker.wake();
        }
    }
    // ANCHOR_END: dispatch

    /// How many sockets are registered.
    pub(crate) fn len(&self) -> usize {
        lock(&self.sources).len()
    }
}

// ANCHOR: registered
/// A mio socket registered with the reactor for both directions, edge-triggered, for as
/// long as it lives.
pub(crate) struct Registered<S: Source> {
    source: S,
    io: Arc<ScheduledIo>,
    token: usize,
    reactor: Arc<Reactor>,
}

impl<S: Source> Registered<S> {
    pub(crate) fn new(mut source: S, reactor: Arc<Reactor>) -> io::Result<Registered<S>> {
        // Optimistic: a new socket is taken to be ready both ways, so the first call is
        // simply made; its `WouldBlock` clears the bit.
        let io = Arc::new(ScheduledIo {
            readiness: AtomicUsize::new(READY_BOTH),
            wakers: Mutex::new([None, None]),
        });
        let token = lock(&reactor.sources).insert(Arc::clone(&io));
        let interest = Interest::READABLE | Interest::WRITABLE;
        if let Err(error) = reactor
            .registry
            .register(&mut source, Token(token), interest)
        {
            lock(&reactor.sources).remove(token);
            return Err(error);
        }
        Ok(Registered {
            source,
            io,
            token,
            reactor,
        })
    }

    /// Makes the call `op` when the socket may be ready for `direction`. `WouldBlock` clears
    /// the readiness, leaves the task's waker for `direction` and returns `Pending`; any other
    /// result is the call's.
    pub(crate) fn poll_io<R>(
        &self,
        cx: &mut Context<'_>,
        direction: Direction,
        mut op: impl FnMut(&S) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        // One unit of the task's budget: a socket that is always ready still lets the task
        // return `Pending` after 128 operations (`coop.rs`).
        ready!(coop::poll_proceed(cx));
        let bit = direction.bit();
        loop {
            let seen = self.io.readiness.load(Ordering::Acquire);
            if seen & bit == 0 {
                // Not ready: leave the waker first, then look again, so that an event that
                // came meanwhile is not missed (the driver sets the bit before it takes the
                // waker).
                {
                    let mut wakers = lock(&self.io.wakers);
                    let slot = &mut wakers[direction as usize];
                    if !slot.as_ref().is_some_and(|old| old.will_wake(cx.waker())) {
                        *slot = Some(cx.waker().clone());
                    }
                }
                if self.io.readiness.load(Ordering::Acquire) & bit == 0 {
                    coop::refund(); // not ready: nothing spent
                    return Poll::Pending;
                }
                continue;
            }
            match op(&self.source) {
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => {
                    // Edge-triggered: no new event comes until the socket turns ready again,
                    // so the bit must go. But if an event came after `seen` was read (the
                    // tick moved), the bit is news: keep it and try again.
                    let _ = self.io.readiness.compare_exchange(
                        seen,
                        seen & !bit,
                        Ordering::AcqRel,
                        Ordering::Acquire,
                    );
                }
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                result => return Poll::Ready(result),
            }
        }
    }
    // ANCHOR_END: registered

    pub(crate) fn get_ref(&self) -> &S {
        &self.source
    }

    pub(crate) fn reactor(&self) -> &Arc<Reactor> {
        &self.reactor
    }
}

impl<S: Source> Drop for Registered<S> {
    /// Leaves mio's interest list and the slab. The token may be reused at once; an event
    /// for the old socket still in the driver's hands then sets a bit of the new one, which
    /// costs that one a `WouldBlock`, nothing more.
    fn drop(&mut self) {
        let _ = self.reactor.registry.deregister(&mut self.source);
        lock(&self.reactor.sources).remove(self.token);
    }
}
