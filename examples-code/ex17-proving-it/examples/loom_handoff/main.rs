//! Exercise 17.1: a loom model of the handoff from a task to its `JoinHandle`. The task's
//! thread stores the output and wakes the handle; the handle takes the output, or stores its
//! waker and returns `Pending`. Three handoffs, one model: loom finds the lost wakeup in the
//! one that looks at the output before it stores the waker, under two locks.

use loom::sync::Mutex;
use loom::thread;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Wake, Waker};

// ANCHOR: handoff
/// The slot between a task and its `JoinHandle`: the task `send`s its output once, the
/// handle polls for it.
pub trait Handoff: Send + Sync + 'static {
    fn new() -> Self;
    /// The task's side: store the output, then wake the handle if it waits.
    fn send(&self, value: u32);
    /// The handle's side: the output if it is there; if not, keep the waker and say
    /// `Pending`.
    fn poll_take(&self, cx: &mut Context<'_>) -> Poll<u32>;
}

/// The output and the waker under one lock.
pub struct OneLock(Mutex<(Option<u32>, Option<Waker>)>);

impl Handoff for OneLock {
    fn new() -> Self {
        OneLock(Mutex::new((None, None)))
    }
    fn send(&self, value: u32) {
        let waker = {
            let mut slot = self.0.lock().unwrap();
            slot.0 = Some(value);
            slot.1.take()
        };
        // Woken outside the lock: the handle may poll at once, on another thread.
        if let Some(waker) = waker {
            waker.wake();
        }
    }
    fn poll_take(&self, cx: &mut Context<'_>) -> Poll<u32> {
        let mut slot = self.0.lock().unwrap();
        match slot.0.take() {
            Some(value) => Poll::Ready(value),
            None => {
                slot.1 = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}
// ANCHOR_END: handoff

// ANCHOR: two_locks
/// The output and the waker under a lock each; the handle looks at the output, then stores
/// its waker. Broken.
pub struct CheckThenRegister {
    value: Mutex<Option<u32>>,
    waker: Mutex<Option<Waker>>,
}

impl Handoff for CheckThenRegister {
    fn new() -> Self {
        CheckThenRegister {
            value: Mutex::new(None),
            waker: Mutex::new(None),
        }
    }
    fn send(&self, value: u32) {
        *self.value.lock().unwrap() = Some(value);
        let waker = self.waker.lock().unwrap().take();
        if let Some(waker) = waker {
            waker.wake();
        }
    }
    fn poll_take(&self, cx: &mut Context<'_>) -> Poll<u32> {
        if let Some(value) = self.value.lock().unwrap().take() {
            return Poll::Ready(value);
        }
        // The window: `send` can store the output and find no waker right here.
        *self.waker.lock().unwrap() = Some(cx.waker().clone());
        Poll::Pending
    }
}

/// The same two locks; the handle stores its waker first, then looks at the output.
pub struct RegisterThenCheck {
    value: Mutex<Option<u32>>,
    waker: Mutex<Option<Waker>>,
}

impl Handoff for RegisterThenCheck {
    fn new() -> Self {
        RegisterThenCheck {
            value: Mutex::new(None),
            waker: Mutex::new(None),
        }
    }
    fn send(&self, value: u32) {
        *self.value.lock().unwrap() = Some(value);
        let waker = self.waker.lock().unwrap().take();
        if let Some(waker) = waker {
            waker.wake();
        }
    }
    fn poll_take(&self, cx: &mut Context<'_>) -> Poll<u32> {
        *self.waker.lock().unwrap() = Some(cx.waker().clone());
        match self.value.lock().unwrap().take() {
            Some(value) => Poll::Ready(value),
            None => Poll::Pending,
        }
    }
}
// ANCHOR_END: two_locks

// ANCHOR: model
/// The handle's waker: it unparks the (loom) thread that waits.
struct Unpark(thread::Thread);

impl Wake for Unpark {
    fn wake(self: std::sync::Arc<Self>) {
        self.0.unpark();
    }
}

/// One interleaving: a task's thread sends 42 while the main thread awaits it, parking on
/// `Pending` until its waker is woken. If nobody will ever wake it, loom reports a deadlock.
fn handoff_model<H: Handoff>() {
    // Leaked, so that nothing of loom's is dropped while its report of a deadlock unwinds
    // (as in chapter 10's model of the broken queue).
    let handoff: &'static H = Box::leak(Box::new(H::new()));
    // Not joined: a join waits on loom's own notification, which a late `unpark` from a
    // waker would wrongly end. loom runs every thread to its end anyway.
    thread::spawn(move || handoff.send(42));
    let waker = Waker::from(std::sync::Arc::new(Unpark(thread::current())));
    let mut cx = Context::from_waker(&waker);
    let value = loop {
        match handoff.poll_take(&mut cx) {
            Poll::Ready(value) => break value,
            Poll::Pending => thread::park(),
        }
    };
    assert_eq!(value, 42);
}

/// What loom made of a handoff: how many interleavings it ran, and the failure it found.
#[derive(Debug)]
pub struct Verdict {
    pub interleavings: usize,
    pub failure: Option<String>,
}

/// Runs the model under loom, every interleaving, and catches the panic of a failed one.
pub fn check<H: Handoff>() -> Verdict {
    let runs = std::sync::Arc::new(AtomicUsize::new(0));
    let counted = std::sync::Arc::clone(&runs);
    let result = panic::catch_unwind(AssertUnwindSafe(|| {
        loom::model(move || {
            counted.fetch_add(1, Ordering::Relaxed);
            handoff_model::<H>();
        })
    }));
    let failure = result.err().map(|payload| {
        let text = payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "a panic".into());
        // "deadlock; threads = [...]": the word before the details is enough.
        text.split(';').next().unwrap_or_default().to_string()
    });
    Verdict {
        interleavings: runs.load(Ordering::Relaxed),
        failure,
    }
}
// ANCHOR_END: model

fn report(label: &str, verdict: &Verdict) {
    match &verdict.failure {
        None => println!(
            "{label:<21} passes, {} interleavings",
            verdict.interleavings
        ),
        Some(failure) => println!(
            "{label:<21} fails at interleaving {}: {failure}",
            verdict.interleavings
        ),
    }
}

// ANCHOR: demo
fn main() {
    println!("a task sends its output while its handle waits, every interleaving:");
    report("one lock:", &check::<OneLock>());
    report("register, then check:", &check::<RegisterThenCheck>());
    report("check, then register:", &check::<CheckThenRegister>());
}
// ANCHOR_END: demo

#[cfg(test)]
mod tests;
