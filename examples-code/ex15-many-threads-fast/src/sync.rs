//! The synchronisation primitives of the scheduler and of the task (the run queues, the
//! parking, the state word, the cells that hold a task's future and a queue's slots): from
//! `std`, or from `loom` when built with `RUSTFLAGS="--cfg loom"`. loom's have the same API
//! and let the `tests/loom_*.rs` models run every interleaving; its `UnsafeCell` also checks
//! that no two threads touch a cell at once without an order between them.

#[cfg(not(loom))]
pub(crate) use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering};
#[cfg(not(loom))]
pub(crate) use std::sync::{Condvar, Mutex, MutexGuard};

#[cfg(loom)]
pub(crate) use loom::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering};
#[cfg(loom)]
pub(crate) use loom::sync::{Condvar, Mutex, MutexGuard};

/// `std::cell::UnsafeCell` with loom's API: access goes through `with` (shared) and
/// `with_mut` (exclusive), so that under loom every access is checked for a data race.
#[cfg(not(loom))]
#[derive(Debug)]
pub(crate) struct UnsafeCell<T>(std::cell::UnsafeCell<T>);

#[cfg(not(loom))]
impl<T> UnsafeCell<T> {
    pub(crate) const fn new(value: T) -> UnsafeCell<T> {
        UnsafeCell(std::cell::UnsafeCell::new(value))
    }

    /// Gives `f` a pointer for reading. The caller must know that no one writes meanwhile.
    #[inline(always)]
    pub(crate) fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
        f(self.0.get())
    }

    /// Gives `f` a pointer for writing. The caller must know that no one else touches the
    /// cell meanwhile.
    #[inline(always)]
    pub(crate) fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
        f(self.0.get())
    }
}

#[cfg(loom)]
pub(crate) use loom::cell::UnsafeCell;

/// Locks a mutex, and goes on if a panic poisoned it: every structure behind these locks is
/// left whole by every operation on it.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// `lock` for `std`'s mutexes, which the parts of the runtime that loom never models (the
/// reactor, the timers, `block_on`) use in every build.
pub(crate) fn lock_std<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A lock that is only ever tried, never waited for: one worker at a time holds the driver,
/// and the others, finding it taken, sleep elsewhere. An `AtomicBool` and a cell, as tokio's
/// `TryLock` (`util/try_lock.rs`). (`Mutex::try_lock` would do, but loom 0.7 wrongly reports
/// a thread that only tries a lock as blocked by it: loom's issue #376.)
pub(crate) struct TryLock<T> {
    locked: AtomicBool,
    data: UnsafeCell<T>,
}

// SAFETY: the value moves to whichever thread holds the lock: `T: Send` is enough, and the
// lock lets one thread at a time touch it.
unsafe impl<T: Send> Send for TryLock<T> {}
// SAFETY: as above: `try_with` gives `&mut T` to one thread at a time.
unsafe impl<T: Send> Sync for TryLock<T> {}

impl<T> TryLock<T> {
    pub(crate) fn new(value: T) -> TryLock<T> {
        TryLock {
            locked: AtomicBool::new(false),
            data: UnsafeCell::new(value),
        }
    }

    /// Runs `f` with the value if no other thread holds it, else returns `None` at once.
    pub(crate) fn try_with<R>(&self, f: impl FnOnce(&mut T) -> R) -> Option<R> {
        if self
            .locked
            .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            return None;
        }
        /// Lets go of the lock when `f` returns or unwinds.
        struct Unlock<'a>(&'a AtomicBool);
        impl Drop for Unlock<'_> {
            fn drop(&mut self) {
                self.0.store(false, Ordering::Release);
            }
        }
        let _unlock = Unlock(&self.locked);
        // SAFETY: the compare-and-swap made this thread the only holder until `_unlock`
        // lets go (`Release`, which the next holder's `Acquire` reads): no other reference to
        // the value exists meanwhile.
        Some(self.data.with_mut(|data| f(unsafe { &mut *data })))
    }
}
