//! Chapter 6 of *Build Your Own Async Runtime*: epoll and eventfd.
//!
//! Chapter 5's runtime with the run queue and the `Condvar` replaced by the kernel: each task
//! (and the main future) has an `eventfd` in an `epoll` set, with the task's token as the
//! epoll data; its waker writes 1 to the eventfd, and the executor sleeps in `epoll_wait`
//! until some eventfd is readable, reads its counter back to zero and polls the task.
//! Linux only.
//!
//! # Layout
//!
//! | module | idea |
//! |---|---|
//! | `sys` | thin safe wrappers over `epoll_create1`, `epoll_ctl`, `epoll_wait`, `eventfd`, `read` and `write`; every fd an `OwnedFd`; all the crate's `unsafe` |
//! | `task` | `Task`: the boxed future and its eventfd; `impl Wake for EventFd`; reset the counter, then poll |
//! | `runtime` | `Runtime` (the epoll set, `block_on`, cancelling on drop) and `spawn`, which registers a new eventfd and makes it readable |
//! | `join` | `JoinHandle<T>` over a `futures::channel::oneshot` receiver, and `JoinError` (`is_panic`, `is_cancelled`, `io_error`) |
//! | `yield_now` | a future that wakes its own task and returns `Pending` once |
//!
//! # Programs (`examples/`)
//!
//! | program | idea |
//! |---|---|
//! | `raw_epoll` | the mechanism alone, with `std` and `libc` only: an eventfd in an epoll set, a thread writes, `epoll_wait` returns the token, `read` resets the counter (the play button runs it) |
//! | `thread_waker` | tasks woken by plain `std` threads through their wakers: each wake is a `write` that ends an `epoll_wait` |
//! | `spawn` | (chapter 5) spawns tasks, one of which awaits another's handle and one of which panics; joins them all |
//! | `tiny_executor` | (chapter 5) chapter 5's runtime in one file, unchanged |
//! | `cost` | (chapter 5) the same measurement, now of this design: a spawn costs an eventfd and two `epoll_ctl`, a wake a `write`, an `epoll_wait` and a `read` |
//!
//! Run one with `cargo run -p ch06-epoll-eventfd --example raw_epoll`.

mod join;
mod runtime;
mod sys;
mod task;
mod yield_now;

pub use join::{JoinError, JoinHandle};
pub use runtime::{Runtime, spawn};
pub use yield_now::yield_now;
