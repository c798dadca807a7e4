//! Exercise 6.1: `Runtime::block_on_timeout`, a `block_on` that gives up at a deadline. The
//! deadline is the timeout of `epoll_wait`; the futures here sleep on plain `std` threads,
//! which wake them through their eventfds.

use ex06_epoll_eventfd::{Runtime, spawn};
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::thread;
use std::time::Duration;

/// The demo's time unit.
const UNIT: Duration = Duration::from_millis(100);

/// A future that is ready after `duration`: on its first poll, a `std` thread gets a clone of
/// the waker, sleeps, sets `done` and wakes the task (chapter 6's `thread_waker`).
struct ThreadSleep {
    duration: Duration,
    done: Arc<AtomicBool>,
    started: bool,
}

impl Future for ThreadSleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.done.load(Ordering::Acquire) {
            return Poll::Ready(());
        }
        if !self.started {
            self.started = true;
            let (duration, done, waker) =
                (self.duration, Arc::clone(&self.done), cx.waker().clone());
            thread::spawn(move || {
                thread::sleep(duration);
                done.store(true, Ordering::Release);
                waker.wake();
            });
        }
        Poll::Pending
    }
}

fn sleep(duration: Duration) -> ThreadSleep {
    ThreadSleep {
        duration,
        done: Arc::new(AtomicBool::new(false)),
        started: false,
    }
}

// ANCHOR: demo
/// A sleep that ends before its deadline, one that does not (and spawns a task that the
/// next `block_on` finishes), and the error as an `io::Error`.
fn demo(unit: Duration) -> Vec<String> {
    let runtime = Runtime::new().expect("cannot create the runtime");
    let mut lines = Vec::new();
    let short = runtime.block_on_timeout(sleep(unit), 4 * unit);
    lines.push(format!("a 1-unit sleep with a 4-unit deadline: {short:?}"));
    let mut task = None;
    let long = runtime.block_on_timeout(
        async {
            task = Some(spawn(sleep(6 * unit)));
            sleep(8 * unit).await
        },
        4 * unit,
    );
    lines.push(format!("an 8-unit sleep with a 4-unit deadline: {long:?}"));
    let task = runtime.block_on(task.expect("the main future was polled"));
    lines.push(format!(
        "the task it spawned, after the next block_on: {task:?}"
    ));
    let error = io::Error::from(long.unwrap_err());
    lines.push(format!("as an io::Error: {:?}, {error}", error.kind()));
    lines
}
// ANCHOR_END: demo

fn main() {
    for line in demo(UNIT) {
        println!("{line}");
    }
}

#[cfg(test)]
mod tests;
