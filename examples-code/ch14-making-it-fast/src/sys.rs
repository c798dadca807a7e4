//! Thin safe wrappers over the Linux syscalls the runtime uses: `epoll`, `eventfd`,
//! and the two socket calls `std` has no non-blocking form of, `socket` and `connect`.
//!
//! Each file descriptor is an `OwnedFd`, so it is closed exactly once, when its owner is
//! dropped. The runtime's own system calls go through this module (the socket calls that `net`
//! makes through `std`, such as `accept`, do not), and each thread counts the calls it makes
//! through it (`syscalls`), for the chapter's measurements. The crate's other `unsafe` code
//! is the task's, in `task.rs`.

use std::cell::Cell;
use std::io;
use std::net::SocketAddr;
use std::ops::Sub;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};

// ANCHOR: syscalls
/// How many system calls of each kind a thread has made through this module: the runtime's
/// own calls. (The socket calls that `net` makes through `std`, such as `accept` and
/// `recvfrom`, are not counted.)
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Syscalls {
    /// `epoll_wait`.
    pub epoll_wait: u64,
    /// `epoll_ctl`: add and delete.
    pub epoll_ctl: u64,
    /// `eventfd`: the runtime's one eventfd.
    pub eventfd: u64,
    /// `read` of the eventfd.
    pub read: u64,
    /// `write` to an eventfd: a wake.
    pub write: u64,
    /// `close` of the eventfd.
    pub close: u64,
}

impl Syscalls {
    /// All the calls together.
    pub fn total(&self) -> u64 {
        self.epoll_wait + self.epoll_ctl + self.eventfd + self.read + self.write + self.close
    }
}

impl Sub for Syscalls {
    type Output = Syscalls;

    /// The calls made between two snapshots: `after - before`.
    fn sub(self, before: Syscalls) -> Syscalls {
        Syscalls {
            epoll_wait: self.epoll_wait - before.epoll_wait,
            epoll_ctl: self.epoll_ctl - before.epoll_ctl,
            eventfd: self.eventfd - before.eventfd,
            read: self.read - before.read,
            write: self.write - before.write,
            close: self.close - before.close,
        }
    }
}

thread_local! {
    static SYSCALLS: Cell<Syscalls> = const {
        Cell::new(Syscalls {
            epoll_wait: 0,
            epoll_ctl: 0,
            eventfd: 0,
            read: 0,
            write: 0,
            close: 0,
        })
    };
}

/// Adds one to the counter that `field` picks, for the calling thread.
fn count(field: fn(&mut Syscalls) -> &mut u64) {
    SYSCALLS.with(|counts| {
        let mut now = counts.get();
        *field(&mut now) += 1;
        counts.set(now);
    });
}

/// The system calls the calling thread has made through the runtime so far. Take two
/// snapshots and subtract them to count the calls of a piece of work.
pub fn syscalls() -> Syscalls {
    SYSCALLS.with(Cell::get)
}
// ANCHOR_END: syscalls

/// A syscall's `-1` as the thread's `errno`, anything else as itself.
fn check(result: libc::c_int) -> io::Result<libc::c_int> {
    if result == -1 {
        Err(io::Error::last_os_error())
    } else {
        Ok(result)
    }
}

// ANCHOR: epoll
/// An epoll instance: a set of file descriptors, each with a token, that one `wait` watches.
pub(crate) struct Epoll {
    fd: OwnedFd,
}

