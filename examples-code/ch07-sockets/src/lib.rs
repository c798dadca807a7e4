//! Chapter 7 of *Build Your Own Async Runtime*: sockets.
//!
//! Chapter 6's runtime, with a reactor: non-blocking TCP and UDP sockets join the tasks'
//! eventfds in the runtime's `epoll` set, under tokens of their own. An operation that would
//! block leaves its task's waker with the reactor and returns `Pending`; when `epoll` reports
//! the socket ready, the reactor wakes that task, which tries again. Linux only.
//!
//! # Layout
//!
//! | module | idea |
//! |---|---|
//! | `sys` | thin safe wrappers over `epoll_create1`, `epoll_ctl` (add, modify, delete), `epoll_wait`, `eventfd`, `read`, `write`, and the non-blocking `socket` and `connect`; every fd an `OwnedFd`; all the crate's `unsafe` |
//! | `task` | `Task`: the boxed future and its eventfd; `impl Wake for EventFd`; reset the counter, then poll |
//! | `reactor` | `Reactor`: a token and two wakers (read, write) per socket; sockets registered level-triggered with `EPOLLONESHOT`, armed by an operation that got `WouldBlock`, woken and re-armed by `dispatch`; `Registered<T>`, a socket in the set, removed on drop |
//! | `net` | `TcpListener`, `TcpStream` (with `futures::io::AsyncRead`/`AsyncWrite`) and `UdpSocket`, each operation "try, and on `WouldBlock` arm and wait" |
//! | `runtime` | `Runtime` (the epoll set, `block_on`, which hands socket events to the reactor, cancelling on drop) and `spawn` |
//! | `join` | `JoinHandle<T>` over a `futures::channel::oneshot` receiver, and `JoinError` (`is_panic`, `is_cancelled`, `io_error`) |
//! | `yield_now` | a future that wakes its own task and returns `Pending` once |
//!
//! # Programs (`examples/`)
//!
//! | program | idea |
//! |---|---|
//! | `readiness` | the mechanism alone, with `std` and `libc` only: `accept` and `read` on non-blocking sockets say `WouldBlock`, `epoll` says when to try again; level-triggered reports a writable socket every time, `EPOLLONESHOT` once per arming (the play button runs it) |
//! | `tcp_echo` | an echo server task (`futures::io::copy`) and three clients that read their lines back with `BufReader::lines` |
//! | `udp_echo` | the same with datagrams: `recv_from`, `send_to` |
//! | `raw_epoll` | (chapter 6) an eventfd in an epoll set, woken by a thread |
//! | `thread_waker` | (chapter 6) tasks woken by plain `std` threads through their wakers |
//! | `spawn` | (chapter 5) spawns tasks, one of which awaits another's handle and one of which panics; joins them all |
//! | `tiny_executor` | (chapter 5) chapter 5's runtime in one file, unchanged |
//! | `cost` | (chapter 5) the same measurement, on this runtime |
//!
//! Run one with `cargo run -p ch07-sockets --example tcp_echo`.

pub mod net;

mod join;
mod reactor;
mod runtime;
mod sys;
mod task;
mod yield_now;

pub use join::{JoinError, JoinHandle};
pub use runtime::{Runtime, spawn};
pub use yield_now::yield_now;
