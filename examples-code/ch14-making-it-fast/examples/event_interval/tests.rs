use super::*;

#[test]
fn the_runtime_looks_at_the_os_once_every_interval_polls_when_busy() {
    // Each yield is one poll of the task; the runtime makes one `epoll_wait` per `interval`
    // polls, give or take the few of the start and the end.
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
#[should_panic(expected = "`event_interval` cannot be zero")]
fn an_interval_of_zero_is_refused() {
    Builder::new().event_interval(0);
}

#[test]
fn main_runs() {
    main();
}
