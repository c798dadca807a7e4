//! The thread waker again, through `std::task::Wake`: the standard library writes the
//! vtable, and there is no `unsafe` left.

use std::future::Future;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};
use std::time::Duration;

/// How long the demo's timer thread sleeps before it wakes `block_on`.
const DELAY: Duration = Duration::from_millis(100);

// ANCHOR: thread_waker
/// Wakes a thread by unparking it.
struct ThreadWaker(Thread);

impl Wake for ThreadWaker {
    // Consumes one `Arc`: the strong count goes down when `self` is dropped at the end.
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }

    // Borrows the `Arc`: the count is not touched. Without this method, `Wake` would
    // clone the `Arc` and call `wake` on the clone (two atomic operations for nothing).
    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}
// ANCHOR_END: thread_waker

// ANCHOR: block_on
/// Runs `future` to completion on the current thread, sleeping while it is `Pending`.
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let waker = Waker::from(Arc::new(ThreadWaker(thread::current())));
    let mut cx = Context::from_waker(&waker);
    loop {
        match future.as_mut().poll(&mut cx) {
            Poll::Ready(output) => return output,
            Poll::Pending => thread::park(),
        }
    }
}
// ANCHOR_END: block_on

/// A future that is ready `after` some time, measured by a thread of its own.
///
/// On its first poll it starts a timer thread that sleeps, sets `done`, then wakes the
/// waker of that poll. It keeps no later waker: enough under a `block_on` that always
/// passes the same one. A future polled with changing wakers must keep the latest, as
/// `WaitForFlag` in `park_pitfalls` does.
struct Delay {
    after: Duration,
    value: u32,
    polls: u32,
    done: Option<Arc<AtomicBool>>,
}

impl Delay {
    fn new(after: Duration, value: u32) -> Self {
        Delay {
            after,
            value,
            polls: 0,
            done: None,
        }
    }
}

impl Future for Delay {
    type Output = u32;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u32> {
        self.polls += 1;
        let polls = self.polls;
        match &self.done {
            None => {
                let done = Arc::new(AtomicBool::new(false));
                let (flag, waker, after) = (Arc::clone(&done), cx.waker().clone(), self.after);
                // Printed before the thread starts: on a loaded machine its line could come first.
                println!("poll {polls}: Pending, a timer thread will wake us");
                thread::spawn(move || {
                    thread::sleep(after);
                    flag.store(true, Ordering::Release);
                    println!("  timer thread: done, calling wake()");
                    waker.wake();
                });
                self.done = Some(done);
                Poll::Pending
            }
            Some(done) if done.load(Ordering::Acquire) => {
                println!("poll {polls}: Ready({})", self.value);
                Poll::Ready(self.value)
            }
            Some(_) => {
                println!("poll {polls}: Pending, woken but not done");
                Poll::Pending
            }
        }
    }
}

fn main() {
    let value = block_on(Delay::new(DELAY, 42));
    println!("block_on returned {value}");
}

#[cfg(test)]
mod tests;
