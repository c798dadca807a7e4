//! Exercise 9.2: a `spawn_blocking` job whose handle is dropped before a thread starts it is
//! never run: nobody waits for its result. A job that has started runs to its end, because
//! nothing can stop a closure midway.

use ex09_blocking::{Builder, spawn_blocking};
use futures::channel::oneshot;
use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;

// ANCHOR: demo
/// A job that sets `ran` when it runs.
fn job(ran: &Arc<AtomicBool>) -> impl FnOnce() + Send + 'static {
    let ran = Arc::clone(ran);
    move || ran.store(true, Ordering::SeqCst)
}

fn demo() -> io::Result<Vec<String>> {
    let runtime = Builder::new().max_blocking_threads(1).build()?;
    runtime.block_on(async {
        let mut log = Vec::new();
        let ran: [Arc<AtomicBool>; 3] = Default::default();
        // Job 0 holds the only thread until `release` gets a message.
        let (release, hold) = mpsc::channel::<()>();
        let (started, has_started) = oneshot::channel();
        let first = job(&ran[0]);
        let running = spawn_blocking(move || {
            let _ = started.send(());
            let _ = hold.recv();
            first();
        });
        has_started.await.unwrap();
        drop(running);
        log.push("job 0 has started; its handle is dropped".to_string());
        drop(spawn_blocking(job(&ran[1])));
        log.push("job 1 waits for the thread; its handle is dropped".to_string());
        let kept = spawn_blocking(job(&ran[2]));
        log.push("job 2 waits for the thread; its handle is kept".to_string());
        release.send(()).unwrap();
        kept.await.unwrap(); // the queue is first in, first out: job 1's turn has passed
        for (n, ran) in ran.iter().enumerate() {
            log.push(format!("job {n} ran: {}", ran.load(Ordering::SeqCst)));
        }
        Ok(log)
    })
}

fn main() -> io::Result<()> {
    for line in demo()? {
        println!("{line}");
    }
    Ok(())
}
// ANCHOR_END: demo

#[cfg(test)]
mod tests;
