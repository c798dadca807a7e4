//! Fairness: a task that yields for ever keeps its worker's own queue non-empty, so only the
//! worker's periodic look at the injector lets a task from outside run there.

mod common;

use ch15_many_threads_fast::{RunQueueKind, Runtime, yield_now};
use common::{KINDS, LIMIT, wait_until, within};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// How many times the spinning task yields before it gives up waiting for the flag.
const PATIENCE: u64 = 200_000;

// ANCHOR: spinner
/// On one worker: a task that yields until a flag is set (or it runs out of patience), and,
/// once it spins, a task from outside (onto the injector) that sets the flag. Returns how
/// many times the spinner yielded after the flag task was spawned, or `None` if it gave up.
fn spinner_and_flag(kind: RunQueueKind, interval: u32) -> Option<u64> {
    within(LIMIT, move || {
        let runtime = Runtime::builder()
            .worker_threads(1)
            .run_queues(kind)
            .global_queue_interval(interval)
            .build()
            .unwrap();
        let flag = Arc::new(AtomicBool::new(false));
        let spawned = Arc::new(AtomicBool::new(false));
        let spinning = Arc::new(AtomicBool::new(false));
        let spinner = runtime.spawn({
            let (flag, spawned, spinning) = (flag.clone(), spawned.clone(), spinning.clone());
            async move {
                let mut after_spawn = 0;
                loop {
                    spinning.store(true, Ordering::SeqCst);
                    if flag.load(Ordering::SeqCst) {
                        return Some(after_spawn);
                    }
                    if spawned.load(Ordering::SeqCst) {
                        after_spawn += 1;
                        if after_spawn == PATIENCE {
                            return None;
                        }
                    }
                    yield_now().await; // back onto this worker's own queue
                }
            }
        });
        wait_until(LIMIT, "the spinner spins", || {
            spinning.load(Ordering::SeqCst)
        });
        let setter = runtime.spawn(async move { flag.store(true, Ordering::SeqCst) });
        spawned.store(true, Ordering::SeqCst);
        let yields = futures::executor::block_on(spinner).unwrap();
        drop(setter);
        yields
    })
}
// ANCHOR_END: spinner

// ANCHOR: fairness
#[test]
#[cfg_attr(miri, ignore = "200,000 yields: far too slow under Miri")]
fn a_task_that_yields_for_ever_does_not_starve_the_injector() {
    for &kind in KINDS {
        let yields = spinner_and_flag(kind, 61);
        let yields = yields.unwrap_or_else(|| panic!("{kind:?}: the flag task never ran"));
        // The injector is looked at every 61 polls; the spinner may yield a few hundred
        // more times between the spawn and the `spawned` store.
        assert!(yields < PATIENCE / 10, "{kind:?}: {yields} yields");
    }
}

#[test]
#[cfg_attr(miri, ignore = "200,000 yields: far too slow under Miri")]
fn without_the_periodic_look_the_injector_starves() {
    for &kind in KINDS {
        // Every 2^32 polls is never, here: the spinner always finds its own queue non-empty.
        assert_eq!(spinner_and_flag(kind, u32::MAX), None, "{kind:?}");
    }
}
// ANCHOR_END: fairness
