//! Exercise 16.2: the last reference. Three owners share a value; each uses it, then drops
//! its reference with a decrement of the count, and the one that takes the count to zero
//! frees the value. Every use must happen before the free. Which orderings does that take?
//! `Arc`'s `Drop` answers with a `Release` decrement and an `Acquire` fence; loom checks it,
//! and the versions that skimp.

use ch16_memory_model::verdict::{Verdict, check, leak};
use loom::sync::atomic::{AtomicBool, AtomicUsize, fence};
use loom::thread;
use std::sync::atomic::Ordering::{self, AcqRel, Acquire, Relaxed, Release};

/// How many owners share the value: three, so that the last one's view of the first goes
/// through the second's decrement (a release sequence).
const OWNERS: usize = 3;

// ANCHOR: drop
/// How an owner lets go: the ordering of its decrement, and whether the last owner puts an
/// `Acquire` fence before freeing.
#[derive(Clone, Copy)]
pub struct LetGo {
    pub decrement: Ordering,
    pub acquire_fence: bool,
}

/// What a failing run reports.
const FREED_EARLY: &str = "freed before a use was visible";

/// The shared value: the reference count, and one flag per owner for its last use of the
/// value (a write into it, say). Freeing the value reads all of them: a use the free cannot
/// see did not happen before it, and in a real `Arc` that is a use after free.
struct Shared {
    count: AtomicUsize,
    used: [AtomicBool; OWNERS],
}

/// Owner `me`: use the value, then drop the reference. Returns whether it freed the value.
fn owner(shared: &Shared, me: usize, how: LetGo) -> bool {
    shared.used[me].store(true, Relaxed); // the last use
    if shared.count.fetch_sub(1, how.decrement) != 1 {
        return false; // not the last
    }
    if how.acquire_fence {
        fence(Acquire);
    }
    // The free: every use must be visible.
    for used in &shared.used {
        assert!(used.load(Relaxed), "{FREED_EARLY}");
    }
    true
}

/// The model: two owners on threads of their own, the third on this one. Returns the owner
/// that freed the value.
pub fn last_reference(how: LetGo) -> usize {
    let shared = leak(Shared {
        count: AtomicUsize::new(OWNERS),
        used: std::array::from_fn(|_| AtomicBool::new(false)),
    });
    let others: Vec<_> = (1..OWNERS)
        .map(|me| thread::spawn(move || owner(shared, me, how)))
        .collect();
    let mut freed = owner(shared, 0, how).then_some(0);
    for (me, other) in (1..).zip(others) {
        if other.join().unwrap() {
            freed = Some(me);
        }
    }
    freed.expect("one owner frees the value")
}
// ANCHOR_END: drop

// ANCHOR: versions
/// The versions the exercise asks about.
const VERSIONS: [(&str, LetGo); 4] = [
    (
        "Relaxed decrement",
        LetGo {
            decrement: Relaxed,
            acquire_fence: false,
        },
    ),
    (
        "Release decrement, no fence",
        LetGo {
            decrement: Release,
            acquire_fence: false,
        },
    ),
    (
        "Release decrement, Acquire fence",
        LetGo {
            decrement: Release,
            acquire_fence: true,
        },
    ),
    (
        "AcqRel decrement",
        LetGo {
            decrement: AcqRel,
            acquire_fence: false,
        },
    ),
];

/// loom's verdict on one version; its outcomes say which owner was last.
fn verdict(how: LetGo) -> Verdict {
    check(move || last_reference(how))
}
// ANCHOR_END: versions

fn main() {
    println!(
        "three owners drop a shared value, every execution loom can find (outcome: the last owner):"
    );
    for (name, how) in VERSIONS {
        println!("{name:<33} {}", verdict(how).line());
    }
}

#[cfg(test)]
mod tests;
