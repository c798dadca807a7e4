//! The budget of a task (`coop.rs`): on one worker, a task whose every operation is ready at
//! once (a sleep that is already over; it stops when a read on a socket has completed, or
//! after 200,000) beside a task that waits for that socket. With the budget, the busy task
//! returns `Pending` every 128 operations, and the socket's task gets its turn;
//! `unconstrained` takes the budget away, as `tokio::task::unconstrained` does, and the
//! socket's task waits until the busy one has made all its operations.

// xtask: numbers-vary

use ch15_many_threads_fast::coop::unconstrained;
use ch15_many_threads_fast::net::TcpListener;
use ch15_many_threads_fast::time::sleep;
use ch15_many_threads_fast::{Runtime, spawn};
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

/// How many operations the busy task makes.
const OPERATIONS: u64 = 200_000;

// ANCHOR: race
/// What the other tasks saw of the busy task's progress: how many of its operations were
/// done when a queued task first ran, and when a read on a socket completed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Seen {
    queued_task: u64,
    socket_read: u64,
}

/// On one worker: the busy task (budgeted or not), a task queued behind it, and a task
/// reading a socket that a plain thread writes to once the busy task has started.
fn race(budgeted: bool, operations: u64) -> Seen {
    let runtime = Runtime::builder()
        .worker_threads(1)
        .build()
        .expect("cannot start the runtime");
    runtime.block_on(async move {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("local_addr");
        let mut writer = std::net::TcpStream::connect(addr).expect("connect");
        let (reader, _) = listener.accept().await.expect("accept");
        let done = Arc::new(AtomicU64::new(0));
        let read_done = Arc::new(AtomicBool::new(false));
        // Spawned from a task, so all three start on the one worker in a known order: the
        // reader from the LIFO slot, then the busy task, then the queued one.
        let parent = spawn({
            let (done, read_done) = (Arc::clone(&done), Arc::clone(&read_done));
            async move {
                let busy = {
                    let (done, read_done) = (Arc::clone(&done), Arc::clone(&read_done));
                    async move {
                        while !read_done.load(Ordering::Relaxed)
                            && done.load(Ordering::Relaxed) < operations
                        {
                            sleep(Duration::ZERO).await; // over at once: a ready operation
                            done.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                };
                let busy = if budgeted {
                    spawn(busy)
                } else {
                    spawn(unconstrained(busy))
                };
                let queued = spawn({
                    let done = Arc::clone(&done);
                    async move { done.load(Ordering::Relaxed) }
                });
                let read = spawn(async move {
                    let mut byte = [0];
                    assert_eq!(reader.read(&mut byte).await.expect("read"), 1);
                    read_done.store(true, Ordering::Relaxed);
                    done.load(Ordering::Relaxed)
                });
                (busy, queued, read)
            }
        });
        let (busy, queued, read) = parent.await.expect("the parent");
        // The byte is sent once the busy task is under way.
        while done.load(Ordering::Relaxed) == 0 {
            std::thread::yield_now();
        }
        writer.write_all(b"!").expect("write");
        busy.await.expect("the busy task");
        Seen {
            queued_task: queued.await.expect("the queued task"),
            socket_read: read.await.expect("the reading task"),
        }
    })
}
// ANCHOR_END: race

fn main() {
    for (budgeted, name) in [(true, "with the budget"), (false, "unconstrained")] {
        let seen = race(budgeted, OPERATIONS);
        println!(
            "{name}: the queued task ran after {} of the busy task's operations, the socket's \
             read completed after {} (of {OPERATIONS} at most)",
            seen.queued_task, seen.socket_read
        );
    }
}

#[cfg(test)]
mod tests;
