//! Thin safe wrappers over the Linux syscalls the runtime uses: `epoll` and `eventfd`.
//!
//! Each file descriptor is an `OwnedFd`, so it is closed exactly once, when its owner is
//! dropped. Every `unsafe` block of the crate is in this module.

use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd};

/// A syscall's `-1` as the thread's `errno`, anything else as itself.
fn check(result: libc::c_int) -> io::Result<libc::c_int> {
    if result == -1 {
        Err(io::Error::last_os_error())
    } else {
        Ok(result)
    }
}

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

    /// `epoll_ctl(ADD)`: watch `fd` for readability, level-triggered, and report it as `token`.
    pub(crate) fn add(&self, fd: BorrowedFd<'_>, token: u64) -> io::Result<()> {
        let mut event = libc::epoll_event {
            events: libc::EPOLLIN as u32,
            u64: token,
        };
        // SAFETY: both fds are open for the whole call (`self` owns one, `fd` borrows the
        // other), and `event` is a valid epoll_event that the kernel only reads during the call.
        check(unsafe {
            libc::epoll_ctl(
                self.fd.as_raw_fd(),
                libc::EPOLL_CTL_ADD,
                fd.as_raw_fd(),
                &mut event,
            )
        })?;
        Ok(())
    }

    /// `epoll_ctl(DEL)`: stop watching `fd`.
    pub(crate) fn delete(&self, fd: BorrowedFd<'_>) -> io::Result<()> {
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
    /// A signal that interrupts the wait (`EINTR`) is not an error: it returns with no
    /// events, and the caller waits again with the time it has left (waiting again here with
    /// the whole timeout would push a deadline back at every signal).
    pub(crate) fn wait(&self, events: &mut Events, timeout_ms: i32) -> io::Result<()> {
        events.list.clear();
        let capacity = libc::c_int::try_from(events.list.capacity()).unwrap_or(libc::c_int::MAX);
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

    /// The tokens of the fds the last `wait` found ready.
    pub(crate) fn tokens(&self) -> impl Iterator<Item = u64> + '_ {
        // A copy of the field, not a reference: `epoll_event` is packed on x86-64.
        self.list.iter().map(|event| event.u64)
    }
}

/// An eventfd: a 64-bit counter in the kernel that is readable while it is not zero.
pub(crate) struct EventFd {
    fd: OwnedFd,
}

impl EventFd {
    /// `eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)`: a counter at zero.
    pub(crate) fn new() -> io::Result<EventFd> {
        // SAFETY: eventfd takes no pointers, and both flags are valid.
        let fd = check(unsafe { libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK) })?;
        // SAFETY: `fd` was just returned by eventfd: it is open, and nothing else owns it.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        Ok(EventFd { fd })
    }

    /// `write(1)`: adds one to the counter, which makes the fd readable.
    pub(crate) fn notify(&self) -> io::Result<()> {
        let one: u64 = 1;
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
        let mut value: u64 = 0;
        // SAFETY: the buffer is `value`, 8 writable bytes that live across the call, and 8 is
        // the size an eventfd read requires; the fd is open.
        let read = unsafe { libc::read(self.fd.as_raw_fd(), (&raw mut value).cast(), 8) };
        if read == -1 {
            let error = io::Error::last_os_error();
            if error.kind() == io::ErrorKind::WouldBlock {
                return Ok(0);
            }
            return Err(error);
        }
        Ok(value)
    }
}

impl AsFd for EventFd {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Nothing here registers an fd level-triggered, so Miri runs these tests, and with them
    // the unsafe code of the rewritten `wait` (exercise 6.1) and of the eventfd.

    #[test]
    fn a_wait_on_an_empty_set_returns_at_its_timeout_with_an_empty_list() {
        let epoll = Epoll::new().unwrap();
        let mut events = Events::with_capacity(4);
        epoll.wait(&mut events, 0).unwrap();
        assert_eq!(events.tokens().count(), 0);
        epoll.wait(&mut events, 5).unwrap();
        assert_eq!(events.tokens().count(), 0);
    }

    #[test]
    fn an_eventfd_counts_its_notifications_until_it_is_reset() {
        let event = EventFd::new().unwrap();
        event.notify().unwrap();
        event.notify().unwrap();
        assert_eq!(event.reset().unwrap(), 2);
        assert_eq!(
            event.reset().unwrap(),
            0,
            "nothing since: the read would block"
        );
    }
}
