//! Exercise 9.1: a blocking pool with a bounded queue. With one thread and room for two
//! waiting jobs, a fourth job that comes while the first runs is refused at once, with an
//! error in its handle, instead of waiting in a queue that grows without end.

use ex09_blocking::{Builder, JoinHandle, spawn_blocking};
use futures::channel::oneshot;
use std::io;
use std::sync::mpsc;

// ANCHOR: demo
/// A job that tells when it has started, then blocks until `release` gets a message.
fn held_job(release: mpsc::Receiver<()>) -> (JoinHandle<&'static str>, oneshot::Receiver<()>) {
    let (started, has_started) = oneshot::channel();
    let handle = spawn_blocking(move || {
        let _ = started.send(());
        let _ = release.recv();
        "done"
    });
    (handle, has_started)
}

fn demo() -> io::Result<Vec<String>> {
    let runtime = Builder::new()
        .max_blocking_threads(1)
        .max_blocking_queue(2)
        .build()?;
    runtime.block_on(async {
        let mut log = Vec::new();
        let (release, hold) = mpsc::channel();
        let (first, has_started) = held_job(hold);
        has_started.await.unwrap(); // job 0 holds the only thread
        let queued = [spawn_blocking(|| "done"), spawn_blocking(|| "done")];
        log.push("job 0 runs; jobs 1 and 2 wait in the queue".to_string());
        match spawn_blocking(|| "done").await {
            Ok(_) => log.push("job 3: ran".to_string()),
            Err(error) => log.push(format!("job 3: {error}")),
        }
        release.send(()).unwrap();
        log.push(format!("job 0: {}", first.await.unwrap()));
        for (n, handle) in queued.into_iter().enumerate() {
            log.push(format!("job {}: {}", n + 1, handle.await.unwrap()));
        }
        let later = spawn_blocking(|| "done").await.unwrap();
        log.push(format!("job 4, once the queue is empty: {later}"));
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
