//! Solutions to the exercises of chapter 16 of *Build Your Own Async Runtime*.
//!
//! Both exercises are loom models of a protocol the runtimes of the book rely on, each
//! written in a right way and in wrong ones, so that loom shows which ordering each step
//! needs. They run under chapter 16's `verdict::check`, which also collects what each
//! execution's reads saw, so a test can check that loom explored the races. `loom` is a plain
//! dependency here, so `cargo test` runs the models. This library holds no code.
//!
//! | program | exercise |
//! |---|---|
//! | `sleep_handshake` | 16.1: chapter 14's `sleeping`/`injected` handshake with `SeqCst` fences: which fence can go, and what loom says of the `SeqCst` accesses the chapter uses |
//! | `last_reference` | 16.2: the last owner of a shared value frees it, as `Arc`'s `Drop` does: a `Release` decrement and an `Acquire` fence, and a release sequence through three owners |
//!
//! Each folder holds the program (`main.rs`), its tests (`tests.rs`) and its output
//! (`output.txt`, written by `cargo xtask outputs`).
#![forbid(unsafe_code)]
