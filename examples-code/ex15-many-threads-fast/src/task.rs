//! A task: one allocation that holds the future, then its output, the state word and the
//! waker of whoever awaits the `JoinHandle`. The `Arc` of that allocation is the task's waker,
//! its entry in a run queue and its `JoinHandle`, all at once (chapter 14's task), and the
//! state word of `state.rs` lets it run on many threads: one poll at a time, a wake never
//! lost, the output handed over once.
//!
//! The task does not know the runtime: it is generic over `S: Schedule`, what a wake calls,
//! as `async-task`'s tasks are. The loom models give it a queue of their own.

use crate::join::JoinError;
use crate::state::{EndPoll, State, Wake};
use crate::sync::{AtomicU32, Ordering, UnsafeCell};
use futures::task::{ArcWake, waker_ref};
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

/// A task, whatever its future's type: what the run queues hold.
pub type TaskRef = Arc<dyn Runnable>;

// ANCHOR: schedule
/// Where a woken task goes: the runtime's run queues, or a loom model's.
pub trait Schedule: Send + Sync + 'static {
    /// Queues a task that a wake found idle.
    fn schedule(&self, task: TaskRef);
    /// The task's first poll returned `Pending`: the runtime lists it among the tasks to
    /// cancel if it is dropped first, and returns its key in that list.
    fn bind(&self, task: TaskRef) -> usize;
    /// The listed task with this key finished: the runtime forgets it.
    fn release(&self, key: usize);
}

/// The key of a task not listed: it has not waited yet.
const UNLISTED: u32 = u32::MAX;
// ANCHOR_END: schedule

// ANCHOR: task
/// A spawned future and everything that goes with it, in one allocation.
pub struct Task<F: Future, S> {
    /// Queued, running, woken while running, complete, join interest, join waker.
    state: State,
    /// The task's key in the runtime's list of waiting tasks, set by the worker that runs its
    /// first poll if that poll returns `Pending` (a task done at its first poll is never
    /// listed); `UNLISTED` until then. Beside the 32-bit state word: together, one word.
    key: AtomicU32,
    /// Where a wake puts the task.
    scheduler: S,
    /// The future while it runs, then its output until the `JoinHandle` takes it. No lock:
    /// the state word says whose it is (see the `Sync` impl below).
    phase: UnsafeCell<Phase<F>>,
    /// The waker of the task that awaits the `JoinHandle`: the handle's while `JOIN_WAKER` is
    /// clear, the runtime's (to wake, never to write) while it is set.
    join_waker: UnsafeCell<Option<Waker>>,
}

/// Where a task is in its life.
enum Phase<F: Future> {
    Running(F),
    Finished(Result<F::Output, JoinError>),
    /// The output was taken by the handle, or dropped because there was no handle.
    Taken,
}
// ANCHOR_END: task

// ANCHOR: runnable
/// How one run of a task ended.
pub enum Ran {
    /// The poll returned `Pending`, and no wake came during it.
    Idle,
    /// Woken during its own poll (a yield): the caller queues it again, at the back.
    Yielded(TaskRef),
    /// Finished: the output is in the task, and the task was released.
    Complete,
    /// Not polled: it was cancelled while it waited in a queue.
    Skipped,
}

/// What the runtime needs of a task, whatever its future's type.
pub trait Runnable: Send + Sync {
    /// Polls the future once.
    fn run(self: Arc<Self>) -> Ran;
    /// Drops the future, if no worker is polling it and it is not complete: the `JoinHandle`
    /// then sees `JoinError::is_cancelled`.
    fn cancel(&self);
    /// The key in the runtime's list of waiting tasks, once it is listed.
    fn key(&self) -> Option<usize>;
}

