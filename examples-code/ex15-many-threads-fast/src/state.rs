//! A task's state word: one atomic that says whether the task is queued, being polled, woken
//! while polled, finished, and whether its `JoinHandle` still wants the output and has left a
//! waker. Every change to it is a read-modify-write (a compare-and-swap loop, or a `fetch_*`),
//! never a plain store: so the changes form one chain in which each reads the one before, and
//! a wake, even a wake that changes nothing, is ordered before the poll that follows it.

use crate::sync::{AtomicU32, Ordering};

// ANCHOR: bits
/// A worker is polling the future (or the runtime is cancelling it): the future and the
/// output slot belong to that thread.
const RUNNING: u32 = 0b00001;
/// The future is gone and the output (or the reason there is none) is in the task. Never
/// unset. From then on the output belongs to the `JoinHandle`.
const COMPLETE: u32 = 0b00010;
/// Woken. Not running: the task is in a run queue, once. Running: it was woken during its
/// poll, and the worker queues it again when the poll ends.
const NOTIFIED: u32 = 0b00100;
/// The `JoinHandle` still exists: the output is kept for it.
const JOIN_INTEREST: u32 = 0b01000;
/// The `JoinHandle` has left a waker in the task. While set, the waker is the runtime's to
/// read (and wake when the task completes), and the handle only reads it; once the task is
/// complete and the waker woken, the runtime clears it, and the waker is the handle's again.
const JOIN_WAKER: u32 = 0b10000;

/// A new task: queued (whoever spawns it pushes it on a run queue), with a handle.
const INITIAL: u32 = NOTIFIED | JOIN_INTEREST;

/// A task's scheduling state. 32 bits are plenty for five flags, and leave the other half
/// of a 64-bit word to the task's key (`task.rs`): eight bytes less per task.
pub struct State {
    word: AtomicU32,
}
// ANCHOR_END: bits

/// A value the word had, to ask questions about.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Snapshot(u32);

impl Snapshot {
    pub fn is_running(self) -> bool {
        self.0 & RUNNING != 0
    }
    pub fn is_complete(self) -> bool {
        self.0 & COMPLETE != 0
    }
    pub fn is_notified(self) -> bool {
        self.0 & NOTIFIED != 0
    }
    pub fn has_join_interest(self) -> bool {
        self.0 & JOIN_INTEREST != 0
    }
    pub fn has_join_waker(self) -> bool {
        self.0 & JOIN_WAKER != 0
    }
}

impl std::fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names = [
            (RUNNING, "RUNNING"),
            (COMPLETE, "COMPLETE"),
            (NOTIFIED, "NOTIFIED"),
            (JOIN_INTEREST, "JOIN_INTEREST"),
            (JOIN_WAKER, "JOIN_WAKER"),
        ];
        let set: Vec<&str> = names
            .iter()
            .filter(|(bit, _)| self.0 & bit != 0)
            .map(|(_, name)| *name)
            .collect();
        if set.is_empty() {
            write!(f, "idle")
        } else {
            write!(f, "{}", set.join(" | "))
        }
    }
}

/// What a wake asks of its caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wake {
    /// The task was idle: put it on a run queue.
    Schedule,
    /// Queued already, being polled (its worker queues it again), or finished: nothing.
    Nothing,
}

/// How a poll that returned `Pending` ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EndPoll {
    /// Idle: the next wake queues it.
    Idle,
    /// Woken during the poll: still `NOTIFIED`, and the caller queues it again.
    Notified,
}

impl Default for State {
    fn default() -> Self {
        State::new()
    }
}

impl State {
    /// A new task, notified (about to be queued) and with a `JoinHandle`.
    pub fn new() -> State {
        State {
            word: AtomicU32::new(INITIAL),
        }
    }

    /// The word now, with `Acquire`: what was written before the change it reads is visible.
    pub fn load(&self) -> Snapshot {
        Snapshot(self.word.load(Ordering::Acquire))
    }

