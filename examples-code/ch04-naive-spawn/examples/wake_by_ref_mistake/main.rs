//! The classic mistake: `wake_by_ref` written like `wake`. It gives up a strong reference
//! that the waker still owns. Here it is shown safely: an extra `Arc` keeps the `Thread`
//! alive, and the broken waker is forgotten so the missing reference is never released.

use std::mem;
use std::sync::Arc;
use std::task::{RawWaker, RawWakerVTable, Waker};
use std::thread::{self, Thread};

static VTABLE: RawWakerVTable = RawWakerVTable::new(clone_waker, wake, wake_by_ref, drop_waker);

/// Makes a `Waker` that unparks `thread`. The waker owns the strong reference it is given.
fn thread_waker(thread: Arc<Thread>) -> Waker {
    let data = Arc::into_raw(thread).cast::<()>();
    // SAFETY: `data` is the pointer of an `Arc<Thread>` whose strong reference this waker
    // now owns, and `Thread` is `Send + Sync`. The vtable keeps the `RawWaker` contract
    // except in `wake_by_ref`, the mistake this program is about; `main` makes sure that
    // mistake frees nothing (see there).
    unsafe { Waker::from_raw(RawWaker::new(data, &VTABLE)) }
}

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

/// # Safety
///
/// As for `clone_waker`, and the waker is consumed: `data` is not used again through it.
unsafe fn wake(data: *const ()) {
    // SAFETY: `wake` consumes the waker, so the reference it owned is ours to take back.
    let thread = unsafe { Arc::from_raw(data.cast::<Thread>()) };
    thread.unpark();
}

// ANCHOR: wake_by_ref
/// WRONG: written like `wake`, although the waker is only borrowed.
///
/// # Safety
///
/// As for `clone_waker`, and more: the caller must hold a strong reference of its own
/// besides the waker's, and must never let this waker be dropped, because this function
/// releases the waker's reference behind its back.
unsafe fn wake_by_ref(data: *const ()) {
    // SAFETY: `data` came from `Arc::into_raw` on an `Arc<Thread>` and the `Thread` is alive,
    // which is all `from_raw` checks. The bug is what follows: this `Arc` takes over a
    // reference that still belongs to the waker, and its drop at the end of this function
    // gives it up. The caller's extra reference keeps that drop from freeing the `Thread`.
    let thread = unsafe { Arc::from_raw(data.cast::<Thread>()) };
    thread.unpark();
    // `thread` is dropped here: the count goes down, but no waker went away.
}
// ANCHOR_END: wake_by_ref

/// # Safety
///
/// As for `clone_waker`, and the waker is gone: `data` is not used again through it.
unsafe fn drop_waker(data: *const ()) {
    // SAFETY: the waker being dropped owned one strong reference; we give it back, once.
    drop(unsafe { Arc::from_raw(data.cast::<Thread>()) });
}

// ANCHOR: main
fn main() {
    // One reference for `main`, one for the waker.
    let thread = Arc::new(thread::current());
    let waker = thread_waker(Arc::clone(&thread));
    println!(
        "before wake_by_ref: strong count = {}",
        Arc::strong_count(&thread)
    );

    waker.wake_by_ref();
    println!(
        "after wake_by_ref:  strong count = {}",
        Arc::strong_count(&thread)
    );

    // The count says 1 (only `main`), but the waker still believes it owns a reference.
    // Dropping it would take the count to 0 and free the `Thread` while `thread` points
    // at it; `thread`'s own drop would then free it a second time. Forgetting the waker
    // skips the release of a reference that no longer exists, so the count is right again.
    mem::forget(waker);
    println!(
        "waker forgotten:    strong count = {}",
        Arc::strong_count(&thread)
    );
}
// ANCHOR_END: main

#[cfg(test)]
mod tests;
