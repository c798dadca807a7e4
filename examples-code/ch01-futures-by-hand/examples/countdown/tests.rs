use super::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::Wake;

/// A waker that counts how often it was woken.
struct CountingWaker(AtomicUsize);

impl Wake for CountingWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn is_pending_remaining_times_then_ready() {
    let mut future = Countdown { remaining: 3 };
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..3 {
        assert_eq!(Pin::new(&mut future).poll(&mut cx), Poll::Pending);
    }
    assert_eq!(Pin::new(&mut future).poll(&mut cx), Poll::Ready("liftoff"));
}

#[test]
fn wakes_its_waker_every_time_it_returns_pending() {
    let counter = Arc::new(CountingWaker(AtomicUsize::new(0)));
    let waker = Waker::from(counter.clone());
    let mut cx = Context::from_waker(&waker);
    let mut future = Countdown { remaining: 2 };

    assert!(Pin::new(&mut future).poll(&mut cx).is_pending());
    assert_eq!(counter.0.load(Ordering::SeqCst), 1);
    assert!(Pin::new(&mut future).poll(&mut cx).is_pending());
    assert_eq!(counter.0.load(Ordering::SeqCst), 2);
    // Ready does not wake: there is nothing left to wait for.
    assert!(Pin::new(&mut future).poll(&mut cx).is_ready());
    assert_eq!(counter.0.load(Ordering::SeqCst), 2);
}

#[test]
fn main_runs() {
    main();
}

/// `Countdown` without the wake: it says `Pending` but arranges nothing.
struct Forgetful {
    remaining: u32,
}

impl Future for Forgetful {
    type Output = &'static str;

    fn poll(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Self::Output> {
        if self.remaining == 0 {
            return Poll::Ready("liftoff");
        }
        self.remaining -= 1;
        Poll::Pending
    }
}

/// Polls again only if the previous poll woke the waker, as a real executor
/// does. Returns how many polls it made and the output, or `None` if the
/// future stalled: nobody will ever wake it, so a real executor would wait forever.
fn poll_only_when_woken<F: Future + Unpin>(mut future: F) -> (u32, Option<F::Output>) {
    let counter = Arc::new(CountingWaker(AtomicUsize::new(0)));
    let waker = Waker::from(counter.clone());
    let mut cx = Context::from_waker(&waker);
    let mut polls = 0;
    loop {
        let wakes_before = counter.0.load(Ordering::SeqCst);
        polls += 1;
        match Pin::new(&mut future).poll(&mut cx) {
            Poll::Ready(output) => return (polls, Some(output)),
            Poll::Pending if counter.0.load(Ordering::SeqCst) > wakes_before => {}
            Poll::Pending => return (polls, None),
        }
    }
}

#[test]
fn executor_that_waits_for_wakes_finishes_countdown() {
    assert_eq!(
        poll_only_when_woken(Countdown { remaining: 3 }),
        (4, Some("liftoff"))
    );
}

#[test]
fn future_that_does_not_wake_is_never_polled_again() {
    assert_eq!(poll_only_when_woken(Forgetful { remaining: 3 }), (1, None));
}
