//! A loom model of the task's `scheduled` flag (`handshake::Scheduled`, the code `Task::wake`
//! and `Task::run` call): a wake from another thread that finds the task already queued is
//! merged into the pending one, and queues nothing; the poll that the pending entry brings
//! must then see what the merged wake announced. Every interleaving, and every value each
//! load may read under the memory model, is tried. Run with
//! `RUSTFLAGS="--cfg loom" cargo test --release -p ch14-making-it-fast --test loom_task`
//! (`cargo xtask test loom` does).
#![cfg(loom)]

use ch14_making_it_fast::handshake::Scheduled;
use loom::sync::Mutex;
use loom::sync::atomic::{AtomicBool, Ordering};
use loom::thread;

// ANCHOR: loom_task
/// A task as the flag sees it: the flag, and the one thing its future waits for (a leaf
/// future whose `poll` only loads an atomic, like chapter 2's `Delay`).
struct ModelTask {
    scheduled: Scheduled,
    ready: AtomicBool,
    /// How many entries of this task the run queue holds.
    queued: Mutex<usize>,
}

/// Takes one entry of the task off the run queue, if there is one.
fn pop(task: &ModelTask) -> bool {
    let mut queued = task.queued.lock().unwrap();
    let popped = *queued > 0;
    if popped {
        *queued -= 1;
    }
    popped
}

#[test]
fn a_wake_merged_into_a_pending_one_is_seen_by_the_poll() {
    loom::model(|| {
        // Leaked: when loom reports a failure it unwinds, and a loom object dropped during
        // that unwinding would abort the process instead of failing the test.
        let task: &'static ModelTask = Box::leak(Box::new(ModelTask {
            scheduled: Scheduled::new(), // spawned: scheduled, and queued once
            ready: AtomicBool::new(false),
            queued: Mutex::new(1),
        }));
        // Another thread: the event, then the wake that announces it (`Task::wake`).
        let waker = thread::spawn(move || {
            task.ready.store(true, Ordering::Release);
            if task.scheduled.wake() {
                *task.queued.lock().unwrap() += 1;
            }
        });
        // The runtime's thread: a poll for every entry it finds (`Task::run`).
        let mut seen = false;
        while !seen && pop(task) {
            task.scheduled.clear_before_poll();
            seen = task.ready.load(Ordering::Acquire); // the future's poll
        }
        waker.join().unwrap();
        // Either a poll saw the event, or an entry is left for a poll that will.
        assert!(
            seen || *task.queued.lock().unwrap() > 0,
            "lost wake: the poll missed the event and the wake queued nothing"
        );
    });
}
// ANCHOR_END: loom_task
