//! A task: one allocation that holds the future, its output once it is done, a "scheduled"
//! flag and the waker of whoever awaits its `JoinHandle`. The `Arc` of that allocation is the
//! task's waker, its place in the run queue and its `JoinHandle`, all at once.

use crate::handshake::{Done, Scheduled};
use crate::join::JoinError;
use crate::runtime::Shared;
use futures::task::{ArcWake, waker_ref};
use std::cell::UnsafeCell;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

// ANCHOR: task
/// A spawned future and everything that goes with it, in one allocation.
pub(crate) struct Task<F: Future> {
    /// Set by the wake that puts the task in a run queue, cleared (by a swap) just before each
    /// poll: a second wake before the poll finds it set and queues nothing.
    scheduled: Scheduled,
    /// The runtime: where a wake puts the task.
    shared: Arc<Shared>,
    /// The task's key in the runtime's list of live tasks, to take it out when it finishes.
    key: usize,
    /// Set, once and for all, when `phase` holds the output (or the cancellation), with the
    /// waker of the task that awaits the `JoinHandle`. Before, only the runtime's thread
    /// touches `phase`; after, only the `JoinHandle`.
    done: Done,
    /// The future while it runs, then its output until the `JoinHandle` takes it. No lock:
    /// `done` says whose it is (see the `Sync` impl below).
    phase: UnsafeCell<Phase<F>>,
}

/// Where a task is in its life (tokio's task has the same three, and calls them its `Stage`:
/// this book keeps that word for a chapter's crate).
enum Phase<F: Future> {
    Running(F),
    Finished(Result<F::Output, JoinError>),
    /// The `JoinHandle` took the output.
    Taken,
}
// ANCHOR_END: task

// ANCHOR: runnable
/// What the runtime needs of a task, whatever its future's type: the run queues hold
/// `Arc<dyn Runnable>`, a pointer to the task's one allocation.
pub(crate) trait Runnable: Send + Sync {
    /// Polls the future once, unless the task is over. Returns whether it is over now.
    fn run(self: Arc<Self>) -> bool;
    /// Drops the future, if it still runs: the `JoinHandle` sees `JoinError::is_cancelled`.
    fn cancel(&self);
    /// The key in the runtime's list of live tasks.
    fn key(&self) -> usize;
}

/// What a `JoinHandle<T>` needs of its task: the output, or a wait for it.
pub(crate) trait Join<T>: Send + Sync {
    fn poll_join(&self, cx: &mut Context<'_>) -> Poll<Result<T, JoinError>>;
}
// ANCHOR_END: runnable

// ANCHOR: sync
// SAFETY: `Task` is shared between threads (wakers go anywhere), and its only field that is
// not `Sync` of itself is `phase`. Two parties touch it, never at the same time:
// - while `done`'s flag, `complete`, is false, the runtime's thread alone: `run` and `cancel` are only called
//   by the runtime that owns the task, on the thread inside its `block_on` or its `Drop`, one
//   call at a time (they cannot nest: a task cannot enter `block_on` again, which `Enter`
//   forbids, nor drop the runtime, which is `!Send` and borrowed by `block_on`);
// - once `complete` is true (stored with `Release` after the last write of the runtime's
//   thread, loaded with `Acquire` before the first access of the handle: `Done`, in
//   `handshake.rs`), the `JoinHandle` alone. There is one handle per task, and polling it takes `&mut`.
// The last `Arc` to go drops `phase` with exclusive access. `F` and its output move between
// threads with the task, hence the `Send` bounds.
unsafe impl<F> Sync for Task<F>
where
    F: Future + Send,
    F::Output: Send,
{
}
// ANCHOR_END: sync

impl<F> Task<F>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    /// A new task, scheduled: its first poll is its first trip through the run queue.
    pub(crate) fn new(future: F, shared: Arc<Shared>, key: usize) -> Arc<Task<F>> {
        Arc::new(Task {
            scheduled: Scheduled::new(),
            shared,
            key,
            done: Done::new(),
            phase: UnsafeCell::new(Phase::Running(future)),
        })
    }

    // ANCHOR: finish
    /// Ends the task with `result`: the future, if still there, is dropped in place (it was
    /// pinned there), the output is written, then the handle may look, and the task that
    /// awaits it is woken. Returns the payload if dropping the future panicked: even then the
    /// output is written and the phase handed over.
    ///
    /// # Safety
    ///
    /// Only on the runtime's thread, while `complete` is false (see the `Sync` impl).
    unsafe fn finish(&self, result: Result<F::Output, JoinError>) -> std::thread::Result<()> {
        /// Writes the output and hands the phase over when dropped: after the drop of the
        /// future, or during the unwinding of its panic.
        struct Handover<'a, F: Future> {
            task: &'a Task<F>,
            result: Option<Result<F::Output, JoinError>>,
        }
        impl<F: Future> Drop for Handover<'_, F> {
            fn drop(&mut self) {
                if let Some(result) = self.result.take() {
                    // SAFETY: the caller of `finish` is the runtime's thread and `complete`
                    // is false, so the phase is ours; its old value has just been dropped
                    // (a panic in that drop leaves it dropped all the same), and `write`
                    // does not drop it a second time.
                    unsafe { self.task.phase.get().write(Phase::Finished(result)) };
                    self.task.done.set_then_wake();
                }
            }
        }
        let handover = Handover {
            task: self,
            result: Some(result),
        };
        catch_unwind(AssertUnwindSafe(move || {
            // SAFETY: the phase is ours (see above) and holds a live value, which is dropped
            // where it is, as `Pin` requires of the future; `handover` writes the new one.
            unsafe { std::ptr::drop_in_place(self.phase.get()) };
            drop(handover);
        }))
    }
    // ANCHOR_END: finish
}

