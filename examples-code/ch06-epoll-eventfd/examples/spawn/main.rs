//! Spawns tasks on the chapter's runtime: three that compute, one that awaits the other
//! three's handles, one that panics, and one that is detached. Prints what the handles give.

// xtask: valgrind

use ch06_epoll_eventfd::{Runtime, spawn, yield_now};
use futures::channel::oneshot;

// ANCHOR: demo
/// Squares `n`, taking two turns to do it.
async fn square(n: u64) -> u64 {
    yield_now().await; // let the other tasks run
    n * n
}

/// Runs the demo and returns the lines it prints.
fn demo() -> Vec<String> {
    let runtime = Runtime::new().expect("cannot create the runtime");
    runtime.block_on(async {
        let mut lines = Vec::new();
        // Three tasks, and a fourth that awaits their handles.
        let squares: Vec<_> = (1..=3).map(|n| spawn(square(n))).collect();
        let total = spawn(async move {
            let mut total = 0;
            for square in squares {
                total += square.await.unwrap();
            }
            total
        });
        // A task that panics: its handle says so, and nothing else stops.
        let failed = spawn(async {
            yield_now().await;
            panic!("task gave up");
        });
        // A task whose handle is dropped at once: it runs all the same.
        let (sender, receiver) = oneshot::channel();
        drop(spawn(
            async move { sender.send("detached task ran").unwrap() },
        ));

        lines.push(format!("sum of squares: {}", total.await.unwrap()));
        let failed: Result<(), _> = failed.await;
        lines.push(format!("failed task: {}", failed.unwrap_err()));
        lines.push(receiver.await.unwrap().to_string());
        lines
    })
}
// ANCHOR_END: demo

fn main() {
    for line in demo() {
        println!("{line}");
    }
}

#[cfg(test)]
mod tests;
