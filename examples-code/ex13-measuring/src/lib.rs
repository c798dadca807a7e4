//! Solutions to the exercises of chapter 13 of *Build Your Own Async Runtime*.
//!
//! Both exercises add to the benchmark suite of chapter 13 without changing it: its `Exec`
//! trait, the adapters of the book's runtimes and of tokio, `Measured` and `median` are
//! public in the crate `bench`. So the programs depend on it
//! (`bench = { path = "../bench" }`) and use its public API only. This library holds no code.
//!
//! | program | exercise |
//! |---|---|
//! | `spawn_tree` | 13.1: a case of tasks that spawn tasks, written once over `Exec` and run on chapter 10's, chapter 12's and tokio's multi-threaded runtimes |
//! | `spread` | 13.2: the runs that lie far from their median, and whether the runs of two rows overlap, on figures of the suite's committed results |
//!
//! Each folder holds the program (`main.rs`), its tests (`tests.rs`) and its output
//! (`output.txt`, written by `cargo xtask outputs`).
#![forbid(unsafe_code)]
