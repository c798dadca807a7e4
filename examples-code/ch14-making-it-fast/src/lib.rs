//! Chapter 14 of *Build Your Own Async Runtime*: making it fast. Chapter 9's runtime, with
//! the same API and the same tests, rebuilt where the measurements of chapter 13 point.
//!
//! | change | chapter 9 | here |
//! |---|---|---|
//! | a task | a boxed future, an `Arc<EventFd>`, a oneshot channel for its output: 3 allocations and an fd | one `Arc` that holds the future, its output, a flag and the handle's waker |
//! | a wake | a `write` to the task's eventfd | a flag swap and a push on a run queue; on another thread, a locked push and, if the runtime sleeps, one `write` to the runtime's one eventfd |
//! | a wake of a task already woken | another `write` | one atomic swap, nothing queued |
//! | finding the ready tasks | `epoll_wait`, one event per task | `pop_front`; `epoll_wait` only when the queue is empty, or every 61 polls |
//! | a socket that would block | `epoll_ctl(MOD)` to re-arm a one-shot registration | a bit cleared in a readiness cache; the edge-triggered registration stays |
//!
//! The API of Part II: `Runtime::new`, `Runtime::block_on`, `spawn`, `spawn_blocking`,
//! `JoinHandle`, `JoinError`, `time::{sleep, interval, timeout}`,
//! `net::{TcpListener, TcpStream, UdpSocket}`. Linux only.
//!
//! # Layout
//!
//! | module | idea |
//! |---|---|
//! | `sys` | thin safe wrappers over `epoll_create1`, `epoll_ctl` (add, delete), `epoll_wait`, `eventfd`, `read`, `write`, and the non-blocking `socket` and `connect`; every fd an `OwnedFd`; a per-thread count of the calls (`syscalls`) |
//! | `task` | `Task<F>`: the future, its output, the `scheduled` flag and the `JoinHandle`'s waker in one allocation; `Runnable` (what the run queue needs) and `Join<T>` (what the handle needs) |
//! | `handshake` | the three cross-thread protocols alone with their atomics, for loom to check: the task's `scheduled` flag, the `sleeping`/`injected` handshake between a waker and the sleeping runtime, and `Done`, the output handed to the `JoinHandle` |
//! | `context` | the thread-local context: the runtime whose `block_on` runs on this thread |
//! | `sync` | the one lock helper, and the atomics from `std` or, under `--cfg loom`, from loom |
//! | `runtime` | `Runtime` and its `Builder`: a local run queue, an injector for wakes from other threads, one eventfd, a slab of live tasks (cancelled on drop), `block_on` that looks at the OS every 61 polls or when there is nothing to run; `spawn` and `spawn_blocking` |
//! | `reactor` | `Reactor`: a token, two wakers and a readiness cache per socket; sockets registered once, edge-triggered; `Registered<T>`, a socket in the set, removed on drop |
//! | `net` | `TcpListener`, `TcpStream` (with `futures::io::AsyncRead`/`AsyncWrite`) and `UdpSocket`, each operation "try, and on `WouldBlock` wait for the next edge" |
//! | `timers` | `Timers`: the deadline and the latest waker of every waiting `Sleep`, sorted by deadline (chapter 8) |
//! | `time` | `sleep`, `sleep_until`, `Sleep`, `interval`, `timeout` and `Elapsed` |
//! | `blocking` | `Pool`: threads started on demand up to a limit, idle ones kept for a while (chapter 9) |
//! | `join` | `JoinHandle<T>` (the task itself, or a channel for a blocking job) and `JoinError` (`is_panic`, `is_cancelled`) |
//! | `trace` | with the Cargo feature `trace`, a recorder of polls, wakes, pushes, sleeps and `epoll_wait`s, written as Chrome Trace Event JSON (chapter 15's, copied); without it, nothing |
//! | `yield_now` | a future that wakes its own task and returns `Pending` once |
//!
//! # Programs (`examples/`)
//!
//! | program | idea |
//! |---|---|
//! | `cost` | what a spawn, a wake with its poll, and a wake alone cost, in nanoseconds and system calls |
//! | `event_interval` | what a yield costs when the runtime looks at the OS every poll, every 8, every 61 |
//! | `spawn_blocking` | a file read and a slow job on the blocking pool while a timer keeps ticking; a job that panics |
//! | `external_waker` | a plain `std` thread sends values to a task through a hand-written channel, waking it from outside the runtime |
//! | `sleep` | `sleep`, `interval` and `timeout`: three tasks that sleep, an interval's ticks, a read that times out |
//! | `tcp_echo` | an echo server task (`futures::io::copy`) and three clients that read their lines back |
//! | `udp_echo` | the same with datagrams: `recv_from`, `send_to` |
//! | `thread_waker` | tasks woken by plain `std` threads through their wakers |
//! | `spawn` | spawns tasks, one of which awaits another's handle and one of which panics; joins them all |
//!
//! Run one with `cargo run -p ch14-making-it-fast --example cost` (add `--release` for figures
//! worth comparing).

pub mod handshake;
pub mod net;
pub mod time;

mod blocking;
mod context;
mod join;
mod reactor;
mod runtime;
mod sync;
mod sys;
mod task;
mod timers;
pub mod trace;
mod yield_now;

pub use join::{JoinError, JoinHandle};
pub use runtime::{Builder, Runtime, spawn, spawn_blocking};
pub use sys::{Syscalls, syscalls};
pub use yield_now::yield_now;
