//! Exercise 17.2: a stress test on real threads for the handoff of exercise 17.1. Each try
//! races a task's thread that sends against a handle that polls, then joins the task and asks
//! whether the handle, left `Pending`, was woken. The broken handoff loses a wake rarely on its
//! own, and on almost every other try once its window is widened by a pause.
// xtask: numbers-vary

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::thread;
use std::time::Duration;

/// Exercise 17.1's handoffs on `std`'s `Mutex`, with a pause (`window`) put between the two
/// halves of `poll_take`, where a bug has its window.
pub trait Handoff: Send + Sync + 'static {
    fn new(window: Duration) -> Self;
    fn send(&self, value: u32);
    fn poll_take(&self, cx: &mut Context<'_>) -> Poll<u32>;
}

/// Sleeps for `window`, if it is not zero.
fn pause(window: Duration) {
    if !window.is_zero() {
        thread::sleep(window);
    }
}

/// The output and the waker under a lock each, as in exercise 17.1.
pub struct TwoLocks {
    value: Mutex<Option<u32>>,
    waker: Mutex<Option<Waker>>,
    window: Duration,
}

impl TwoLocks {
    fn new(window: Duration) -> Self {
        TwoLocks {
            value: Mutex::new(None),
            waker: Mutex::new(None),
            window,
        }
    }
    fn send(&self, value: u32) {
        *self.value.lock().unwrap() = Some(value);
        let waker = self.waker.lock().unwrap().take();
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

/// Broken: looks at the output, then stores the waker.
pub struct CheckThenRegister(TwoLocks);

impl Handoff for CheckThenRegister {
    fn new(window: Duration) -> Self {
        CheckThenRegister(TwoLocks::new(window))
    }
    fn send(&self, value: u32) {
        self.0.send(value);
    }
    fn poll_take(&self, cx: &mut Context<'_>) -> Poll<u32> {
        if let Some(value) = self.0.value.lock().unwrap().take() {
            return Poll::Ready(value);
        }
        pause(self.0.window);
        *self.0.waker.lock().unwrap() = Some(cx.waker().clone());
        Poll::Pending
    }
}

/// Right: stores the waker, then looks at the output.
pub struct RegisterThenCheck(TwoLocks);

impl Handoff for RegisterThenCheck {
    fn new(window: Duration) -> Self {
        RegisterThenCheck(TwoLocks::new(window))
    }
    fn send(&self, value: u32) {
        self.0.send(value);
    }
    fn poll_take(&self, cx: &mut Context<'_>) -> Poll<u32> {
        *self.0.waker.lock().unwrap() = Some(cx.waker().clone());
        pause(self.0.window);
        match self.0.value.lock().unwrap().take() {
            Some(value) => Poll::Ready(value),
            None => Poll::Pending,
        }
    }
}

/// A starting line for two running threads: the sender says it is ready and spins until
/// the handle's thread says go, then both run at once (a `Barrier` would put one of them to
/// sleep, and the other would always be first).
#[derive(Default)]
struct Start {
    ready: AtomicBool,
    go: AtomicBool,
}

impl Start {
    fn ready_and_wait(&self) {
        self.ready.store(true, Ordering::SeqCst);
        while !self.go.load(Ordering::SeqCst) {
            std::hint::spin_loop();
        }
    }
    fn go_when_ready(&self) {
        while !self.ready.load(Ordering::SeqCst) {
            std::hint::spin_loop();
        }
        self.go.store(true, Ordering::SeqCst);
    }
}

// ANCHOR: flag
/// A waker that only records that it was woken.
struct Flag(AtomicBool);

impl Wake for Flag {
    fn wake(self: Arc<Self>) {
        self.0.store(true, Ordering::SeqCst);
    }
}
// ANCHOR_END: flag

// ANCHOR: stress
/// `tries` races of a sending thread against one poll of the handle. A try whose poll says
/// `Pending` must have been woken by the time the sender's thread has ended: if not, and the
/// output is in the slot, the wake was lost. Returns how many tries lost it.
pub fn lost_wakes<H: Handoff>(tries: usize, window: Duration) -> usize {
    let mut lost = 0;
    for _ in 0..tries {
        let handoff = Arc::new(H::new(window));
        let start = Arc::new(Start::default());
        let task = thread::spawn({
            let (handoff, start) = (Arc::clone(&handoff), Arc::clone(&start));
            move || {
                start.ready_and_wait();
                handoff.send(42);
            }
        });
        let flag = Arc::new(Flag(AtomicBool::new(false)));
        let waker = Waker::from(Arc::clone(&flag));
        let mut cx = Context::from_waker(&waker);
        start.go_when_ready();
        let first = handoff.poll_take(&mut cx);
        // Every wake the task will ever make has been made once its thread is joined.
        task.join().unwrap();
        if first.is_pending() && !flag.0.load(Ordering::SeqCst) {
            // Nobody will wake this handle. Was the output there all along?
            assert_eq!(handoff.poll_take(&mut cx), Poll::Ready(42));
            lost += 1;
        }
    }
    lost
}
// ANCHOR_END: stress

// ANCHOR: demo
fn main() {
    let tries = 10_000;
    println!("{tries} tries, no pause in the window:");
    let right = lost_wakes::<RegisterThenCheck>(tries, Duration::ZERO);
    println!("  register, then check: {right} lost wakes");
    let broken = lost_wakes::<CheckThenRegister>(tries, Duration::ZERO);
    println!("  check, then register: {broken} lost wakes");

    let (tries, window) = (200, Duration::from_millis(1));
    println!(
        "{tries} tries, a pause of {} ms in the window:",
        window.as_millis()
    );
    let right = lost_wakes::<RegisterThenCheck>(tries, window);
    println!("  register, then check: {right} lost wakes");
    let broken = lost_wakes::<CheckThenRegister>(tries, window);
    println!("  check, then register: {broken} lost wakes");
}
// ANCHOR_END: demo

#[cfg(test)]
mod tests;
