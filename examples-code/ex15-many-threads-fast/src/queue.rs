//! The book's run queue for one worker: a ring of 256 slots, lock-free, with one owner that
//! pushes and pops at its two ends and any number of thieves that take half of it at once.
//! It is the design of tokio's `queue::Local` and `queue::Steal` (its
//! `runtime/scheduler/multi_thread/queue.rs`), written again here to be read.
//!
//! Three indices, each counting up for ever (wrapping), a slot being `index % CAPACITY`:
//!
//! - `tail`: where the owner pushes next. Only the owner writes it.
//! - the *real* head: the oldest item not yet taken. The owner's pop and a thief's claim move
//!   it, with a compare-and-swap.
//! - the *steal* head: while a thief copies the items it claimed, the oldest of them. Equal to
//!   the real head when no thief is at work. Both heads share one 64-bit word, `head`, so one
//!   compare-and-swap moves either or both.
//!
//! Slots from the steal head to `tail` are taken (by a thief still copying) or queued; the
//! owner may write only outside them, so it counts the room it has from the steal head.

use crate::sync::{AtomicU32, AtomicU64, Ordering, UnsafeCell};
use std::mem::MaybeUninit;
use std::sync::Arc;

// ANCHOR: ring
/// How many items one worker's queue holds, as in tokio. More overflow to the injector.
/// Under loom, four: the same code, with fewer states to explore.
pub const CAPACITY: usize = if cfg!(loom) { 4 } else { 256 };
const MASK: usize = CAPACITY - 1;

/// The owner's end: push, pop. Only one thread has it.
pub struct Local<T> {
    inner: Arc<Inner<T>>,
}

/// A thief's end: steal half. Any thread may have a clone.
pub struct Steal<T>(Arc<Inner<T>>);

struct Inner<T> {
    /// The steal head in the high 32 bits, the real head in the low 32 bits.
    head: AtomicU64,
    /// Where the next push goes.
    tail: AtomicU32,
    /// The slots: an item is initialised exactly in the slots from the real head to `tail`,
    /// and in those a thief has claimed but not yet copied.
    buffer: Box<[UnsafeCell<MaybeUninit<T>>]>,
}

/// Where a full queue sends half of itself: the injector.
pub trait Overflow<T> {
    fn push_batch(&self, items: impl Iterator<Item = T>);
}
// ANCHOR_END: ring

// SAFETY: the slots hold `T`s that move between threads (a thief takes them), so `T: Send`
// is needed, and enough: no slot is ever shared by two threads at once. The owner writes a
// slot only outside [steal head, tail), which no thief reads; a thief reads only slots it
// claimed with its compare-and-swap, which nobody else reads or writes until it moves the
// steal head past them.
unsafe impl<T: Send> Send for Inner<T> {}
// SAFETY: as above.
unsafe impl<T: Send> Sync for Inner<T> {}

fn pack(steal: u32, real: u32) -> u64 {
    (u64::from(steal) << 32) | u64::from(real)
}

fn unpack(head: u64) -> (u32, u32) {
    ((head >> 32) as u32, head as u32)
}

/// A new, empty queue: its owner's end and a thief's end.
pub fn new<T>() -> (Local<T>, Steal<T>) {
    let buffer = (0..CAPACITY)
        .map(|_| UnsafeCell::new(MaybeUninit::uninit()))
        .collect();
    let inner = Arc::new(Inner {
        head: AtomicU64::new(0),
        tail: AtomicU32::new(0),
        buffer,
    });
    (
        Local {
            inner: Arc::clone(&inner),
        },
        Steal(inner),
    )
}

impl<T> Inner<T> {
    /// Moves `item` into the slot of `position`.
    ///
    /// # Safety
    ///
    /// The slot is outside [steal head, tail): empty, and no thief looks at it.
    unsafe fn write(&self, position: u32, item: T) {
        let slot = &self.buffer[position as usize & MASK];
        // SAFETY: the caller's promise: nobody else touches this slot now.
        slot.with_mut(|slot| unsafe { (*slot).write(item) });
    }

    /// Moves the item out of the slot of `position`.
    ///
    /// # Safety
    ///
    /// The caller claimed this position (a pop or a steal): it holds an item, and nobody
    /// else reads or writes it until the caller's claim ends.
    unsafe fn read(&self, position: u32) -> T {
        let slot = &self.buffer[position as usize & MASK];
        // SAFETY: the caller's promise: the slot is initialised and ours to move out of.
        slot.with(|slot| unsafe { (*slot).assume_init_read() })
    }
}

