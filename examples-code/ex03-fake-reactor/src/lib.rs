//! Solutions to the exercises of chapter 3 of *Build Your Own Async Runtime*.
//!
//! | program | exercise |
//! |---|---|
//! | `latest_waker` | the reactor wakes the waker of a task's latest poll (`Waker::will_wake`) |
//! | `cancel` | dropping a `Task` cancels its timer: an `Event::Cancel`, sent from `Drop` |
//!
//! Each folder holds the program (`main.rs`), its tests (`tests.rs`) and its output
//! (`output.txt`, written by `cargo xtask outputs`).
#![forbid(unsafe_code)]
