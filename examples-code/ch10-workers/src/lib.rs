//! Chapter 10 of *Build Your Own Async Runtime*: workers and a shared queue.
//!
//! The first runtime of Part III, and a fresh start: it begins again from chapter 5's task,
//! `JoinHandle` and `JoinError`, made `Send + Sync`, without chapter 6's epoll (the next
//! chapter brings the reactor back). Several worker threads take tasks from one shared ready
//! queue; an idle worker sleeps on a `Condvar`, and a wake unparks at most one of them.
//!
//! # Layout
//!
//! | module | idea |
//! |---|---|
//! | `sync` | the scheduler's `Mutex`, `Condvar` and atomics: `std`'s, or `loom`'s under `--cfg loom` |
//! | `state` | `TaskState`: one atomic word (scheduled, running, notified, complete), so a task is queued once and polled by one worker at a time |
//! | `queue` | `ReadyQueue`: the shared queue and the sleeping workers under one `Mutex`, the wake-one policy, and `Counts` of parks and unparks |
//! | `task` | `Task`: the boxed future, its state, and `impl Wake` that puts it back on the queue |
//! | `runtime` | `Runtime` (`new`, `builder`, `block_on`, cancelling on drop), the worker loop, `Handle` and `spawn` |
//! | `join` | `JoinHandle<T>` over a `futures::channel::oneshot` receiver, and `JoinError` (`is_panic`, `is_cancelled`), as in chapter 5 |
//! | `yield_now` | a future that wakes its own task and returns `Pending` once |
//!
//! `state` and `queue` are public so that the loom models in `tests/loom_*.rs` can drive them
//! directly; a program needs only `Runtime`, `Handle`, `spawn` and the handles.
//!
//! # Programs (`examples/`)
//!
//! | program | idea |
//! |---|---|
//! | `spawn` | a thousand tasks spread over the workers, one awaiting others' handles, one panicking; prints sums |
//! | `handle` | plain `std` threads spawn onto the runtime through a `Handle` and wait for the handles |
//! | `tiny_workers` | a two-worker executor in one file, with `std` only (the play button runs it) |
//!
//! Run one with `cargo run -p ch10-workers --example spawn`.
#![forbid(unsafe_code)]

mod join;
pub mod queue;
mod runtime;
pub mod state;
mod sync;
mod task;
mod yield_now;

pub use join::{JoinError, JoinHandle};
pub use queue::Counts;
pub use runtime::{Builder, Handle, Runtime, spawn};
pub use yield_now::yield_now;
