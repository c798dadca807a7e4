//! The injector, the runtime's global queue: tasks spawned or woken outside the workers, and
//! the overflow of a worker's full queue. A `VecDeque` behind a lock, as tokio's `Inject` is
//! a linked list behind one, with its length in an atomic so that a busy worker can see
//! "empty" without the lock. Workers take from it a batch at a time.

use crate::queue::Overflow;
use crate::sync::{AtomicUsize, Mutex, Ordering, lock};
use std::collections::VecDeque;

/// The global queue.
pub struct Injector<T> {
    queue: Mutex<Queue<T>>,
    /// `queue.items.len()`, written under the lock.
    len: AtomicUsize,
}

struct Queue<T> {
    items: VecDeque<T>,
    /// The runtime is shutting down: pushes are refused.
    closed: bool,
}

impl<T> Default for Injector<T> {
    fn default() -> Self {
        Injector::new()
    }
}

impl<T> Injector<T> {
    pub fn new() -> Injector<T> {
        Injector {
            queue: Mutex::new(Queue {
                items: VecDeque::new(),
                closed: false,
            }),
            len: AtomicUsize::new(0),
        }
    }

    /// Queues `item`; gives it back once the injector is closed.
    pub fn push(&self, item: T) -> Result<(), T> {
        let mut queue = lock(&self.queue);
        if queue.closed {
            return Err(item);
        }
        queue.items.push_back(item);
        self.len.store(queue.items.len(), Ordering::Release);
        Ok(())
    }

    /// The oldest item.
    pub fn pop(&self) -> Option<T> {
        if self.is_empty() {
            return None;
        }
        let mut queue = lock(&self.queue);
        let item = queue.items.pop_front();
        self.shrink(&mut queue);
        item
    }

    /// Takes up to `count` of the oldest items and gives them to `take`, under one lock.
    pub fn pop_batch<R>(
        &self,
        count: usize,
        take: impl FnOnce(&mut std::collections::vec_deque::Drain<'_, T>) -> R,
    ) -> Option<R> {
        if self.is_empty() {
            return None;
        }
        let mut queue = lock(&self.queue);
        let count = count.min(queue.items.len());
        if count == 0 {
            return None;
        }
        let result = take(&mut queue.items.drain(..count));
        self.shrink(&mut queue);
        Some(result)
    }

    /// Keeps the length up to date, and gives back the memory of a burst once it is over (a
    /// program that spawned 100,000 tasks from outside should not keep their queue for ever).
    fn shrink(&self, queue: &mut Queue<T>) {
        let len = queue.items.len();
        self.len.store(len, Ordering::Release);
        if queue.items.capacity() > 1024 && len < queue.items.capacity() / 8 {
            queue.items.shrink_to(len * 2);
        }
    }

    /// How many items wait, without the lock: a hint.
    pub fn len(&self) -> usize {
        self.len.load(Ordering::Acquire)
    }

    /// Whether nothing waits, without the lock: a hint, but one that is exact for any push
    /// ordered before the call (the length is stored under the lock with the push).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Refuses all pushes from now on, and gives back what was queued.
    pub fn close(&self) -> Vec<T> {
        let mut queue = lock(&self.queue);
        queue.closed = true;
        self.len.store(0, Ordering::Release);
        queue.items.drain(..).collect()
    }

    pub fn is_closed(&self) -> bool {
        lock(&self.queue).closed
    }
}

impl<T> Overflow<T> for Injector<T> {
    /// The overflow of a full worker queue. After `close`, the items are dropped: the runtime
    /// is cancelling every task anyway.
    fn push_batch(&self, items: impl Iterator<Item = T>) {
        let mut queue = lock(&self.queue);
        if queue.closed {
            drop(queue);
            items.for_each(drop);
            return;
        }
        queue.items.extend(items);
        self.len.store(queue.items.len(), Ordering::Release);
    }
}
