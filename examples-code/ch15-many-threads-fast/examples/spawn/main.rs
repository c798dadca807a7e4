//! Spawns a thousand tasks on a four-worker runtime: each adds up its share of a range, a
//! little at a time; one more awaits all their handles; another panics. Prints what the
//! handles give, which is the same whichever worker ran which task.

use ch15_many_threads_fast::{Runtime, spawn, yield_now};

// ANCHOR: demo
/// Adds up `from..to`, giving the other tasks a turn after every number.
async fn partial_sum(from: u64, to: u64) -> u64 {
    let mut sum = 0;
    for n in from..to {
        sum += n;
        yield_now().await; // back to the shared queue: any worker may take the next step
    }
    sum
}

/// Runs the demo and returns the lines it prints.
fn demo() -> Vec<String> {
    let runtime = Runtime::builder()
        .worker_threads(4)
        .build()
        .expect("cannot start the workers");
    let mut lines = vec![format!("workers: {}", runtime.worker_threads())];
    runtime.block_on(async {
        // 1,000 tasks, 10 numbers each: 0..10,000 in all.
        let parts: Vec<_> = (0..1_000)
            .map(|i| spawn(partial_sum(i * 10, i * 10 + 10)))
            .collect();
        // A task that awaits the other tasks' handles, whichever workers they run on.
        let total = spawn(async move {
            let mut total = 0;
            for part in parts {
                total += part.await.unwrap();
            }
            total
        });
        // A task that panics: its handle says so, and its worker goes on.
        let failed = spawn(async {
            yield_now().await;
            panic!("task gave up");
        });
        lines.push(format!(
            "sum of 0..10000 by 1000 tasks: {}",
            total.await.unwrap()
        ));
        let failed: Result<(), _> = failed.await;
        lines.push(format!("failed task: {}", failed.unwrap_err()));
        let after = spawn(async { "the workers still run tasks" }).await;
        lines.push(after.unwrap().to_string());
    });
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
