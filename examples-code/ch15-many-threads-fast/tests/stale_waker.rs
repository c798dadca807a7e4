//! A waker kept after its task has finished, or after its runtime is gone, is stale: waking
//! it queues a task that is over (and is skipped), or, once the runtime is gone, queues
//! nothing. It polls nothing.

mod common;

use ch15_many_threads_fast::{Runtime, spawn, yield_now};
use common::{LIMIT, within};
use std::future::poll_fn;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Poll, Waker};

#[test]
fn waking_a_finished_tasks_waker_polls_no_task() {
    let polls = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&polls);
    let polls_seen = Arc::clone(&polls);
    within(LIMIT, move || {
        let runtime = Runtime::new().unwrap();
        runtime.block_on(async move {
            // A task that leaves its waker behind and finishes.
            let stale = spawn(poll_fn(|cx| Poll::Ready(cx.waker().clone())))
                .await
                .unwrap();
            // A task that never finishes and counts its polls.
            drop(spawn(poll_fn(move |_| {
                counted.fetch_add(1, Ordering::SeqCst);
                Poll::<()>::Pending
            })));
            while polls_seen.load(Ordering::SeqCst) == 0 {
                yield_now().await; // until its first poll
            }
            for _ in 0..10 {
                stale.wake_by_ref();
            }
            // Many rounds of `epoll_wait`: enough for a stray event to be reported.
            for _ in 0..10 {
                yield_now().await;
            }
        });
    });
    assert_eq!(polls.load(Ordering::SeqCst), 1, "only its first poll");
}

#[test]
fn waking_a_waker_after_its_runtime_is_dropped_is_harmless() {
    let slot = Arc::new(Mutex::new(None::<Waker>));
    let kept = Arc::clone(&slot);
    within(LIMIT, move || {
        let runtime = Runtime::new().unwrap();
        runtime.block_on(async move {
            let task_slot = Arc::clone(&kept);
            drop(spawn(poll_fn(move |cx| {
                *task_slot.lock().unwrap() = Some(cx.waker().clone());
                Poll::<()>::Pending
            })));
            while kept.lock().unwrap().is_none() {
                yield_now().await; // until the task's first poll
            }
        });
    }); // the runtime is dropped here, with the task unfinished
    let waker = slot.lock().unwrap().take().expect("the task was polled");
    for _ in 0..10 {
        waker.wake_by_ref();
    }
    // And a new runtime is not disturbed by it.
    let answer = within(LIMIT, move || {
        waker.wake();
        let runtime = Runtime::new().unwrap();
        runtime.block_on(async { spawn(async { 42 }).await.unwrap() })
    });
    assert_eq!(answer, 42);
}
