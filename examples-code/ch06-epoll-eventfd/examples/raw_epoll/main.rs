//! The mechanism of this chapter's runtime without the runtime, with `std` and `libc` only:
//! an eventfd in an epoll set under a token, a thread that writes to it, `epoll_wait`
//! returning the token, and `read` setting the counter back to zero.

// xtask: valgrind

use std::io;
use std::thread;

/// A syscall's `-1` as the thread's `errno`.
fn check(result: i64) -> io::Result<i64> {
    if result == -1 {
        Err(io::Error::last_os_error())
    } else {
        Ok(result)
    }
}

// ANCHOR: syscalls
/// Adds `fd` to the epoll set, to be reported as `token` when it has one of `events`.
fn add(epoll: i32, fd: i32, events: i32, token: u64) -> io::Result<()> {
    let mut event = libc::epoll_event {
        events: events as u32,
        u64: token,
    };
    // SAFETY: `event` is a valid epoll_event that lives across the call; bad fds are
    // reported as errors (EBADF), not undefined behaviour.
    check(unsafe { libc::epoll_ctl(epoll, libc::EPOLL_CTL_ADD, fd, &mut event) }.into())?;
    Ok(())
}

/// Waits up to `timeout_ms` for ready fds; returns their tokens.
fn wait(epoll: i32, timeout_ms: i32) -> io::Result<Vec<u64>> {
    let mut events = [libc::epoll_event { events: 0, u64: 0 }; 8];
    // SAFETY: `events` is a writable array of 8 epoll_events, and we pass 8 as its length.
    let ready = unsafe { libc::epoll_wait(epoll, events.as_mut_ptr(), 8, timeout_ms) };
    let ready = check(ready.into())? as usize;
    Ok(events[..ready].iter().map(|event| event.u64).collect())
}

/// Adds 1 to the eventfd's counter: what a waker does.
fn write_one(eventfd: i32) -> io::Result<()> {
    let one: u64 = 1;
    // SAFETY: we pass 8 readable bytes (`one`), the size an eventfd write takes.
    check(unsafe { libc::write(eventfd, (&raw const one).cast(), 8) } as i64)?;
    Ok(())
}

/// Reads the counter, which sets it back to zero: what the executor does before a poll.
fn read_counter(eventfd: i32) -> io::Result<u64> {
    let mut value: u64 = 0;
    // SAFETY: we pass 8 writable bytes (`value`), the size an eventfd read takes.
    check(unsafe { libc::read(eventfd, (&raw mut value).cast(), 8) } as i64)?;
    Ok(value)
}
// ANCHOR_END: syscalls

// ANCHOR: main
fn demo() -> io::Result<Vec<String>> {
    let mut log = Vec::new();
    // SAFETY: no pointers; the flags are valid.
    let epoll = check(unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) }.into())? as i32;
    // SAFETY: no pointers; the flags are valid.
    let eventfd =
        check(unsafe { libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK) }.into())?;
    let eventfd = eventfd as i32;

    // Watch the eventfd for "readable" (EPOLLIN), level-triggered, with 42 as its token.
    add(epoll, eventfd, libc::EPOLLIN, 42)?;

    log.push(format!(
        "counter at zero, epoll_wait(0) returns {:?}",
        wait(epoll, 0)?
    ));

    // Another thread wakes us twice. We wait for it to finish, so the output is the same
    // every time; in the runtime, epoll_wait sleeps until the first write.
    thread::spawn(move || {
        write_one(eventfd).unwrap();
        write_one(eventfd).unwrap();
    })
    .join()
    .unwrap();

    log.push(format!(
        "after two writes, epoll_wait(-1) returns {:?}",
        wait(epoll, -1)?
    ));
    log.push(format!("level-triggered: again {:?}", wait(epoll, 0)?));
    log.push(format!(
        "read returns the counter: {}",
        read_counter(eventfd)?
    ));
    log.push(format!(
        "counter at zero, epoll_wait(0) returns {:?}",
        wait(epoll, 0)?
    ));
    match read_counter(eventfd) {
        Err(error) if error.kind() == io::ErrorKind::WouldBlock => {
            log.push("a second read: EAGAIN (EFD_NONBLOCK), it would block".to_string())
        }
        other => log.push(format!("a second read: {other:?}")),
    }

    // SAFETY: both fds are open and owned by this function, and nothing uses them after.
    unsafe {
        libc::close(eventfd);
        libc::close(epoll);
    }
    Ok(log)
}

fn main() -> io::Result<()> {
    for line in demo()? {
        println!("{line}");
    }
    Ok(())
}
// ANCHOR_END: main

#[cfg(test)]
mod tests;
