//! Solutions to the exercises of chapter 7 of *Build Your Own Async Runtime*.
//!
//! Both exercises add to what the stage crate `ch07-sockets` offers without changing it, so
//! the programs depend on it (`ch07-sockets = { path = "../ch07-sockets" }`) and use its
//! public API only. Linux only.
//!
//! | program | exercise |
//! |---|---|
//! | `read_timeout` | 7.1: a `timeout` around a read: a `select` of the read and a timer that sleeps on a thread |
//! | `line_limit` | 7.2: a line echo server whose lines are bounded: a longer line is an `InvalidData` error, found without waiting for its end |
//!
//! Each folder holds the program (`main.rs`), its tests (`tests.rs`) and its output
//! (`output.txt`, written by `cargo xtask outputs`).
#![forbid(unsafe_code)]
