//! A task's state word: is it on the queue, is a worker polling it, was it woken meanwhile.
//! One atomic, so that a task is on the ready queue at most once and polled by at most one
//! worker at a time, however many threads wake it.

use crate::sync::{AtomicUsize, Ordering};

/// On the ready queue, waiting for a worker.
const SCHEDULED: usize = 0b0001;
/// A worker is polling it.
const RUNNING: usize = 0b0010;
/// Woken while `RUNNING`: the worker puts it back on the queue when its poll ends.
const NOTIFIED: usize = 0b0100;
/// Its future returned `Ready` (or was dropped): wakes do nothing any more.
const COMPLETE: usize = 0b1000;

/// The scheduling state of one task. `0` is idle: not queued, not running, waiting for a wake.
pub struct TaskState {
    word: AtomicUsize,
}

impl Default for TaskState {
    fn default() -> Self {
        TaskState::new()
    }
}

impl TaskState {
    /// A new task is scheduled: whoever creates it puts it on the queue.
    pub fn new() -> TaskState {
        TaskState {
            word: AtomicUsize::new(SCHEDULED),
        }
    }

    /// A wake. Returns `true` when the caller must put the task on the ready queue: the
    /// task was idle. Running: mark it `NOTIFIED`, and the worker polling it queues it again
    /// when the poll ends. Queued or notified already: nothing changes, but the word is
    /// written all the same (see below). Complete: nothing to do.
    pub fn wake(&self) -> bool {
        let mut current = self.word.load(Ordering::Acquire);
        loop {
            let next = if current & COMPLETE != 0 {
                return false;
            } else if current & (SCHEDULED | NOTIFIED) != 0 {
                // The same value, written back: this read-modify-write is ordered before
                // the worker's `start_poll` (or `end_poll`), so the poll that follows sees
                // what the waker did before waking. A plain load would not be (loom found
                // that: `tests/loom_schedule.rs`).
                current
            } else if current & RUNNING != 0 {
                current | NOTIFIED
            } else {
                SCHEDULED
            };
            match self.word.compare_exchange_weak(
                current,
                next,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return current == 0,
                Err(actual) => current = actual,
            }
        }
    }

    /// A worker took the task off the queue and is about to poll it: `SCHEDULED` → `RUNNING`.
    /// Returns `false` for a task that is complete (cancelled while it was queued).
    pub fn start_poll(&self) -> bool {
        let mut current = self.word.load(Ordering::Acquire);
        loop {
            if current & COMPLETE != 0 {
                return false;
            }
            debug_assert_eq!(current, SCHEDULED, "polling a task that was not scheduled");
            match self.word.compare_exchange_weak(
                current,
                RUNNING,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return true,
                Err(actual) => current = actual,
            }
        }
    }

    /// The poll returned `Pending`. Returns `true` when the task was woken during the poll:
    /// it is `SCHEDULED` again and the caller must put it back on the queue. Otherwise it is
    /// idle, and the next wake queues it.
    pub fn end_poll(&self) -> bool {
        let mut current = self.word.load(Ordering::Acquire);
        loop {
            let next = if current & NOTIFIED != 0 {
                SCHEDULED
            } else {
                0
            };
            match self.word.compare_exchange_weak(
                current,
                next,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return next == SCHEDULED,
                Err(actual) => current = actual,
            }
        }
    }

    /// The future is done or dropped: no wake will queue the task again.
    pub fn complete(&self) {
        self.word.fetch_or(COMPLETE, Ordering::AcqRel);
    }
}
