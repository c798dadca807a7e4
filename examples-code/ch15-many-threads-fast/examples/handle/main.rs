//! Plain `std` threads, which belong to no runtime, spawn tasks onto one through a `Handle`
//! and wait for the tasks' handles; a task finds its runtime with `Handle::current()`.

use ch15_many_threads_fast::{Handle, Runtime};
use std::thread;

// ANCHOR: demo
/// Runs the demo and returns the lines it prints.
fn demo() -> Vec<String> {
    let runtime = Runtime::builder()
        .worker_threads(2)
        .build()
        .expect("cannot start the workers");
    let mut lines = Vec::new();
    let threads: Vec<_> = (1..=3)
        .map(|t: u64| {
            let handle = runtime.handle().clone(); // cheap: an `Arc`
            thread::spawn(move || {
                assert!(Handle::try_current().is_none(), "not a runtime thread");
                let tasks: Vec<_> = (1..=100)
                    .map(|n| handle.spawn(async move { n * t }))
                    .collect();
                // A `JoinHandle` is a future like any other: this thread waits for it with
                // the `futures` crate's `block_on`, outside the runtime.
                futures::executor::block_on(async {
                    let mut sum = 0;
                    for task in tasks {
                        sum += task.await.unwrap();
                    }
                    sum
                })
            })
        })
        .collect();
    for (t, thread) in (1..=3).zip(threads) {
        lines.push(format!(
            "thread {t}: 100 tasks gave {}",
            thread.join().unwrap()
        ));
    }
    // Inside a task, `Handle::current()` is the task's runtime.
    let nested = runtime.handle().spawn(async {
        Handle::current()
            .spawn(async { "spawned from a task" })
            .await
    });
    let nested = futures::executor::block_on(nested).unwrap().unwrap();
    lines.push(nested.to_string());
    lines
}
// ANCHOR_END: demo

fn main() {
    for line in demo() {
        println!("{line}");
    }
}

#[cfg(test)]
mod tests;
