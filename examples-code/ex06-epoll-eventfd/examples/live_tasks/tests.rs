use super::*;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// Runs `f` on a thread of its own and fails the test if it takes longer than 20 s.
fn within<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (sender, receiver) = mpsc::channel();
    thread::spawn(move || {
        let _ = sender.send(f());
    });
    receiver
        .recv_timeout(Duration::from_secs(20))
        .expect("not finished in 20 s, or the test's thread panicked")
}

#[test]
#[cfg_attr(
    miri,
    ignore = "Miri's epoll supports only edge-triggered registrations"
)]
fn each_task_counts_itself_and_the_others_not_yet_finished() {
    assert_eq!(
        within(demo),
        [
            "before spawning: 0",
            "after spawning three: 3",
            "task 0 sees 3",
            "task 1 sees 2",
            "task 2 sees 1",
            "after joining them: 0",
            "after block_on, one left: 1",
        ]
    );
}

#[test]
#[cfg_attr(
    miri,
    ignore = "Miri's epoll supports only edge-triggered registrations"
)]
fn a_task_counts_itself_while_it_is_being_polled() {
    // The task map does not hold the task being polled: its length would say 0 here.
    let seen = within(|| {
        Runtime::new()
            .unwrap()
            .block_on(async { spawn(async { live_tasks() }).await.unwrap() })
    });
    assert_eq!(seen, 1);
}

#[test]
#[cfg_attr(
    miri,
    ignore = "Miri's epoll supports only edge-triggered registrations"
)]
fn the_count_returns_to_zero_after_a_thousand_tasks() {
    let (peak, after) = within(|| {
        let runtime = Runtime::new().unwrap();
        let peak = runtime.block_on(async {
            let handles: Vec<_> = (0..1000u32)
                .map(|n| {
                    spawn(async move {
                        for _ in 0..n % 3 {
                            yield_now().await;
                        }
                    })
                })
                .collect();
            let peak = live_tasks();
            for handle in handles {
                handle.await.unwrap();
            }
            peak
        });
        (peak, runtime.live_tasks())
    });
    assert_eq!((peak, after), (1000, 0));
}

#[test]
#[cfg_attr(
    miri,
    ignore = "Miri's epoll supports only edge-triggered registrations"
)]
fn a_panicking_task_is_no_longer_counted() {
    let after = within(|| {
        Runtime::new().unwrap().block_on(async {
            let failed = spawn(async { panic!("on purpose") });
            assert!(failed.await.unwrap_err().is_panic());
            live_tasks()
        })
    });
    assert_eq!(after, 0);
}

#[test]
#[cfg_attr(
    miri,
    ignore = "Miri's epoll supports only edge-triggered registrations"
)]
fn main_runs() {
    within(main);
}
