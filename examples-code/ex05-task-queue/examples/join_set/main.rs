//! Exercise 5.1: a `JoinSet`, a set of tasks whose outputs come out in the order the tasks
//! finish, like tokio's `task::JoinSet`. Built on the chapter's public API only: `spawn` and
//! `JoinHandle`.

use ex05_task_queue::{JoinError, JoinHandle, Runtime, spawn, yield_now};
use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::task::Poll;

// ANCHOR: join_set
/// Tasks spawned together; `join_next` gives the result of whichever finishes first.
struct JoinSet<T> {
    handles: Vec<JoinHandle<T>>,
}

impl<T: Send + 'static> JoinSet<T> {
    fn new() -> JoinSet<T> {
        JoinSet {
            handles: Vec::new(),
        }
    }

    /// Spawns `future` on the current runtime, into the set.
    fn spawn(&mut self, future: impl Future<Output = T> + Send + 'static) {
        self.handles.push(spawn(future));
    }

    /// How many tasks have not been joined yet.
    fn len(&self) -> usize {
        self.handles.len()
    }

    /// Waits for the next task to finish and gives its result; `None` when the set is empty.
    async fn join_next(&mut self) -> Option<Result<T, JoinError>> {
        if self.handles.is_empty() {
            return None;
        }
        poll_fn(|cx| {
            // Every handle keeps this task's waker: whichever task finishes wakes us.
            for i in 0..self.handles.len() {
                if let Poll::Ready(result) = Pin::new(&mut self.handles[i]).poll(cx) {
                    // Out of the set at once: a finished handle is never polled again.
                    self.handles.swap_remove(i);
                    return Poll::Ready(Some(result));
                }
            }
            Poll::Pending
        })
        .await
    }
}
// ANCHOR_END: join_set

// ANCHOR: demo
/// Takes `steps` turns of the executor, then gives `name`.
async fn work(name: &'static str, steps: u32) -> &'static str {
    for _ in 0..steps {
        yield_now().await;
    }
    name
}

/// Spawns three tasks of different lengths into a set and returns the order they come out.
fn demo() -> Vec<String> {
    let runtime = Runtime::new().expect("cannot create the runtime");
    runtime.block_on(async {
        let mut set = JoinSet::new();
        for (name, steps) in [("slow", 30), ("quick", 10), ("medium", 20)] {
            set.spawn(work(name, steps));
        }
        let mut lines = Vec::new();
        while let Some(result) = set.join_next().await {
            let name = result.expect("no task panics here");
            lines.push(format!("finished: {name} ({} left)", set.len()));
        }
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
