//! Solutions to the exercises of chapter 14 of *Build Your Own Async Runtime*.
//!
//! Both exercises need no change to chapter 14's runtime: they measure it, or build on top of
//! its public API. So the programs depend on the stage crate
//! (`ch14-making-it-fast = { path = "../ch14-making-it-fast" }`), and on chapter 9's
//! (`ch09-blocking`) to compare. This library holds no code. Linux only, like the stage
//! crates.
//!
//! | program | exercise |
//! |---|---|
//! | `spawn_allocs` | 14.1: a global allocator that counts, and the allocations of a spawn and of a wake on chapter 9's runtime and on chapter 14's |
//! | `budget` | 14.2: a budget of 128 operations per poll in user space, as tokio's coop: a task whose every read is ready at once no longer starves the others |
//!
//! Each folder holds the program (`main.rs`), its tests (`tests.rs`) and its output
//! (`output.txt`, written by `cargo xtask outputs`).
#![forbid(unsafe_code)]
