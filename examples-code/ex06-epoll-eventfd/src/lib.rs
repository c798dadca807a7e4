//! Solutions to the exercises of chapter 6 of *Build Your Own Async Runtime*.
//!
//! The library is a modified copy of the stage crate `ch06-epoll-eventfd` (its `src/`),
//! because both exercises change the runtime's internals. The changes, all in `runtime.rs`
//! and `sys.rs`:
//!
//! - `Runtime::block_on_timeout` runs the executor loop with a deadline, which becomes the
//!   `epoll_wait` timeout, and gives `Err(Elapsed)` when it passes;
//! - `Epoll::wait` returns with no events on `EINTR` instead of waiting again with the whole
//!   timeout, so that the loop waits with the time it has left;
//! - `live_tasks()` (and `Runtime::live_tasks`) count the spawned tasks that have not
//!   finished, the one being polled included.
//!
//! Everything else, and the rest of chapter 6's public API, is unchanged. Linux only.
//!
//! # Programs (`examples/`)
//!
//! | program | exercise |
//! |---|---|
//! | `deadline` | 6.1: `block_on_timeout`, a `block_on` that gives up at a deadline |
//! | `live_tasks` | 6.2: how many tasks are alive, from inside a task and after they finish |
//!
//! Each folder holds the program (`main.rs`), its tests (`tests.rs`) and its output
//! (`output.txt`, written by `cargo xtask outputs`).

mod join;
mod runtime;
mod sys;
mod task;
mod yield_now;

pub use join::{JoinError, JoinHandle};
pub use runtime::{Elapsed, Runtime, live_tasks, spawn};
pub use yield_now::yield_now;
