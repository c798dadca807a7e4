//! The synchronisation primitives of the scheduler (the ready queue, the parking, the task
//! state word), from `std`, or from `loom` when built with `RUSTFLAGS="--cfg loom"`: loom's
//! have the same API and let the `tests/loom_*.rs` models run every interleaving.

#[cfg(not(loom))]
pub(crate) use std::sync::atomic::{AtomicUsize, Ordering};
#[cfg(not(loom))]
pub(crate) use std::sync::{Condvar, Mutex};

#[cfg(loom)]
pub(crate) use loom::sync::atomic::{AtomicUsize, Ordering};
#[cfg(loom)]
pub(crate) use loom::sync::{Condvar, Mutex};
