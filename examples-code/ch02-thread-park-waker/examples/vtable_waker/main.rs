//! A `Waker` built by hand from a vtable over an `Arc<Thread>`, and a `block_on` that parks
//! the thread until that waker unparks it.

// xtask: valgrind

use std::future::Future;
use std::mem::ManuallyDrop;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, RawWaker, RawWakerVTable, Waker};
use std::thread::{self, Thread};
use std::time::Duration;

/// How long the demo's timer thread sleeps before it wakes `block_on`.
const DELAY: Duration = Duration::from_millis(100);

// ANCHOR: thread_waker
/// The four functions every waker made by `thread_waker` calls, in the order
/// `RawWakerVTable::new` takes them.
static VTABLE: RawWakerVTable = RawWakerVTable::new(clone_waker, wake, wake_by_ref, drop_waker);

/// Makes a `Waker` that unparks `thread`. The waker owns the strong reference it is given.
fn thread_waker(thread: Arc<Thread>) -> Waker {
    let data = Arc::into_raw(thread).cast::<()>();
    // SAFETY: `Waker::from_raw` asks that the vtable's functions, called with `data`, keep
    // the `RawWaker` contract, from any thread. They do: `data` is the pointer of an
    // `Arc<Thread>` whose strong reference this waker now owns, each function below takes,
    // borrows or copies exactly that reference, and `Thread` is `Send + Sync`.
    unsafe { Waker::from_raw(RawWaker::new(data, &VTABLE)) }
}
// ANCHOR_END: thread_waker

// ANCHOR: clone_waker
/// `Waker::clone`: one more waker, so one more strong reference.
///
/// # Safety
///
/// `data` must be the data pointer of a live waker made by `thread_waker` or by this
/// function, that is an `Arc<Thread>` pointer that still owns one strong reference.
unsafe fn clone_waker(data: *const ()) -> RawWaker {
    // SAFETY: `data` came from `Arc::into_raw` on an `Arc<Thread>`, and the waker being
    // cloned still owns its reference, so the count is at least 1 while we add ours.
    unsafe { Arc::increment_strong_count(data.cast::<Thread>()) };
    RawWaker::new(data, &VTABLE)
}
// ANCHOR_END: clone_waker

// ANCHOR: wake
/// `Waker::wake`: unpark, and give up the reference the waker owned.
///
/// # Safety
///
/// As for `clone_waker`, and the waker is consumed: `data` is not used again through it.
unsafe fn wake(data: *const ()) {
    // SAFETY: `data` came from `Arc::into_raw` on an `Arc<Thread>`. `wake` consumes the
    // waker, so the strong reference it owned is ours to take back: one `from_raw` for the
    // one reference this waker was given.
    let thread = unsafe { Arc::from_raw(data.cast::<Thread>()) };
    thread.unpark();
    // `thread` is dropped here: the strong count goes down by one.
}
// ANCHOR_END: wake

// ANCHOR: wake_by_ref
/// `Waker::wake_by_ref`: unpark, and leave the count alone; the waker lives on.
///
/// # Safety
///
/// As for `clone_waker`. The waker is only borrowed: it still owns its reference after.
unsafe fn wake_by_ref(data: *const ()) {
    // SAFETY: `data` came from `Arc::into_raw` on an `Arc<Thread>`, and the waker we are
    // called through still owns its reference, so the `Thread` is alive. `ManuallyDrop`
    // makes sure the `Arc` rebuilt here is never dropped: we borrow that reference, we do
    // not take it.
    let thread = ManuallyDrop::new(unsafe { Arc::from_raw(data.cast::<Thread>()) });
    thread.unpark();
}
// ANCHOR_END: wake_by_ref

// ANCHOR: drop_waker
/// `drop(waker)`: one waker less, so one strong reference less.
///
/// # Safety
///
/// As for `clone_waker`, and the waker is gone: `data` is not used again through it.
unsafe fn drop_waker(data: *const ()) {
    // SAFETY: `data` came from `Arc::into_raw` on an `Arc<Thread>`, and the waker being
    // dropped owned one strong reference, which we give back here, once.
    drop(unsafe { Arc::from_raw(data.cast::<Thread>()) });
}
// ANCHOR_END: drop_waker

// ANCHOR: block_on
/// Runs `future` to completion on the current thread, sleeping while it is `Pending`.
fn block_on<F: Future>(future: F) -> F::Output {
    // Pinned on this stack frame: it cannot move again before it is dropped here.
    let mut future = pin!(future);
    let waker = thread_waker(Arc::new(thread::current()));
    let mut cx = Context::from_waker(&waker);
    loop {
        match future.as_mut().poll(&mut cx) {
            Poll::Ready(output) => return output,
            // Sleep until someone calls `unpark` on this thread. If a wake already came
            // while we were polling, `park` returns at once: see `park_pitfalls`.
            Poll::Pending => thread::park(),
        }
    }
}
// ANCHOR_END: block_on

// ANCHOR: delay
/// A future that is ready `after` some time, measured by a thread of its own.
///
/// On its first poll it starts a timer thread that sleeps, sets `done`, then wakes the
/// waker of that poll. It keeps no later waker: enough under a `block_on` that always
/// passes the same one. A future polled with changing wakers must keep the latest, as
/// `WaitForFlag` in `park_pitfalls` does.
struct Delay {
    after: Duration,
    value: u32,
    polls: u32,
    done: Option<Arc<AtomicBool>>,
}

impl Delay {
    fn new(after: Duration, value: u32) -> Self {
        Delay {
            after,
            value,
            polls: 0,
            done: None,
        }
    }
}

impl Future for Delay {
    type Output = u32;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u32> {
        self.polls += 1;
        let polls = self.polls;
        match &self.done {
            None => {
                let done = Arc::new(AtomicBool::new(false));
                let (flag, waker, after) = (Arc::clone(&done), cx.waker().clone(), self.after);
                // Printed before the thread starts: on a loaded machine its line could come first.
                println!("poll {polls}: Pending, a timer thread will wake us");
                thread::spawn(move || {
                    thread::sleep(after);
                    flag.store(true, Ordering::Release);
                    println!("  timer thread: done, calling wake()");
                    waker.wake();
                });
                self.done = Some(done);
                Poll::Pending
            }
            Some(done) if done.load(Ordering::Acquire) => {
                println!("poll {polls}: Ready({})", self.value);
                Poll::Ready(self.value)
            }
            Some(_) => {
                println!("poll {polls}: Pending, woken but not done");
                Poll::Pending
            }
        }
    }
}
// ANCHOR_END: delay

// ANCHOR: main
fn main() {
    let value = block_on(Delay::new(DELAY, 42));
    println!("block_on returned {value}");
}
// ANCHOR_END: main

#[cfg(test)]
mod tests;