impl Epoll {
    /// `epoll_create1(EPOLL_CLOEXEC)`: a new, empty interest list.
    pub(crate) fn new() -> io::Result<Epoll> {
        // SAFETY: epoll_create1 takes no pointers, and EPOLL_CLOEXEC is a valid flag.
        let fd = check(unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) })?;
        // SAFETY: `fd` was just returned by epoll_create1: it is open, and nothing else owns it.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        Ok(Epoll { fd })
    }

    // ANCHOR: epoll_ctl
    /// `epoll_ctl(ADD)`: watch `fd` for `events` (`EPOLLIN` for readable, `EPOLLOUT` for
    /// writable, with flags such as `EPOLLET`), and report it as `token`.
    pub(crate) fn add(&self, fd: BorrowedFd<'_>, token: u64, events: u32) -> io::Result<()> {
        self.control(libc::EPOLL_CTL_ADD, fd.as_raw_fd(), token, events)
    }

    fn control(&self, op: libc::c_int, fd: RawFd, token: u64, events: u32) -> io::Result<()> {
        let mut event = libc::epoll_event { events, u64: token };
        count(|s| &mut s.epoll_ctl);
        // SAFETY: the epoll fd is open for the whole call (`self` owns it); `fd` is a plain
        // number to the kernel, which checks it; `event` is a valid epoll_event that the
        // kernel only reads during the call.
        check(unsafe { libc::epoll_ctl(self.fd.as_raw_fd(), op, fd, &mut event) })?;
        Ok(())
    }
    // ANCHOR_END: epoll_ctl

    /// `epoll_ctl(DEL)`: stop watching `fd`.
    pub(crate) fn delete(&self, fd: BorrowedFd<'_>) -> io::Result<()> {
        count(|s| &mut s.epoll_ctl);
        // SAFETY: both fds are open for the whole call; EPOLL_CTL_DEL does not read the event
        // argument, and a null pointer is allowed for it since Linux 2.6.9.
        check(unsafe {
            libc::epoll_ctl(
                self.fd.as_raw_fd(),
                libc::EPOLL_CTL_DEL,
                fd.as_raw_fd(),
                std::ptr::null_mut(),
            )
        })?;
        Ok(())
    }

    /// `epoll_wait`: sleeps until at least one watched fd is ready, or `timeout_ms` has
    /// passed (`-1`: no limit, `0`: do not sleep), and puts the ready tokens in `events`.
    /// A signal that interrupts the wait (`EINTR`) is not an error: it returns with no events,
    /// and the caller, which waits in a loop, works out its timeout again.
    pub(crate) fn wait(&self, events: &mut Events, timeout_ms: i32) -> io::Result<()> {
        events.list.clear();
        let capacity = libc::c_int::try_from(events.list.capacity()).unwrap_or(libc::c_int::MAX);
        count(|s| &mut s.epoll_wait);
        // SAFETY: the pointer and `capacity` describe the spare capacity of `events.list` (it
        // is empty), and the kernel writes at most `capacity` entries there; the epoll fd is
        // open.
        let result = unsafe {
            libc::epoll_wait(
                self.fd.as_raw_fd(),
                events.list.as_mut_ptr(),
                capacity,
                timeout_ms,
            )
        };
        match check(result) {
            Ok(ready) => {
                // SAFETY: the kernel initialised the first `ready` entries, and
                // `ready <= capacity`.
                unsafe { events.list.set_len(ready as usize) };
                Ok(())
            }
            Err(error) if error.kind() == io::ErrorKind::Interrupted => Ok(()),
            Err(error) => Err(error),
        }
    }
}

impl AsFd for Epoll {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

/// Room for the events one `epoll_wait` returns.
pub(crate) struct Events {
    list: Vec<libc::epoll_event>,
}

impl Events {
    /// Room for `capacity` events (at least one).
    pub(crate) fn with_capacity(capacity: usize) -> Events {
        Events {
            list: Vec::with_capacity(capacity.max(1)),
        }
    }

    /// The token and the ready events (`EPOLLIN`, `EPOLLOUT`, `EPOLLERR`…) of each fd the
    /// last `wait` found ready.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (u64, u32)> + '_ {
        // Copies of the fields, not references: `epoll_event` is packed on x86-64.
        self.list.iter().map(|event| (event.u64, event.events))
    }
}
// ANCHOR_END: epoll

// ANCHOR: eventfd
/// An eventfd: a 64-bit counter in the kernel that is readable while it is not zero.
pub(crate) struct EventFd {
    fd: OwnedFd,
}

impl EventFd {
    /// `eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)`: a counter at zero.
    pub(crate) fn new() -> io::Result<EventFd> {
        count(|s| &mut s.eventfd);
        // SAFETY: eventfd takes no pointers, and both flags are valid.
        let fd = check(unsafe { libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK) })?;
        // SAFETY: `fd` was just returned by eventfd: it is open, and nothing else owns it.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        Ok(EventFd { fd })
    }

    /// `write(1)`: adds one to the counter, which makes the fd readable.
    pub(crate) fn notify(&self) -> io::Result<()> {
        let one: u64 = 1;
        count(|s| &mut s.write);
        // SAFETY: the buffer is `one`, 8 initialised bytes that live across the call, and 8 is
        // the size an eventfd write requires; the fd is open.
        let written = unsafe { libc::write(self.fd.as_raw_fd(), (&raw const one).cast(), 8) };
        if written == -1 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    /// `read`: returns the counter and sets it to zero, which makes the fd unreadable again.
    /// Returns 0 when the counter already was zero (the read would block, and the fd is
    /// non-blocking).
    pub(crate) fn reset(&self) -> io::Result<u64> {
        match read_u64(self.fd.as_fd()) {
            Err(error) if error.kind() == io::ErrorKind::WouldBlock => Ok(0),
            result => result,
        }
    }
}

