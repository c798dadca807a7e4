//! Solutions to the exercises of chapter 15 of *Build Your Own Async Runtime*.
//!
//! Exercise 15.2 changes the scheduler, so this library is chapter 15's runtime again
//! (`ch15-many-threads-fast`), file for file, with one option more:
//! `Builder::stealable_lifo_slot`, a LIFO slot that the other workers may take (in
//! `scheduler.rs` and `runtime.rs`). Without it, the runtime is chapter 15's. Exercise 15.1
//! reads the traces of chapter 15's recorder (the feature `trace`). Linux only.
//!
//! | program | exercise |
//! |---|---|
//! | `queue_wait` | 15.1: how many polls a woken task waits before it runs, read from a trace, with the LIFO slot and without (`--features trace`) |
//! | `stealable_lifo` | 15.2: a stealable LIFO slot: a child spawned before its parent blocks runs at once on the other worker, and what every push into the slot then costs |
//!
//! Each folder holds the program (`main.rs`), its tests (`tests.rs`) and its output
//! (`output.txt`, written by `cargo xtask outputs`).
//!
//! # Layout
//!
//! | module | idea |
//! |---|---|
//! | `sync` | the primitives of the scheduler and the task: `std`'s, or `loom`'s under `--cfg loom` |
//! | `state` | `State`: a task's one atomic word (running, complete, notified, join interest, join waker), every change a read-modify-write |
//! | `task` | `Task<F, S>`: the future, its output, the state word and the handle's waker in one allocation; `Runnable`, `Join`, `Schedule` |
//! | `join` | `JoinHandle<T>` and `JoinError` |
//! | `queue` | the book's run queue: a lock-free ring of 256 slots, one owner, thieves that take half (tokio's design) |
//! | `inject` | `Injector`: the global queue, a `VecDeque` behind a lock with its length in an atomic |
//! | `idle` | `Idle`: who searches and who sleeps, in one atomic word; whom a push wakes |
//! | `park` | `Parker`: a worker sleeps in the driver if it is free, else on its own condvar; `Driver`, `Unpark` |
//! | `scheduler` | `Shared` and `Core`: the LIFO slot and its cap, where a worker looks for work, stealing, parking; `run_worker`, the worker loop; `RunQueue` with the ring and `crossbeam-deque` |
//! | `coop` | the budget of 128 operations per poll |
//! | `driver` | `MioDriver`: owns `mio::Poll`; one `epoll_wait`, then the tasks of the events and the due timers are woken |
//! | `reactor` | the slab from `mio::Token` to a socket's readiness bits and wakers; `Registered::poll_io` (edge-triggered: keep the bits until `WouldBlock`) |
//! | `timers` | the timer heap, and a timerfd armed at its earliest deadline |
//! | `sys` | the timerfd (`libc`) |
//! | `time` | `sleep`, `sleep_until`, `interval`, `timeout`, like `tokio::time` |
//! | `net` | `TcpListener`, `TcpStream` and `UdpSocket` on mio, with `futures::io::AsyncRead`/`AsyncWrite` |
//! | `blocking` | chapter 9's pool for `spawn_blocking` |
//! | `runtime` | `Runtime`, `Builder`, `Handle`, `spawn`, `spawn_blocking`, `block_on`; the worker threads; cancelling on drop |
//! | `trace` | a recorder of scheduler events with the feature `trace`, in the Chrome Trace Event format; depends on `std` alone |
//! | `yield_now` | a future that wakes its own task and returns `Pending` once |
//!
//! `state`, `task`, `queue`, `inject`, `idle`, `park`, `scheduler` and `trace` are public so
//! that the loom models in `tests/loom_*.rs` and the programs can drive them directly; a
//! program needs only `Runtime`, `Handle`, `spawn`, `spawn_blocking`, `net`, `time` and the
//! handles.

mod blocking;
pub mod coop;
mod driver;
pub mod idle;
pub mod inject;
mod join;
pub mod net;
pub mod park;
pub mod queue;
mod reactor;
mod runtime;
pub mod scheduler;
pub mod state;
mod sync;
// Miri has no timerfd: under it the timers wait without one, and `sys` goes unused.
#[cfg_attr(miri, allow(dead_code))]
mod sys;
pub mod task;
pub mod time;
mod timers;
pub mod trace;
mod yield_now;

pub use join::{JoinError, JoinHandle};
pub use runtime::{Builder, DriverCounts, Handle, RunQueueKind, Runtime, spawn, spawn_blocking};
pub use scheduler::{Counts, WorkerCounts};
pub use yield_now::yield_now;
