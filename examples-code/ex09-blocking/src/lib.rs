//! Solutions to the exercises of chapter 9 of *Build Your Own Async Runtime*.
//!
//! The library is a modified copy of the stage crate `ch09-blocking` (its `src/`), because
//! both exercises change the internals of `spawn_blocking` and its pool. The changes, all in
//! `blocking.rs` and `runtime.rs`:
//!
//! - `Builder::max_blocking_queue(n)` bounds the number of jobs that wait for a thread; a job
//!   that finds every thread busy and the queue full is refused (`Pool::submit` gives it back)
//!   and its handle gives a `JoinError` whose `io_error` is of kind `WouldBlock` (exercise 9.1);
//! - a job whose `JoinHandle` is dropped before a thread starts it is skipped: the job checks
//!   `oneshot::Sender::is_canceled` before it calls the closure (exercise 9.2).
//!
//! Everything else, and the rest of chapter 9's public API, is unchanged. Linux only.
//!
//! # Programs (`examples/`)
//!
//! | program | exercise |
//! |---|---|
//! | `bounded_queue` | 9.1: a blocking pool whose queue is bounded: a job that finds it full gets an error at once |
//! | `cancel_unstarted` | 9.2: a job whose handle is dropped before it starts never runs; one that has started runs to its end |
//!
//! Each folder holds the program (`main.rs`), its tests (`tests.rs`) and its output
//! (`output.txt`, written by `cargo xtask outputs`).

pub mod net;
pub mod time;

mod blocking;
mod join;
mod reactor;
mod runtime;
mod sys;
mod task;
mod timers;
mod yield_now;

pub use join::{JoinError, JoinHandle};
pub use runtime::{Builder, Runtime, spawn, spawn_blocking};
pub use sys::{Syscalls, syscalls};
pub use yield_now::yield_now;
