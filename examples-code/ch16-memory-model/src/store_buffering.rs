//! Store buffering (SB): each thread writes its own flag, then reads the other's. Can both
//! reads see `false`? Under every interleaving of the two threads, no: whichever thread runs
//! its read last has seen the other's write run before it. The memory model says yes, unless
//! both sides are `SeqCst` (a fence between, or the write and the read themselves).

use crate::verdict::leak;
use loom::sync::atomic::{AtomicBool, fence};
use loom::thread;
use std::sync::atomic::Ordering::{Acquire, Relaxed, Release, SeqCst};

// ANCHOR: model
/// One side of the test: write `mine`, then read `theirs`.
pub type Side = fn(mine: &AtomicBool, theirs: &AtomicBool) -> bool;

/// What a failing run of [`model`] reports.
pub const BOTH_MISSED: &str = "both loads read false";

/// The litmus test: side `a` on a new thread, side `b` on this one. Returns what each read.
pub fn model(a: Side, b: Side) -> (bool, bool) {
    let (x, y) = (leak(AtomicBool::new(false)), leak(AtomicBool::new(false)));
    let other = thread::spawn(move || a(x, y));
    let b_saw_x = b(y, x);
    let a_saw_y = other.join().unwrap();
    assert!(a_saw_y || b_saw_x, "{BOTH_MISSED}");
    (a_saw_y, b_saw_x)
}
// ANCHOR_END: model

pub fn relaxed(mine: &AtomicBool, theirs: &AtomicBool) -> bool {
    mine.store(true, Relaxed);
    theirs.load(Relaxed)
}

pub fn release_acquire(mine: &AtomicBool, theirs: &AtomicBool) -> bool {
    mine.store(true, Release);
    theirs.load(Acquire)
}

pub fn seqcst_fence(mine: &AtomicBool, theirs: &AtomicBool) -> bool {
    mine.store(true, Relaxed);
    fence(SeqCst);
    theirs.load(Relaxed)
}

pub fn seqcst(mine: &AtomicBool, theirs: &AtomicBool) -> bool {
    mine.store(true, SeqCst);
    theirs.load(SeqCst)
}

/// What the model may return when both sides are `SeqCst`: anything but `(false, false)`.
pub const ALLOWED_WITH_SEQCST: [&str; 3] = ["(false, true)", "(true, false)", "(true, true)"];
