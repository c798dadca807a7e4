//! Chapter 15 of *Build Your Own Async Runtime*: many threads, made fast.
//!
//! Chapter 12's work-stealing runtime with chapter 14's changes carried over (one allocation
//! per task, its output handed to the `JoinHandle`, a look at the OS every 61 polls) and
//! tokio's multi-threaded scheduler taken apart and rebuilt: a single atomic state word per
//! task, a LIFO slot with a cap, a bounded lock-free run queue with steal-half, throttled
//! stealing, parking in the driver or on a parker of the worker's own, and a budget per task.
//!
//! The API of Part II on many threads: `Runtime::new`, `Runtime::builder().worker_threads(n)`,
//! `block_on`, `Handle`, `spawn`, `spawn_blocking`, `JoinHandle`/`JoinError`,
//! `time::{sleep, sleep_until, interval, timeout}`, `net::{TcpListener, TcpStream,
//! UdpSocket}` with `futures::io` traits. Linux only.
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
//! # Programs
//!
//! | program | what it shows |
//! |---|---|
//! | `cost` | a spawn and a yield, in nanoseconds and allocations, here and on chapter 12's runtime |
//! | `lifo` | a ping-pong pair with the LIFO slot and without, alone and beside yielding tasks |
//! | `queue_bench` | the book's ring against `crossbeam-deque`: alone, with a thief, and in a runtime |
//! | `searchers` | whom a spawn wakes, and how a burst spreads by steals with half the workers searching |
//! | `event_interval` | a yield with a look at the driver before every poll, every 8, every 61 |
//! | `round_trip` | the external-wake round trip here, on chapter 12's runtime and on tokio's |
//! | `budget` | a task whose every operation is ready, with the budget and without |
//! | `trace` | Chrome Trace Event files of four small programs (feature `trace`) |
//! | `spawn`, `handle`, `tiny_workers`, `tiny_stealing`, `http_hello`, `edge_triggered` | chapter 12's programs |
//! | `spawn_blocking`, `external_waker`, `thread_waker`, `sleep`, `tcp_echo`, `udp_echo` | chapter 9's and 14's programs |
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
