//! Synchronisation helpers: the one way the runtime takes a lock, and the atomics and the
//! waker slot of its three cross-thread handshakes (`handshake`), from `std` and `futures`,
//! or from `loom` when built with `RUSTFLAGS="--cfg loom"`: loom's have the same API and let
//! `tests/loom_*.rs` run every interleaving of the very code the runtime runs.

use std::sync::{Mutex, MutexGuard};

#[cfg(not(loom))]
pub(crate) use std::sync::atomic::{AtomicBool, Ordering, fence};

#[cfg(loom)]
pub(crate) use loom::sync::atomic::{AtomicBool, Ordering, fence};

/// `futures`' `AtomicWaker`, or under loom a model of it: the waker slot under one of
/// loom's locks, which gives the ordering `futures` documents for its own (`register`
/// acquires what an earlier `wake` released; a later `wake` finds the waker). loom cannot run
/// `futures`' own, whose atomics are `std`'s.
#[cfg(not(loom))]
pub(crate) use futures::task::AtomicWaker;

#[cfg(loom)]
pub(crate) struct AtomicWaker(loom::sync::Mutex<Option<std::task::Waker>>);

#[cfg(loom)]
impl AtomicWaker {
    pub(crate) fn new() -> AtomicWaker {
        AtomicWaker(loom::sync::Mutex::new(None))
    }

    pub(crate) fn register(&self, waker: &std::task::Waker) {
        *self.0.lock().unwrap() = Some(waker.clone());
    }

    pub(crate) fn wake(&self) {
        let waker = self.0.lock().unwrap().take();
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

/// Locks a mutex, and goes on if a panic poisoned it: every lock of the runtime guards data
/// that a panic cannot leave half-changed (a queue, a map), so the data is still good.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