/// What a `JoinHandle<T>` needs of its task.
pub trait Join<T>: Send + Sync {
    /// The output, or `Pending` after leaving `cx`'s waker to be woken when it is there.
    fn poll_join(&self, cx: &mut Context<'_>) -> Poll<Result<T, JoinError>>;
    /// The handle is dropped: the output, if any, is dropped now or when it comes.
    fn drop_join_handle(&self);
}
// ANCHOR_END: runnable

// ANCHOR: sync
// SAFETY: `Task` is shared between threads (wakers go anywhere); its fields that are not
// `Sync` of themselves are `phase` and `join_waker`. The state word says who may touch them,
// and every change of owner is a read-modify-write of it (`AcqRel`), so each owner's accesses
// happen-before the next owner's:
// - `phase`: the thread that set `RUNNING` (a worker in `run`, or the runtime's drop in
//   `cancel`) until it sets `COMPLETE`; then the `JoinHandle` if `JOIN_INTEREST` was set at
//   that moment (there is one handle, and polling or dropping it takes `&mut`), else the
//   thread that completed the task, which drops the output at once.
// - `join_waker`: the `JoinHandle`'s while `JOIN_WAKER` is clear; while it is set, nobody
//   writes it: the handle may read it (`will_wake`) and the completing thread may read it
//   (to wake it), at the same time, which is fine for reads. The completing thread clears
//   `JOIN_WAKER` once it has woken it, and drops it only if the handle is gone.
// The last `Arc` drops both with exclusive access. `F`, its output and `S` move between
// threads with the task, hence the bounds.
unsafe impl<F, S> Sync for Task<F, S>
where
    F: Future + Send,
    F::Output: Send,
    S: Sync,
{
}
// ANCHOR_END: sync

impl<F, S> Task<F, S>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
    S: Schedule,
{
    /// A new task, notified: the caller puts it on a run queue.
    pub fn new(future: F, scheduler: S) -> Arc<Task<F, S>> {
        Arc::new(Task {
            state: State::new(),
            key: AtomicU32::new(UNLISTED),
            scheduler,
            phase: UnsafeCell::new(Phase::Running(future)),
            join_waker: UnsafeCell::new(None),
        })
    }

    // ANCHOR: finish
    /// Ends the task with `result`: drops the future in place (it was pinned there), writes
    /// the output, hands it over (`COMPLETE`), and wakes the handle's waker. A panic in the
    /// future's `Drop` is caught: the output is written and handed over all the same.
    ///
    /// # Safety
    ///
    /// The caller set `RUNNING` (see the `Sync` impl): the phase is its own.
    unsafe fn finish(&self, result: Result<F::Output, JoinError>) {
        /// Writes the output and hands the phase over when dropped: after the drop of the
        /// future, or during the unwinding of its panic.
        struct Handover<'a, F: Future, S: Schedule> {
            task: &'a Task<F, S>,
            result: Option<Result<F::Output, JoinError>>,
        }
        impl<F: Future, S: Schedule> Drop for Handover<'_, F, S> {
            fn drop(&mut self) {
                let Some(result) = self.result.take() else {
                    return;
                };
                let task = self.task;
                // SAFETY: `RUNNING` is ours (the caller's promise); the old phase was just
                // dropped in place, and `write` does not drop it again.
                task.phase
                    .with_mut(|phase| unsafe { phase.write(Phase::Finished(result)) });
                let after = task.state.complete();
                if !after.has_join_interest() {
                    // No handle, and none will come: the output is ours to drop, now.
                    // SAFETY: without `JOIN_INTEREST` nobody else ever touches the phase.
                    let output = task
                        .phase
                        .with_mut(|phase| unsafe { std::ptr::replace(phase, Phase::Taken) });
                    let _ = catch_unwind(AssertUnwindSafe(|| drop(output)));
                } else if after.has_join_waker() {
                    task.join_waker.with(|waker| {
                        // SAFETY: `JOIN_WAKER` is set and the task complete: nobody writes
                        // the waker (the handle's attempts to take it back fail now), and
                        // reading it is ours.
                        if let Some(waker) = unsafe { &*waker } {
                            waker.wake_by_ref();
                        }
                    });
                    // Done with it: the handle may drop it now, and it will, with itself.
                    // Had the handle gone meanwhile, the waker is ours to drop. (Kept until
                    // the task's memory is freed instead, two tasks that polled each
                    // other's handles would keep each other alive for ever: tokio's issue
                    // #4724, `tests/task.rs` shows it.)
                    if !task
                        .state
                        .unset_join_waker_after_complete()
                        .has_join_interest()
                    {
                        // SAFETY: complete, `JOIN_WAKER` and `JOIN_INTEREST` clear: nobody
                        // else touches the waker any more.
                        let waker = task.join_waker.with_mut(|waker| unsafe { (*waker).take() });
                        drop(waker);
                    }
                }
                if let Some(key) = task.listed() {
                    task.scheduler.release(key);
                }
            }
        }
        let handover = Handover {
            task: self,
            result: Some(result),
        };
        let _ = catch_unwind(AssertUnwindSafe(move || {
            // SAFETY: the phase is ours (see above) and holds a live value, which is dropped
            // where it is, as `Pin` requires of the future; `handover` writes the new one.
            self.phase
                .with_mut(|phase| unsafe { std::ptr::drop_in_place(phase) });
            drop(handover);
        }));
    }
    // ANCHOR_END: finish

    /// Takes the output out of the phase.
    ///
    /// # Safety
    ///
    /// The task is complete and the caller is its `JoinHandle` (see the `Sync` impl).
    unsafe fn take_output(&self) -> Result<F::Output, JoinError> {
        // SAFETY: the caller's promise: the phase is the handle's now.
        let phase = self
            .phase
            .with_mut(|phase| unsafe { std::ptr::replace(phase, Phase::Taken) });
        match phase {
            Phase::Finished(result) => result,
            Phase::Taken => panic!("`JoinHandle` polled after it returned its output"),
            Phase::Running(_) => unreachable!("a complete task's phase is not `Running`"),
        }
    }
}

