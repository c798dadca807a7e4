//! The mechanism of this chapter without the runtime, with `std` and `libc` only: on a
//! non-blocking socket, `accept` and `read` say "would block" instead of sleeping, and `epoll`
//! says when to try again. Then why the runtime arms sockets with `EPOLLONESHOT`: a writable
//! socket watched level-triggered is reported by every `epoll_wait`.

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::fd::AsRawFd;

/// A syscall's `-1` as the thread's `errno`.
fn check(result: i32) -> io::Result<i32> {
    if result == -1 {
        Err(io::Error::last_os_error())
    } else {
        Ok(result)
    }
}

// ANCHOR: epoll
/// `epoll_ctl`: add (`EPOLL_CTL_ADD`) or change (`EPOLL_CTL_MOD`) what `fd` is watched for.
fn control(epoll: i32, op: i32, fd: i32, events: i32, token: u64) -> io::Result<()> {
    let mut event = libc::epoll_event {
        events: events as u32,
        u64: token,
    };
    // SAFETY: `event` is a valid epoll_event that lives across the call; bad fds are
    // reported as errors (EBADF), not undefined behaviour.
    check(unsafe { libc::epoll_ctl(epoll, op, fd, &mut event) })?;
    Ok(())
}

/// Waits up to `timeout_ms` for ready fds; returns each one's token and what it is ready for.
fn wait(epoll: i32, timeout_ms: i32) -> io::Result<Vec<(u64, String)>> {
    let mut events = [libc::epoll_event { events: 0, u64: 0 }; 8];
    // SAFETY: `events` is a writable array of 8 epoll_events, and we pass 8 as its length.
    let ready = check(unsafe { libc::epoll_wait(epoll, events.as_mut_ptr(), 8, timeout_ms) })?;
    Ok(events[..ready as usize]
        .iter()
        .map(|event| (event.u64, names(event.events)))
        .collect())
}

/// "IN", "OUT", "IN|OUT"…: what an event says the fd is ready for.
fn names(events: u32) -> String {
    let known = [
        (libc::EPOLLIN, "IN"),
        (libc::EPOLLOUT, "OUT"),
        (libc::EPOLLERR, "ERR"),
        (libc::EPOLLHUP, "HUP"),
    ];
    let names: Vec<&str> = known
        .iter()
        .filter(|(bit, _)| events & *bit as u32 != 0)
        .map(|(_, name)| *name)
        .collect();
    names.join("|")
}
// ANCHOR_END: epoll

/// "WouldBlock" for an error of that kind, else the result as it is.
fn outcome<T: std::fmt::Debug>(result: io::Result<T>) -> String {
    match result {
        Err(error) if error.kind() == io::ErrorKind::WouldBlock => "WouldBlock".to_string(),
        other => format!("{other:?}"),
    }
}

// ANCHOR: main
const LISTENER: u64 = 1;
const STREAM: u64 = 2;

fn demo() -> io::Result<Vec<String>> {
    let mut log = Vec::new();
    // SAFETY: no pointers; the flag is valid.
    let epoll = check(unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) })?;

    // A listener that never blocks: with nobody connecting, accept says so at once.
    let listener = TcpListener::bind("127.0.0.1:0")?;
    listener.set_nonblocking(true)?;
    log.push(format!(
        "accept, nobody there: {}",
        outcome(listener.accept())
    ));

    // Watch it for "readable", which for a listener means "a connection is waiting".
    let fd = listener.as_raw_fd();
    control(epoll, libc::EPOLL_CTL_ADD, fd, libc::EPOLLIN, LISTENER)?;
    log.push(format!("epoll_wait(0): {:?}", wait(epoll, 0)?));
    let mut client = TcpStream::connect(listener.local_addr()?)?;
    log.push(format!(
        "a client connects, epoll_wait: {:?}",
        wait(epoll, 1000)?
    ));
    let (mut stream, _) = listener.accept()?;
    log.push("accept: a stream".to_string());

    // The same for reading: nothing sent yet, so read would block.
    stream.set_nonblocking(true)?;
    let mut buf = [0; 16];
    log.push(format!(
        "read, nothing sent: {}",
        outcome(stream.read(&mut buf))
    ));
    let fd = stream.as_raw_fd();
    control(epoll, libc::EPOLL_CTL_ADD, fd, libc::EPOLLIN, STREAM)?;
    client.write_all(b"ping")?;
    log.push(format!(
        "the client writes, epoll_wait: {:?}",
        wait(epoll, 1000)?
    ));
    log.push(format!("read: {}", outcome(stream.read(&mut buf))));

    // Level-triggered: a socket with room in its send buffer is writable, and stays so.
    control(epoll, libc::EPOLL_CTL_MOD, fd, libc::EPOLLOUT, STREAM)?;
    for _ in 0..3 {
        log.push(format!("EPOLLOUT, epoll_wait: {:?}", wait(epoll, 0)?));
    }
    // One-shot: reported once, then silent until re-armed with EPOLL_CTL_MOD.
    let oneshot = libc::EPOLLOUT | libc::EPOLLONESHOT;
    control(epoll, libc::EPOLL_CTL_MOD, fd, oneshot, STREAM)?;
    log.push(format!("EPOLLONESHOT, epoll_wait: {:?}", wait(epoll, 0)?));
    log.push(format!("EPOLLONESHOT, epoll_wait: {:?}", wait(epoll, 0)?));
    control(epoll, libc::EPOLL_CTL_MOD, fd, oneshot, STREAM)?;
    log.push(format!("re-armed, epoll_wait: {:?}", wait(epoll, 0)?));

    // SAFETY: the epoll fd is open and owned here, and nothing uses it after.
    unsafe { libc::close(epoll) };
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
