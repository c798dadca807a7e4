use super::*;

#[test]
#[cfg_attr(miri, ignore = "Miri runs no timerfd, and times nothing worth timing")]
fn every_piece_is_measured_with_a_positive_figure() {
    assert!(queue_push_pop(1_000) > 0.0);
    assert!(null_syscall(1_000) > 0.0);
    let epoll = Epoll::new().unwrap();
    let event = EventFd::new().unwrap();
    assert!(per_call(1_000, || event.write()) > 0.0);
    assert!(per_call(100, || eventfd_life(&epoll).unwrap()) > 0.0);
    assert!(per_call(100, || timerfd_life().unwrap()) > 0.0);
}

#[test]
#[cfg_attr(miri, ignore = "Miri runs no timerfd, and times nothing worth timing")]
fn a_look_at_an_empty_epoll_set_finds_nothing_and_an_eventfd_write_is_read_back() {
    let epoll = Epoll::new().unwrap();
    assert_eq!(epoll.look(), 0);
    let event = EventFd::new().unwrap();
    epoll.ctl(libc::EPOLL_CTL_ADD, event.0).unwrap();
    event.write();
    assert_eq!(epoll.look(), 1, "a written eventfd is readable");
    event.read();
    assert_eq!(epoll.look(), 0, "read back, it is not");
}

#[test]
#[cfg_attr(miri, ignore = "Miri cannot pin threads to CPUs")]
fn a_wake_round_trip_completes_on_one_cpu_and_on_two() {
    assert!(wake_one_way(50, (0, 0)).is_some_and(|us| us > 0.0));
    let cpus = thread::available_parallelism().map_or(1, usize::from);
    if cpus >= 2 {
        assert!(wake_one_way(50, (0, 1)).is_some_and(|us| us > 0.0));
    }
}

#[test]
#[cfg_attr(miri, ignore = "Miri runs no timerfd")]
fn main_runs() {
    main();
}
