//! `spawn` from a task, from `block_on`, and through a `Handle` from any thread; the builder.

mod common;

use ch15_many_threads_fast::{Handle, Runtime, spawn, yield_now};
use common::{LIMIT, within};
use std::collections::HashSet;
use std::thread;

/// How many tasks `many_spawned_tasks_all_complete_on_several_workers` spawns (fewer under
/// Miri, which interprets every instruction).
const MANY: u64 = if cfg!(miri) { 200 } else { 10_000 };

#[test]
fn many_spawned_tasks_all_complete_on_several_workers() {
    let (sum, workers) = within(LIMIT, || {
        let runtime = Runtime::builder().worker_threads(4).build().unwrap();
        runtime.block_on(async {
            let tasks: Vec<_> = (0..MANY)
                .map(|n| {
                    spawn(async move {
                        yield_now().await;
                        (n, thread::current().id())
                    })
                })
                .collect();
            let mut sum = 0;
            let mut workers = HashSet::new();
            for task in tasks {
                let (n, worker) = task.await.unwrap();
                sum += n;
                workers.insert(worker);
            }
            (sum, workers)
        })
    });
    assert_eq!(sum, (0..MANY).sum::<u64>());
    assert!(!workers.contains(&thread::current().id()));
    assert!(workers.len() <= 4);
}

#[test]
fn a_task_spawned_by_a_task_runs() {
    let got = within(LIMIT, || {
        let runtime = Runtime::builder().worker_threads(2).build().unwrap();
        runtime.block_on(async { spawn(async { spawn(async { 5 }).await.unwrap() }).await })
    });
    assert_eq!(got.unwrap(), 5);
}

#[test]
fn a_handle_spawns_from_a_plain_thread() {
    let got = within(LIMIT, || {
        let runtime = Runtime::builder().worker_threads(2).build().unwrap();
        let handle = runtime.handle().clone();
        let from_thread = thread::spawn(move || {
            assert!(Handle::try_current().is_none());
            futures::executor::block_on(handle.spawn(async { 6 * 7 })).unwrap()
        });
        from_thread.join().unwrap()
    });
    assert_eq!(got, 42);
}

#[test]
fn handle_current_is_set_on_workers_and_inside_block_on() {
    let (in_block_on, in_task) = within(LIMIT, || {
        let runtime = Runtime::builder().worker_threads(1).build().unwrap();
        runtime.block_on(async {
            let in_block_on = Handle::try_current().is_some();
            let in_task = spawn(async { Handle::try_current().is_some() })
                .await
                .unwrap();
            (in_block_on, in_task)
        })
    });
    assert!(in_block_on && in_task);
    assert!(Handle::try_current().is_none());
}

#[test]
#[should_panic(expected = "`spawn` called outside of a runtime")]
fn spawn_outside_a_runtime_panics_with_a_clear_message() {
    drop(spawn(async {}));
}

#[test]
fn block_on_inside_a_task_is_refused() {
    let error = within(LIMIT, || {
        let runtime = Runtime::builder().worker_threads(1).build().unwrap();
        let handle = runtime.spawn(async {
            let inner = Runtime::builder().worker_threads(1).build().unwrap();
            inner.block_on(async {});
        });
        futures::executor::block_on(handle).unwrap_err()
    });
    assert!(error.is_panic());
    assert!(
        error.to_string().contains("from inside a runtime"),
        "{error}"
    );
}

#[test]
fn the_builder_starts_the_number_of_workers_asked_for() {
    let runtime = Runtime::builder().worker_threads(3).build().unwrap();
    assert_eq!(runtime.worker_threads(), 3);
    let default = Runtime::new().unwrap();
    let cpus = thread::available_parallelism().unwrap().get();
    assert_eq!(default.worker_threads(), cpus);
}
