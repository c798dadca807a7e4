//! The merged wake: a task is woken while it is already scheduled, so the wake queues
//! nothing and counts on the poll that is coming. The runtime clears `scheduled` before that
//! poll, so that a later wake queues the task again. Does the poll see what the merged wake
//! announced? Only if the clear is a read-modify-write.

use crate::verdict::leak;
use loom::sync::atomic::AtomicBool;
use loom::thread;
use std::sync::atomic::Ordering::{AcqRel, Acquire, Release};

// ANCHOR: model
/// How the runtime clears `scheduled` before it polls the task.
pub type Clear = fn(scheduled: &AtomicBool);

/// What a failing run of [`model`] reports.
pub const LOST: &str = "the poll missed the event and the wake queued nothing";

/// The litmus test. The task is scheduled (in the run queue), and the runtime is about to run
/// it. A waker on another thread makes the event happen, then wakes the task: it queues the
/// task only if `scheduled` was clear. The runtime clears `scheduled`, then polls: the
/// future reads the event. Returns (the poll saw the event, the wake queued the task).
pub fn model(clear: Clear) -> (bool, bool) {
    let scheduled = leak(AtomicBool::new(true));
    let ready = leak(AtomicBool::new(false));
    let waker = thread::spawn(move || {
        ready.store(true, Release); // the event: a message sent, a socket ready
        !scheduled.swap(true, AcqRel) // the wake: queue the task unless it is queued
    });
    clear(scheduled);
    let poll_saw_event = ready.load(Acquire); // the poll
    let queued = waker.join().unwrap();
    // If the wake queued the task, its next poll sees the event (the queue's lock
    // synchronizes). If not, this poll was the last chance.
    assert!(poll_saw_event || queued, "{LOST}");
    (poll_saw_event, queued)
}

/// A plain store: it reads nothing, so nothing orders the waker's event before the poll.
pub fn clear_with_store(scheduled: &AtomicBool) {
    scheduled.store(false, Release);
}

/// A read-modify-write: it reads the latest value of `scheduled`, so if the wake found the
/// flag set, the swap read the wake's write and synchronizes with it.
pub fn clear_with_swap(scheduled: &AtomicBool) {
    scheduled.swap(false, AcqRel);
}
// ANCHOR_END: model

/// What a swap allows: the poll sees the event, or the wake queued the task, or both.
pub const ALLOWED: [&str; 3] = ["(false, true)", "(true, false)", "(true, true)"];
