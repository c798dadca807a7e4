//! A timerfd alone, with `std` and `libc` only: a timer in the kernel whose file descriptor
//! turns readable when it expires, so that `epoll_wait` can wait for it like for a socket.
//! Reading it returns how many times it expired; a zero time disarms it.

use std::io;
use std::time::{Duration, Instant};

/// A syscall's `-1` as the thread's `errno`.
fn check(result: i32) -> io::Result<i32> {
    if result == -1 {
        Err(io::Error::last_os_error())
    } else {
        Ok(result)
    }
}

// ANCHOR: timerfd
/// `timerfd_create`: a disarmed timer on the monotonic clock (the clock of `Instant`), whose
/// reads never block.
fn timerfd() -> io::Result<i32> {
    // SAFETY: no pointers; the clock and the flags are valid.
    check(unsafe {
        libc::timerfd_create(
            libc::CLOCK_MONOTONIC,
            libc::TFD_NONBLOCK | libc::TFD_CLOEXEC,
        )
    })
}

/// `timerfd_settime`: expire once, `after` from now. `Duration::ZERO` disarms the timer.
fn set(timer: i32, after: Duration) -> io::Result<()> {
    let spec = libc::itimerspec {
        it_interval: libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        },
        it_value: libc::timespec {
            tv_sec: after.as_secs() as libc::time_t,
            tv_nsec: after.subsec_nanos() as libc::c_long,
        },
    };
    // SAFETY: `spec` lives across the call and is only read; the old value may be null.
    check(unsafe { libc::timerfd_settime(timer, 0, &spec, std::ptr::null_mut()) })?;
    Ok(())
}

/// `read`: the number of expirations since the last read, or `WouldBlock` if none.
fn expirations(timer: i32) -> io::Result<u64> {
    let mut count: u64 = 0;
    // SAFETY: `count` is 8 writable bytes, the size a timerfd read requires.
    let read = unsafe { libc::read(timer, (&raw mut count).cast(), 8) };
    check(read as i32)?;
    Ok(count)
}
// ANCHOR_END: timerfd

/// `epoll_wait` with room for 8 events; returns the tokens of the ready fds.
fn wait(epoll: i32, timeout_ms: i32) -> io::Result<Vec<u64>> {
    let mut events = [libc::epoll_event { events: 0, u64: 0 }; 8];
    // SAFETY: `events` is a writable array of 8 epoll_events, and we pass 8 as its length.
    let ready = check(unsafe { libc::epoll_wait(epoll, events.as_mut_ptr(), 8, timeout_ms) })?;
    Ok(events[..ready as usize].iter().map(|e| e.u64).collect())
}

/// What a result looks like in the demo's lines.
fn show(result: io::Result<u64>) -> String {
    match result {
        Ok(count) => format!("{count}"),
        Err(error) if error.kind() == io::ErrorKind::WouldBlock => "WouldBlock".to_string(),
        Err(error) => format!("error: {error}"),
    }
}

// ANCHOR: demo
/// The delay of the demo's timer: long enough that it cannot expire between the arming and
/// the first read, even on a loaded machine that takes the CPU away for a while.
const DELAY: Duration = Duration::from_millis(250);

fn demo(delay: Duration) -> io::Result<Vec<String>> {
    let mut lines = Vec::new();
    // SAFETY: no pointers; the flag is valid.
    let epoll = check(unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) })?;
    let timer = timerfd()?;
    let mut event = libc::epoll_event {
        events: libc::EPOLLIN as u32,
        u64: 7, // the timer's token
    };
    // SAFETY: `event` lives across the call; both fds are open.
    check(unsafe { libc::epoll_ctl(epoll, libc::EPOLL_CTL_ADD, timer, &mut event) })?;

    let start = Instant::now();
    set(timer, delay)?;
    lines.push(format!("armed: read says {}", show(expirations(timer))));
    let tokens = wait(epoll, -1)?;
    let waited = start.elapsed();
    lines.push(format!("epoll_wait(-1) returns {tokens:?}"));
    lines.push(format!("not before the delay: {}", waited >= delay));
    lines.push(format!("read: {} expiration", show(expirations(timer))));
    lines.push(format!("read again: {}", show(expirations(timer))));

    set(timer, delay)?;
    set(timer, Duration::ZERO)?; // disarmed before it expires: cancelled
    let tokens = wait(epoll, (delay * 2).as_millis() as i32)?;
    lines.push(format!(
        "armed, then disarmed: epoll_wait(2 x delay) returns {tokens:?}"
    ));

    // SAFETY: both fds are open and ours, and nothing uses them after.
    unsafe {
        libc::close(timer);
        libc::close(epoll);
    }
    Ok(lines)
}
// ANCHOR_END: demo

fn main() -> io::Result<()> {
    for line in demo(DELAY)? {
        println!("{line}");
    }
    Ok(())
}

#[cfg(test)]
mod tests;
