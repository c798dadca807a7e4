//! Chapter 2 of *Build Your Own Async Runtime*: a thread-park waker.
//!
//! The code of this chapter lives in `examples/`, one folder per program. A stage is the
//! previous stage plus the chapter's change, so the programs of chapters 1 to 1 are here too,
//! unchanged:
//!
//! | program | idea |
//! |---|---|
//! | `countdown` | (chapter 1) a leaf future written by hand, polled in a loop with a no-op waker |
//! | `pinning` | (chapter 1) `Box::pin` and `pin!` keep the address fixed; `Unpin` types (like `Countdown`) need no pinning, async blocks do |
//! | `self_reference` | (chapter 1) a struct that points into itself: a move leaves the pointer at the old address |
//! | `state_machine` | (chapter 1) an `async fn` beside the enum state machine it conceptually compiles to; both leave the same trace |
//! | `vtable_waker` | a `Waker` built by hand from a `RawWakerVTable` over an `Arc<Thread>`, and a `block_on` that parks the thread |
//! | `wake_by_ref_mistake` | `wake_by_ref` written like `wake` gives up a reference it does not own: the strong count drops by one |
//! | `wake_trait` | the same waker through `std::task::Wake`, with no `unsafe` |
//! | `park_pitfalls` | what the thread's park token does and does not do: early unparks are kept, foreign unparks cost a poll, a foreign park loses a wakeup |
//! | `condvar_parker` | a `Parker` on `Mutex<bool>` + `Condvar` that owns its signal, so other code's park and unpark cannot touch it |
//!
//! Each folder holds the program (`main.rs`, the file the book includes), its tests
//! (`tests.rs`) and the output the book shows (`output.txt`, written by
//! `cargo xtask outputs`). Run one with `cargo run --example vtable_waker`.
#![forbid(unsafe_code)]
