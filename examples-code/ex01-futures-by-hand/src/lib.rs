//! Solutions to the exercises of chapter 1 of *Build Your Own Async Runtime*.
//!
//! Each solution is a whole program in `examples/`, built on the chapter's `Countdown`:
//!
//! | program | exercise |
//! |---|---|
//! | `poll_counter` | a future that wraps another and counts how often it is polled |
//! | `join_by_hand` | a `Join` of two `Countdown`s, written by hand, that is ready when both are |
//!
//! Each folder holds the program (`main.rs`), its tests (`tests.rs`) and its output
//! (`output.txt`, written by `cargo xtask outputs`).
#![forbid(unsafe_code)]
