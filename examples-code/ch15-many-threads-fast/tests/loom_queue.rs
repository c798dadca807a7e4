//! loom models of the book's run queue (`src/queue.rs`, four slots under loom): the owner's
//! push and pop, a full queue sending half of itself to the injector, and thieves taking half,
//! all at once. Every item comes out exactly once, and loom's cells report any slot that two
//! threads touch unordered. Run with `RUSTFLAGS="--cfg loom" cargo test --release -p
//! ch15-many-threads-fast --test loom_queue`.
#![cfg(loom)]

use ch15_many_threads_fast::inject::Injector;
use ch15_many_threads_fast::queue::{self, CAPACITY, Local};
use loom::thread;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

/// How many items the thief took, in every execution loom ran: a model checks that it saw
/// more than one, so that it did not pass because loom never ran the thief against the owner
/// (loom can skip executions when a spawned thread begins with a load, tokio-rs/loom#392,
/// chapter 16).
#[derive(Default)]
struct Outcomes(Mutex<BTreeSet<usize>>);

impl Outcomes {
    fn saw(&self, stolen: usize) {
        self.0.lock().unwrap().insert(stolen);
    }
    fn expect(&self, all: &[usize]) {
        let seen: Vec<usize> = self.0.lock().unwrap().iter().copied().collect();
        assert_eq!(seen, all, "the thief's takes loom ran");
    }
}

/// Everything left in a queue, by popping it.
fn drain(local: &mut Local<u32>) -> Vec<u32> {
    std::iter::from_fn(|| local.pop()).collect()
}

/// A thief's whole take: the item `steal_into` returns and what it put in the thief's queue.
fn steal_all(from: &queue::Steal<u32>) -> Vec<u32> {
    let (mut mine, _) = queue::new();
    let mut got: Vec<u32> = from.steal_into(&mut mine).into_iter().collect();
    got.extend(drain(&mut mine));
    got
}

fn sorted(mut items: Vec<u32>) -> Vec<u32> {
    items.sort_unstable();
    items
}

#[test]
fn a_steal_and_pops_on_the_same_queue_take_each_item_once() {
    assert_eq!(CAPACITY, 4);
    let outcomes = Arc::new(Outcomes::default());
    let seen = Arc::clone(&outcomes);
    loom::model(move || {
        let injector = Injector::new();
        let (mut local, steal) = queue::new();
        for item in 1..=3 {
            local.push(item, &injector);
        }
        let thief = thread::spawn(move || steal_all(&steal));
        let mut got: Vec<u32> = local.pop().into_iter().collect();
        let stolen = thief.join().unwrap();
        assert!(stolen.len() <= 2, "half of three, rounded up, at most");
        seen.saw(stolen.len());
        got.extend(stolen);
        got.extend(drain(&mut local));
        assert_eq!(sorted(got), [1, 2, 3]);
        assert!(injector.is_empty());
    });
    // Half of three rounded up, if the steal came first; half of the two left, if the pop did.
    outcomes.expect(&[1, 2]);
}

// ANCHOR: loom_overflow
#[test]
fn a_full_queue_overflows_to_the_injector_while_a_thief_steals_and_loses_nothing() {
    loom::model(|| {
        let injector = Arc::new(Injector::new());
        let (mut local, steal) = queue::new();
        for item in 1..=4 {
            local.push(item, &*injector);
        }
        let thief = thread::spawn(move || steal_all(&steal));
        // Full: this push moves the newer half and itself to the injector, or, if the thief
        // is at work, only itself.
        local.push(5, &*injector);
        let mut got = thief.join().unwrap();
        got.extend(drain(&mut local));
        got.extend(injector.close());
        assert_eq!(sorted(got), [1, 2, 3, 4, 5]);
    });
}
// ANCHOR_END: loom_overflow

#[test]
fn two_thieves_and_the_owner_take_each_item_once() {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(2);
    builder.check(|| {
        let injector = Injector::new();
        let (mut local, steal) = queue::new();
        for item in 1..=4 {
            local.push(item, &injector);
        }
        let thieves: Vec<_> = (0..2)
            .map(|_| {
                let steal = steal.clone();
                thread::spawn(move || steal_all(&steal))
            })
            .collect();
        let mut got: Vec<u32> = local.pop().into_iter().collect();
        for thief in thieves {
            got.extend(thief.join().unwrap());
        }
        got.extend(drain(&mut local));
        assert_eq!(sorted(got), [1, 2, 3, 4]);
    });
}

#[test]
fn the_owner_pushes_while_a_thief_steals_and_the_pushed_items_stay_in_order() {
    let outcomes = Arc::new(Outcomes::default());
    let seen = Arc::clone(&outcomes);
    loom::model(move || {
        let injector = Injector::new();
        let (mut local, steal) = queue::new();
        local.push(1, &injector);
        local.push(2, &injector);
        let thief = thread::spawn(move || steal_all(&steal));
        local.push(3, &injector);
        let stolen = thief.join().unwrap();
        seen.saw(stolen.len());
        let mine = drain(&mut local);
        // The owner's queue keeps its order: what is left is a suffix of 1, 2, 3.
        assert!(mine.windows(2).all(|w| w[0] < w[1]), "{mine:?}");
        let mut got = stolen;
        got.extend(mine);
        assert_eq!(sorted(got), [1, 2, 3]);
    });
    // Half of two, if the steal came before the push; half of three rounded up, if after.
    outcomes.expect(&[1, 2]);
}
