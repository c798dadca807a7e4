use super::*;

#[test]
fn a_spawn_makes_no_system_call_but_a_share_of_the_epoll_wait_every_61_polls() {
    let runtime = Runtime::new().unwrap();
    let cost = spawn_cost(&runtime, 2_000, 100);
    assert!(cost.nanos > 0.0);
    // Chapter 9 made 5 per task (eventfd, 2 × epoll_ctl, write, close) plus a read per poll.
    // Here the only calls are the epoll_waits of the busy loop, one about every 61 polls (a
    // spawn is two polls: the task's and the main future's).
    assert_eq!(cost.syscalls, cost.epoll_waits, "nothing but epoll_wait");
    assert!(
        (cost.epoll_waits - 2.0 / 61.0).abs() < 0.004,
        "{} epoll_wait per spawn",
        cost.epoll_waits
    );
}

#[test]
fn a_wake_on_the_runtimes_thread_makes_no_system_call_but_a_share_of_the_epoll_wait() {
    let runtime = Runtime::new().unwrap();
    let cost = wake_cost(&runtime, 10_000);
    // One non-blocking epoll_wait every 61 polls (the event interval): 1/61 ≈ 0.016.
    assert_eq!(cost.syscalls, cost.epoll_waits, "nothing but epoll_wait");
    assert!(
        (cost.epoll_waits - 1.0 / 61.0).abs() < 0.002,
        "{} epoll_wait per wake",
        cost.epoll_waits
    );
}

#[test]
fn the_wakes_alone_make_no_system_call_and_every_woken_task_finishes() {
    // `wake_alone_cost` awaits every task after the wakes: a lost wake would hang here.
    let cost = common_limit(|| wake_alone_cost(&Runtime::new().unwrap(), 1_000).syscalls);
    assert_eq!(cost, 0.0);
}

/// Runs `f`, failing after 60 s instead of hanging.
fn common_limit<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (send, receive) = std::sync::mpsc::channel();
    std::thread::spawn(move || send.send(f()));
    receive
        .recv_timeout(std::time::Duration::from_secs(60))
        .expect("the measurement hung")
}

#[test]
fn main_runs() {
    main();
}
