//! Exercise 5.2: a bounded run queue. The runtime lets `max_tasks` tasks be alive at once;
//! `try_spawn` on a full runtime gives the future back, and here the main future waits for a
//! free slot by yielding, then tries again.

use ex05_task_queue::{Runtime, try_spawn, yield_now};

/// Takes two turns of the executor, then gives `job * 10`.
async fn job(job: u32) -> u32 {
    yield_now().await;
    yield_now().await;
    job * 10
}

// ANCHOR: demo
/// Spawns `jobs` jobs on a runtime with room for `max_tasks` tasks. A job that finds the
/// runtime full comes back from `try_spawn`; the main future yields, so that the tasks run,
/// and tries again.
fn demo(max_tasks: usize, jobs: u32) -> Vec<String> {
    let runtime = Runtime::with_max_tasks(max_tasks).expect("cannot create the runtime");
    runtime.block_on(async {
        let mut lines = Vec::new();
        let mut handles = Vec::new();
        for n in 0..jobs {
            let mut future = job(n);
            let mut turns = 0;
            let handle = loop {
                match try_spawn(future) {
                    Ok(handle) => break handle,
                    Err(full) => {
                        future = full.into_inner(); // not polled: nothing is lost
                        turns += 1;
                        yield_now().await;
                    }
                }
            };
            lines.push(format!("job {n} spawned after waiting {turns} turns"));
            handles.push(handle);
        }
        let mut total = 0;
        for handle in handles {
            total += handle.await.expect("no job panics");
        }
        lines.push(format!("total: {total}"));
        lines
    })
}
// ANCHOR_END: demo

fn main() {
    for line in demo(2, 5) {
        println!("{line}");
    }
}

#[cfg(test)]
mod tests;
