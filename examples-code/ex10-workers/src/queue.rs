//! The shared ready queue, and where idle workers sleep: one `Mutex` over the queue and the
//! count of sleepers, one `Condvar` beside it.

use crate::sync::{Condvar, Mutex};
use std::collections::VecDeque;

/// The one queue every worker takes tasks from and every wake pushes onto.
pub struct ReadyQueue<T> {
    state: Mutex<State<T>>,
    /// Idle workers sleep here, always with `state` locked while they check the queue.
    condvar: Condvar,
    /// Whom a push wakes: one sleeper that nobody has notified yet, or every sleeper.
    policy: Notify,
}

// ANCHOR: notify
/// Whom a push wakes (exercise 10.2). `One` is the runtime's policy; `All` is the mistake,
/// kept so that its cost can be counted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Notify {
    /// `notify_one`, and only when a sleeper has no notification on the way yet.
    #[default]
    One,
    /// `notify_all` on every push that finds a sleeper: the thundering herd.
    All,
}
// ANCHOR_END: notify

struct State<T> {
    /// Woken tasks, oldest first.
    items: VecDeque<T>,
    /// Workers asleep on the `Condvar`, or woken and not yet back from `wait`.
    sleeping: usize,
    /// How many of `sleeping` have been sent a `notify_one` already.
    notified: usize,
    /// The runtime is shutting down: workers leave, pushes are refused.
    closed: bool,
    /// What happened, for the tests and the curious.
    counts: Counts,
}

/// How often workers went to sleep, were notified, and came back from `wait`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Times a worker found the queue empty and went to sleep.
    pub parks: u64,
    /// `notify_one` calls made by pushes (never more than one per push).
    pub notifies: u64,
    /// Times a worker came back from `wait` (a notification, or a rare spurious wakeup).
    pub unparks: u64,
    /// Returns from `wait` that found the queue empty, so the worker went back to sleep:
    /// wake-ups that did nothing (exercise 10.2).
    pub idle_wakeups: u64,
    /// Workers asleep right now (or woken and not yet back from `wait`).
    pub sleeping: usize,
    /// How many of `sleeping` have been notified and are not back from `wait` yet
    /// (exercise 10.2): while it is above zero, a wake is still on its way.
    pub notified: usize,
}

impl<T> Default for ReadyQueue<T> {
    fn default() -> Self {
        ReadyQueue::new()
    }
}

impl<T> ReadyQueue<T> {
    pub fn new() -> ReadyQueue<T> {
        ReadyQueue::with_policy(Notify::One)
    }

    /// A queue whose pushes wake sleepers as `policy` says.
    pub fn with_policy(policy: Notify) -> ReadyQueue<T> {
        ReadyQueue {
            state: Mutex::new(State {
                items: VecDeque::new(),
                sleeping: 0,
                notified: 0,
                closed: false,
                counts: Counts::default(),
            }),
            condvar: Condvar::new(),
            policy,
        }
    }

    // ANCHOR: push
    /// Puts `item` at the back of the queue and wakes sleepers as the policy says: one that
    /// has not been woken already, or all of them. Gives `item` back when the queue is closed.
    pub fn push(&self, item: T) -> Result<(), T> {
        let mut state = self.state.lock().unwrap();
        if state.closed {
            return Err(item);
        }
        state.items.push_back(item);
        let wake = match self.policy {
            Notify::One => state.sleeping > state.notified,
            Notify::All => state.sleeping > 0,
        };
        if wake {
            state.counts.notifies += 1;
            state.notified = match self.policy {
                Notify::One => state.notified + 1,
                Notify::All => state.sleeping,
            };
        }
        drop(state);
        if wake {
            match self.policy {
                Notify::One => self.condvar.notify_one(),
                Notify::All => self.condvar.notify_all(),
            }
        }
        Ok(())
    }
    // ANCHOR_END: push

    // ANCHOR: pop_or_park
    /// The next item, sleeping until there is one. `None` once the queue is closed.
    pub fn pop_or_park(&self) -> Option<T> {
        let mut state = self.state.lock().unwrap();
        let mut woken = false;
        loop {
            if state.closed {
                return None;
            }
            if let Some(item) = state.items.pop_front() {
                return Some(item);
            }
            if woken {
                // Back from `wait` to an empty queue: another worker took the item, or
                // nobody pushed one. Either way this wake-up was for nothing.
                state.counts.idle_wakeups += 1;
            }
            // The queue was seen empty with the lock held, and `wait` releases the lock
            // only once this thread is on the Condvar's list: no push can slip in between.
            state.sleeping += 1;
            state.counts.parks += 1;
            state = self.condvar.wait(state).unwrap();
            state.sleeping -= 1;
            state.notified = state.notified.saturating_sub(1);
            state.counts.unparks += 1;
            woken = true;
        }
    }
    // ANCHOR_END: pop_or_park

    /// Closes the queue, wakes every sleeper so that it leaves, and returns what was queued.
    pub fn close(&self) -> Vec<T> {
        let mut state = self.state.lock().unwrap();
        state.closed = true;
        let items = state.items.drain(..).collect();
        drop(state);
        self.condvar.notify_all();
        items
    }

    /// A snapshot of the counters.
    pub fn counts(&self) -> Counts {
        let state = self.state.lock().unwrap();
        Counts {
            sleeping: state.sleeping,
            notified: state.notified,
            ..state.counts
        }
    }

    /// How many items wait in the queue.
    pub fn len(&self) -> usize {
        self.state.lock().unwrap().items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
