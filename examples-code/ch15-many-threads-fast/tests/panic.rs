//! A panicking task gives `JoinError::is_panic`, and its worker goes on running tasks.

mod common;

use ch15_many_threads_fast::{Runtime, spawn, yield_now};
use common::{LIMIT, within};
use std::sync::{Arc, Barrier};

const WORKERS: usize = 3;
const PANICS: usize = 1_000;

#[test]
#[cfg_attr(
    miri,
    ignore = "a thousand panics on three workers: far too slow under Miri"
)]
fn after_many_panics_every_worker_still_runs_tasks() {
    // Keep a thousand panic messages off the test's output; print any other panic.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if info.payload().downcast_ref::<&str>() != Some(&"boom") {
            default_hook(info);
        }
    }));
    let (errors, together) = within(LIMIT, || {
        let runtime = Runtime::builder().worker_threads(WORKERS).build().unwrap();
        runtime.block_on(async {
            let panics: Vec<_> = (0..PANICS)
                .map(|_| {
                    spawn(async {
                        yield_now().await;
                        panic!("boom");
                    })
                })
                .collect();
            let mut errors = 0;
            for task in panics {
                let result: Result<(), _> = task.await;
                let error = result.unwrap_err();
                assert!(error.is_panic() && error.to_string() == "task panicked: boom");
                errors += 1;
            }
            // WORKERS tasks that each wait at a barrier for all the others: they can only
            // get through if every worker thread is alive and takes one of them.
            let barrier = Arc::new(Barrier::new(WORKERS));
            let meet: Vec<_> = (0..WORKERS)
                .map(|_| {
                    let barrier = Arc::clone(&barrier);
                    spawn(async move { barrier.wait().is_leader() })
                })
                .collect();
            let mut together = 0;
            for task in meet {
                task.await.unwrap();
                together += 1;
            }
            (errors, together)
        })
    });
    assert_eq!(errors, PANICS);
    assert_eq!(together, WORKERS);
}

#[test]
fn a_panicking_task_gives_a_join_error_and_the_others_go_on() {
    let (panicked, other, after) = within(LIMIT, || {
        let runtime = Runtime::new().unwrap();
        runtime.block_on(async {
            let other = spawn(async {
                yield_now().await;
                7
            });
            let panicked = spawn(async {
                yield_now().await;
                panic!("boom");
            });
            let panicked: Result<(), _> = panicked.await;
            let other = other.await;
            // The runtime still spawns and runs tasks after the panic.
            let after = spawn(async { 8 }).await;
            (panicked, other, after)
        })
    });
    let error = panicked.unwrap_err();
    assert!(error.is_panic() && !error.is_cancelled());
    assert_eq!(error.to_string(), "task panicked: boom");
    assert_eq!(*error.into_panic().downcast::<&str>().unwrap(), "boom");
    assert_eq!(other.unwrap(), 7);
    assert_eq!(after.unwrap(), 8);
}

/// A future that is ready at once, and panics when it is dropped.
struct PanicsOnDrop(u32);

impl std::future::Future for PanicsOnDrop {
    type Output = u32;

    fn poll(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<u32> {
        std::task::Poll::Ready(self.0)
    }
}

impl Drop for PanicsOnDrop {
    fn drop(&mut self) {
        panic!("dropping {}", self.0);
    }
}

/// A future whose `Drop` panics after it returned its output: the task ends with that
/// output, the panic does not unwind through `block_on`, and the runtime goes on.
#[test]
fn a_future_that_panics_when_dropped_after_its_output_keeps_the_output() {
    let (first, second) = within(LIMIT, || {
        let runtime = Runtime::new().unwrap();
        runtime.block_on(async {
            let first = spawn(PanicsOnDrop(1)).await;
            let second = spawn(async { 2 }).await;
            (first, second)
        })
    });
    assert_eq!(first.unwrap(), 1);
    assert_eq!(second.unwrap(), 2);
}

/// The same panic while the runtime cancels the task on drop: the handle says cancelled,
/// and the runtime still cancels the tasks after it.
#[test]
fn a_future_that_panics_when_cancelled_does_not_stop_the_other_cancellations() {
    let (handles, alive) = within(LIMIT, || {
        let alive = std::sync::Arc::new(());
        let runtime = Runtime::new().unwrap();
        let handles = runtime.block_on(async {
            let mut handles = Vec::new();
            for i in 0..3 {
                let alive = std::sync::Arc::clone(&alive);
                handles.push(spawn(async move {
                    let _alive = alive;
                    let _bomb = scopeguard(i);
                    std::future::pending::<()>().await
                }));
            }
            yield_now().await;
            yield_now().await;
            yield_now().await;
            handles
        });
        drop(runtime);
        (handles, alive)
    });
    assert_eq!(
        std::sync::Arc::strong_count(&alive),
        1,
        "all three futures dropped"
    );
    for handle in handles {
        let error = futures::executor::block_on(handle).unwrap_err();
        assert!(error.is_cancelled(), "{error}");
    }
}

/// A value that panics when dropped, held across an `.await`.
fn scopeguard(i: u32) -> impl Drop {
    struct Bomb(u32);
    impl Drop for Bomb {
        fn drop(&mut self) {
            panic!("cancelled task {} panics in its drop", self.0);
        }
    }
    Bomb(i)
}
