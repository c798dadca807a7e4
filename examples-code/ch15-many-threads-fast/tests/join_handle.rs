//! A `JoinHandle` resolves wherever it is awaited: in a task on another worker, in
//! `block_on`, or on a plain thread; dropping it detaches the task.

mod common;

use ch15_many_threads_fast::{Runtime, spawn, yield_now};
use common::{LIMIT, within};
use futures::channel::oneshot;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;

#[test]
fn a_join_handle_awaited_from_a_task_on_another_worker_resolves() {
    let (producer, waiter, answer) = within(LIMIT, || {
        let runtime = Runtime::builder().worker_threads(2).build().unwrap();
        runtime.block_on(async {
            let waiter_started = Arc::new(AtomicBool::new(false));
            let started = Arc::clone(&waiter_started);
            // Holds its worker until the waiter is running: they are on two workers at once.
            let producer = spawn(async move {
                while !started.load(Ordering::Acquire) {
                    thread::yield_now();
                }
                (thread::current().id(), "done")
            });
            let waiter = spawn(async move {
                // The worker that first polls the handle, while the producer holds the other.
                let waiter = thread::current().id();
                waiter_started.store(true, Ordering::Release);
                let (producer, answer) = producer.await.unwrap();
                (producer, waiter, answer)
            });
            waiter.await.unwrap()
        })
    });
    assert_ne!(producer, waiter, "the two tasks ran on different workers");
    assert_eq!(answer, "done");
}

#[test]
fn dropping_the_join_handle_detaches_the_task() {
    let got = within(LIMIT, || {
        let runtime = Runtime::builder().worker_threads(2).build().unwrap();
        runtime.block_on(async {
            let (sender, receiver) = oneshot::channel();
            drop(spawn(async move {
                yield_now().await;
                yield_now().await;
                sender.send("ran to the end").unwrap();
            }));
            receiver.await.unwrap()
        })
    });
    assert_eq!(got, "ran to the end");
}
