//! What the thread's park token does and does not do, shown with the `block_on` of
//! `wake_trait`: an early unpark is kept, a foreign unpark costs a poll, and a foreign park
//! inside `poll` loses a wakeup.

use std::future::Future;
use std::pin::{Pin, pin};
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};
use std::time::{Duration, Instant};

/// The timeout of the parks in the token demos.
const PAUSE: Duration = Duration::from_millis(100);
/// How long `main` waits for a `block_on` that lost its wakeup.
const WAIT: Duration = Duration::from_millis(300);
/// How long the library inside `ParksInsidePoll::poll` is willing to wait.
const LIBRARY_WAIT: Duration = Duration::from_millis(10);
/// An upper bound on waits that end well before it when the code is right.
const LIMIT: Duration = Duration::from_secs(5);

/// Wakes a thread by unparking it (the waker of `wake_trait`).
struct ThreadWaker(Thread);

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}

/// Runs `future` to completion on the current thread, parking while it is `Pending`.
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

// ANCHOR: token
/// Another thread unparks this one and finishes; only then does this thread park.
/// Returns how long that park took.
fn unpark_then_park(timeout: Duration) -> Duration {
    let me = thread::current();
    thread::spawn(move || me.unpark()).join().unwrap();
    let start = Instant::now();
    thread::park_timeout(timeout);
    start.elapsed()
}

/// Two unparks, then two parks. Returns how long each park took.
fn two_unparks_two_parks(timeout: Duration) -> [Duration; 2] {
    let me = thread::current();
    me.unpark();
    me.unpark();
    [(); 2].map(|()| {
        let start = Instant::now();
        thread::park_timeout(timeout);
        start.elapsed()
    })
}
// ANCHOR_END: token

// ANCHOR: wait_for_flag
/// A flag that one thread sets and a future waits for.
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
// ANCHOR_END: wait_for_flag

// ANCHOR: foreign_unparks
/// Runs `WaitForFlag` under `block_on` while another thread, which holds this thread's
/// handle, unparks it `unparks` times before it sets the flag. Returns the number of polls.
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
            me.unpark(); // nothing is ready: a foreign unpark
            let _ = pending_rx.recv_timeout(LIMIT); // block_on polled again, for nothing
        }
        flag.set(); // the one real event: set the flag, wake the waker
    });
    let polls = block_on(future);
    other.join().unwrap();
    polls
}
// ANCHOR_END: foreign_unparks

// ANCHOR: parks_inside_poll
/// Pending on its first poll, ready on the next, with the number of polls. Its first poll
/// calls a "library" that waits with `thread::park`, as blocking code is free to do.
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
        // We can go on at once, so we wake our task: the park token of this thread is set.
        cx.waker().wake_by_ref();
        // Then a library waits in its own way on this same thread. Its park finds the
        // token we just left, returns at once, and the token is gone.
        thread::park_timeout(LIBRARY_WAIT);
        Poll::Pending
    }
}
// ANCHOR_END: parks_inside_poll

// ANCHOR: lost_wakeup
/// Runs `ParksInsidePoll` under `block_on` on a thread of its own. Returns its result if it
/// came within `wait`, and its result after one more unpark, sent by hand.
fn park_inside_poll(wait: Duration) -> (Option<usize>, Option<usize>) {
    let (tx, rx) = mpsc::channel();
    let runner = thread::spawn(move || {
        let _ = tx.send(block_on(ParksInsidePoll { polls: 0 }));
    });
    let in_time = rx.recv_timeout(wait).ok();
    // The rescue: without this unpark the runner would sleep forever.
    runner.thread().unpark();
    let after_rescue = in_time.or_else(|| rx.recv_timeout(LIMIT).ok());
    runner.join().unwrap();
    (in_time, after_rescue)
}
// ANCHOR_END: lost_wakeup

/// Says whether a park of `timeout` returned at once or waited.
fn describe(took: Duration, timeout: Duration) -> String {
    if took < timeout / 2 {
        "returned at once".to_string()
    } else {
        format!("waited for its {} ms timeout", timeout.as_millis())
    }
}

fn main() {
    let took = unpark_then_park(PAUSE);
    println!("unpark, then park:  park {}", describe(took, PAUSE));

    let [first, second] = two_unparks_two_parks(PAUSE);
    println!("two unparks, two parks:");
    println!("  first park  {}", describe(first, PAUSE));
    println!("  second park {}", describe(second, PAUSE));

    let polls = foreign_unparks(3);
    println!("3 foreign unparks and 1 wake: polled {polls} times");

    let (in_time, after_rescue) = park_inside_poll(WAIT);
    println!(
        "a park inside poll: result within {} ms: {in_time:?}",
        WAIT.as_millis()
    );
    println!("  after one unpark by hand: {after_rescue:?}");
}

#[cfg(test)]
mod tests;
