//! Tasks woken by plain `std` threads: each task hands its waker to a thread that sleeps and
//! then calls `wake`. The wake puts the task in the runtime's injector and, if every worker
//! sleeps, wakes one: a write to the driver's eventfd, which ends its `epoll_wait`, or a
//! futex wake of a worker asleep on its condvar.

use ch15_many_threads_fast::{Runtime, spawn};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::thread;
use std::time::Duration;

/// The demo's time unit.
const UNIT: Duration = Duration::from_millis(100);

// ANCHOR: sleep
/// A future that is ready after `duration`: on its first poll, a std thread gets a clone of
/// the waker, sleeps, sets `done` and wakes the task (chapter 2's `Delay`).
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
                waker.wake(); // the injector, and the unpark of a sleeping worker
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
// ANCHOR_END: sleep

// ANCHOR: demo
/// Three tasks that sleep 3, 1 and 2 units on threads of their own; returns the order in
/// which they finished.
fn demo(unit: Duration) -> Vec<String> {
    let runtime = Runtime::new().expect("cannot create the runtime");
    let finished = Arc::new(Mutex::new(Vec::new()));
    runtime.block_on(async {
        let handles: Vec<_> = [("a", 3), ("b", 1), ("c", 2)]
            .into_iter()
            .map(|(name, units)| {
                let finished = Arc::clone(&finished);
                spawn(async move {
                    sleep(unit * units).await;
                    let line = format!("task {name} woken by its thread after {units} units");
                    finished.lock().unwrap().push(line);
                })
            })
            .collect();
        for handle in handles {
            handle.await.unwrap();
        }
    });
    Arc::into_inner(finished).unwrap().into_inner().unwrap()
}
// ANCHOR_END: demo

fn main() {
    for line in demo(UNIT) {
        println!("{line}");
    }
}

#[cfg(test)]
mod tests;
