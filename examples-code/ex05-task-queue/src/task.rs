//! A task: a spawned future, boxed, with a waker of its own that puts it back on the run queue.

use crate::runtime::Shared;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Wake, Waker};

/// What a task holds: any future with no output, boxed and pinned. The output of the
/// user's future goes to the `JoinHandle`, so the task itself returns `()`.
pub(crate) type BoxFuture = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// A spawned future and what it needs to be polled again later.
pub(crate) struct Task {
    /// A number for the task, unique in its runtime (the key of `Shared::tasks`).
    pub(crate) id: u64,
    /// The future, until it finishes (or the runtime drops it). Only the executor thread
    /// polls it; the `Mutex` is there because wakers, and so tasks, cross threads.
    pub(crate) future: Mutex<Option<BoxFuture>>,
    /// `true` from the moment the task is put on the run queue until its poll starts, and
    /// for good once the task has finished.
    pub(crate) scheduled: AtomicBool,
    /// The run queue this task goes back on when woken.
    pub(crate) runtime: Arc<Shared>,
}

impl Wake for Task {
    fn wake(self: Arc<Self>) {
        // Already on the queue: one poll will see whatever this wake announces.
        if !self.scheduled.swap(true, Ordering::AcqRel) {
            let runtime = Arc::clone(&self.runtime);
            runtime.push(self);
        }
    }

    fn wake_by_ref(self: &Arc<Self>) {
        Arc::clone(self).wake();
    }
}

impl Task {
    // ANCHOR: run
    /// Polls the task once, with its own waker. Called by the executor thread only.
    pub(crate) fn run(self: &Arc<Self>) {
        let mut slot = self.future.lock().unwrap();
        let Some(future) = slot.as_mut() else {
            // Finished, and this was the entry of a wake that came during its last poll:
            // the task's last entry (`scheduled` stays set), so its slot frees now.
            drop(slot);
            self.runtime.forget(self.id);
            return;
        };
        // Cleared *before* the poll: a wake that comes during the poll queues the task again.
        // A swap, not a store: a wake that found the flag set queued nothing, so what it
        // announces must reach this poll through the flag. The swap reads the waker's write
        // (`Acquire`), a store would not, and the poll could miss the event (chapter 16).
        self.scheduled.swap(false, Ordering::AcqRel);
        let waker = Waker::from(Arc::clone(self));
        let mut cx = Context::from_waker(&waker);
        if future.as_mut().poll(&mut cx).is_ready() {
            let finished = slot.take();
            drop(slot);
            drop(finished);
            // Set for good: no later wake puts a finished task on the queue. Set already: a
            // wake during this poll queued the task, and it holds its slot until that entry
            // is taken (above).
            if !self.scheduled.swap(true, Ordering::AcqRel) {
                self.runtime.forget(self.id);
            }
        }
    }
    // ANCHOR_END: run
}
