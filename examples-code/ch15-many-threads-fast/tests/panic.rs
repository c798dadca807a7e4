//! A panicking task gives `JoinError::is_panic`, and its worker goes on running tasks.

mod common;

use ch15_many_threads_fast::{Runtime, spawn, yield_now};
use common::{LIMIT, within};
use std::sync::{Arc, Barrier};

const WORKERS: usize = 3;
const PANICS: usize = 1_000;

#[test]
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
