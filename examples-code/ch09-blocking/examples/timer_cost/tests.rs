use super::*;

#[test]
fn neither_design_ends_a_sleep_early() {
    let durations = durations(200);
    for design in [Design::Timerfd, Design::Queue] {
        let report = measure(design, &durations);
        assert_eq!(report.early, 0, "{design:?}");
        assert_eq!(report.late.len(), 200, "{design:?}");
    }
}

#[test]
fn a_timerfd_costs_a_fixed_eight_calls_and_the_queue_none() {
    let durations = durations(200);
    let timerfd = measure(Design::Timerfd, &durations).calls;
    let queue = measure(Design::Queue, &durations).calls;
    // Per timerfd: create, settime, epoll_ctl add, arm and delete, a read that would block
    // and the read of the expiration, close.
    assert_eq!(timerfd.timerfd_create, 200);
    assert_eq!(timerfd.timerfd_settime, 200);
    assert_eq!(timerfd.epoll_ctl, 600);
    assert_eq!(timerfd.close, 200);
    assert!(timerfd.read >= 400);
    // The queue makes no call of its own per timer: only the waits and the wakes, which
    // timers that expire together share.
    assert_eq!(
        queue.timerfd_create + queue.timerfd_settime + queue.epoll_ctl + queue.close,
        0
    );
    assert!(
        queue.total() < timerfd.total() / 2,
        "{queue:?} against {timerfd:?}"
    );
}

#[test]
fn main_runs() {
    main();
}
