//! A loom model of a task's output handed to its `JoinHandle` (`handshake::Done`, the code
//! `Task::finish` and `poll_join` call): the runtime's thread writes the output, sets the
//! flag and wakes; the handle, awaited on another thread, registers its waker and looks. The
//! handle must either find the output, with its write visible, or be woken once it is there.
//! The output sits in loom's `UnsafeCell`, which reports a read that the write does not
//! happen-before, as Miri would on the real phase. The waker slot is loom's model of
//! `AtomicWaker` (`src/sync.rs`). Run with `RUSTFLAGS="--cfg loom" cargo test --release -p
//! ch14-making-it-fast --test loom_join` (`cargo xtask test loom` does).
#![cfg(loom)]

use ch14_making_it_fast::handshake::Done;
use loom::cell::UnsafeCell;
use loom::sync::atomic::{AtomicUsize, Ordering};
use loom::thread;
use std::sync::Arc;
use std::task::{Wake, Waker};

// ANCHOR: loom_join
/// A task as the handle sees it: the hand-over, and the output (`Task`'s `phase`).
struct ModelTask {
    done: Done,
    output: UnsafeCell<Option<u32>>,
}

/// The waker of the task that awaits the handle: it counts its wakes.
struct Woken(AtomicUsize);

impl Wake for Woken {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

/// `poll_join`: register, then look; take the output once the flag says it is there.
fn poll_join(task: &ModelTask, waker: &Waker) -> Option<u32> {
    if !task.done.register_then_look(waker) {
        return None;
    }
    // SAFETY: the flag is set, so the runtime's thread wrote the output and touches it no
    // more; this thread is the only handle. (If the flag's write did not publish the output,
    // loom would report this read.)
    task.output.with_mut(|output| unsafe { (*output).take() })
}

#[test]
fn the_handle_gets_the_output_or_is_woken_once_it_is_there() {
    loom::model(|| {
        // Leaked: when loom reports a failure it unwinds, and a loom object dropped during
        // that unwinding would abort the process instead of failing the test.
        let task: &'static ModelTask = Box::leak(Box::new(ModelTask {
            done: Done::new(),
            output: UnsafeCell::new(None),
        }));
        let woken = Arc::new(Woken(AtomicUsize::new(0)));
        std::mem::forget(Arc::clone(&woken));
        // The runtime's thread ends the task (`Task::finish`).
        let runtime = thread::spawn(move || {
            // SAFETY: the flag is not set yet: the output is this thread's alone.
            task.output.with_mut(|output| unsafe { *output = Some(7) });
            task.done.set_then_wake();
        });
        // The handle is awaited on this thread, meanwhile.
        let waker = Waker::from(Arc::clone(&woken));
        let first = poll_join(task, &waker);
        runtime.join().unwrap();
        if first.is_none() {
            assert!(
                woken.0.load(Ordering::Relaxed) > 0,
                "lost wake: the handle found no output, and nobody woke it"
            );
            // Woken: the poll that the wake brings finds the output.
            assert_eq!(poll_join(task, &waker), Some(7));
        } else {
            assert_eq!(first, Some(7));
        }
    });
}
// ANCHOR_END: loom_join
