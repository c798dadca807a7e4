//! Edge-triggered epoll (`EPOLLET`, what mio uses), with `std` and `libc` only: an event
//! comes when a socket *turns* ready, once. Bytes left unread make no new event; only a read
//! that says `WouldBlock` proves the socket drained, and the next bytes make the next edge.

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

/// How many events `epoll_wait` reports within `timeout_ms`.
fn events(epoll: i32, timeout_ms: i32) -> io::Result<usize> {
    let mut events = [libc::epoll_event { events: 0, u64: 0 }; 8];
    // SAFETY: `events` is a writable array of 8 epoll_events, and we pass 8 as its length.
    let ready = check(unsafe { libc::epoll_wait(epoll, events.as_mut_ptr(), 8, timeout_ms) })?;
    Ok(ready as usize)
}

/// What a non-blocking read gives: a byte count, or "WouldBlock".
fn read(stream: &mut TcpStream, len: usize) -> String {
    let mut buf = vec![0; len];
    match stream.read(&mut buf) {
        Ok(n) => format!("{n} bytes"),
        Err(error) if error.kind() == io::ErrorKind::WouldBlock => "WouldBlock".to_string(),
        Err(error) => format!("{error}"),
    }
}

// ANCHOR: main
fn demo() -> io::Result<Vec<String>> {
    let mut log = Vec::new();
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let mut client = TcpStream::connect(listener.local_addr()?)?;
    let (mut server, _) = listener.accept()?;
    server.set_nonblocking(true)?;

    // SAFETY: no pointers; the flag is valid.
    let epoll = check(unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) })?;
    let mut event = libc::epoll_event {
        events: (libc::EPOLLIN | libc::EPOLLET) as u32,
        u64: 1,
    };
    // SAFETY: `event` is a valid epoll_event that lives across the call.
    check(unsafe { libc::epoll_ctl(epoll, libc::EPOLL_CTL_ADD, server.as_raw_fd(), &mut event) })?;

    client.write_all(&[1; 100])?;
    log.push(format!("100 bytes sent, events: {}", events(epoll, 1000)?));
    log.push(format!("read 10: {}", read(&mut server, 10)));
    log.push(format!("90 bytes left, events: {}", events(epoll, 100)?));
    log.push(format!("read 1000: {}", read(&mut server, 1000)));
    log.push(format!("read 1000: {}", read(&mut server, 1000)));
    client.write_all(&[2; 5])?;
    log.push(format!(
        "5 more bytes sent, events: {}",
        events(epoll, 1000)?
    ));
    log.push(format!("read 1000: {}", read(&mut server, 1000)));

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
