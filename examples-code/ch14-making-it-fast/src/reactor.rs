//! The reactor: the part of the runtime that turns "this socket is readable" from `epoll` into
//! a wake of the task that wanted to read it.
//!
//! Each registered socket is a `Source` with a token of its own (tokens of sockets have the top
//! bit set, so they never meet the runtime's eventfd) and, per direction, the waker of the task
//! that last found the socket not ready. Chapter 7 registered sockets level-triggered with
//! `EPOLLONESHOT`, which costs an `epoll_ctl` each time a task starts to wait. Here a socket is
//! registered once, edge-triggered (`EPOLLET`), for both directions: the kernel reports each
//! change to ready, and the source keeps what it reported in a readiness cache, which an
//! operation clears when it gets `WouldBlock`. No system call but the operation itself.

use crate::sync::lock;
use crate::sys::Epoll;
use std::collections::HashMap;
use std::io;
use std::os::fd::{AsFd, BorrowedFd};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

// ANCHOR: token
/// The top bit of a token says "a socket": the runtime's eventfd is token 0, and sockets count
/// up from `SOURCE`.
const SOURCE: u64 = 1 << 63;

/// Whether an epoll token is a socket's (else it is the runtime's eventfd).
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
/// The epoll set, shared by the runtime (for its eventfd) and by every socket (to add and
/// remove itself), and the sockets' sources by token.
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
    state: Mutex<State>,
}

/// What a socket waits for, under its lock.
#[derive(Default)]
struct State {
    /// The waker of the last task that found the socket not readable, if it still waits.
    reader: Option<Waker>,
    /// The same for writable.
    writer: Option<Waker>,
    /// The readiness cache: `READ` and `WRITE` bits, set by `dispatch` when the kernel reports
    /// an edge, cleared by an operation that gets `WouldBlock`.
    ready: u32,
    /// How many events `dispatch` has handled for this socket. An operation notes it before
    /// it tries: if it changed by the time of the `WouldBlock`, an edge came in between, and
    /// clearing the cache would lose it.
    tick: u64,
}
// ANCHOR_END: reactor

// ANCHOR: ready_bits
/// The bits of the readiness cache.
const READ: u32 = 1;
const WRITE: u32 = 2;

impl Direction {
    fn bit(self) -> u32 {
        match self {
            Direction::Read => READ,
            Direction::Write => WRITE,
        }
    }
}

impl State {
    fn waker(&mut self, direction: Direction) -> &mut Option<Waker> {
        match direction {
            Direction::Read => &mut self.reader,
            Direction::Write => &mut self.writer,
        }
    }

    /// Keeps `waker` as the one to wake when the socket turns ready in `direction` (the
    /// latest poll's: chapter 3), without a clone when it wakes the same task.
    fn wait(&mut self, direction: Direction, waker: &Waker) {
        match self.waker(direction) {
            Some(stored) if stored.will_wake(waker) => {}
            slot => *slot = Some(waker.clone()),
        }
    }
}
// ANCHOR_END: ready_bits

impl Reactor {
    pub(crate) fn new() -> io::Result<Reactor> {
        Ok(Reactor {
            epoll: Epoll::new()?,
            sources: Mutex::new(HashMap::new()),
            next: AtomicU64::new(0),
        })
    }

    // ANCHOR: register
    /// Adds `fd` to the epoll set under a new token, once and for all: edge-triggered, for
    /// reading and writing. The cache starts "ready both ways": the first operation just
    /// tries, and a `WouldBlock` is what teaches the cache otherwise.
    fn register(&self, fd: BorrowedFd<'_>) -> io::Result<Arc<Source>> {
        let token = SOURCE | self.next.fetch_add(1, Ordering::Relaxed);
        let events = libc::EPOLLIN | libc::EPOLLOUT | libc::EPOLLRDHUP | libc::EPOLLET;
        self.epoll.add(fd, token, events as u32)?;
        let source = Arc::new(Source {
            token,
            state: Mutex::new(State {
                ready: READ | WRITE,
                ..State::default()
            }),
        });
        lock(&self.sources).insert(token, Arc::clone(&source));
        Ok(source)
    }

