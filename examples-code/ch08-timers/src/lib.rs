//! Chapter 8 of *Build Your Own Async Runtime*: timers.
//!
//! Chapter 7's runtime, with timers: `time::{sleep, interval, timeout}`. Each `Sleep` is an
//! entry in a timer queue sorted by deadline, and the executor's `epoll_wait` sleeps until the
//! earliest deadline (rounded up to a whole millisecond), then wakes the timers that are due.
//! The chapter's first design, a `timerfd` per sleep registered like a socket, stays in
//! `time::timerfd` to compare the two. Linux only.
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
//! | `runtime` | `Runtime` (the epoll set, the timer queue, `block_on`, which sleeps until the next deadline and hands socket events to the reactor, cancelling on drop) and `spawn` |
//! | `join` | `JoinHandle<T>` over a `futures::channel::oneshot` receiver, and `JoinError` (`is_panic`, `is_cancelled`, `io_error`) |
//! | `yield_now` | a future that wakes its own task and returns `Pending` once |
//!
//! # Programs (`examples/`)
//!
//! | program | idea |
//! |---|---|
//! | `raw_timerfd` | a timerfd alone, with `std` and `libc` only: not readable until it expires, reported by `epoll_wait`, read as a count of expirations, disarmed by a zero time (the play button runs it) |
//! | `sleep` | `sleep`, `interval` and `timeout` on the runtime: three tasks that sleep, an interval's ticks, a read that times out |
//! | `timer_cost` | 1,000 sleeps with each design: system calls per timer and how late they end |
//! | `readiness` | (chapter 7) the mechanism of sockets alone: `accept` and `read` on non-blocking sockets say `WouldBlock`, `epoll` says when to try again; level-triggered reports a writable socket every time, `EPOLLONESHOT` once per arming |
//! | `tcp_echo` | (chapter 7) an echo server task (`futures::io::copy`) and three clients that read their lines back with `BufReader::lines` |
//! | `udp_echo` | (chapter 7) the same with datagrams: `recv_from`, `send_to` |
//! | `raw_epoll` | (chapter 6) an eventfd in an epoll set, woken by a thread |
//! | `thread_waker` | (chapter 6) tasks woken by plain `std` threads through their wakers |
//! | `spawn` | (chapter 5) spawns tasks, one of which awaits another's handle and one of which panics; joins them all |
//! | `tiny_executor` | (chapter 5) chapter 5's runtime in one file, unchanged |
//! | `cost` | (chapter 5) the same measurement, on this runtime |
//!
//! Run one with `cargo run -p ch08-timers --example sleep`.

pub mod net;
pub mod time;

mod join;
mod reactor;
mod runtime;
mod sys;
mod task;
mod timers;
mod yield_now;

pub use join::{JoinError, JoinHandle};
pub use runtime::{Runtime, spawn};
pub use sys::{Syscalls, syscalls};
pub use yield_now::yield_now;
