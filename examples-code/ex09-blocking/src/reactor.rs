//! The reactor: the part of the runtime that turns "this socket is readable" from `epoll` into
//! a wake of the task that wanted to read it.
//!
//! Each registered socket is a `Source` with a token of its own (tokens of sockets have the top
//! bit set, so they never meet the tokens of tasks) and, per direction, the waker of the task
//! that last found the socket not ready. Registrations are level-triggered and `EPOLLONESHOT`:
//! a socket is armed only while some task waits on it, and reports once per arming.

use crate::sys::Epoll;
use std::collections::HashMap;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

// ANCHOR: token
/// The top bit of a token says "a socket": tasks count up from 1 and never get there.
const SOURCE: u64 = 1 << 63;

/// Whether an epoll token is a socket's (else it is the main future's or a task's eventfd).
pub(crate) fn is_source(token: u64) -> bool {
    token & SOURCE != 0
}
// ANCHOR_END: token

/// Which readiness an operation waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Direction {
    /// `EPOLLIN`: `read`, `recv_from` and `accept`.
    Read,
    /// `EPOLLOUT`: `write`, `send_to`, and the end of a `connect`.
    Write,
}

// ANCHOR: reactor
/// The epoll set, shared by the runtime (for the tasks' eventfds) and by every socket (to arm
/// and remove itself), and the sockets' sources by token.
pub(crate) struct Reactor {
    pub(crate) epoll: Epoll,
    sources: Mutex<HashMap<u64, Arc<Source>>>,
    /// The next socket's token, without the `SOURCE` bit. Never reused: a token that reaches
    /// the reactor after its socket is gone finds nobody, instead of a newer socket.
    next: AtomicU64,
}

/// One registered socket.
pub(crate) struct Source {
    token: u64,
    /// The socket's fd number, for `epoll_ctl(MOD)`. Valid while `state.closed` is false.
    fd: RawFd,
    state: Mutex<State>,
}

/// What a socket waits for, under its lock.
#[derive(Default)]
struct State {
    /// The waker of the last task that found the socket not readable, if it still waits.
    reader: Option<Waker>,
    /// The same for writable.
    writer: Option<Waker>,
    /// The events the kernel's registration is armed for now (0: disarmed).
    armed: u32,
    /// Set, under the lock, just before the fd is taken out of the set and closed.
    closed: bool,
}
// ANCHOR_END: reactor

impl State {
    /// The events somebody waits for.
    fn interest(&self) -> u32 {
        let mut events = 0;
        if self.reader.is_some() {
            events |= libc::EPOLLIN as u32;
        }
        if self.writer.is_some() {
            events |= libc::EPOLLOUT as u32;
        }
        events
    }
}

