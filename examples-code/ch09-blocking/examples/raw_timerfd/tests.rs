use super::*;

#[test]
#[cfg_attr(miri, ignore = "Miri has no timerfd")]
fn a_timerfd_is_readable_once_it_expires_and_not_after_a_zero_time_disarms_it() {
    assert_eq!(
        demo(DELAY).unwrap(),
        [
            "armed: read says WouldBlock",
            "epoll_wait(-1) returns [7]",
            "not before the delay: true",
            "read: 1 expiration",
            "read again: WouldBlock",
            "armed, then disarmed: epoll_wait(2 x delay) returns []",
        ]
    );
}

#[test]
#[cfg_attr(miri, ignore = "Miri has no timerfd")]
fn a_read_counts_every_expiration_since_the_last_one() {
    let timer = timerfd().unwrap();
    let period = libc::timespec {
        tv_sec: 0,
        tv_nsec: 5_000_000, // 5 ms
    };
    let spec = libc::itimerspec {
        it_interval: period,
        it_value: period,
    };
    // SAFETY: `spec` lives across the call and is only read; the old value may be null.
    let result = unsafe { libc::timerfd_settime(timer, 0, &spec, std::ptr::null_mut()) };
    assert_eq!(result, 0);
    std::thread::sleep(Duration::from_millis(50));
    // At least 10 periods have passed: one read reports them all.
    assert!(expirations(timer).unwrap() >= 10);
    // SAFETY: the fd is open and ours, and nothing uses it after.
    unsafe { libc::close(timer) };
}

#[test]
#[cfg_attr(miri, ignore = "Miri has no timerfd")]
fn main_runs() {
    main().unwrap();
}
