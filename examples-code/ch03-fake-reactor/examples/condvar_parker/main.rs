//! A `Parker` that owns its signal (`Mutex<bool>` + `Condvar`), a waker over it, and a
//! `block_on` that sleeps on it: other code's `park` and `unpark` can no longer touch it.

use std::future::Future;
use std::pin::{Pin, pin};
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Condvar, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::thread;
use std::time::Duration;

/// The time between two foreign unparks in the demo.
const STEP: Duration = Duration::from_millis(10);
/// How long the library inside `ParksInsidePoll::poll` is willing to wait.
const LIBRARY_WAIT: Duration = Duration::from_millis(10);
/// An upper bound on waits that end well before it when the code is right.
const LIMIT: Duration = Duration::from_secs(5);

// ANCHOR: parker
/// A wake-up signal for one sleeping thread. No other code can reach it, so no other
/// code can set it (a foreign unpark) or consume it (a foreign park).
#[derive(Default)]
struct Parker {
    /// Set by `unpark`, cleared by the `park` that sees it.
    notified: Mutex<bool>,
    /// Where `park` sleeps until `unpark` notifies it.
    condvar: Condvar,
}

impl Parker {
    /// Sleeps until `unpark` has been called since the last `park` returned, then clears
    /// the signal. Returns at once if it was already set.
    fn park(&self) {
        let mut notified = self.notified.lock().unwrap();
        // A loop, not an `if`: `Condvar::wait` may return when nobody notified.
        while !*notified {
            notified = self.condvar.wait(notified).unwrap();
        }
        *notified = false;
    }

    /// Sets the signal and wakes the sleeping `park`, if there is one.
    fn unpark(&self) {
        *self.notified.lock().unwrap() = true;
        self.condvar.notify_one();
    }
}

impl Wake for Parker {
    fn wake(self: Arc<Self>) {
        self.unpark();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.unpark();
    }
}
// ANCHOR_END: parker

// ANCHOR: block_on
/// Runs `future` to completion on the current thread, sleeping on a `Parker` of its own
/// while it is `Pending`.
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let parker = Arc::new(Parker::default());
    let waker = Waker::from(Arc::clone(&parker));
    let mut cx = Context::from_waker(&waker);
    loop {
        match future.as_mut().poll(&mut cx) {
            Poll::Ready(output) => return output,
            Poll::Pending => parker.park(),
        }
    }
}
// ANCHOR_END: block_on

/// A flag that one thread sets and a future waits for (as in `park_pitfalls`).
#[derive(Default)]
struct Flag(Mutex<FlagState>);

#[derive(Default)]
struct FlagState {
    set: bool,
    /// The waker of the latest poll that found the flag unset.
    waker: Option<Waker>,
}

impl Flag {
    /// Sets the flag and wakes the future waiting for it, if any.
    fn set(&self) {
        let waker = {
            let mut state = self.0.lock().unwrap();
            state.set = true;
            state.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

/// Ready once the flag is set, with the number of times it was polled.
/// It reports each `Pending` on `pending`, so that a test can follow along.
struct WaitForFlag {
    flag: Arc<Flag>,
    polls: usize,
    pending: Sender<usize>,
}

impl Future for WaitForFlag {
    type Output = usize;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<usize> {
        self.polls += 1;
        let mut state = self.flag.0.lock().unwrap();
        if state.set {
            return Poll::Ready(self.polls);
        }
        state.waker = Some(cx.waker().clone());
        drop(state);
        let _ = self.pending.send(self.polls);
        Poll::Pending
    }
}

/// Pending on its first poll, ready on the next, with the number of polls. Its first poll
/// wakes its task, then calls a "library" that waits with `thread::park` (as in
/// `park_pitfalls`).
struct ParksInsidePoll {
    polls: usize,
}

impl Future for ParksInsidePoll {
    type Output = usize;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<usize> {
        self.polls += 1;
        if self.polls > 1 {
            return Poll::Ready(self.polls);
        }
        cx.waker().wake_by_ref();
        thread::park_timeout(LIBRARY_WAIT);
        Poll::Pending
    }
}

/// Runs `WaitForFlag` under `block_on` while another thread unparks this thread `unparks`
/// times before it sets the flag. Returns the number of polls.
fn foreign_unparks(unparks: usize) -> usize {
    let flag = Arc::new(Flag::default());
    let (pending_tx, pending_rx) = mpsc::channel();
    let future = WaitForFlag {
        flag: Arc::clone(&flag),
        polls: 0,
        pending: pending_tx,
    };
    let me = thread::current();
    let other = thread::spawn(move || {
        let _ = pending_rx.recv_timeout(LIMIT); // poll 1 returned Pending
        for _ in 0..unparks {
            me.unpark(); // sets the thread's token, which block_on no longer reads
            thread::sleep(STEP);
        }
        flag.set();
    });
    let polls = block_on(future);
    other.join().unwrap();
    polls
}

fn main() {
    let polls = foreign_unparks(3);
    println!("3 foreign unparks and 1 wake: polled {polls} times");

    let polls = block_on(ParksInsidePoll { polls: 0 });
    println!("a park inside poll: Ready after {polls} polls");
}

#[cfg(test)]
mod tests;
