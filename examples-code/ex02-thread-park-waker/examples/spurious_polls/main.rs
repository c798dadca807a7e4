//! Exercise 2.2: `block_on` counts the polls that no wake asked for. `thread::park` may
//! return without an `unpark` of ours: a spurious wakeup, or an `unpark` from other code.

use std::future::Future;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};
use std::time::Duration;

// ANCHOR: signal
/// The waker: sets `woken`, then unparks. `block_on` reads (and clears) `woken` to learn
/// whether a wake, and not something else, ended its `park`.
struct Signal {
    thread: Thread,
    woken: AtomicBool,
}

impl Wake for Signal {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        // Release: whoever sees `woken` also sees what the waker's caller did before.
        self.woken.store(true, Ordering::Release);
        self.thread.unpark();
    }
}
// ANCHOR_END: signal

/// What one `block_on` did: its output, how many polls, how many of them spurious.
#[derive(Debug, PartialEq)]
struct Report<T> {
    output: T,
    polls: u32,
    spurious: u32,
}

// ANCHOR: block_on
/// Runs `future` to completion and reports how many polls followed a `park` that returned
/// without a wake.
fn block_on<F: Future>(future: F) -> Report<F::Output> {
    let mut future = pin!(future);
    let signal = Arc::new(Signal {
        thread: thread::current(),
        woken: AtomicBool::new(false),
    });
    let waker = Waker::from(Arc::clone(&signal));
    let mut cx = Context::from_waker(&waker);
    let (mut polls, mut spurious) = (0, 0);
    let mut asked = true; // The first poll needs no wake.
    loop {
        polls += 1;
        if !asked {
            spurious += 1;
        }
        // Cleared before the poll: a wake that comes during it counts for the next poll.
        signal.woken.store(false, Ordering::Relaxed);
        match future.as_mut().poll(&mut cx) {
            Poll::Ready(output) => {
                return Report {
                    output,
                    polls,
                    spurious,
                };
            }
            Poll::Pending => {
                thread::park();
                asked = signal.woken.load(Ordering::Acquire);
            }
        }
    }
}
// ANCHOR_END: block_on

/// Ready after `after`; a thread of its own wakes the waker of the first poll, once.
struct Delay {
    after: Duration,
    /// Set by the timer thread before it wakes: the future is done once it is `true`.
    done: Option<Arc<AtomicBool>>,
}

impl Future for Delay {
    type Output = u32;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u32> {
        match &self.done {
            None => {
                let done = Arc::new(AtomicBool::new(false));
                let (flag, waker, after) = (Arc::clone(&done), cx.waker().clone(), self.after);
                thread::spawn(move || {
                    thread::sleep(after);
                    flag.store(true, Ordering::Release);
                    waker.wake();
                });
                self.done = Some(done);
                println!("poll: Pending, the timer is started");
                Poll::Pending
            }
            Some(done) if done.load(Ordering::Acquire) => {
                println!("poll: Ready");
                Poll::Ready(42)
            }
            Some(_) => {
                println!("poll: Pending, still waiting");
                Poll::Pending
            }
        }
    }
}

// ANCHOR: main
fn main() {
    // Some other code unparks our thread while the 200 ms timer is running.
    let main_thread = thread::current();
    let stranger = thread::spawn(move || {
        thread::sleep(Duration::from_millis(50));
        main_thread.unpark();
    });
    let report = block_on(Delay {
        after: Duration::from_millis(200),
        done: None,
    });
    stranger.join().unwrap();
    println!(
        "got {} after {} polls, {} of them spurious",
        report.output, report.polls, report.spurious
    );
}
// ANCHOR_END: main

#[cfg(test)]
mod tests;
