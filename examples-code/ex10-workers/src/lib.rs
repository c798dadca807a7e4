//! Solutions to the exercises of chapter 10 of *Build Your Own Async Runtime*.
//!
//! The library is a modified copy of the stage crate `ch10-workers` (its `src/`), because both
//! exercises change the runtime's internals; `diff -r examples-code/ch10-workers/src
//! examples-code/ex10-workers/src` shows the changes (and the anchors, which differ):
//!
//! - 10.1, in `runtime.rs` and `task.rs`: each worker counts its polls in a counter of its
//!   own (`WorkerStats`), and `Runtime::metrics()` reads them (`RuntimeMetrics`, like tokio's
//!   `worker_poll_count`); `Task::run` says whether it polled;
//! - 10.2, in `queue.rs` and `runtime.rs`: `Builder::notify(Notify::All)` makes every push
//!   `notify_all` (the thundering herd, kept to be measured), and `Counts::idle_wakeups`
//!   counts the returns from `wait` that found the queue empty.
//!
//! Everything else, and the whole public API of chapter 10, is unchanged. The crate has no
//! loom models of its own (`tests/loom_*.rs`); the stage's check the queue.
//!
//! # Programs (`examples/`)
//!
//! | program | exercise |
//! |---|---|
//! | `worker_metrics` | 10.1: per-worker poll counts; tasks that meet at a barrier land on every worker; a task that blocks stalls only its own worker |
//! | `herd` | 10.2: fifty wakes with `notify_one` and with `notify_all`, and the wake-ups that found nothing to do |
//!
//! Each folder holds the program (`main.rs`), its tests (`tests.rs`) and its output
//! (`output.txt`, written by `cargo xtask outputs`).
#![forbid(unsafe_code)]

mod join;
pub mod queue;
mod runtime;
pub mod state;
mod sync;
mod task;
mod yield_now;

pub use join::{JoinError, JoinHandle};
pub use queue::{Counts, Notify};
pub use runtime::{Builder, Handle, Runtime, RuntimeMetrics, spawn};
pub use yield_now::yield_now;