impl AsFd for EventFd {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

impl Drop for EventFd {
    fn drop(&mut self) {
        count(|s| &mut s.close); // the `OwnedFd` closes it just after
    }
}
// ANCHOR_END: eventfd

/// `read` of the 8-byte counter of an eventfd.
fn read_u64(fd: BorrowedFd<'_>) -> io::Result<u64> {
    let mut value: u64 = 0;
    count(|s| &mut s.read);
    // SAFETY: the buffer is `value`, 8 writable bytes that live across the call, and 8 is the
    // size an eventfd read requires; the fd is open (borrowed for the call).
    let read = unsafe { libc::read(fd.as_raw_fd(), (&raw mut value).cast(), 8) };
    if read == -1 {
        return Err(io::Error::last_os_error());
    }
    Ok(value)
}

// ANCHOR: socket
/// `socket(domain, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)`: a TCP socket that never
/// blocks, for the address family of `addr`. `std` has no way to make one: its
/// `TcpStream::connect` blocks until the connection is made.
pub(crate) fn tcp_socket(addr: &SocketAddr) -> io::Result<OwnedFd> {
    let domain = match addr {
        SocketAddr::V4(_) => libc::AF_INET,
        SocketAddr::V6(_) => libc::AF_INET6,
    };
    let kind = libc::SOCK_STREAM | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC;
    // SAFETY: socket takes no pointers, and the arguments are valid constants.
    let fd = check(unsafe { libc::socket(domain, kind, 0) })?;
    // SAFETY: `fd` was just returned by socket: it is open, and nothing else owns it.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// `connect` on a non-blocking socket. `Ok(true)`: connected at once (it can happen on
/// loopback); `Ok(false)`: `EINPROGRESS`, the handshake goes on, and the socket becomes
/// writable when it ends, well or badly; `Err`: it failed at once.
pub(crate) fn connect(fd: BorrowedFd<'_>, addr: &SocketAddr) -> io::Result<bool> {
    let raw = RawAddr::from(addr);
    // SAFETY: the fd is open for the call; the pointer and length describe `raw`, a
    // sockaddr_in or sockaddr_in6 that lives across the call and that the kernel only reads.
    let result = unsafe { libc::connect(fd.as_raw_fd(), raw.as_ptr(), raw.len()) };
    match check(result) {
        Ok(_) => Ok(true),
        Err(error) if error.raw_os_error() == Some(libc::EINPROGRESS) => Ok(false),
        Err(error) => Err(error),
    }
}
// ANCHOR_END: socket

/// A `SocketAddr` in the C layout `connect` takes.
enum RawAddr {
    V4(libc::sockaddr_in),
    V6(libc::sockaddr_in6),
}

impl From<&SocketAddr> for RawAddr {
    fn from(addr: &SocketAddr) -> RawAddr {
        match addr {
            SocketAddr::V4(addr) => RawAddr::V4(libc::sockaddr_in {
                sin_family: libc::AF_INET as libc::sa_family_t,
                sin_port: addr.port().to_be(),
                // The octets are in network order already: keep their bytes as they are.
                sin_addr: libc::in_addr {
                    s_addr: u32::from_ne_bytes(addr.ip().octets()),
                },
                sin_zero: [0; 8],
            }),
            SocketAddr::V6(addr) => RawAddr::V6(libc::sockaddr_in6 {
                sin6_family: libc::AF_INET6 as libc::sa_family_t,
                sin6_port: addr.port().to_be(),
                sin6_flowinfo: addr.flowinfo(),
                sin6_addr: libc::in6_addr {
                    s6_addr: addr.ip().octets(),
                },
                sin6_scope_id: addr.scope_id(),
            }),
        }
    }
}

impl RawAddr {
    fn as_ptr(&self) -> *const libc::sockaddr {
        match self {
            RawAddr::V4(addr) => (addr as *const libc::sockaddr_in).cast(),
            RawAddr::V6(addr) => (addr as *const libc::sockaddr_in6).cast(),
        }
    }

    fn len(&self) -> libc::socklen_t {
        let len = match self {
            RawAddr::V4(_) => size_of::<libc::sockaddr_in>(),
            RawAddr::V6(_) => size_of::<libc::sockaddr_in6>(),
        };
        len as libc::socklen_t
    }
}
