use super::*;

#[test]
#[cfg_attr(miri, ignore = "thousands of polls on mio: minutes under Miri")]
fn a_busy_worker_looks_at_the_driver_once_every_interval_polls() {
    // Each yield is one poll; the worker makes one `epoll_wait` per `interval` polls, give or
    // take the few of the start and the end (its sleeps before and after).
    for interval in [1, 8, 61] {
        let (_, calls) = per_yield(interval, 6_100);
        let expected = 1.0 / f64::from(interval);
        assert!(
            (calls - expected).abs() < 0.002 + expected * 0.05,
            "interval {interval}: {calls} epoll_wait per yield, not about {expected}"
        );
    }
}

#[test]
#[should_panic(expected = "the interval is at least one poll")]
fn an_interval_of_zero_is_refused() {
    Runtime::builder().event_interval(0);
}

#[test]
#[cfg_attr(miri, ignore = "a hundred thousand polls: hours under Miri")]
fn main_runs() {
    main();
}
