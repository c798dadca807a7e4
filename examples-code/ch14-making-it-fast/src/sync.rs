//! Synchronisation helpers: the one way the runtime takes a lock, and the atomics of its two
//! cross-thread handshakes (`handshake`), from `std`, or from `loom` when built with
//! `RUSTFLAGS="--cfg loom"`: loom's have the same API and let `tests/loom_*.rs` run every
//! interleaving of the very code the runtime runs.

use std::sync::{Mutex, MutexGuard};

#[cfg(not(loom))]
pub(crate) use std::sync::atomic::{AtomicBool, Ordering, fence};

#[cfg(loom)]
pub(crate) use loom::sync::atomic::{AtomicBool, Ordering, fence};

/// Locks a mutex, and goes on if a panic poisoned it: every lock of the runtime guards data
/// that a panic cannot leave half-changed (a queue, a map), so the data is still good.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
