//! Dropping the runtime cancels the tasks that have not finished.

mod common;

use ch14_making_it_fast::{JoinHandle, Runtime, spawn, yield_now};
use common::{LIMIT, within};
use std::future::Future;
use std::future::poll_fn;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Poll, Waker};

/// Sets its flag when dropped.
struct DropFlag(Arc<AtomicBool>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// Spawns `future` from inside `runtime` and returns its handle without awaiting it.
fn spawn_on<F>(runtime: &Runtime, future: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let mut future = Some(future);
    runtime.block_on(poll_fn(|_| Poll::Ready(spawn(future.take().unwrap()))))
}

#[test]
fn dropping_the_runtime_cancels_unfinished_tasks() {
    let dropped = Arc::new(AtomicBool::new(false));
    let flag = DropFlag(Arc::clone(&dropped));
    let result = within(LIMIT, move || {
        let runtime = Runtime::new().unwrap();
        let handle = spawn_on(&runtime, async move {
            let _flag = flag;
            std::future::pending::<()>().await // never finishes
        });
        drop(runtime);
        // The handle outlives its runtime; a second runtime can await it.
        Runtime::new().unwrap().block_on(handle)
    });
    let error = result.unwrap_err();
    assert!(error.is_cancelled() && !error.is_panic());
    assert_eq!(error.to_string(), "task was cancelled");
    assert!(
        dropped.load(Ordering::SeqCst),
        "the task's future was dropped"
    );
}

#[test]
fn a_waker_woken_after_the_runtime_is_dropped_does_nothing() {
    let waker = within(LIMIT, || {
        let slot = Arc::new(Mutex::new(None::<Waker>));
        let runtime = Runtime::new().unwrap();
        runtime.block_on({
            let slot = Arc::clone(&slot);
            async move {
                let kept = Arc::clone(&slot);
                drop(spawn(poll_fn(move |cx| {
                    *kept.lock().unwrap() = Some(cx.waker().clone());
                    Poll::<()>::Pending
                })));
                while slot.lock().unwrap().is_none() {
                    yield_now().await;
                }
            }
        });
        drop(runtime);
        slot.lock().unwrap().take().unwrap()
    });
    waker.wake_by_ref();
    waker.wake();
}
