//! Solutions to the exercises of chapter 5 of *Build Your Own Async Runtime*.
//!
//! The library is a modified copy of the stage crate `ch05-task-queue` (its `src/`), because
//! exercise 5.2 changes the runtime's internals. The changes, all in `runtime.rs` and
//! `task.rs`:
//!
//! - the run queue is allocated once, by `Runtime::with_max_tasks`, and never grows;
//! - `try_spawn` gives the future back when `max_tasks` tasks are alive, and `spawn` panics;
//! - a finished task is never queued again, and a task that was woken during its last poll
//!   keeps its slot until that wake's entry has left the queue.
//!
//! Everything else, and the whole public API of chapter 5, is unchanged: exercise 5.1 uses
//! only that API.
//!
//! # Programs (`examples/`)
//!
//! | program | exercise |
//! |---|---|
//! | `join_set` | 5.1: a `JoinSet` that gives the outputs of its tasks in the order they finish |
//! | `bounded` | 5.2: a bounded run queue; `try_spawn` on a full runtime gives the future back |
//!
//! Each folder holds the program (`main.rs`), its tests (`tests.rs`) and its output
//! (`output.txt`, written by `cargo xtask outputs`).
#![forbid(unsafe_code)]

mod join;
mod runtime;
mod task;
mod yield_now;

pub use join::{JoinError, JoinHandle};
pub use runtime::{DEFAULT_MAX_TASKS, Runtime, SpawnError, spawn, try_spawn};
pub use yield_now::yield_now;
