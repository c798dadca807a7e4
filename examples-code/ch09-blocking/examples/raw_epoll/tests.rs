use super::*;

#[test]
#[cfg_attr(
    miri,
    ignore = "Miri's epoll supports only edge-triggered registrations"
)]
fn epoll_reports_the_token_until_the_counter_is_read() {
    assert_eq!(
        demo().unwrap(),
        [
            "counter at zero, epoll_wait(0) returns []",
            "after two writes, epoll_wait(-1) returns [42]",
            "level-triggered: again [42]",
            "read returns the counter: 2",
            "counter at zero, epoll_wait(0) returns []",
            "a second read: EAGAIN (EFD_NONBLOCK), it would block",
        ]
    );
}

#[test]
fn edge_triggered_epoll_reports_each_write_once() {
    // SAFETY: no pointers; the flags are valid.
    let epoll = unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) };
    // SAFETY: no pointers; the flags are valid.
    let eventfd = unsafe { libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK) };
    assert!(epoll >= 0 && eventfd >= 0);
    add(epoll, eventfd, libc::EPOLLIN | libc::EPOLLET, 7).unwrap();
    write_one(eventfd).unwrap();
    assert_eq!(wait(epoll, 0).unwrap(), [7]);
    // Still readable, but nothing new happened: edge-triggered epoll is silent.
    assert_eq!(wait(epoll, 0).unwrap(), []);
    // A write is a new event, even though the counter was not zero.
    write_one(eventfd).unwrap();
    assert_eq!(wait(epoll, 0).unwrap(), [7]);
    assert_eq!(read_counter(eventfd).unwrap(), 2);
    // SAFETY: both fds are open and owned here, and nothing uses them after.
    unsafe {
        libc::close(eventfd);
        libc::close(epoll);
    }
}

#[test]
#[cfg_attr(
    miri,
    ignore = "Miri's epoll supports only edge-triggered registrations"
)]
fn main_runs() {
    main().unwrap();
}