impl<F: Future, S> Task<F, S> {
    /// The key, if the task is listed. Only the thread that holds `RUNNING` writes it (once),
    /// and every later reader holds `RUNNING` in its turn: `Relaxed` is enough, the state
    /// word orders them.
    fn listed(&self) -> Option<usize> {
        let key = self.key.load(Ordering::Relaxed);
        (key != UNLISTED).then_some(key as usize)
    }
}

// ANCHOR: wake
/// A wake moves the state word (`State::wake`) and queues the task only when it was idle:
/// every other wake until the next poll costs one compare-and-swap, and queues nothing.
impl<F, S> ArcWake for Task<F, S>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
    S: Schedule,
{
    fn wake_by_ref(arc_self: &Arc<Self>) {
        if arc_self.state.wake() == Wake::Schedule {
            arc_self.scheduler.schedule(arc_self.clone());
        }
    }
}
// ANCHOR_END: wake

// ANCHOR: run
impl<F, S> Runnable for Task<F, S>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
    S: Schedule,
{
    fn run(self: Arc<Self>) -> Ran {
        if !self.state.start_poll() {
            return Ran::Skipped;
        }
        // A waker that borrows our `Arc`: no reference count is touched unless the future
        // keeps a clone of it.
        let waker = waker_ref(&self);
        let mut cx = Context::from_waker(&waker);
        let poll = self.phase.with_mut(|phase| {
            // SAFETY: `RUNNING` is ours since `start_poll`, so the phase is ours, and the
            // task is not complete, so it holds the future.
            let Phase::Running(future) = (unsafe { &mut *phase }) else {
                unreachable!("a task that is not complete holds its future");
            };
            // SAFETY: the future lives inside the task's `Arc` allocation, which never moves,
            // and it is never moved out of `Phase::Running`: it is dropped in place by
            // `finish` or with the task. So it stays at this address until it is dropped.
            let future = unsafe { Pin::new_unchecked(future) };
            // A panic in the poll ends the task with a `JoinError`, never unwinds the worker.
            catch_unwind(AssertUnwindSafe(|| future.poll(&mut cx)))
        });
        let result = match poll {
            Ok(Poll::Pending) => {
                if self.listed().is_none() {
                    // The first wait: list the task (while `RUNNING` is still ours, so that no
                    // other worker can complete it before it is listed).
                    let key = self.scheduler.bind(self.clone());
                    let key = u32::try_from(key).ok().filter(|&key| key != UNLISTED);
                    self.key.store(
                        key.expect("more than 2^32 - 1 tasks waiting"),
                        Ordering::Relaxed,
                    );
                }
                return match self.state.end_poll() {
                    EndPoll::Idle => Ran::Idle,
                    EndPoll::Notified => Ran::Yielded(self),
                };
            }
            Ok(Poll::Ready(output)) => Ok(output),
            Err(payload) => Err(JoinError::panic(payload)),
        };
        // SAFETY: `RUNNING` is still ours; the borrow of the future ended with the poll.
        unsafe { self.finish(result) };
        Ran::Complete
    }

    fn cancel(&self) {
        if self.state.claim_for_cancel() {
            // SAFETY: `claim_for_cancel` set `RUNNING` for us.
            unsafe { self.finish(Err(JoinError::cancelled())) };
        }
    }

    fn key(&self) -> Option<usize> {
        self.listed()
    }
}
// ANCHOR_END: run

