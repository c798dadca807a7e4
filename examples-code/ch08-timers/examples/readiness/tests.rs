use super::*;

#[test]
#[cfg_attr(miri, ignore = "Miri supports no TCP sockets")]
fn would_block_then_ready_and_oneshot_reports_once_per_arming() {
    assert_eq!(
        demo().unwrap(),
        [
            "accept, nobody there: WouldBlock",
            "epoll_wait(0): []",
            "a client connects, epoll_wait: [(1, \"IN\")]",
            "accept: a stream",
            "read, nothing sent: WouldBlock",
            "the client writes, epoll_wait: [(2, \"IN\")]",
            "read: Ok(4)",
            "EPOLLOUT, epoll_wait: [(2, \"OUT\")]",
            "EPOLLOUT, epoll_wait: [(2, \"OUT\")]",
            "EPOLLOUT, epoll_wait: [(2, \"OUT\")]",
            "EPOLLONESHOT, epoll_wait: [(2, \"OUT\")]",
            "EPOLLONESHOT, epoll_wait: []",
            "re-armed, epoll_wait: [(2, \"OUT\")]",
        ]
    );
}

/// What makes the EMFILE trap: a connection nobody accepts stays queued, so a level-triggered
/// listener is reported by every `epoll_wait` until somebody does.
#[test]
#[cfg_attr(miri, ignore = "Miri supports no TCP sockets")]
fn a_listener_is_reported_by_every_wait_until_its_connection_is_accepted() {
    // SAFETY: no pointers; the flag is valid.
    let epoll = check(unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) }).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let fd = listener.as_raw_fd();
    control(epoll, libc::EPOLL_CTL_ADD, fd, libc::EPOLLIN, 7).unwrap();
    let _client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let reported = (0..5)
        .filter(|_| !wait(epoll, 1000).unwrap().is_empty())
        .count();
    assert_eq!(reported, 5);
    let _stream = listener.accept().unwrap();
    assert_eq!(wait(epoll, 0).unwrap(), []);
    // SAFETY: the epoll fd is open and owned here, and nothing uses it after.
    unsafe { libc::close(epoll) };
}

#[test]
#[cfg_attr(miri, ignore = "Miri supports no TCP sockets")]
fn main_runs() {
    main().unwrap();
}
