//! Exercise 2.1: the vtable waker of chapter 2 counts how often it is woken, and `block_on`
//! returns that count with the output.

use std::future::Future;
use std::mem::ManuallyDrop;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::task::{Context, Poll, RawWaker, RawWakerVTable, Waker};
use std::thread::{self, Thread};
use std::time::Duration;

// ANCHOR: signal
/// What the waker points at now: the thread to unpark, and how often it was woken.
struct Signal {
    thread: Thread,
    wakes: AtomicUsize,
}

impl Signal {
    fn wake(&self) {
        self.wakes.fetch_add(1, Ordering::Relaxed);
        self.thread.unpark();
    }
}

static VTABLE: RawWakerVTable = RawWakerVTable::new(clone_waker, wake, wake_by_ref, drop_waker);

/// Makes a `Waker` that counts and unparks. The waker owns the strong reference it is given.
fn signal_waker(signal: Arc<Signal>) -> Waker {
    let data = Arc::into_raw(signal).cast::<()>();
    // SAFETY: the vtable's functions below treat `data` as the `Arc<Signal>` pointer whose
    // strong reference this waker owns, each takes, borrows or copies exactly that reference,
    // and `Signal` (a `Thread` and an atomic) is `Send + Sync`.
    unsafe { Waker::from_raw(RawWaker::new(data, &VTABLE)) }
}

/// # Safety
///
/// `data` must be the pointer of a live waker made by `signal_waker` or `clone_waker`.
unsafe fn clone_waker(data: *const ()) -> RawWaker {
    // SAFETY: the waker being cloned owns a strong reference, so the count is at least 1.
    unsafe { Arc::increment_strong_count(data.cast::<Signal>()) };
    RawWaker::new(data, &VTABLE)
}

/// # Safety
///
/// As for `clone_waker`; the waker is consumed, so its reference is ours to take back.
unsafe fn wake(data: *const ()) {
    // SAFETY: one `from_raw` for the one strong reference the consumed waker owned.
    let signal = unsafe { Arc::from_raw(data.cast::<Signal>()) };
    signal.wake();
}

/// # Safety
///
/// As for `clone_waker`; the waker is only borrowed and keeps its reference.
unsafe fn wake_by_ref(data: *const ()) {
    // SAFETY: the waker we are called through owns a reference, so the `Signal` is alive;
    // `ManuallyDrop` keeps us from giving that reference back.
    let signal = ManuallyDrop::new(unsafe { Arc::from_raw(data.cast::<Signal>()) });
    signal.wake();
}

/// # Safety
///
/// As for `clone_waker`; the waker is gone, and its reference is given back once.
unsafe fn drop_waker(data: *const ()) {
    // SAFETY: the dropped waker owned exactly this one strong reference.
    drop(unsafe { Arc::from_raw(data.cast::<Signal>()) });
}
// ANCHOR_END: signal

// ANCHOR: block_on
/// Runs `future` to completion; returns its output and how often its waker was woken.
fn block_on<F: Future>(future: F) -> (F::Output, usize) {
    let mut future = pin!(future);
    let signal = Arc::new(Signal {
        thread: thread::current(),
        wakes: AtomicUsize::new(0),
    });
    let waker = signal_waker(Arc::clone(&signal));
    let mut cx = Context::from_waker(&waker);
    loop {
        match future.as_mut().poll(&mut cx) {
            Poll::Ready(output) => return (output, signal.wakes.load(Ordering::Relaxed)),
            Poll::Pending => thread::park(),
        }
    }
}
// ANCHOR_END: block_on

/// Chapter 1's `Countdown`: wakes its waker at once, `remaining` times, then is ready.
struct Countdown {
    remaining: u32,
}

impl Future for Countdown {
    type Output = &'static str;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if self.remaining == 0 {
            return Poll::Ready("liftoff");
        }
        self.remaining -= 1;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

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
                Poll::Pending
            }
            Some(done) if done.load(Ordering::Acquire) => Poll::Ready(42),
            Some(_) => Poll::Pending,
        }
    }
}

fn main() {
    let (value, wakes) = block_on(Countdown { remaining: 3 });
    println!("Countdown: {value:?}, woken {wakes} times");
    let delay = Delay {
        after: Duration::from_millis(50),
        done: None,
    };
    let (value, wakes) = block_on(delay);
    println!("Delay: {value}, woken {wakes} time");
}

#[cfg(test)]
mod tests;
