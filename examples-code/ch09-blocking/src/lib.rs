//! Chapter 9 of *Build Your Own Async Runtime*: blocking work and outside wakers. The
//! runtime as Part II leaves it.
//!
//! Chapter 8's runtime, with `spawn_blocking`: a closure that blocks runs on a bounded pool
//! of threads (512 at most by default, each kept 10 s after its last job, as in tokio) and
//! its result comes back through the waker of the task that awaits its `JoinHandle`. Wakers
//! work from any thread, inside the runtime or not. Linux only.
//!
//! The API of Part II: `Runtime::new`, `Runtime::block_on`, `spawn`, `spawn_blocking`,
//! `JoinHandle`, `JoinError`, `time::{sleep, interval, timeout}`,
//! `net::{TcpListener, TcpStream, UdpSocket}`.
//!
//! # Layout
//!
//! | module | idea |
//! |---|---|
//! | `sys` | thin safe wrappers over `epoll_create1`, `epoll_ctl` (add, modify, delete), `epoll_wait`, `eventfd`, `timerfd_create`, `timerfd_settime`, `read`, `write`, and the non-blocking `socket` and `connect`; every fd an `OwnedFd`; all the crate's `unsafe`; a per-thread count of the calls (`syscalls`) |
//! | `task` | `Task`: the boxed future and its eventfd; `impl Wake for EventFd`; reset the counter, then poll |
//! | `reactor` | `Reactor`: a token and two wakers (read, write) per socket; sockets registered level-triggered with `EPOLLONESHOT`, armed by an operation that got `WouldBlock`, woken and re-armed by `dispatch`; `Registered<T>`, a socket in the set, removed on drop |
//! | `net` | `TcpListener`, `TcpStream` (with `futures::io::AsyncRead`/`AsyncWrite`) and `UdpSocket`, each operation "try, and on `WouldBlock` arm and wait" |
//! | `timers` | `Timers`: the deadline and the latest waker of every waiting `Sleep`, in a `BTreeMap` sorted by deadline; the `epoll_wait` timeout until the first, rounded up to whole milliseconds; `fire`, which wakes the timers that are due |
//! | `time` | `sleep`, `sleep_until`, `Sleep` (an entry in the queue, taken out on drop), `interval` (missed ticks: burst, as tokio's default), `timeout` and `Elapsed` |
//! | `time::timerfd` | the first design: a `sleep` whose `Sleep` owns a timerfd registered with the reactor like a socket |
//! | `blocking` | `Pool`: threads started on demand up to a limit, idle ones kept for a while, jobs queued when all are busy |
//! | `runtime` | `Runtime` and its `Builder` (the epoll set, the timer queue, the blocking pool, `block_on`, which sleeps until the next deadline and hands socket events to the reactor, cancelling on drop), `spawn` and `spawn_blocking` |
//! | `join` | `JoinHandle<T>` over a `futures::channel::oneshot` receiver, and `JoinError` (`is_panic`, `is_cancelled`, `io_error`) |
//! | `yield_now` | a future that wakes its own task and returns `Pending` once |
//!
//! # Programs (`examples/`)
//!
//! | program | idea |
//! |---|---|
//! | `spawn_blocking` | a file read and a slow job on the blocking pool while a timer keeps ticking; a job that panics |
//! | `external_waker` | a plain `std` thread sends values to a task through a hand-written channel, waking it from outside the runtime |
//! | `tiny_pool` | a blocking pool in one file with `std` only: jobs on threads, results through wakers (the play button runs it) |
//! | `raw_timerfd` | (chapter 8) a timerfd alone, with `std` and `libc` only: not readable until it expires, reported by `epoll_wait`, read as a count of expirations, disarmed by a zero time |
//! | `sleep` | (chapter 8) `sleep`, `interval` and `timeout` on the runtime: three tasks that sleep, an interval's ticks, a read that times out |
//! | `timer_cost` | (chapter 8) 1,000 sleeps with each design: system calls per timer and how late they end |
//! | `readiness` | (chapter 7) the mechanism of sockets alone: `accept` and `read` on non-blocking sockets say `WouldBlock`, `epoll` says when to try again; level-triggered reports a writable socket every time, `EPOLLONESHOT` once per arming |
//! | `tcp_echo` | (chapter 7) an echo server task (`futures::io::copy`) and three clients that read their lines back with `BufReader::lines` |
//! | `udp_echo` | (chapter 7) the same with datagrams: `recv_from`, `send_to` |
//! | `raw_epoll` | (chapter 6) an eventfd in an epoll set, woken by a thread |
//! | `thread_waker` | (chapter 6) tasks woken by plain `std` threads through their wakers |
//! | `spawn` | (chapter 5) spawns tasks, one of which awaits another's handle and one of which panics; joins them all |
//! | `tiny_executor` | (chapter 5) chapter 5's runtime in one file, unchanged |
//! | `cost` | (chapter 5) the same measurement, on this runtime |
//!
//! Run one with `cargo run -p ch09-blocking --example spawn_blocking`.

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
