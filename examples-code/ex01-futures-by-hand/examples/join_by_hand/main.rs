//! Exercise 1.2: a `Join` of two `Countdown`s, written by hand: ready when both are.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

/// Chapter 1's leaf future: ready after `remaining + 1` polls. It also says who it is.
struct Countdown {
    name: &'static str,
    remaining: u32,
}

impl Future for Countdown {
    type Output = &'static str;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        println!("  poll {}", self.name);
        if self.remaining == 0 {
            return Poll::Ready(self.name);
        }
        self.remaining -= 1;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

// ANCHOR: join
/// Polls two futures in turn and is ready with both outputs once both are ready.
///
/// A future must not be polled again after it returned `Ready`, so each output is kept
/// the moment it arrives, and that future is never polled again.
struct Join<A: Future, B: Future> {
    a: A,
    b: B,
    a_out: Option<A::Output>,
    b_out: Option<B::Output>,
}

impl<A, B> Future for Join<A, B>
where
    A: Future + Unpin,
    B: Future + Unpin,
    A::Output: Unpin,
    B::Output: Unpin,
{
    type Output = (A::Output, B::Output);

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        if this.a_out.is_none() {
            if let Poll::Ready(out) = Pin::new(&mut this.a).poll(cx) {
                this.a_out = Some(out);
            }
        }
        if this.b_out.is_none() {
            if let Poll::Ready(out) = Pin::new(&mut this.b).poll(cx) {
                this.b_out = Some(out);
            }
        }
        if this.a_out.is_some() && this.b_out.is_some() {
            Poll::Ready((this.a_out.take().unwrap(), this.b_out.take().unwrap()))
        } else {
            // Whichever is still pending has woken (or will wake) the waker it was given.
            Poll::Pending
        }
    }
}
// ANCHOR_END: join

fn join<A: Future, B: Future>(a: A, b: B) -> Join<A, B> {
    Join {
        a,
        b,
        a_out: None,
        b_out: None,
    }
}

/// Polls `future` until it is ready and returns the output and the number of polls.
fn run<F: Future + Unpin>(mut future: F) -> (F::Output, u32) {
    let mut cx = Context::from_waker(Waker::noop());
    let mut polls = 0;
    loop {
        polls += 1;
        println!("join poll {polls}");
        if let Poll::Ready(output) = Pin::new(&mut future).poll(&mut cx) {
            return (output, polls);
        }
    }
}

fn main() {
    let both = join(
        Countdown {
            name: "short",
            remaining: 1,
        },
        Countdown {
            name: "long",
            remaining: 3,
        },
    );
    let (outputs, polls) = run(both);
    println!("{outputs:?} after {polls} polls of the join");
}

#[cfg(test)]
mod tests;