    /// Takes the socket out of the set and forgets its source. Called before the fd closes.
    fn deregister(&self, source: &Source, fd: BorrowedFd<'_>) {
        let mut state = lock(&source.state);
        state.reader = None;
        state.writer = None;
        let _ = self.epoll.delete(fd);
        drop(state);
        lock(&self.sources).remove(&source.token);
    }
    // ANCHOR_END: register

    // ANCHOR: dispatch
    /// Handles one event of `epoll_wait` for a socket: marks the cache ready for what the
    /// kernel reported, and wakes the tasks that wait for it. Nothing to re-arm: the
    /// registration stays as it is, and reports the next edge.
    pub(crate) fn dispatch(&self, token: u64, events: u32) {
        // A token whose socket is gone (dropped earlier in this same batch of events): nobody
        // to wake. Tokens are never reused, so it cannot reach a newer socket.
        let Some(source) = lock(&self.sources).get(&token).cloned() else {
            return;
        };
        let mut state = lock(&source.state);
        // An error or a hang-up ends waits in both directions: the next read or write
        // returns the error (or 0 for end of file).
        let broken = (libc::EPOLLERR | libc::EPOLLHUP) as u32;
        let mut ready = 0;
        if events & ((libc::EPOLLIN | libc::EPOLLRDHUP) as u32 | broken) != 0 {
            ready |= READ;
        }
        if events & (libc::EPOLLOUT as u32 | broken) != 0 {
            ready |= WRITE;
        }
        state.ready |= ready;
        state.tick += 1;
        let reader = if ready & READ != 0 {
            state.reader.take()
        } else {
            None
        };
        let writer = if ready & WRITE != 0 {
            state.writer.take()
        } else {
            None
        };
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

    // ANCHOR: poll_io
    /// The whole pattern: if the cache says `direction` is not ready, leave the task's waker
    /// and return `Pending`, with no system call. Else try the non-blocking call; if it
    /// would block, clear the cache for `direction` (unless an edge came in meanwhile: then
    /// try again), leave the waker and return `Pending`. `dispatch` wakes the task at the
    /// next edge, and its next poll tries again.
    pub(crate) fn poll_io<R>(
        &self,
        cx: &mut Context<'_>,
        direction: Direction,
        mut op: impl FnMut(&T) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        let bit = direction.bit();
        loop {
            let tick = {
                let mut state = lock(&self.source.state);
                if state.ready & bit == 0 {
                    state.wait(direction, cx.waker());
                    return Poll::Pending;
                }
                state.tick
            };
            match op(&self.io) {
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => {
                    let mut state = lock(&self.source.state);
                    if state.tick != tick {
                        continue; // an edge since we looked: the socket may be ready again
                    }
                    state.ready &= !bit;
                    state.wait(direction, cx.waker());
                    return Poll::Pending;
                }
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                result => return Poll::Ready(result),
            }
        }
    }
    // ANCHOR_END: poll_io
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

    /// A waker that counts its wakes, and the count.
    fn waiting() -> (Arc<Count>, Waker) {
        counter()
    }

    fn poll_recv(
        socket: &Registered<std::net::UdpSocket>,
        waker: &Waker,
        calls: &AtomicUsize,
    ) -> Poll<io::Result<usize>> {
        let mut buf = [0; 64];
        socket.poll_io(&mut Context::from_waker(waker), Direction::Read, |s| {
            calls.fetch_add(1, Ordering::SeqCst);
            s.recv(&mut buf)
        })
    }

    fn udp(reactor: &Arc<Reactor>) -> Registered<std::net::UdpSocket> {
        let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        socket.set_nonblocking(true).unwrap();
        Registered::new(socket, Arc::clone(reactor)).unwrap()
    }

    #[test]
    #[cfg_attr(miri, ignore = "Miri supports no UDP sockets")]
    fn a_token_of_a_dropped_socket_wakes_nobody_not_even_a_newer_socket() {
        let reactor = Arc::new(Reactor::new().unwrap());
        let old = udp(&reactor);
        let old_token = old.source.token;
        drop(old);
        assert_eq!(reactor.len(), 0, "dropping deregisters");
        // The new socket very likely gets the old one's fd number; it never gets its token.
        let new = udp(&reactor);
        assert_ne!(new.source.token, old_token);
        let (count, waker) = waiting();
        let calls = AtomicUsize::new(0);
        assert!(poll_recv(&new, &waker, &calls).is_pending());
        reactor.dispatch(old_token, libc::EPOLLIN as u32);
        assert_eq!(count.0.load(Ordering::SeqCst), 0);
        reactor.dispatch(new.source.token, libc::EPOLLIN as u32);
        assert_eq!(count.0.load(Ordering::SeqCst), 1);
    }

    #[test]
    #[cfg_attr(miri, ignore = "Miri supports no UDP sockets")]
    fn once_a_read_would_block_the_next_poll_makes_no_system_call_until_an_edge() {
        let reactor = Arc::new(Reactor::new().unwrap());
        let socket = udp(&reactor);
        let (count, waker) = waiting();
        let calls = AtomicUsize::new(0);
        assert!(poll_recv(&socket, &waker, &calls).is_pending());
        assert_eq!(calls.load(Ordering::SeqCst), 1, "the first poll tries");
        assert!(poll_recv(&socket, &waker, &calls).is_pending());
        assert_eq!(
            calls.load(Ordering::SeqCst),
            1,
            "the cache answers the second"
        );
        // A datagram arrives: the kernel reports the edge, the reactor wakes the reader.
        let sender = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        sender
            .send_to(b"edge", socket.get_ref().local_addr().unwrap())
            .unwrap();
        let mut events = crate::sys::Events::with_capacity(8);
        reactor.epoll.wait(&mut events, 1000).unwrap();
        let reported: Vec<_> = events.iter().collect();
        assert_eq!(reported.len(), 1);
        assert_eq!(reported[0].0, socket.source.token);
        reactor.dispatch(reported[0].0, reported[0].1);
        assert_eq!(count.0.load(Ordering::SeqCst), 1);
        assert!(matches!(
            poll_recv(&socket, &waker, &calls),
            Poll::Ready(Ok(4))
        ));
    }

    #[test]
    #[cfg_attr(miri, ignore = "Miri supports no UDP sockets")]
    fn an_edge_between_the_attempt_and_the_would_block_is_not_lost() {
        let reactor = Arc::new(Reactor::new().unwrap());
        let socket = udp(&reactor);
        let (_count, waker) = waiting();
        let calls = AtomicUsize::new(0);
        let mut buf = [0; 64];
        // The first try would block, and the edge lands right after it (simulated: the
        // dispatch runs inside the operation, after the datagram arrived).
        let sender = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let to = socket.get_ref().local_addr().unwrap();
        let result = socket.poll_io(&mut Context::from_waker(&waker), Direction::Read, |s| {
            let n = calls.fetch_add(1, Ordering::SeqCst);
            let result = s.recv(&mut buf);
            if n == 0 {
                sender.send_to(b"between", to).unwrap();
                reactor.dispatch(socket.source.token, libc::EPOLLIN as u32);
            }
            result
        });
        // With the tick check the operation is tried again and gets the datagram; without
        // it, the cache would say "not ready" and no further edge would ever come.
        assert!(matches!(result, Poll::Ready(Ok(7))), "{result:?}");
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[test]
    #[cfg_attr(miri, ignore = "Miri supports no UDP sockets")]
    fn an_event_wakes_only_the_direction_that_is_ready() {
        let reactor = Arc::new(Reactor::new().unwrap());
        let socket = udp(&reactor);
        let (reads, reader) = waiting();
        let (writes, writer) = waiting();
        let calls = AtomicUsize::new(0);
        assert!(poll_recv(&socket, &reader, &calls).is_pending());
        lock(&socket.source.state).wait(Direction::Write, &writer);
        reactor.dispatch(socket.source.token, libc::EPOLLOUT as u32);
        assert_eq!(writes.0.load(Ordering::SeqCst), 1);
        assert_eq!(reads.0.load(Ordering::SeqCst), 0);
        let state = lock(&socket.source.state);
        assert!(state.reader.is_some() && state.writer.is_none());
        assert_eq!(state.ready & READ, 0, "still not readable");
    }

    #[test]
    fn is_source_tells_socket_tokens_from_the_eventfds() {
        assert!(!is_source(0) && !is_source(1) && !is_source(u32::MAX.into()));
        assert!(is_source(SOURCE) && is_source(SOURCE | 5));
    }
}
