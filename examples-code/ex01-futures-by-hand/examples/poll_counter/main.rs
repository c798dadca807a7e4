//! Exercise 1.1: a future that wraps another one and counts how often it is polled.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

/// Chapter 1's leaf future: ready after `remaining + 1` polls.
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

// ANCHOR: counted
/// Wraps a future and counts its polls. Ready with the inner output and the count.
struct Counted<F> {
    inner: F,
    polls: u32,
}

impl<F: Future + Unpin> Future for Counted<F> {
    type Output = (F::Output, u32);

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // `F: Unpin` makes `Counted<F>` `Unpin` too, so `get_mut` is allowed: nothing here
        // relies on staying at one address.
        let this = self.as_mut().get_mut();
        this.polls += 1;
        match Pin::new(&mut this.inner).poll(cx) {
            Poll::Ready(output) => Poll::Ready((output, this.polls)),
            Poll::Pending => Poll::Pending,
        }
    }
}
// ANCHOR_END: counted

/// Polls `future` until it is ready, as chapter 1's loop does.
fn run<F: Future + Unpin>(mut future: F) -> F::Output {
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(output) = Pin::new(&mut future).poll(&mut cx) {
            return output;
        }
    }
}

fn main() {
    for remaining in [0, 3] {
        let counted = Counted {
            inner: Countdown { remaining },
            polls: 0,
        };
        let (value, polls) = run(counted);
        println!("Countdown {{ remaining: {remaining} }}: {value:?} after {polls} poll(s)");
    }
}

#[cfg(test)]
mod tests;
