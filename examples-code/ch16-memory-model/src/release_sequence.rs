//! Release sequences: a `Release` write starts a chain, and every read-modify-write of the
//! same atomic after it, by any thread and with any ordering, continues it. An `Acquire` read
//! of any value in the chain synchronizes with the write that started it. A plain store ends
//! the chain, even one that writes the value a read-modify-write would have written.

use crate::verdict::leak;
use loom::sync::atomic::AtomicUsize;
use loom::thread;
use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};

// ANCHOR: model
/// How the middle thread adds one to the counter.
pub type Bump = fn(&AtomicUsize);

/// What a failing run of [`model`] reports.
pub const STALE: &str = "the counter was 2, the data was not there";

/// The litmus test: a middle thread adds one to the counter (`Relaxed`); a receiver reads the
/// counter (`Acquire`), then the data; this thread, the sender, writes 42 and sets the
/// counter to 1 (`Release`). Returns what the receiver read.
pub fn model(bump: Bump) -> (usize, usize) {
    let data = leak(AtomicUsize::new(0));
    let counter = leak(AtomicUsize::new(0));
    let middle = thread::spawn(move || bump(counter));
    let receiver = thread::spawn(move || {
        let count = counter.load(Acquire);
        let seen = data.load(Relaxed);
        assert!(count != 2 || seen == 42, "{STALE}");
        (count, seen)
    });
    data.store(42, Relaxed);
    counter.store(1, Release);
    middle.join().unwrap();
    receiver.join().unwrap()
}

/// One read-modify-write: it continues the sender's release sequence.
pub fn fetch_add(counter: &AtomicUsize) {
    counter.fetch_add(1, Relaxed);
}

/// The same arithmetic as a read and a write: the write ends the release sequence.
pub fn load_then_store(counter: &AtomicUsize) {
    let seen = counter.load(Relaxed);
    counter.store(seen + 1, Relaxed);
}
// ANCHOR_END: model

/// What the receiver may read when the middle thread's addition is a read-modify-write: a
/// 1 that the middle thread wrote (it read 0, before the sender) carries no data, but a 2
/// always does.
pub const ALLOWED: [&str; 5] = ["(0, 0)", "(0, 42)", "(1, 0)", "(1, 42)", "(2, 42)"];