impl<T> Local<T> {
    /// How many items are queued (not counting those a thief is copying out).
    pub fn len(&self) -> usize {
        let (_, real) = unpack(self.inner.head.load(Ordering::Acquire));
        let tail = self.inner.tail.load(Ordering::Relaxed);
        tail.wrapping_sub(real) as usize
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many pushes fit without an overflow, counting from the steal head.
    pub fn remaining(&self) -> usize {
        let (steal, _) = unpack(self.inner.head.load(Ordering::Acquire));
        let tail = self.inner.tail.load(Ordering::Relaxed);
        CAPACITY - tail.wrapping_sub(steal) as usize
    }

    // ANCHOR: push
    /// Pushes `item` at the back. A full queue moves half of its items, the newer half, and
    /// `item` to `overflow` in one batch (or only `item`, if a thief is at work: its steal
    /// is about to make room).
    pub fn push(&mut self, mut item: T, overflow: &impl Overflow<T>) {
        let tail = loop {
            let head = self.inner.head.load(Ordering::Acquire);
            let (steal, real) = unpack(head);
            // Only this thread writes `tail`: its own last store is what it reads.
            let tail = self.inner.tail.load(Ordering::Relaxed);
            if tail.wrapping_sub(steal) < CAPACITY as u32 {
                break tail;
            }
            if steal != real {
                overflow.push_batch(std::iter::once(item));
                return;
            }
            match self.push_overflow(item, real, tail, overflow) {
                Ok(()) => return,
                Err(back) => item = back, // a thief moved the head first: look again
            }
        };
        // SAFETY: `tail - steal < CAPACITY`, so the slot at `tail` is outside the taken and
        // queued range: empty, and no thief reads it before the store below publishes it.
        unsafe { self.inner.write(tail, item) };
        // `Release`: a thief that reads this tail (`Acquire`) sees the item in its slot.
        self.inner
            .tail
            .store(tail.wrapping_add(1), Ordering::Release);
    }

    /// The queue is full and no thief is at work. Claim all of it (both heads jump to
    /// `tail`), queue the older half again (the positions from `tail` on map to the same
    /// slots, since `tail - head` is `CAPACITY`), and give the newer half and `item` to
    /// `overflow`. The older half stays because tasks taken from the injector sit there (a
    /// worker takes a batch only into an empty queue, half of it at most): they are not sent
    /// back before they have run, which is tokio's reason too.
    fn push_overflow(
        &mut self,
        item: T,
        head: u32,
        tail: u32,
        overflow: &impl Overflow<T>,
    ) -> Result<(), T> {
        const HALF: u32 = (CAPACITY / 2) as u32;
        debug_assert_eq!(tail.wrapping_sub(head) as usize, CAPACITY);
        if self
            .inner
            .head
            .compare_exchange(
                pack(head, head),
                pack(tail, tail),
                Ordering::AcqRel,
                Ordering::Acquire,
            )
            .is_err()
        {
            return Err(item); // a thief claimed some first: there may be room now
        }
        self.inner
            .tail
            .store(tail.wrapping_add(HALF), Ordering::Release);
        let inner = &self.inner;
        // SAFETY: the newer half, positions head + HALF .. tail, is outside the queue now
        // (its slots are at positions tail + HALF .. tail + CAPACITY in the new numbering):
        // no thief reads them, and only the owner (us) writes there, after this batch is out.
        let batch = (HALF..CAPACITY as u32).map(|i| unsafe { inner.read(head.wrapping_add(i)) });
        overflow.push_batch(batch.chain(std::iter::once(item)));
        Ok(())
    }
    // ANCHOR_END: push

    /// Pushes every item of `items` at the back.
    ///
    /// # Panics
    ///
    /// When they do not fit (the caller checks `remaining` first).
    pub fn push_batch(&mut self, items: impl ExactSizeIterator<Item = T>) {
        let count = items.len();
        assert!(count <= self.remaining(), "the batch does not fit");
        let mut tail = self.inner.tail.load(Ordering::Relaxed);
        for item in items {
            // SAFETY: there is room for all of them (checked above; thieves only make more).
            unsafe { self.inner.write(tail, item) };
            tail = tail.wrapping_add(1);
        }
        self.inner.tail.store(tail, Ordering::Release);
    }

    // ANCHOR: pop
    /// The oldest item: the owner claims it with a compare-and-swap on the real head, as a
    /// thief would (a thief may be claiming it at the same moment).
    pub fn pop(&mut self) -> Option<T> {
        let mut head = self.inner.head.load(Ordering::Acquire);
        let position = loop {
            let (steal, real) = unpack(head);
            let tail = self.inner.tail.load(Ordering::Relaxed);
            if real == tail {
                return None;
            }
            let next_real = real.wrapping_add(1);
            // No thief at work: both heads move. A thief at work: only the real head; the
            // thief moves the steal head when it is done.
            let next = if steal == real {
                pack(next_real, next_real)
            } else {
                pack(steal, next_real)
            };
            match self.inner.head.compare_exchange_weak(
                head,
                next,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => break real,
                Err(actual) => head = actual,
            }
        };
        // SAFETY: the compare-and-swap claimed `position` for us.
        Some(unsafe { self.inner.read(position) })
    }
    // ANCHOR_END: pop
}

impl<T> Steal<T> {
    /// How many items are queued: a hint, the owner and other thieves move on meanwhile.
    pub fn len(&self) -> usize {
        let (_, real) = unpack(self.0.head.load(Ordering::Acquire));
        let tail = self.0.tail.load(Ordering::Acquire);
        tail.wrapping_sub(real) as usize
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    // ANCHOR: steal
    /// Takes half of this queue (rounded up) into `dst`, the thief's own queue, and returns
    /// one of the items. `None` when the queue is empty, when another thief is at work on it,
    /// or when `dst` is more than half full.
    pub fn steal_into(&self, dst: &mut Local<T>) -> Option<T> {
        let dst_tail = dst.inner.tail.load(Ordering::Relaxed);
        let (dst_steal, _) = unpack(dst.inner.head.load(Ordering::Acquire));
        if dst_tail.wrapping_sub(dst_steal) > CAPACITY as u32 / 2 {
            return None;
        }
        let count = self.steal_into_slots(dst, dst_tail);
        if count == 0 {
            return None;
        }
        // The last item copied is returned; the others become `dst`'s.
        let last = dst_tail.wrapping_add(count - 1);
        // SAFETY: `steal_into_slots` wrote it and nobody can see it: `dst`'s tail is not
        // moved past it.
        let item = unsafe { dst.inner.read(last) };
        if count > 1 {
            dst.inner.tail.store(last, Ordering::Release);
        }
        Some(item)
    }

    /// Claims half of this queue, copies it into `dst` from `dst_tail` on, and releases the
    /// claim. Returns how many items it copied (not yet visible in `dst`).
    fn steal_into_slots(&self, dst: &mut Local<T>, dst_tail: u32) -> u32 {
        let mut head = self.0.head.load(Ordering::Acquire);
        let (first, count) = loop {
            let (steal, real) = unpack(head);
            if steal != real {
                return 0; // another thief is at work here
            }
            let tail = self.0.tail.load(Ordering::Acquire);
            let available = tail.wrapping_sub(real);
            let count = available - available / 2;
            if count == 0 {
                return 0;
            }
            // 1. Claim: move the real head past the batch, keep the steal head at its start.
            let claimed = pack(steal, real.wrapping_add(count));
            match self.0.head.compare_exchange_weak(
                head,
                claimed,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => {
                    head = claimed;
                    break (real, count);
                }
                Err(actual) => head = actual,
            }
        };
        // 2. Copy. The owner cannot overwrite these slots: it counts its room from the steal
        //    head, which still points at the first of them.
        for i in 0..count {
            // SAFETY: claimed above; the destination slots are free and only `dst`'s owner
            // (the caller) writes them, and nobody reads them before its tail moves.
            unsafe {
                let item = self.0.read(first.wrapping_add(i));
                dst.inner.write(dst_tail.wrapping_add(i), item);
            }
        }
        // 3. Release: the steal head catches up with the real head (which the owner's pops
        //    may have moved on meanwhile).
        loop {
            let (_, real) = unpack(head);
            match self.0.head.compare_exchange_weak(
                head,
                pack(real, real),
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return count,
                Err(actual) => head = actual,
            }
        }
    }
    // ANCHOR_END: steal
}

impl<T> Clone for Steal<T> {
    fn clone(&self) -> Steal<T> {
        Steal(Arc::clone(&self.0))
    }
}

impl<T> Drop for Inner<T> {
    /// Drops the items still queued (the runtime drains its queues first; this is for a
    /// queue dropped with items in it).
    fn drop(&mut self) {
        // `&mut self`: nobody else is left, and these loads see every store made.
        let (_, real) = unpack(self.head.load(Ordering::Acquire));
        let tail = self.tail.load(Ordering::Acquire);
        let mut position = real;
        while position != tail {
            // SAFETY: `&mut self`: nobody else is left; the slots from the real head to the
            // tail hold items (a steal in progress cannot outlive the `Arc`s of both ends).
            drop(unsafe { self.read(position) });
            position = position.wrapping_add(1);
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::inject::Injector;

    fn drain(local: &mut Local<u32>) -> Vec<u32> {
        std::iter::from_fn(|| local.pop()).collect()
    }

    #[test]
    fn the_owner_pops_in_push_order() {
        let injector = Injector::new();
        let (mut local, _steal) = new();
        for item in 0..10 {
            local.push(item, &injector);
        }
        assert_eq!(local.len(), 10);
        assert_eq!(drain(&mut local), (0..10).collect::<Vec<_>>());
        assert!(local.is_empty());
    }

    #[test]
    fn a_full_queue_sends_its_newer_half_and_the_new_item_to_the_injector() {
        let injector = Injector::new();
        let (mut local, _steal) = new();
        let full = CAPACITY as u32;
        for item in 0..full {
            local.push(item, &injector);
        }
        assert!(injector.is_empty(), "full, not yet over");
        local.push(full, &injector);
        let half = full / 2;
        assert_eq!(
            drain(&mut local),
            (0..half).collect::<Vec<_>>(),
            "the older half stays"
        );
        assert_eq!(injector.close(), (half..=full).collect::<Vec<_>>());
    }

    #[test]
    fn a_steal_takes_half_rounded_up_oldest_first_and_returns_one() {
        let injector = Injector::new();
        let (mut victim, steal) = new();
        for item in 0..5 {
            victim.push(item, &injector);
        }
        let (mut thief, _) = new();
        let first = steal.steal_into(&mut thief);
        // Three of five: the thief runs the last of them and queues the others.
        assert_eq!(first, Some(2));
        assert_eq!(drain(&mut thief), [0, 1]);
        assert_eq!(drain(&mut victim), [3, 4]);
        assert_eq!(steal.steal_into(&mut thief), None, "nothing left to steal");
    }

    #[test]
    fn an_owner_and_two_thieves_on_three_threads_take_each_item_exactly_once() {
        const ITEMS: u32 = if cfg!(miri) { 200 } else { 20_000 };
        let injector = std::sync::Arc::new(Injector::new());
        let (mut local, steal) = new();
        let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let thieves: Vec<_> = (0..2)
            .map(|_| {
                let (steal, done) = (steal.clone(), std::sync::Arc::clone(&done));
                std::thread::spawn(move || {
                    let (mut mine, _) = new();
                    let mut got = Vec::new();
                    while !done.load(std::sync::atomic::Ordering::Acquire) || !steal.is_empty() {
                        got.extend(steal.steal_into(&mut mine));
                        got.extend(drain(&mut mine));
                        std::thread::yield_now();
                    }
                    got
                })
            })
            .collect();
        let mut got = Vec::new();
        for item in 0..ITEMS {
            local.push(item, &*injector);
            if item % 3 == 0 {
                got.extend(local.pop());
            }
        }
        got.extend(drain(&mut local));
        done.store(true, std::sync::atomic::Ordering::Release);
        for thief in thieves {
            got.extend(thief.join().unwrap());
        }
        got.extend(injector.close());
        got.sort_unstable();
        assert_eq!(got, (0..ITEMS).collect::<Vec<_>>());
    }

    #[test]
    fn a_queue_dropped_with_items_in_it_drops_them() {
        let injector = Injector::new();
        let item = std::sync::Arc::new(());
        let (mut local, steal) = new();
        for _ in 0..3 {
            local.push(std::sync::Arc::clone(&item), &injector);
        }
        drop(local.pop());
        drop((local, steal));
        assert_eq!(std::sync::Arc::strong_count(&item), 1);
    }
}
