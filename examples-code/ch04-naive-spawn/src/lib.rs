//! Chapter 4 of *Build Your Own Async Runtime*: a naive spawn.
//!
//! The code of this chapter lives in `examples/`, one folder per program. A stage is the
//! previous stage plus the chapter's change, so the programs of chapters 1 to 3 are here too,
//! unchanged:
//!
//! | program | idea |
//! |---|---|
//! | `countdown` | (chapter 1) a leaf future written by hand, polled in a loop with a no-op waker |
//! | `pinning` | (chapter 1) `Box::pin` and `pin!` keep the address fixed; `Unpin` types (like `Countdown`) need no pinning, async blocks do |
//! | `self_reference` | (chapter 1) a struct that points into itself: a move leaves the pointer at the old address |
//! | `state_machine` | (chapter 1) an `async fn` beside the enum state machine it conceptually compiles to; both leave the same trace |
//! | `condvar_parker` | (chapter 2) a `Parker` on `Mutex<bool>` + `Condvar` that owns its signal, so other code's park and unpark cannot touch it |
//! | `park_pitfalls` | (chapter 2) what the thread's park token does and does not do: early unparks are kept, foreign unparks cost a poll, a foreign park loses a wakeup |
//! | `vtable_waker` | (chapter 2) a `Waker` built by hand from a `RawWakerVTable` over an `Arc<Thread>`, and a `block_on` that parks the thread |
//! | `wake_by_ref_mistake` | (chapter 2) `wake_by_ref` written like `wake` gives up a reference it does not own: the strong count drops by one |
//! | `wake_trait` | (chapter 2) the same waker through `std::task::Wake`, with no `unsafe` |
//! | `reactor` | (chapter 3) a reactor thread that waits on timers (one sleeper thread each) and wakes the waker sent with each timer; two timer futures awaited one after the other finish at 1 s and 3 s |
//! | `naive_spawn` | chapter 3's `reactor` program plus a `spawn` that boxes a future, polls it once with the current `block_on`'s waker and hands it back: the two timers now overlap, 1 s and 2 s |
//!
//! `naive_spawn` is chapter 3's `reactor` evolved in place under a new name, so that both
//! programs can sit side by side in this stage: `diff examples/reactor/main.rs
//! examples/naive_spawn/main.rs` (and the same for `tests.rs`) is the chapter.
//!
//! Each folder holds the program (`main.rs`, the file the book includes), its tests
//! (`tests.rs`) and the output the book shows (`output.txt`, written by
//! `cargo xtask outputs`). Run one with `cargo run --example naive_spawn`.
#![forbid(unsafe_code)]
