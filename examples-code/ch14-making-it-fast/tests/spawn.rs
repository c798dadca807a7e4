//! `spawn` puts tasks on the current runtime's queue, and they all run to the end.

mod common;

use ch14_making_it_fast::{Runtime, spawn, yield_now};
use common::{LIMIT, within};

#[test]
fn many_spawned_tasks_all_complete() {
    let sum = within(LIMIT, || {
        let runtime = Runtime::new().unwrap();
        runtime.block_on(async {
            let handles: Vec<_> = (0..1_000u64)
                .map(|i| {
                    spawn(async move {
                        yield_now().await;
                        i
                    })
                })
                .collect();
            let mut sum = 0;
            for handle in handles {
                sum += handle.await.unwrap();
            }
            sum
        })
    });
    assert_eq!(sum, (0..1_000).sum::<u64>());
}

#[test]
fn a_task_spawned_by_a_task_runs() {
    let answer = within(LIMIT, || {
        let runtime = Runtime::new().unwrap();
        runtime.block_on(async {
            let outer = spawn(async {
                let inner = spawn(async { 41 });
                inner.await.unwrap() + 1
            });
            outer.await.unwrap()
        })
    });
    assert_eq!(answer, 42);
}

#[test]
#[should_panic(expected = "`spawn` called outside of a runtime")]
fn spawn_outside_a_runtime_panics_with_a_clear_message() {
    drop(spawn(async {}));
}
