//! The book's own run queues: a worker's queue is a `VecDeque` behind a `Mutex`, bounded like
//! tokio's, and the injector is another one, unbounded. Simple, and every step is a lock.

use crate::sync::{AtomicUsize, Mutex, Ordering};
use std::collections::VecDeque;

// ANCHOR: deque
/// How many tasks a worker's own queue holds, as in tokio. A worker that has more pushes the
/// rest onto the injector, where every worker can take them.
pub const LOCAL_CAPACITY: usize = 256;

/// One worker's run queue. Its worker pushes to the back and pops from the front; other
/// workers steal half of it from the front. Every operation takes the lock.
pub struct Deque<T> {
    items: Mutex<VecDeque<T>>,
}
// ANCHOR_END: deque

impl<T> Default for Deque<T> {
    fn default() -> Self {
        Deque::new()
    }
}

impl<T> Deque<T> {
    pub fn new() -> Deque<T> {
        Deque {
            items: Mutex::new(VecDeque::with_capacity(LOCAL_CAPACITY)),
        }
    }

    /// Pushes `item` at the back; gives it back when the queue is full.
    pub fn push(&self, item: T) -> Result<(), T> {
        let mut items = self.items.lock().unwrap();
        if items.len() == LOCAL_CAPACITY {
            return Err(item);
        }
        items.push_back(item);
        Ok(())
    }

    /// The oldest item.
    pub fn pop(&self) -> Option<T> {
        self.items.lock().unwrap().pop_front()
    }

    // ANCHOR: steal_half
    /// Takes half of this queue (rounded up, oldest first) and returns the first of them; the
    /// others go to the back of `into`, which the thief owns. `scratch` is the thief's
    /// reusable buffer: the two locks are never held together, so two workers stealing from
    /// each other cannot deadlock.
    pub fn steal_half(&self, into: &Deque<T>, scratch: &mut Vec<T>) -> Option<T> {
        {
            let mut victim = self.items.lock().unwrap();
            let half = victim.len().div_ceil(2);
            scratch.extend(victim.drain(..half));
        }
        let mut stolen = scratch.drain(..);
        let first = stolen.next()?;
        let mut mine = into.items.lock().unwrap();
        mine.extend(stolen);
        Some(first)
    }
    // ANCHOR_END: steal_half

    pub fn len(&self) -> usize {
        self.items.lock().unwrap().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Takes every item out.
    pub fn drain(&self) -> Vec<T> {
        self.items.lock().unwrap().drain(..).collect()
    }
}

// ANCHOR: injector
/// The global queue: tasks woken or spawned outside the workers, and a worker's overflow.
pub struct Injector<T> {
    items: Mutex<VecDeque<T>>,
    /// `items.len()`, written under the lock: a worker can see that the injector is empty
    /// without taking its lock on every tick.
    len: AtomicUsize,
}
// ANCHOR_END: injector

impl<T> Default for Injector<T> {
    fn default() -> Self {
        Injector::new()
    }
}

impl<T> Injector<T> {
    pub fn new() -> Injector<T> {
        Injector {
            items: Mutex::new(VecDeque::new()),
            len: AtomicUsize::new(0),
        }
    }

    pub fn push(&self, item: T) {
        let mut items = self.items.lock().unwrap();
        items.push_back(item);
        self.len.store(items.len(), Ordering::Release);
    }

    // ANCHOR: take_batch
    /// Takes this worker's share of the queue, one item in `workers` (at least one, and no
    /// more than half of what `into` holds): returns the first and pushes the rest onto
    /// `into`. Fewer trips to the lock than one pop per task, and the other workers find the
    /// rest here, or steal it.
    pub fn take_batch(&self, into: &Deque<T>, workers: usize) -> Option<T> {
        if self.len.load(Ordering::Acquire) == 0 {
            return None; // the common case on a busy worker: no lock
        }
        let mut items = self.items.lock().unwrap();
        let share = (items.len() / workers + 1).min(LOCAL_CAPACITY / 2);
        let first = items.pop_front();
        if share > 1 {
            let mut mine = into.items.lock().unwrap();
            let room = LOCAL_CAPACITY - mine.len();
            let more = (share - 1).min(room).min(items.len());
            mine.extend(items.drain(..more));
        }
        self.len.store(items.len(), Ordering::Release);
        first
    }
    // ANCHOR_END: take_batch

    /// The oldest item.
    pub fn pop(&self) -> Option<T> {
        if self.len.load(Ordering::Acquire) == 0 {
            return None;
        }
        let mut items = self.items.lock().unwrap();
        let first = items.pop_front();
        self.len.store(items.len(), Ordering::Release);
        first
    }

    /// How many items wait, read under the lock (what a worker about to sleep checks).
    pub fn len(&self) -> usize {
        self.items.lock().unwrap().len()
    }

    /// How many items wait, without the lock: a hint.
    pub fn len_hint(&self) -> usize {
        self.len.load(Ordering::Acquire)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn drain(&self) -> Vec<T> {
        let mut items = self.items.lock().unwrap();
        self.len.store(0, Ordering::Release);
        items.drain(..).collect()
    }
}
