//! A task: a spawned future, boxed, with a state word and a waker of its own that puts it
//! back on the shared ready queue. Chapter 5's task, made safe to run on many threads.

use crate::runtime::Shared;
use crate::state::TaskState;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Wake, Waker};

/// What a task holds: any future with no output, boxed and pinned. The output of the
/// user's future goes to the `JoinHandle`, so the task itself returns `()`.
pub(crate) type BoxFuture = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// A spawned future and what it needs to be polled again later, by any worker.
pub(crate) struct Task {
    /// A number for the task, unique in its runtime (the key of the runtime's task list).
    pub(crate) id: u64,
    /// The future, until it finishes or is cancelled. The state word lets one worker at a
    /// time poll it, so this lock is never contended; it is there to make `Task` `Sync`.
    pub(crate) future: Mutex<Option<BoxFuture>>,
    /// Scheduled, running, notified while running, complete.
    pub(crate) state: TaskState,
    /// The runtime this task goes back to when woken.
    pub(crate) shared: Arc<Shared>,
}

impl Wake for Task {
    fn wake(self: Arc<Self>) {
        if self.state.wake() {
            let shared = Arc::clone(&self.shared);
            shared.schedule(self);
        }
    }

    fn wake_by_ref(self: &Arc<Self>) {
        if self.state.wake() {
            self.shared.schedule(Arc::clone(self));
        }
    }
}

impl Task {
    /// Polls the task once, on the worker that took it off the queue. Returns whether it
    /// polled (not when the task was cancelled while it waited on the queue).
    pub(crate) fn run(self: Arc<Self>) -> bool {
        if !self.state.start_poll() {
            return false; // cancelled while it waited on the queue
        }
        let waker = Waker::from(Arc::clone(&self));
        let mut cx = Context::from_waker(&waker);
        let mut slot = self.future.lock().unwrap();
        let Some(future) = slot.as_mut() else {
            return false;
        };
        if future.as_mut().poll(&mut cx).is_ready() {
            self.state.complete();
            let finished = slot.take();
            drop(slot);
            drop(finished);
            self.shared.forget(self.id);
        } else {
            drop(slot);
            // Woken during the poll: back to the end of the queue, for any worker.
            if self.state.end_poll() {
                let shared = Arc::clone(&self.shared);
                shared.schedule(self);
            }
        }
        true
    }

    /// Drops the future unfinished: its `JoinHandle` gives a cancelled `JoinError`.
    pub(crate) fn cancel(&self) {
        self.state.complete();
        let future = self.future.lock().unwrap().take();
        drop(future);
    }
}
