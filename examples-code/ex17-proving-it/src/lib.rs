//! Solutions to the exercises of chapter 17 of *Build Your Own Async Runtime*.
//!
//! Both exercises are about one small protocol that every runtime of the book relies on and
//! none of them writes: the handoff of a task's output to its `JoinHandle`, which the stages
//! leave to `futures::channel::oneshot`. The programs write it three ways (one lock; two
//! locks, checked before the waker is stored; two locks, the waker stored first), and prove
//! which are right: with a loom model (`loom`, a plain dependency here, so `cargo test` runs
//! the models), and with a stress test on real threads. This library holds no code.
//!
//! | program | exercise |
//! |---|---|
//! | `loom_handoff` | 17.1: a loom model of the handoff, which finds the lost wakeup in the broken version and passes the two right ones |
//! | `stress_handoff` | 17.2: a stress test on real threads that catches the same lost wakeup, once its window is widened |
//!
//! Each folder holds the program (`main.rs`), its tests (`tests.rs`) and its output
//! (`output.txt`, written by `cargo xtask outputs`).
#![forbid(unsafe_code)]
