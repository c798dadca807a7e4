//! A `JoinHandle` can be awaited from any task, and dropping it detaches its task.

mod common;

use ch14_making_it_fast::{Runtime, spawn, yield_now};
use common::{LIMIT, within};
use futures::channel::oneshot;

#[test]
fn a_join_handle_can_be_awaited_from_another_task() {
    let answer = within(LIMIT, || {
        let runtime = Runtime::new().unwrap();
        runtime.block_on(async {
            let worker = spawn(async {
                yield_now().await;
                "done"
            });
            // A second task waits for the first; the main future waits for the second.
            let waiter = spawn(async move { worker.await.unwrap() });
            waiter.await.unwrap()
        })
    });
    assert_eq!(answer, "done");
}

#[test]
fn dropping_the_join_handle_detaches_the_task() {
    let got = within(LIMIT, || {
        let runtime = Runtime::new().unwrap();
        runtime.block_on(async {
            let (sender, receiver) = oneshot::channel();
            drop(spawn(async move {
                yield_now().await;
                yield_now().await;
                sender.send("ran to the end").unwrap();
            }));
            // Nothing holds the task's handle; the task still sends.
            receiver.await.unwrap()
        })
    });
    assert_eq!(got, "ran to the end");
}
