//! Dropping the runtime stops the workers and cancels every unfinished task.

mod common;

use ch15_many_threads_fast::{Runtime, yield_now};
use common::{LIMIT, within};
use std::future::poll_fn;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Poll, Waker};

/// Counts its drops.
struct DropCount(Arc<AtomicUsize>);

impl Drop for DropCount {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn dropping_the_runtime_cancels_unfinished_tasks() {
    let dropped = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&dropped);
    let results = within(LIMIT, move || {
        let runtime = Runtime::builder().worker_threads(2).build().unwrap();
        let handles: Vec<_> = (0..100)
            .map(|_| {
                let flag = DropCount(Arc::clone(&counter));
                runtime.spawn(async move {
                    let _flag = flag;
                    yield_now().await;
                    std::future::pending::<()>().await // never finishes
                })
            })
            .collect();
        drop(runtime);
        // The handles outlive their runtime and can be awaited anywhere.
        futures::executor::block_on(futures::future::join_all(handles))
    });
    for result in results {
        let error = result.unwrap_err();
        assert!(error.is_cancelled() && !error.is_panic());
        assert_eq!(error.to_string(), "task was cancelled");
    }
    assert_eq!(
        dropped.load(Ordering::SeqCst),
        100,
        "every future was dropped"
    );
}

#[test]
fn a_spawn_through_a_handle_after_the_runtime_is_dropped_is_cancelled() {
    let result = within(LIMIT, || {
        let runtime = Runtime::builder().worker_threads(1).build().unwrap();
        let handle = runtime.handle().clone();
        drop(runtime);
        futures::executor::block_on(handle.spawn(async { 1 }))
    });
    assert!(result.unwrap_err().is_cancelled());
}

#[test]
fn a_waker_woken_after_the_runtime_is_dropped_does_nothing() {
    let waker = within(LIMIT, || {
        let slot = Arc::new(Mutex::new(None::<Waker>));
        let runtime = Runtime::builder().worker_threads(2).build().unwrap();
        let kept = Arc::clone(&slot);
        drop(runtime.spawn(poll_fn(move |cx| {
            *kept.lock().unwrap() = Some(cx.waker().clone());
            Poll::<()>::Pending
        })));
        common::wait_until(LIMIT, "the task was polled", || {
            slot.lock().unwrap().is_some()
        });
        drop(runtime);
        slot.lock().unwrap().take().unwrap()
    });
    waker.wake_by_ref();
    waker.wake();
}

#[test]
fn drop_waits_for_a_poll_in_progress_before_cancelling() {
    let (finished_poll, result) = within(LIMIT, || {
        let runtime = Runtime::builder().worker_threads(1).build().unwrap();
        let in_poll = Arc::new(AtomicBool::new(false));
        let finished_poll = Arc::new(AtomicBool::new(false));
        let (entered, done) = (Arc::clone(&in_poll), Arc::clone(&finished_poll));
        let handle = runtime.spawn(poll_fn(move |_| {
            entered.store(true, Ordering::SeqCst);
            std::thread::sleep(std::time::Duration::from_millis(50));
            done.store(true, Ordering::SeqCst);
            Poll::<()>::Pending // and nobody will wake it
        }));
        common::wait_until(LIMIT, "the poll started", || in_poll.load(Ordering::SeqCst));
        drop(runtime); // while the worker is inside the poll
        let finished = finished_poll.load(Ordering::SeqCst);
        (finished, futures::executor::block_on(handle))
    });
    assert!(
        finished_poll,
        "drop returned before the worker finished its poll"
    );
    assert!(result.unwrap_err().is_cancelled());
}
