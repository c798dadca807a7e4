//! Message passing (MP): one thread writes data, then raises a flag; the other reads the flag,
//! then the data. If it saw the flag, does it see the data? Only if the flag's write is
//! `Release` and its read `Acquire`: then the write synchronizes with the read, and everything
//! before the write happens before everything after the read.

use crate::verdict::leak;
use loom::sync::atomic::{AtomicBool, AtomicUsize};
use loom::thread;
use std::sync::atomic::Ordering::{self, Acquire, Relaxed, Release};

// ANCHOR: model
/// What a failing run of [`model`] reports.
pub const STALE: &str = "the flag was up, the data was not there";

/// The litmus test: a sender writes 42, then raises the flag with ordering `raise`; the
/// receiver reads the flag with `look`, then the data. Returns what the receiver read.
pub fn model(raise: Ordering, look: Ordering) -> (bool, usize) {
    let data = leak(AtomicUsize::new(0));
    let flag = leak(AtomicBool::new(false));
    let sender = thread::spawn(move || {
        data.store(42, Relaxed);
        flag.store(true, raise);
    });
    let flag_up = flag.load(look);
    let seen = data.load(Relaxed);
    assert!(!flag_up || seen == 42, "{STALE}");
    sender.join().unwrap();
    (flag_up, seen)
}
// ANCHOR_END: model

/// The two versions the chapter runs.
pub const RELAXED: (Ordering, Ordering) = (Relaxed, Relaxed);
pub const RELEASE_ACQUIRE: (Ordering, Ordering) = (Release, Acquire);

/// What the receiver may read with `Release`/`Acquire`: anything but a raised flag and 0.
pub const ALLOWED: [&str; 3] = ["(false, 0)", "(false, 42)", "(true, 42)"];
