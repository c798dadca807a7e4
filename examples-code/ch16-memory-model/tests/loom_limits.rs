//! What loom 0.7.2 does not model, each shown by a model whose verdict is wrong: the
//! chapter's list of loom's limits, checked. If a new loom fixes one of them, its test here
//! fails, and the chapter's sentence about it must change. Runs under a plain `cargo test`.

use ch16_memory_model::release_sequence::{STALE, load_then_store};
use ch16_memory_model::verdict::{check, leak};
use loom::sync::atomic::{AtomicBool, AtomicUsize};
use loom::thread;
use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};

/// Load buffering (LB): each thread reads one atomic, then writes the other. The memory model
/// allows both reads to see the other thread's later write; loom never runs such an execution
/// (its README, "Unsupported features": not sound).
#[test]
fn loom_never_explores_load_buffering() {
    let verdict = check(|| {
        let (x, y) = (leak(AtomicBool::new(false)), leak(AtomicBool::new(false)));
        let other = thread::spawn(move || {
            let seen = x.load(Relaxed);
            y.store(true, Relaxed);
            seen
        });
        let seen = y.load(Relaxed);
        x.store(true, Relaxed);
        (other.join().unwrap(), seen)
    });
    assert_eq!(verdict.failure, None);
    assert!(!verdict.outcomes.contains("(true, true)"), "{verdict:?}");
    assert!(verdict.outcomes.contains("(false, false)"), "{verdict:?}");
}

/// A store that races with a read-modify-write of the same atomic: the memory model puts the
/// store before or after the whole read-modify-write, so a swap that read `false` leaves
/// `false` only if no `true` came after it. loom 0.7.2 lets the store fall between the swap's
/// read and its write (tokio-rs/loom#254, open), and reports a failure that cannot happen.
#[test]
fn loom_lets_a_store_fall_inside_a_swap() {
    let verdict = check(|| {
        let flag = leak(AtomicBool::new(false));
        let swapper = thread::spawn(move || flag.swap(false, Relaxed));
        flag.store(true, Relaxed);
        let read_by_swap = swapper.join().unwrap();
        let last = flag.load(Relaxed);
        assert!(read_by_swap || last, "the store vanished");
        (read_by_swap, last)
    });
    assert_eq!(
        verdict.failure.as_deref(),
        Some("the store vanished"),
        "{verdict:?}"
    );
}

/// loom can skip executions: the broken release sequence of `release_sequence`, with the
/// receiver on the model's own thread, where it reads at once, and a middle thread whose
/// first operation is a load (tokio-rs/loom#392, open). loom 0.7.2 never runs the middle
/// thread's write before the receiver's read, never sees the counter at 2, and passes the
/// broken version. That is why every model of this crate returns what its loads read, and
/// its tests check that loom saw every outcome the memory model allows.
#[test]
fn loom_can_skip_executions_so_the_models_check_their_outcomes() {
    let verdict = check(|| {
        let data = leak(AtomicUsize::new(0));
        let counter = leak(AtomicUsize::new(0));
        let sender = thread::spawn(move || {
            data.store(42, Relaxed);
            counter.store(1, Release);
        });
        let middle = thread::spawn(move || load_then_store(counter));
        let count = counter.load(Acquire);
        let seen = data.load(Relaxed);
        assert!(count != 2 || seen == 42, "{STALE}");
        sender.join().unwrap();
        middle.join().unwrap();
        (count, seen)
    });
    assert_eq!(verdict.failure, None, "{verdict:?}");
    assert!(
        verdict.outcomes.iter().all(|o| !o.starts_with("(2,")),
        "{verdict:?}"
    );
}
