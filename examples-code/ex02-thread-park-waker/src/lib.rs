//! Solutions to the exercises of chapter 2 of *Build Your Own Async Runtime*.
//!
//! | program | exercise |
//! |---|---|
//! | `wake_counter` | the vtable waker counts its wakes, and `block_on` reports them |
//! | `spurious_polls` | `block_on` tells the polls a wake asked for from the spurious ones |
//!
//! Each folder holds the program (`main.rs`), its tests (`tests.rs`) and its output
//! (`output.txt`, written by `cargo xtask outputs`).
