//! Exercise 6.2: `live_tasks()`, how many spawned tasks have not finished. Each task asks
//! while it runs, and the count is asked again once they are done.

use ex06_epoll_eventfd::{Runtime, live_tasks, spawn, yield_now};

// ANCHOR: demo
/// Spawns three tasks that each report the count they see, then counts again.
fn demo() -> Vec<String> {
    let runtime = Runtime::new().expect("cannot create the runtime");
    let mut lines = runtime.block_on(async {
        let mut lines = vec![format!("before spawning: {}", live_tasks())];
        let handles: Vec<_> = (0..3)
            .map(|n| {
                spawn(async move {
                    yield_now().await;
                    format!("task {n} sees {}", live_tasks())
                })
            })
            .collect();
        lines.push(format!("after spawning three: {}", live_tasks()));
        for handle in handles {
            lines.push(handle.await.expect("no task panics"));
        }
        lines.push(format!("after joining them: {}", live_tasks()));
        // A task that never finishes, detached: still alive, still counted.
        drop(spawn(std::future::pending::<()>()));
        lines
    });
    lines.push(format!(
        "after block_on, one left: {}",
        runtime.live_tasks()
    ));
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
