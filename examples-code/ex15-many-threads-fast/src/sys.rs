//! The one kernel object the runtime makes itself, beside what mio makes: a timerfd, so that
//! the driver's sleep ends at a timer's deadline to the microsecond (an `epoll_wait` timeout
//! counts whole milliseconds, and mio rounds it up). smol's `polling` crate does the same.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::time::Duration;

// ANCHOR: timerfd
/// A `CLOCK_MONOTONIC` timerfd (the clock of `Instant`), non-blocking.
pub(crate) struct TimerFd {
    fd: OwnedFd,
}

impl TimerFd {
    pub(crate) fn new() -> io::Result<TimerFd> {
        // SAFETY: timerfd_create takes no pointers; the clock and the flags are valid.
        let fd = unsafe {
            libc::timerfd_create(
                libc::CLOCK_MONOTONIC,
                libc::TFD_NONBLOCK | libc::TFD_CLOEXEC,
            )
        };
        if fd == -1 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `fd` was just returned by timerfd_create: open, and owned by nobody else.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        Ok(TimerFd { fd })
    }

    /// Fires once, `after` from now (a relative timer: it does not move with the wall
    /// clock). Zero is made one nanosecond: a zero `it_value` would disarm it.
    pub(crate) fn set(&self, after: Duration) -> io::Result<()> {
        let after = after.max(Duration::from_nanos(1));
        let spec = libc::itimerspec {
            it_interval: libc::timespec {
                tv_sec: 0,
                tv_nsec: 0,
            },
            it_value: libc::timespec {
                tv_sec: after.as_secs().min(i64::MAX as u64) as libc::time_t,
                tv_nsec: libc::c_long::from(after.subsec_nanos() as i32),
            },
        };
        // SAFETY: the fd is open; `spec` is a valid itimerspec the kernel only reads; the old
        // value is not asked for (null).
        let result =
            unsafe { libc::timerfd_settime(self.fd.as_raw_fd(), 0, &spec, std::ptr::null_mut()) };
        if result == -1 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    /// Reads (and so clears) the count of expirations; 0 when there was none.
    pub(crate) fn reset(&self) -> u64 {
        let mut count: u64 = 0;
        // SAFETY: the buffer is `count`, 8 writable bytes that live across the call, the
        // size a timerfd read needs; the fd is open.
        let read = unsafe { libc::read(self.fd.as_raw_fd(), (&raw mut count).cast(), 8) };
        if read == 8 { count } else { 0 }
    }
}

impl AsRawFd for TimerFd {
    fn as_raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}
// ANCHOR_END: timerfd