    /// One transition: `f` gets the current value and returns what the caller is told and the
    /// new value, or `None` to leave the word as it is (and write nothing). A failed
    /// compare-and-swap calls `f` again with the value that beat it.
    fn transition<R>(&self, mut f: impl FnMut(Snapshot) -> (R, Option<u32>)) -> R {
        let mut current = self.word.load(Ordering::Acquire);
        loop {
            let (result, next) = f(Snapshot(current));
            let Some(next) = next else {
                return result;
            };
            match self
                .word
                .compare_exchange(current, next, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => return result,
                Err(actual) => current = actual,
            }
        }
    }

    // ANCHOR: wake
    /// A wake. Idle: set `NOTIFIED` and tell the caller to queue the task. Running: set
    /// `NOTIFIED`, and the worker polling it queues it when the poll ends. Notified already:
    /// write the same value back, a read-modify-write all the same, so that this wake is
    /// ordered before the `start_poll` of the poll it merged into, and that poll sees what
    /// the waker did before waking (a plain load would not be: chapter 16's store buffering).
    /// Complete: no poll will come, nothing to order.
    pub fn wake(&self) -> Wake {
        self.transition(|s| {
            if s.is_complete() {
                (Wake::Nothing, None)
            } else if s.is_notified() {
                (Wake::Nothing, Some(s.0))
            } else if s.is_running() {
                (Wake::Nothing, Some(s.0 | NOTIFIED))
            } else {
                (Wake::Schedule, Some(s.0 | NOTIFIED))
            }
        })
    }
    // ANCHOR_END: wake

    // ANCHOR: poll_states
    /// A worker took the task off a run queue and is about to poll it: `NOTIFIED` →
    /// `RUNNING`, in one step, so that a wake from now on is a wake *during* the poll.
    /// Returns `false` for a task that is being cancelled (`RUNNING` already, set by
    /// `claim_for_cancel` while the task waited in the queue) or is complete: the canceller
    /// owns it, and the worker only drops its reference. (loom found the race with the
    /// canceller: `tests/loom_state.rs`.)
    pub fn start_poll(&self) -> bool {
        self.transition(|s| {
            if s.is_complete() || s.is_running() {
                return (false, None);
            }
            debug_assert!(s.is_notified(), "polling a task that was not queued: {s:?}");
            (true, Some((s.0 & !NOTIFIED) | RUNNING))
        })
    }

    /// The poll returned `Pending`: `RUNNING` → idle, or → `NOTIFIED` if it was woken
    /// meanwhile (then the caller queues it again).
    pub fn end_poll(&self) -> EndPoll {
        self.transition(|s| {
            debug_assert!(s.is_running(), "ending a poll that did not start: {s:?}");
            let next = s.0 & !RUNNING;
            if s.is_notified() {
                (EndPoll::Notified, Some(next))
            } else {
                (EndPoll::Idle, Some(next))
            }
        })
    }

    /// The output is written: `RUNNING` → `COMPLETE`. Returns the word after, which says
    /// whether a `JoinHandle` wants the output and has a waker to wake.
    pub fn complete(&self) -> Snapshot {
        self.transition(|s| {
            debug_assert!(s.is_running() && !s.is_complete(), "completing {s:?}");
            let next = (s.0 & !RUNNING) | COMPLETE;
            (Snapshot(next), Some(next))
        })
    }

    /// The runtime is dropped and cancels the task: if it is neither running nor complete,
    /// take it as if to poll it (`RUNNING`), so that its future is the caller's to drop.
    pub fn claim_for_cancel(&self) -> bool {
        self.transition(|s| {
            if s.is_running() || s.is_complete() {
                (false, None)
            } else {
                (true, Some(s.0 | RUNNING))
            }
        })
    }
    // ANCHOR_END: poll_states

    // ANCHOR: join_states
    /// The handle has put its waker in the task: set `JOIN_WAKER`, which hands the waker to
    /// the runtime. Fails, with the current value, when the task completed meanwhile: then
    /// the output is there to take.
    pub fn set_join_waker(&self) -> Result<Snapshot, Snapshot> {
        self.transition(|s| {
            debug_assert!(s.has_join_interest() && !s.has_join_waker());
            if s.is_complete() {
                (Err(s), None)
            } else {
                let next = s.0 | JOIN_WAKER;
                (Ok(Snapshot(next)), Some(next))
            }
        })
    }

