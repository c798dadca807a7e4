//! Exercise 16.1: chapter 14's sleep handshake as a loom model. The runtime, out of work, says
//! it sleeps (`sleeping`), looks one last time for injected work (`injected`), and sleeps; a
//! waker on another thread injects a task, then clears `sleeping` and writes the eventfd if
//! it was set. Both sides write, then read what the other wrote: store buffering. Which
//! fences does it need, and can loom check the version with `SeqCst` accesses and no fence?

use ch16_memory_model::verdict::{Verdict, check, leak};
use loom::sync::atomic::{AtomicBool, fence};
use loom::thread;
use std::sync::atomic::Ordering::{self, Relaxed, SeqCst};

// ANCHOR: handshake
/// How each side orders its write before its read: the ordering of its two accesses, and
/// whether a `fence(SeqCst)` sits between them.
#[derive(Clone, Copy)]
pub struct Side {
    pub access: Ordering,
    pub fence: bool,
}

/// The handshake: this thread is the runtime, a new thread the waker. If the runtime sleeps
/// and nobody writes its eventfd, it sleeps for ever: loom reports a deadlock. Returns
/// whether the runtime slept.
pub fn handshake(runtime: Side, waker: Side) -> bool {
    let sleeping = leak(AtomicBool::new(false));
    let injected = leak(AtomicBool::new(false));
    let runtime_thread = thread::current();
    // Not joined: the runtime may be asleep until the waker's unpark (ex17's model says why).
    thread::spawn(move || {
        injected.store(true, waker.access); // the task is in the injector
        if waker.fence {
            fence(SeqCst);
        }
        if sleeping.swap(false, waker.access) {
            runtime_thread.unpark(); // the eventfd write
        }
    });
    sleeping.store(true, runtime.access);
    if runtime.fence {
        fence(SeqCst);
    }
    let slept = !injected.load(runtime.access);
    if slept {
        // `epoll_wait` on the eventfd: returns at once if it was written before.
        thread::park();
    }
    slept
}
// ANCHOR_END: handshake

// ANCHOR: versions
const FENCED: Side = Side {
    access: Relaxed,
    fence: true,
};
const UNFENCED: Side = Side {
    access: Relaxed,
    fence: false,
};
const SEQCST: Side = Side {
    access: SeqCst,
    fence: false,
};

/// The versions the exercise asks about: (name, runtime's side, waker's side).
const VERSIONS: [(&str, Side, Side); 4] = [
    ("a fence on both sides", FENCED, FENCED),
    ("the runtime's fence only", FENCED, UNFENCED),
    ("the waker's fence only", UNFENCED, FENCED),
    ("SeqCst accesses, no fence", SEQCST, SEQCST),
];

/// loom's verdict on one version; its outcomes say whether the runtime slept.
fn verdict(runtime: Side, waker: Side) -> Verdict {
    check(move || handshake(runtime, waker))
}
// ANCHOR_END: versions

fn main() {
    println!("the sleep handshake, every execution loom can find (outcome: the runtime slept):");
    for (name, runtime, waker) in VERSIONS {
        println!("{name:<26} {}", verdict(runtime, waker).line());
    }
}

#[cfg(test)]
mod tests;
