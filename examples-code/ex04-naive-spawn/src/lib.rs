//! Solutions to the exercises of chapter 4 of *Build Your Own Async Runtime*.
//!
//! | program | exercise |
//! |---|---|
//! | `timeout` | a timeout for any future: a two-way `select` of the future and a reactor timer |
//! | `detach` | the naive spawn's handle detaches on drop; `block_on` polls detached tasks |
//!
//! Each folder holds the program (`main.rs`), its tests (`tests.rs`) and its output
//! (`output.txt`, written by `cargo xtask outputs`).
#![forbid(unsafe_code)]
