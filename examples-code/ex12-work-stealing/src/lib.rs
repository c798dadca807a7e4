//! Solutions to the exercises of chapter 12 of *Build Your Own Async Runtime*.
//!
//! Both exercises write run queues for chapter 12's scheduler without changing it: the
//! `RunQueues` trait, the book's queues (`BookQueues`, `Deque`, `Injector`) and the generic
//! `Scheduler` and `Worker` are public in the stage crate `ch12-work-stealing`. So the
//! programs depend on it (`ch12-work-stealing = { path = "../ch12-work-stealing" }`), use its
//! public API only, and drive the real scheduler with plain values in place of tasks, as its
//! loom models do. This library holds no code. Linux only, like the stage crate.
//!
//! | program | exercise |
//! |---|---|
//! | `lifo_slot` | 12.1: a LIFO slot in front of each worker's queue, as tokio has: the task woken last runs next, at most three times in a row, and no thief takes it |
//! | `steal_one` | 12.2: a thief that takes one task instead of half, and the steals it costs to spread a backlog |
//!
//! Each folder holds the program (`main.rs`), its tests (`tests.rs`) and its output
//! (`output.txt`, written by `cargo xtask outputs`).
