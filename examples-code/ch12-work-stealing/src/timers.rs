//! The runtime's timers: a priority queue (`BinaryHeap`) of deadlines, earliest first. Any
//! thread adds to it (a `Sleep` polled on any worker); the worker doing the book-keeping
//! asks it how long it may sleep, and fires what is due.

use std::cmp::Ordering as CmpOrdering;
use std::collections::BinaryHeap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::Waker;
use std::time::Instant;

// ANCHOR: timers
/// Every pending sleep of the runtime, by deadline.
pub(crate) struct Timers {
    heap: Mutex<Heap>,
    /// Times a `Sleep` handed its waker over: once, and again only when its waker changed.
    registrations: AtomicU64,
}

struct Heap {
    /// A max-heap, so `Entry`'s order is reversed: the earliest deadline is on top.
    entries: BinaryHeap<Entry>,
    /// Entries whose sleep was dropped or finished, still in the heap.
    cancelled: usize,
    /// Tells apart entries with the same deadline (first come, first fired).
    next_seq: u64,
}

/// One sleep's place in the heap.
struct Entry {
    deadline: Instant,
    seq: u64,
    timer: Arc<Timer>,
}

/// What a `Sleep` and the heap share: the waker to wake when the deadline passes.
pub(crate) struct Timer {
    /// `None` once fired or cancelled.
    waker: Mutex<Option<Waker>>,
}
// ANCHOR_END: timers

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        (self.deadline, self.seq) == (other.deadline, other.seq)
    }
}

impl Eq for Entry {}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<CmpOrdering> {
        Some(self.cmp(other))
    }
}

impl Ord for Entry {
    /// Reversed, so that `BinaryHeap` (a max-heap) keeps the earliest deadline on top.
    fn cmp(&self, other: &Self) -> CmpOrdering {
        (other.deadline, other.seq).cmp(&(self.deadline, self.seq))
    }
}

impl Timers {
    pub(crate) fn new() -> Timers {
        Timers {
            heap: Mutex::new(Heap {
                entries: BinaryHeap::new(),
                cancelled: 0,
                next_seq: 0,
            }),
            registrations: AtomicU64::new(0),
        }
    }

    // ANCHOR: register
    /// A new timer for `deadline`, which wakes `waker`. Returns it, and whether it is now the
    /// earliest (then the driver, if it sleeps, must wake up and sleep for less).
    pub(crate) fn insert(&self, deadline: Instant, waker: &Waker) -> (Arc<Timer>, bool) {
        self.registrations.fetch_add(1, Ordering::Relaxed);
        let timer = Arc::new(Timer {
            waker: Mutex::new(Some(waker.clone())),
        });
        let mut heap = self.heap.lock().unwrap();
        let earliest = heap
            .entries
            .peek()
            .is_none_or(|top| deadline < top.deadline);
        let seq = heap.next_seq;
        heap.next_seq += 1;
        heap.entries.push(Entry {
            deadline,
            seq,
            timer: Arc::clone(&timer),
        });
        (timer, earliest)
    }

    /// The same timer, polled again: hands over the new waker only if it would wake another
    /// task than the one it has (`Waker::will_wake`). A sleep polled a thousand times by the
    /// same task registers once.
    pub(crate) fn update(&self, timer: &Timer, waker: &Waker) {
        let mut slot = timer.waker.lock().unwrap();
        // A fired or cancelled timer keeps `None`: nothing to hand over.
        if slot.as_ref().is_some_and(|old| !old.will_wake(waker)) {
            self.registrations.fetch_add(1, Ordering::Relaxed);
            *slot = Some(waker.clone());
        }
    }
    // ANCHOR_END: register

    /// The sleep is dropped or done: its entry stays in the heap, inert, until it comes to the
    /// top or until the cancelled entries are half the heap, when they are swept out.
    pub(crate) fn cancel(&self, timer: &Timer) {
        if timer.waker.lock().unwrap().take().is_none() {
            return; // fired already
        }
        let mut heap = self.heap.lock().unwrap();
        heap.cancelled += 1;
        if heap.cancelled > 64 && heap.cancelled * 2 > heap.entries.len() {
            heap.entries
                .retain(|entry| entry.timer.waker.lock().unwrap().is_some());
            heap.cancelled = 0;
        }
    }

    // ANCHOR: fire
    /// The earliest deadline still pending: how long the driver may sleep.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        let mut heap = self.heap.lock().unwrap();
        while let Some(top) = heap.entries.peek() {
            if top.timer.waker.lock().unwrap().is_some() {
                return Some(top.deadline);
            }
            heap.entries.pop();
            heap.cancelled = heap.cancelled.saturating_sub(1);
        }
        None
    }

    /// Takes every timer due at `now` out of the heap and wakes its task (after the lock is
    /// released: a wake pushes onto the ready queue, and that takes another lock).
    pub(crate) fn fire_due(&self, now: Instant) -> usize {
        let mut due = Vec::new();
        let mut heap = self.heap.lock().unwrap();
        while heap.entries.peek().is_some_and(|top| top.deadline <= now) {
            let entry = heap.entries.pop().expect("peeked");
            match entry.timer.waker.lock().unwrap().take() {
                Some(waker) => due.push(waker),
                None => heap.cancelled = heap.cancelled.saturating_sub(1),
            }
        }
        drop(heap);
        let fired = due.len();
        for waker in due {
            waker.wake();
        }
        fired
    }
    // ANCHOR_END: fire

    /// See `registrations`.
    pub(crate) fn registrations(&self) -> u64 {
        self.registrations.load(Ordering::Relaxed)
    }

    /// Entries in the heap, cancelled ones included.
    pub(crate) fn len(&self) -> usize {
        self.heap.lock().unwrap().entries.len()
    }
}
