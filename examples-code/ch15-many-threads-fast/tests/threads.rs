//! Dropping the runtime joins every worker: no thread is left behind. The only test in its
//! file (its own process), so that no other test starts threads while it counts them.

mod common;

use ch15_many_threads_fast::{Runtime, spawn, yield_now};
use common::wait_until;
use std::time::Duration;

/// How long an exited thread may still be listed.
const SETTLE: Duration = Duration::from_secs(2);

/// The threads of this process, as Linux lists them.
fn threads() -> usize {
    std::fs::read_dir("/proc/self/task").unwrap().count()
}

#[test]
#[cfg_attr(
    miri,
    ignore = "Miri cannot read /proc/self, where the test counts threads"
)]
fn dropping_the_runtime_leaves_no_thread_behind() {
    let before = threads();
    for round in 0..5 {
        let runtime = Runtime::builder().worker_threads(4).build().unwrap();
        assert_eq!(threads(), before + 4, "round {round}: the workers run");
        // Some tasks left pending, some asleep workers, some busy ones.
        runtime.block_on(async {
            for _ in 0..100 {
                drop(spawn(async {
                    yield_now().await;
                    std::future::pending::<()>().await
                }));
            }
        });
        drop(runtime);
        // `drop` has joined the workers. The kernel may list an exiting thread for a few
        // microseconds after `join` returns, so allow it a moment, not more.
        wait_until(SETTLE, "the workers are gone", || threads() == before);
        assert_eq!(threads(), before, "round {round}: a worker was left behind");
    }
}
