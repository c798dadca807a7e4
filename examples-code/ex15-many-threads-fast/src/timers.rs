//! The runtime's timers: a priority queue (`BinaryHeap`) of deadlines, earliest first, as in
//! chapter 12. Any thread adds to it (a `Sleep` polled on any worker); the worker holding the
//! driver fires what is due. New here: a timerfd in the driver's epoll set, kept armed at the
//! earliest deadline, so that a sleeping driver wakes at the deadline itself, not at the next
//! whole millisecond after it, and a new earliest timer re-arms it from the thread that made
//! it, with no need to wake the driver.

use crate::sync::lock_std as lock;
#[cfg(not(miri))]
use crate::sys::TimerFd;
use std::cmp::Ordering as CmpOrdering;
use std::collections::BinaryHeap;
use std::io;
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
    /// Armed at (or before) the earliest deadline. None under Miri, which has no timerfd:
    /// there the driver sleeps for the timeout instead, rounded up to milliseconds.
    #[cfg(not(miri))]
    timerfd: TimerFd,
}

struct Heap {
    /// A max-heap, so `Entry`'s order is reversed: the earliest deadline is on top.
    entries: BinaryHeap<Entry>,
    /// Entries whose sleep was dropped or finished, still in the heap.
    cancelled: usize,
    /// Tells apart entries with the same deadline (first come, first fired).
    next_seq: u64,
    /// When the timerfd fires next, if it is armed.
    armed: Option<Instant>,
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
    pub(crate) fn new() -> io::Result<Timers> {
        Ok(Timers {
            heap: Mutex::new(Heap {
                entries: BinaryHeap::new(),
                cancelled: 0,
                next_seq: 0,
                armed: None,
            }),
            registrations: AtomicU64::new(0),
            #[cfg(not(miri))]
            timerfd: TimerFd::new()?,
        })
    }

    /// The timerfd, for the driver to register.
    #[cfg(not(miri))]
    pub(crate) fn timerfd(&self) -> &TimerFd {
        &self.timerfd
    }

    /// Whether the driver may sleep with no timeout: the timerfd wakes it for the timers.
    pub(crate) fn has_timerfd(&self) -> bool {
        cfg!(not(miri))
    }

    /// Arms the timerfd for `deadline` (under the heap's lock).
    fn arm(&self, heap: &mut Heap, deadline: Instant) {
        heap.armed = Some(deadline);
        #[cfg(not(miri))]
        self.timerfd
            .set(deadline.saturating_duration_since(Instant::now()))
            .expect("timerfd_settime on our own timerfd");
    }

    // ANCHOR: register
    /// A new timer for `deadline`, which wakes `waker`. If it is now the earliest, the
    /// timerfd is re-armed for it, here: a driver asleep in `epoll_wait` wakes in time.
    pub(crate) fn insert(&self, deadline: Instant, waker: &Waker) -> Arc<Timer> {
        self.registrations.fetch_add(1, Ordering::Relaxed);
        let timer = Arc::new(Timer {
            waker: Mutex::new(Some(waker.clone())),
        });
        let mut heap = lock(&self.heap);
        let seq = heap.next_seq;
        heap.next_seq += 1;
        heap.entries.push(Entry {
            deadline,
            seq,
            timer: Arc::clone(&timer),
        });
        if heap.armed.is_none_or(|armed| deadline < armed) {
            self.arm(&mut heap, deadline);
        }
        timer
    }

    /// The same timer, polled again: hands over the new waker only if it would wake another
    /// task than the one it has (`Waker::will_wake`).
    pub(crate) fn update(&self, timer: &Timer, waker: &Waker) {
        let mut slot = lock(&timer.waker);
        if slot.as_ref().is_some_and(|old| !old.will_wake(waker)) {
            self.registrations.fetch_add(1, Ordering::Relaxed);
            *slot = Some(waker.clone());
        }
    }
    // ANCHOR_END: register

    /// The sleep is dropped or done: its entry stays in the heap, inert, until it comes to the
    /// top or until the cancelled entries are half the heap, when they are swept out.
    pub(crate) fn cancel(&self, timer: &Timer) {
        if lock(&timer.waker).take().is_none() {
            return; // fired already
        }
        let mut heap = lock(&self.heap);
        heap.cancelled += 1;
        if heap.cancelled > 64 && heap.cancelled * 2 > heap.entries.len() {
            heap.entries
                .retain(|entry| lock(&entry.timer.waker).is_some());
            heap.cancelled = 0;
        }
    }

    // ANCHOR: fire
    /// The earliest deadline still pending.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        let mut heap = lock(&self.heap);
        Self::earliest(&mut heap)
    }

    fn earliest(heap: &mut Heap) -> Option<Instant> {
        while let Some(top) = heap.entries.peek() {
            if lock(&top.timer.waker).is_some() {
                return Some(top.deadline);
            }
            heap.entries.pop();
            heap.cancelled = heap.cancelled.saturating_sub(1);
        }
        None
    }

    /// Takes every timer due at `now` out of the heap, re-arms the timerfd for the next one,
    /// and wakes the due timers' tasks (after the lock is released). Returns how many.
    pub(crate) fn fire_due(&self, now: Instant) -> usize {
        let mut due = Vec::new();
        let mut heap = lock(&self.heap);
        while heap.entries.peek().is_some_and(|top| top.deadline <= now) {
            let entry = heap.entries.pop().expect("peeked");
            match lock(&entry.timer.waker).take() {
                Some(waker) => due.push(waker),
                None => heap.cancelled = heap.cancelled.saturating_sub(1),
            }
        }
        match Self::earliest(&mut heap) {
            Some(next) if heap.armed.is_none_or(|armed| armed <= now || next < armed) => {
                self.arm(&mut heap, next);
            }
            Some(_) => {}
            None => heap.armed = None,
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
        lock(&self.heap).entries.len()
    }
}