/// Locks a mutex, and goes on if a panic poisoned it: the state is a few wakers and flags,
/// and every write to it leaves it consistent.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Reactor {
    pub(crate) fn new() -> io::Result<Reactor> {
        Ok(Reactor {
            epoll: Epoll::new()?,
            sources: Mutex::new(HashMap::new()),
            next: AtomicU64::new(0),
        })
    }

    // ANCHOR: register
    /// Adds `fd` to the epoll set under a new token, armed for nothing yet.
    fn register(&self, fd: BorrowedFd<'_>) -> io::Result<Arc<Source>> {
        let token = SOURCE | self.next.fetch_add(1, Ordering::Relaxed);
        // With no events and EPOLLONESHOT, the registration is disarmed from the start.
        // (EPOLLERR and EPOLLHUP are reported even then, but at most once.)
        self.epoll.add(fd, token, libc::EPOLLONESHOT as u32)?;
        let source = Arc::new(Source {
            token,
            fd: fd.as_raw_fd(),
            state: Mutex::new(State::default()),
        });
        lock(&self.sources).insert(token, Arc::clone(&source));
        Ok(source)
    }

    /// Takes the socket out of the set and forgets its source. Called before the fd closes.
    fn deregister(&self, source: &Source, fd: BorrowedFd<'_>) {
        let mut state = lock(&source.state);
        state.closed = true;
        state.reader = None;
        state.writer = None;
        let _ = self.epoll.delete(fd);
        drop(state);
        lock(&self.sources).remove(&source.token);
    }
    // ANCHOR_END: register

    // ANCHOR: arm
    /// Keeps `waker` as the one to wake when the socket is ready in `direction`, and arms the
    /// registration for it. Called by an operation that just got `WouldBlock`.
    ///
    /// Only the latest waker per direction is kept: a future that is polled again, perhaps by
    /// another task, must be woken with the waker of its latest poll (chapter 3).
    fn arm(&self, source: &Source, direction: Direction, waker: &Waker) -> io::Result<()> {
        let mut state = lock(&source.state);
        let slot = match direction {
            Direction::Read => &mut state.reader,
            Direction::Write => &mut state.writer,
        };
        match slot {
            // The same task polls again: keep the waker we have, no clone.
            Some(stored) if stored.will_wake(waker) => {}
            _ => *slot = Some(waker.clone()),
        }
        let interest = state.interest();
        if state.armed & interest != interest && !state.closed {
            // The kernel looks at the socket as it re-arms it: if it became ready since our
            // `WouldBlock`, the next `epoll_wait` reports it. No readiness slips between.
            let events = interest | libc::EPOLLONESHOT as u32;
            self.epoll.modify(source.fd, source.token, events)?;
            state.armed = interest;
        }
        Ok(())
    }
    // ANCHOR_END: arm

    // ANCHOR: dispatch
    /// Handles one event of `epoll_wait` for a socket: wakes the tasks waiting for what is
    /// ready, and re-arms the registration for whatever is still awaited.
    pub(crate) fn dispatch(&self, token: u64, events: u32) {
        // A token whose socket is gone (dropped earlier in this same batch of events): nobody
        // to wake. Tokens are never reused, so it cannot reach a newer socket.
        let Some(source) = lock(&self.sources).get(&token).cloned() else {
            return;
        };
        let mut state = lock(&source.state);
        // EPOLLONESHOT: having reported, the registration is disarmed.
        state.armed = 0;
        // An error or a hang-up ends waits in both directions: the next read or write
        // returns the error (or 0 for end of file).
        let broken = (libc::EPOLLERR | libc::EPOLLHUP) as u32;
        let readable = (libc::EPOLLIN | libc::EPOLLRDHUP) as u32 | broken;
        let writable = libc::EPOLLOUT as u32 | broken;
        let mut reader = if events & readable != 0 {
            state.reader.take()
        } else {
            None
        };
        let mut writer = if events & writable != 0 {
            state.writer.take()
        } else {
            None
        };
        // A task still waiting the other way needs the registration armed again.
        let interest = state.interest();
        if interest != 0 && !state.closed {
            let events = interest | libc::EPOLLONESHOT as u32;
            if self.epoll.modify(source.fd, token, events).is_ok() {
                state.armed = interest;
            } else {
                // Cannot re-arm: wake them too, and their next try arms (or fails) itself.
                reader = reader.or(state.reader.take());
                writer = writer.or(state.writer.take());
            }
        }
        drop(state); // wake outside the lock
        if let Some(waker) = reader {
            waker.wake();
        }
        if let Some(waker) = writer {
            waker.wake();
        }
    }
    // ANCHOR_END: dispatch

    /// How many sockets are registered now.
    #[cfg(test)]
    fn len(&self) -> usize {
        lock(&self.sources).len()
    }
}

// ANCHOR: registered
/// A socket in the runtime's epoll set: `std`'s socket, non-blocking, with its source.
/// Dropping it takes the socket out of the set, then closes it.
pub(crate) struct Registered<T: AsFd> {
    io: T,
    source: Arc<Source>,
    reactor: Arc<Reactor>,
}

impl<T: AsFd> Registered<T> {
    /// Registers `io` (already non-blocking) with `reactor`.
    pub(crate) fn new(io: T, reactor: Arc<Reactor>) -> io::Result<Registered<T>> {
        let source = reactor.register(io.as_fd())?;
        Ok(Registered {
            io,
            source,
            reactor,
        })
    }

    /// The reactor this socket is registered with.
    pub(crate) fn reactor(&self) -> Arc<Reactor> {
        Arc::clone(&self.reactor)
    }

    /// The socket, for calls that never block (`local_addr`, `take_error`…).
    pub(crate) fn get_ref(&self) -> &T {
        &self.io
    }

    /// The whole pattern: try the non-blocking call; if it would block, leave the task's
    /// waker for `direction` and return `Pending`. The reactor wakes the task when `epoll`
    /// says the socket is ready, and the task's next poll tries again.
    pub(crate) fn poll_io<R>(
        &self,
        cx: &mut Context<'_>,
        direction: Direction,
        mut op: impl FnMut(&T) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        loop {
            match op(&self.io) {
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => {
                    if let Err(error) = self.reactor.arm(&self.source, direction, cx.waker()) {
                        return Poll::Ready(Err(error));
                    }
                    return Poll::Pending;
                }
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                result => return Poll::Ready(result),
            }
        }
    }
}

