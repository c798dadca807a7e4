//! Chapter 5 of *Build Your Own Async Runtime*: a task queue.
//!
//! The first runtime of Part II, single-threaded, with no OS events yet. A task is a boxed
//! future with a waker of its own; waking it puts it back on the run queue, and the executor
//! thread sleeps on a `Condvar` while the queue is empty.
//!
//! # Layout
//!
//! | module | idea |
//! |---|---|
//! | `task` | `Task`: the boxed future, a `scheduled` flag, and `impl Wake` that pushes the task back on the run queue |
//! | `runtime` | `Runtime` (the run queue, `block_on`, cancelling on drop) and `spawn`, which finds the runtime through a thread-local |
//! | `join` | `JoinHandle<T>`, a future over a `futures::channel::oneshot` receiver, and `JoinError` (`is_panic`, `is_cancelled`) |
//! | `yield_now` | a future that wakes its own task and returns `Pending` once |
//!
//! # Programs (`examples/`)
//!
//! | program | idea |
//! |---|---|
//! | `spawn` | spawns tasks, one of which awaits another's handle and one of which panics; joins them all |
//! | `tiny_executor` | the whole runtime of this chapter in one file, with `std` and `futures` only (the play button runs it) |
//! | `cost` | measures what a spawn and a wake cost in this design (figures vary by machine) |
//!
//! Run one with `cargo run -p ch05-task-queue --example spawn`.
#![forbid(unsafe_code)]

mod join;
mod runtime;
mod task;
mod yield_now;

pub use join::{JoinError, JoinHandle};
pub use runtime::{Runtime, spawn};
pub use yield_now::yield_now;
