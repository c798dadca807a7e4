//! Chapter 12 of *Build Your Own Async Runtime*: work stealing.
//!
//! Chapter 11's runtime with its one shared queue replaced by a run queue per worker and a
//! global injector. A worker runs its own queue, looks at the injector every 61 polls and
//! whenever its own queue is empty, and steals half of a busy worker's queue before it goes
//! to sleep. Wakes and spawns on a worker go to its own queue; from anywhere else, to the
//! injector.
//!
//! The book-keeping is chapter 11's. Every worker loops over (1) book-keeping, if no other
//! worker is doing it: `mio::Poll::poll` with a zero timeout, waking the tasks whose sockets
//! are ready and whose timers are due; (2) take the next task and poll it once, or sleep: in
//! the driver (`mio::Poll::poll` until the earliest deadline) if it is free, else on the
//! `Condvar`; (3) repeat. A push wakes a `Condvar` sleeper, or else the worker in the driver,
//! through a `mio::Waker`.
//!
//! # Layout
//!
//! | module | idea |
//! |---|---|
//! | `sync` | the scheduler's `Mutex`, `Condvar` and atomics: `std`'s, or `loom`'s under `--cfg loom` |
//! | `state` | `TaskState`: one atomic word (scheduled, running, notified, complete), as in chapter 10 |
//! | `run_queue` | `RunQueues`, what the scheduler needs of its queues, and three implementations: `BookQueues`, `CrossbeamQueues` (`crossbeam-deque`), `OneQueue` (chapter 11's single queue, to measure against) |
//! | `deque` | the book's queues: `Deque`, a bounded `Mutex<VecDeque>` with `steal_half`, and `Injector` |
//! | `scheduler` | `Scheduler` and `Worker`: where a worker looks for work (its queue, the injector every 61 polls and when its queue is empty, a steal), parking in the driver or on the `Condvar` without lost wakeups, the wake-one policy, `Counts`; the `Park`/`Unpark` traits the driver implements |
//! | `driver` | `Driver`: owns `mio::Poll`; `park` sleeps until an event, a wake or the earliest deadline, `dispatch` wakes the tasks |
//! | `reactor` | the slab from `mio::Token` to a socket's readiness bits and the wakers per direction; `Registered::poll_io` (edge-triggered: keep the bits until `WouldBlock`) |
//! | `timers` | the timer heap (`BinaryHeap`, earliest deadline first), registration once per waker |
//! | `time` | `sleep`, `sleep_until`, `interval`, `timeout`, like `tokio::time` |
//! | `net` | `TcpListener` and `TcpStream` on mio, with `futures::io::AsyncRead`/`AsyncWrite` |
//! | `task` | `Task`: the boxed future, its state, and `impl Wake` that puts it back on the queue |
//! | `runtime` | `Runtime` (`new`, `builder`, `block_on`, cancelling on drop), `RunQueueKind`, the worker loop, `Handle` and `spawn` |
//! | `join` | `JoinHandle<T>` and `JoinError`, as in chapter 5 |
//! | `yield_now` | a future that wakes its own task and returns `Pending` once |
//!
//! `state`, `deque`, `run_queue` and `scheduler` are public so that the loom models in
//! `tests/loom_*.rs` and the benchmark can drive them directly; a program needs only
//! `Runtime`, `Handle`, `spawn`, `net`, `time` and the handles.
//!
//! # Programs (`examples/`)
//!
//! | program | idea |
//! |---|---|
//! | `http_hello` | an HTTP/1.1 server with keep-alive, `431` for an oversized head, `400` for a malformed one; asks itself a few questions and exits, or serves with `-- serve` |
//! | `edge_triggered` | edge-triggered epoll with `std` and `libc` (the play button runs it): one event per edge, none for bytes left behind |
//! | `spawn` | a thousand tasks spread over the workers, one awaiting others' handles, one panicking |
//! | `handle` | plain `std` threads spawn onto the runtime through a `Handle` |
//! | `tiny_workers` | a two-worker executor in one file, with `std` only |
//! | `tiny_stealing` | work stealing in one file, with `std` only (the play button runs it) |
//! | `queue_bench` | push and pop, spawn, yield, ping-pong and chained-spawn benchmarks on the three kinds of run queue |
//!
//! Run one with `cargo run -p ch12-work-stealing --example tiny_stealing`.
#![forbid(unsafe_code)]

pub mod deque;
mod driver;
mod join;
pub mod net;
mod reactor;
pub mod run_queue;
mod runtime;
pub mod scheduler;
pub mod state;
mod sync;
mod task;
pub mod time;
mod timers;
mod yield_now;

pub use join::{JoinError, JoinHandle};
pub use runtime::{Builder, DriverCounts, Handle, RunQueueKind, Runtime, spawn};
pub use scheduler::Counts;
pub use yield_now::yield_now;
