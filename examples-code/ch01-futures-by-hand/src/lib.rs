//! Chapter 1 of *Build Your Own Async Runtime*: futures by hand.
//!
//! The code of this chapter lives in `examples/`, one folder per program:
//!
//! | program | idea |
//! |---|---|
//! | `countdown` | a leaf future written by hand, polled in a loop with a no-op waker |
//! | `state_machine` | an `async fn` beside the enum state machine it conceptually compiles to; both leave the same trace |
//! | `self_reference` | a struct that points into itself: a move leaves the pointer at the old address |
//! | `pinning` | `Box::pin` and `pin!` keep the address fixed; `Unpin` types (like `Countdown`) need no pinning, async blocks do |
//!
//! Each folder holds the program (`main.rs`, the file the book includes), its tests
//! (`tests.rs`) and the output the book shows (`output.txt`, written by
//! `cargo xtask outputs`). Run one with `cargo run --example countdown`.
#![forbid(unsafe_code)]