// ANCHOR: join
impl<F, S> Join<F::Output> for Task<F, S>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
    S: Schedule,
{
    fn poll_join(&self, cx: &mut Context<'_>) -> Poll<Result<F::Output, JoinError>> {
        let now = self.state.load();
        if now.is_complete() {
            // SAFETY: complete, and we are the handle (`Acquire` above pairs with the
            // `AcqRel` of `complete`: the output written before it is visible).
            return Poll::Ready(unsafe { self.take_output() });
        }
        if now.has_join_waker() {
            // The runtime holds our waker; we may read it, not write it.
            let same = self.join_waker.with(|waker| {
                // SAFETY: while `JOIN_WAKER` is set nobody writes the waker.
                unsafe { &*waker }
                    .as_ref()
                    .is_some_and(|waker| waker.will_wake(cx.waker()))
            });
            if same {
                return Poll::Pending;
            }
            // Another task awaits the handle now: take the waker back to change it.
            if self.state.unset_join_waker().is_err() {
                // SAFETY: it completed meanwhile; we are the handle.
                return Poll::Ready(unsafe { self.take_output() });
            }
        }
        // SAFETY: `JOIN_WAKER` is clear and the task not complete: the waker is ours.
        self.join_waker
            .with_mut(|waker| unsafe { *waker = Some(cx.waker().clone()) });
        match self.state.set_join_waker() {
            Ok(_) => Poll::Pending,
            // SAFETY: it completed before we could hand the waker over; we are the handle.
            Err(_) => Poll::Ready(unsafe { self.take_output() }),
        }
    }

    fn drop_join_handle(&self) {
        let before = self.state.drop_join_handle();
        if before.is_complete() {
            // SAFETY: complete, and the handle (us) had the interest: the phase is ours.
            let output = self
                .phase
                .with_mut(|phase| unsafe { std::ptr::replace(phase, Phase::Taken) });
            drop(output);
        }
        if !before.is_complete() || !before.has_join_waker() {
            // SAFETY: `JOIN_WAKER` is clear (we cleared it, or the runtime did once it had
            // woken the waker), and `JOIN_INTEREST` too now: the runtime will not read the
            // waker again, and it is ours to drop. (Complete with `JOIN_WAKER` still set:
            // the runtime is waking it, and drops it when it sees we are gone.)
            let waker = self.join_waker.with_mut(|waker| unsafe { (*waker).take() });
            drop(waker);
        }
    }
}
// ANCHOR_END: join