impl<T: AsFd> Drop for Registered<T> {
    fn drop(&mut self) {
        // Out of the epoll set while the fd is still open; `io` is closed after this.
        self.reactor.deregister(&self.source, self.io.as_fd());
    }
}
// ANCHOR_END: registered

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;
    use std::task::Wake;

    struct Count(AtomicUsize);

    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn counter() -> (Arc<Count>, Waker) {
        let count = Arc::new(Count(AtomicUsize::new(0)));
        (Arc::clone(&count), Waker::from(count))
    }

    #[test]
    #[cfg_attr(miri, ignore = "Miri supports no UDP sockets")]
    fn a_token_of_a_dropped_socket_wakes_nobody_not_even_a_newer_socket() {
        let reactor = Arc::new(Reactor::new().unwrap());
        let old = Registered::new(
            std::net::UdpSocket::bind("127.0.0.1:0").unwrap(),
            Arc::clone(&reactor),
        )
        .unwrap();
        let old_token = old.source.token;
        drop(old);
        assert_eq!(reactor.len(), 0, "dropping deregisters");
        // The new socket very likely gets the old one's fd number; it never gets its token.
        let new = Registered::new(
            std::net::UdpSocket::bind("127.0.0.1:0").unwrap(),
            Arc::clone(&reactor),
        )
        .unwrap();
        assert_ne!(new.source.token, old_token);
        let (count, waker) = counter();
        reactor.arm(&new.source, Direction::Read, &waker).unwrap();
        reactor.dispatch(old_token, libc::EPOLLIN as u32);
        assert_eq!(count.0.load(Ordering::SeqCst), 0);
        reactor.dispatch(new.source.token, libc::EPOLLIN as u32);
        assert_eq!(count.0.load(Ordering::SeqCst), 1);
    }

    #[test]
    #[cfg_attr(miri, ignore = "Miri supports no UDP sockets")]
    fn an_event_wakes_only_the_direction_that_is_ready_and_rearms_the_other() {
        let reactor = Arc::new(Reactor::new().unwrap());
        let socket = Registered::new(
            std::net::UdpSocket::bind("127.0.0.1:0").unwrap(),
            Arc::clone(&reactor),
        )
        .unwrap();
        let (reads, reader) = counter();
        let (writes, writer) = counter();
        reactor
            .arm(&socket.source, Direction::Read, &reader)
            .unwrap();
        reactor
            .arm(&socket.source, Direction::Write, &writer)
            .unwrap();
        reactor.dispatch(socket.source.token, libc::EPOLLOUT as u32);
        assert_eq!(writes.0.load(Ordering::SeqCst), 1);
        assert_eq!(reads.0.load(Ordering::SeqCst), 0);
        let state = lock(&socket.source.state);
        assert!(state.reader.is_some() && state.writer.is_none());
        assert_eq!(
            state.armed,
            libc::EPOLLIN as u32,
            "re-armed for reading only"
        );
    }

    #[test]
    #[cfg_attr(miri, ignore = "Miri supports no UDP sockets")]
    fn arming_a_socket_that_became_ready_after_its_would_block_reports_it_at_once() {
        use crate::sys::Events;
        let reactor = Arc::new(Reactor::new().unwrap());
        let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        socket.set_nonblocking(true).unwrap();
        let socket = Registered::new(socket, Arc::clone(&reactor)).unwrap();
        let mut buf = [0; 8];
        let would_block = socket.get_ref().recv_from(&mut buf).unwrap_err();
        assert_eq!(would_block.kind(), io::ErrorKind::WouldBlock);
        // The datagram arrives between the `WouldBlock` and the arming.
        let sender = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let to = socket.get_ref().local_addr().unwrap();
        sender.send_to(b"between", to).unwrap();
        let (count, waker) = counter();
        reactor
            .arm(&socket.source, Direction::Read, &waker)
            .unwrap();
        let mut events = Events::with_capacity(8);
        reactor.epoll.wait(&mut events, 1000).unwrap();
        let reported: Vec<_> = events.iter().collect();
        assert_eq!(reported, [(socket.source.token, libc::EPOLLIN as u32)]);
        reactor.dispatch(socket.source.token, libc::EPOLLIN as u32);
        assert_eq!(count.0.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn is_source_tells_socket_tokens_from_task_tokens() {
        assert!(!is_source(0) && !is_source(1) && !is_source(u32::MAX.into()));
        assert!(is_source(SOURCE) && is_source(SOURCE | 5));
    }
}
