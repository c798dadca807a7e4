//! Chapter 18 of *Build Your Own Async Runtime*: real software on the book's runtime.
//!
//! Chapter 15's runtime, unchanged, and `compat`: the adapters that run hyper, a library
//! written by others for no runtime in particular, on any runtime whose sockets implement
//! `futures::io::AsyncRead`/`AsyncWrite` and which can spawn and sleep. async-tungstenite, a
//! WebSocket library written for those standard traits, needs no adapter at all.
//!
//! The API of Part II on many threads: `Runtime::new`, `Runtime::builder().worker_threads(n)`,
//! `block_on`, `Handle`, `spawn`, `spawn_blocking`, `JoinHandle`/`JoinError`,
//! `time::{sleep, sleep_until, interval, timeout}`, `net::{TcpListener, TcpStream,
//! UdpSocket}` with `futures::io` traits; and `compat::{HyperIo, HyperExecutor, HyperTimer}`.
//! Linux only.
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
//! | `compat` | hyper's `Read`/`Write`, `Executor` and `Timer` over `futures::io`, a spawn function and a sleep function |
//! | `hello` | the service the chapter serves with hyper (hello world, a bounded echo), the bounds of its connections, and a client call |
//!
//! `state`, `task`, `queue`, `inject`, `idle`, `park`, `scheduler` and `trace` are public so
//! that chapter 15's loom models and programs can drive them directly; a
//! program needs only `Runtime`, `Handle`, `spawn`, `spawn_blocking`, `net`, `time`, `compat` and the
//! handles.

mod blocking;
pub mod compat;
pub mod coop;
mod driver;
pub mod hello;
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
