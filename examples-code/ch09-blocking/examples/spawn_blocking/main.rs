//! `spawn_blocking` on the runtime: a file read and a slow job run on the blocking pool while
//! a task on the runtime's thread keeps ticking; a job that panics gives a `JoinError`.

// xtask: valgrind

use ch09_blocking::time::interval;
use ch09_blocking::{Runtime, spawn, spawn_blocking};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;

/// How long the slow job blocks.
const SLOW: Duration = Duration::from_millis(200);

/// A path of its own in the temporary directory, for each call.
fn scratch_file() -> std::path::PathBuf {
    static CALLS: AtomicUsize = AtomicUsize::new(0);
    let n = CALLS.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!("spawn-blocking-{}-{n}", std::process::id()))
}

// ANCHOR: demo
fn demo(slow: Duration) -> Vec<String> {
    let runtime = Runtime::new().expect("cannot create the runtime");
    runtime.block_on(async {
        let mut lines = Vec::new();

        // `std::fs` blocks: it goes to the pool (tokio::fs does the same).
        let path = scratch_file();
        std::fs::write(&path, "hello from the disk\n").unwrap();
        let read = spawn_blocking(move || {
            let text = std::fs::read_to_string(&path);
            let _ = std::fs::remove_file(&path);
            (text, thread::current().name().map(str::to_string))
        });
        let (text, thread) = read.await.unwrap();
        lines.push(format!("read {:?} on thread {thread:?}", text.unwrap()));

        // A slow job on the pool, and a task that ticks on the runtime's thread meanwhile.
        let done = Arc::new(AtomicBool::new(false));
        let ticks = Arc::new(AtomicUsize::new(0));
        let ticker = {
            let (done, ticks) = (Arc::clone(&done), Arc::clone(&ticks));
            spawn(async move {
                let mut every = interval(slow / 10);
                while !done.load(Ordering::SeqCst) {
                    every.tick().await;
                    ticks.fetch_add(1, Ordering::SeqCst);
                }
            })
        };
        let answer = spawn_blocking(move || {
            thread::sleep(slow); // a long computation, a blocking call…
            42
        })
        .await
        .unwrap();
        done.store(true, Ordering::SeqCst);
        ticker.await.unwrap();
        let ticked = ticks.load(Ordering::SeqCst) >= 3;
        lines.push(format!(
            "the slow job gave {answer}; the timer ticked meanwhile: {ticked}"
        ));

        // A panic on the pool is the handle's error, not the runtime's.
        let failed = spawn_blocking(|| -> u32 { panic!("disk on fire") }).await;
        let error = failed.unwrap_err();
        lines.push(format!(
            "the job that panicked: {error} (is_panic: {})",
            error.is_panic()
        ));
        lines
    })
}
// ANCHOR_END: demo

fn main() {
    for line in demo(SLOW) {
        println!("{line}");
    }
}

#[cfg(test)]
mod tests;