// ANCHOR: wake
/// Waking a task is putting it in a run queue, once: the `scheduled` flag makes every wake
/// after the first, until the next poll, cost one atomic swap and nothing else.
impl<F> ArcWake for Task<F>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    fn wake_by_ref(arc_self: &Arc<Self>) {
        if arc_self.scheduled.wake() {
            let task: Arc<dyn Runnable> = arc_self.clone();
            arc_self.shared.schedule(task);
        }
    }

    fn wake(self: Arc<Self>) {
        if self.scheduled.wake() {
            let shared = Arc::clone(&self.shared);
            shared.schedule(self); // the waker's reference becomes the queue's: no clone
        }
    }
}
// ANCHOR_END: wake

// ANCHOR: run
impl<F> Runnable for Task<F>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    fn run(self: Arc<Self>) -> bool {
        if self.done.is_set_here() {
            return false; // a wake that came after the end: nothing to do, and not ours to end
        }
        // Cleared before the poll, so that a wake during the poll queues the task again. A
        // read-modify-write, not a store: a wake that finds the flag set queues nothing, and
        // the only thing that orders what it announces (a message, a ready socket) before
        // this poll is this swap reading its write. A plain store reads nothing: the poll
        // could miss the event and the merged wake would be lost (store buffering, chapter
        // 16; `tests/loom_task.rs` finds it).
        self.scheduled.clear_before_poll();
        // A waker that borrows our `Arc`: no reference count is touched unless the future
        // keeps a clone of it.
        let waker = waker_ref(&self);
        let mut cx = Context::from_waker(&waker);
        // SAFETY: `run` is called on the runtime's thread only, and `complete` is false: the
        // phase is the runtime's, and nothing else borrows it during this call.
        let Phase::Running(future) = (unsafe { &mut *self.phase.get() }) else {
            unreachable!("a phase that is not `Running` is `complete`");
        };
        // SAFETY: the future lives inside the task's `Arc` allocation, which never moves, and
        // it is never moved out of `Phase::Running`: it is dropped in place when the phase is
        // overwritten (`finish`) or when the task is dropped. So it stays at this address
        // from its first poll to its drop, as `Pin` requires.
        let future = unsafe { Pin::new_unchecked(future) };
        // A panic in the poll ends the task with a `JoinError`, instead of unwinding
        // through the executor.
        let result = match catch_unwind(AssertUnwindSafe(|| future.poll(&mut cx))) {
            Ok(Poll::Pending) => return false,
            Ok(Poll::Ready(output)) => Ok(output),
            Err(payload) => Err(JoinError::panic(payload)),
        };
        // SAFETY: still on the runtime's thread, `complete` still false; the borrow of the
        // future ended with the poll. A panic in the future's `Drop` is caught there too, and
        // changes nothing for the handle: the output is written all the same (the panic
        // message was printed by the panic hook).
        let _ = unsafe { self.finish(result) };
        true
    }

    fn cancel(&self) {
        if !self.done.is_set_here() {
            // SAFETY: `cancel` is called by the dropping runtime, on its thread, and the task
            // is not complete. A panic in the future's `Drop` is caught, so that the runtime
            // goes on cancelling the others.
            let _ = unsafe { self.finish(Err(JoinError::cancelled())) };
        }
    }

    fn key(&self) -> usize {
        self.key
    }
}
// ANCHOR_END: run

// ANCHOR: join
impl<F> Join<F::Output> for Task<F>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    fn poll_join(&self, cx: &mut Context<'_>) -> Poll<Result<F::Output, JoinError>> {
        // Register first, then look: a task that finishes in between wakes the waker we just
        // left, so the end is never missed (`tests/loom_join.rs`).
        if !self.done.register_then_look(cx.waker()) {
            return Poll::Pending; // the phase is the runtime's: not even a look
        }
        // SAFETY: `complete` is true, so the runtime is done with the phase, and its writes
        // are visible (`Acquire` above, `Release` in `finish`); this handle is the only one,
        // and `&mut` to it is what polling takes.
        let phase = unsafe { &mut *self.phase.get() };
        match std::mem::replace(phase, Phase::Taken) {
            Phase::Finished(result) => Poll::Ready(result),
            Phase::Taken => panic!("`JoinHandle` polled after it returned its output"),
            Phase::Running(_) => unreachable!("a complete phase is not `Running`"),
        }
    }
}
// ANCHOR_END: join
