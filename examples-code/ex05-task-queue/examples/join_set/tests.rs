use super::*;
use futures::channel::oneshot;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// Runs `f` on a thread of its own and fails the test if it takes longer than 20 s: a join
/// that waits in spawn order would hang instead of failing.
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
fn outputs_come_in_the_order_the_tasks_finish_not_the_order_they_were_spawned() {
    assert_eq!(
        within(demo),
        [
            "finished: quick (2 left)",
            "finished: medium (1 left)",
            "finished: slow (0 left)",
        ]
    );
}

#[test]
fn a_task_that_waits_does_not_hold_back_one_spawned_after_it() {
    // The first task finishes only once the second one's result has come out of the set:
    // joining in spawn order would wait for ever.
    let order = within(|| {
        Runtime::new().unwrap().block_on(async {
            let (release, released) = oneshot::channel::<()>();
            let mut set = JoinSet::new();
            set.spawn(async move {
                released.await.unwrap();
                "first spawned"
            });
            set.spawn(async { "second spawned" });
            let mut order = vec![set.join_next().await.unwrap().unwrap()];
            release.send(()).unwrap();
            order.push(set.join_next().await.unwrap().unwrap());
            order
        })
    });
    assert_eq!(order, ["second spawned", "first spawned"]);
}

#[test]
fn a_panicking_task_gives_its_join_error_and_the_others_still_come() {
    let results = within(|| {
        Runtime::new().unwrap().block_on(async {
            let mut set = JoinSet::new();
            set.spawn(work("after two turns", 2));
            set.spawn(async { panic!("gave up at once") });
            let mut results = Vec::new();
            while let Some(result) = set.join_next().await {
                results.push(result.map_err(|error| error.to_string()));
            }
            results
        })
    });
    assert_eq!(
        results,
        [
            Err("task panicked: gave up at once".to_string()),
            Ok("after two turns")
        ]
    );
}

#[test]
fn join_next_on_an_empty_set_gives_none() {
    let next = within(|| {
        Runtime::new()
            .unwrap()
            .block_on(async { JoinSet::<u32>::new().join_next().await.is_none() })
    });
    assert!(next);
}

#[test]
fn main_runs() {
    within(main);
}
