//! Chapter 16 of *Build Your Own Async Runtime*: the memory model.
//!
//! Not a runtime: the rules every runtime of the book rests on, as *litmus tests*, small
//! programs of two or three threads with a question about what their loads can read. Each is
//! a loom model (loom runs it in every interleaving, with every value the memory model lets
//! each load read), and each has a right and a wrong version.
//!
//! # Layout
//!
//! | module | litmus test | what it shows |
//! |---|---|---|
//! | `verdict` | | `check`: runs a model under loom and says whether it passes, and where it fails |
//! | `message_passing` | MP | a `Release` write read by an `Acquire` read: everything before the one happens before everything after the other |
//! | `store_buffering` | SB | a write, then a read of another atomic: both threads can miss each other, unless both sides are `SeqCst` (loom can check the fence, not the `SeqCst` accesses) |
//! | `release_sequence` | | a read-modify-write continues a `Release` write's chain; a plain store ends it |
//! | `merged_wake` | | the run side of a task: clearing `scheduled` with a plain store loses a merged wake, a swap does not |
//!
//! # Programs (`examples/`)
//!
//! | program | idea |
//! |---|---|
//! | `message_passing` | loom's verdicts on MP, `Relaxed` and `Release`/`Acquire` |
//! | `store_buffering` | loom's verdicts on SB: `Relaxed`, `Release`/`Acquire`, a `SeqCst` fence, `SeqCst` accesses |
//! | `store_buffering_hw` | SB and the merged wake on real threads and a real CPU: how often the forbidden-by-intuition outcome happens in a million trials (`std` and `libc` only) |
//! | `store_buffer_machine` | every execution of the litmus tests on two simulated machines, one operation at a time and with x86's store buffers (`std` only: the play button runs it) |
//! | `merged_wake` | loom's verdicts on clearing `scheduled` with a store and with a swap |
//! | `release_sequence` | loom's verdicts on a `fetch_add` and on a load and a store in the middle of a chain |
//!
//! Run one with `cargo run -p ch16-memory-model --example store_buffering`, and the hardware
//! counter in release: `cargo run --release -p ch16-memory-model --example store_buffering_hw`.
#![forbid(unsafe_code)]

pub mod merged_wake;
pub mod message_passing;
pub mod release_sequence;
pub mod store_buffering;
pub mod verdict;
