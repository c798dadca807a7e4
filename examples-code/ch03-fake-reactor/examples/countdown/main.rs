//! A leaf future written by hand, and a loop that polls it.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

// ANCHOR: countdown
/// A future that is ready after it has been polled `remaining + 1` times.
///
/// It stands in for real I/O: "not yet" a few times, then a value.
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
        // We are not ready, and nobody else will tell the executor to try again:
        // so we say it ourselves, right now, through the waker we were given.
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}
// ANCHOR_END: countdown

// ANCHOR: main
fn main() {
    let mut future = Countdown { remaining: 3 };
    // A waker that does nothing when woken: enough for a loop that polls anyway.
    let mut cx = Context::from_waker(Waker::noop());

    let mut polls = 0;
    let value = loop {
        polls += 1;
        // `Countdown` is `Unpin`, so `Pin::new` can pin a plain `&mut` to it.
        match Pin::new(&mut future).poll(&mut cx) {
            Poll::Pending => println!("poll {polls}: Pending"),
            Poll::Ready(value) => break value,
        }
    };
    println!("poll {polls}: Ready({value:?})");
}
// ANCHOR_END: main

#[cfg(test)]
mod tests;