    /// The handle wants to leave another waker: take the waker back from the runtime
    /// (clear `JOIN_WAKER`). Fails when the task completed meanwhile: the runtime may be
    /// waking that waker right now, and the output is there to take.
    pub fn unset_join_waker(&self) -> Result<Snapshot, Snapshot> {
        self.transition(|s| {
            if s.is_complete() {
                return (Err(s), None); // and the runtime may have cleared `JOIN_WAKER`
            }
            debug_assert!(s.has_join_interest() && s.has_join_waker());
            let next = s.0 & !JOIN_WAKER;
            (Ok(Snapshot(next)), Some(next))
        })
    }

    /// The task is complete and the handle's waker woken: clear `JOIN_WAKER`, which gives
    /// the waker back to the handle to drop (or, if the handle is gone, to the caller).
    /// Returns the word after.
    pub fn unset_join_waker_after_complete(&self) -> Snapshot {
        let before = Snapshot(self.word.fetch_and(!JOIN_WAKER, Ordering::AcqRel));
        debug_assert!(before.is_complete() && before.has_join_waker());
        Snapshot(before.0 & !JOIN_WAKER)
    }

    /// The handle is dropped: clear `JOIN_INTEREST`, and `JOIN_WAKER` unless the task is
    /// complete. Returns the word before: complete means the output is the handle's to drop,
    /// and so is the waker unless `JOIN_WAKER` is still set (then the runtime, about to
    /// clear it, drops it).
    pub fn drop_join_handle(&self) -> Snapshot {
        self.transition(|s| {
            debug_assert!(s.has_join_interest());
            let next = if s.is_complete() {
                s.0 & !JOIN_INTEREST
            } else {
                s.0 & !(JOIN_INTEREST | JOIN_WAKER)
            };
            (s, Some(next))
        })
    }
    // ANCHOR_END: join_states
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn a_task_goes_through_queued_running_idle_queued_running_complete() {
        let state = State::new();
        assert!(state.load().is_notified());
        assert!(state.start_poll());
        assert!(state.load().is_running() && !state.load().is_notified());
        assert_eq!(state.end_poll(), EndPoll::Idle);
        assert_eq!(format!("{:?}", state.load()), "JOIN_INTEREST");
        assert_eq!(state.wake(), Wake::Schedule);
        assert_eq!(state.wake(), Wake::Nothing, "queued once");
        assert!(state.start_poll());
        let done = state.complete();
        assert!(done.is_complete() && !done.is_running() && done.has_join_interest());
        assert_eq!(
            state.wake(),
            Wake::Nothing,
            "a finished task is never queued"
        );
    }

    #[test]
    fn a_wake_during_the_poll_is_kept_for_its_end() {
        let state = State::new();
        assert!(state.start_poll());
        assert_eq!(
            state.wake(),
            Wake::Nothing,
            "the worker queues it, not the waker"
        );
        assert_eq!(state.wake(), Wake::Nothing);
        assert_eq!(state.end_poll(), EndPoll::Notified);
        assert!(state.load().is_notified() && !state.load().is_running());
        assert!(state.start_poll());
    }

    #[test]
    fn a_join_waker_is_refused_once_the_task_is_complete() {
        let state = State::new();
        assert!(state.set_join_waker().is_ok());
        assert!(state.unset_join_waker().is_ok());
        assert!(state.start_poll());
        state.complete();
        assert!(state.set_join_waker().is_err());
        assert!(state.drop_join_handle().is_complete());
        assert!(!state.load().has_join_interest());
    }

    #[test]
    fn cancelling_claims_only_a_task_that_is_neither_running_nor_complete() {
        let state = State::new();
        assert!(state.start_poll());
        assert!(!state.claim_for_cancel(), "a worker is polling it");
        assert_eq!(state.end_poll(), EndPoll::Idle);
        assert_eq!(state.wake(), Wake::Schedule);
        assert!(
            state.claim_for_cancel(),
            "queued, not running: the canceller takes it"
        );
        assert!(
            !state.start_poll(),
            "a worker that pops it now leaves it to the canceller"
        );
        state.complete();
        assert!(!state.claim_for_cancel(), "already complete");
        assert!(!state.start_poll(), "a cancelled task is not polled");
    }
}
