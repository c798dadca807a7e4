#![forbid(unsafe_code)]
//! An `async fn` that awaits two leaf futures, and the state machine the compiler
//! conceptually turns it into, written by hand. Both are driven by the same poll loop.

use std::cell::RefCell;
use std::future::Future;
use std::pin::{Pin, pin};
use std::task::{Context, Poll, Waker};

/// The leaf future of `examples/countdown`: `Pending` `remaining` times, then ready.
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

/// The lines a run prints, kept so that two runs can be compared.
#[derive(Default)]
struct Trace(RefCell<Vec<String>>);

impl Trace {
    fn line(&self, line: impl Into<String>) {
        self.0.borrow_mut().push(line.into());
    }
}

// ANCHOR: async_fn
async fn two_countdowns(trace: &Trace) -> String {
    trace.line("  start");
    let first = Countdown { remaining: 2 }.await;
    trace.line(format!("  first countdown: {first}"));
    let second = Countdown { remaining: 1 }.await;
    trace.line(format!("  second countdown: {second}"));
    format!("{first}, then {second}")
}
// ANCHOR_END: async_fn

// ANCHOR: states
/// What `two_countdowns` becomes: one variant per place the body can be
/// suspended, each holding exactly what the rest of the body still needs.
enum TwoCountdowns<'a> {
    /// Created, not yet polled: only the arguments.
    Start { trace: &'a Trace },
    /// Suspended at the first `.await`: the future being awaited.
    WaitingFirst {
        trace: &'a Trace,
        countdown: Countdown,
    },
    /// Suspended at the second `.await`: `first` is still needed afterwards.
    WaitingSecond {
        trace: &'a Trace,
        first: &'static str,
        countdown: Countdown,
    },
    /// Returned its output; must not be polled again.
    Done,
}

/// The `async fn` is a plain fn that returns the machine in its first state.
/// None of the body runs until the first poll.
fn two_countdowns_by_hand(trace: &Trace) -> TwoCountdowns<'_> {
    TwoCountdowns::Start { trace }
}
// ANCHOR_END: states

// ANCHOR: poll_states
impl Future for TwoCountdowns<'_> {
    type Output = String;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<String> {
        // Every field is `Unpin` (no field points into the machine itself),
        // so the whole enum is `Unpin` and we may take a plain `&mut`.
        let this = self.get_mut();
        loop {
            match this {
                TwoCountdowns::Start { trace } => {
                    let trace = *trace;
                    trace.line("  start");
                    let countdown = Countdown { remaining: 2 };
                    *this = TwoCountdowns::WaitingFirst { trace, countdown };
                }
                TwoCountdowns::WaitingFirst { trace, countdown } => {
                    // `.await` is this: poll the inner future, and if it is not
                    // ready, return `Pending` from the outer one too.
                    let Poll::Ready(first) = Pin::new(countdown).poll(cx) else {
                        return Poll::Pending;
                    };
                    let trace = *trace;
                    trace.line(format!("  first countdown: {first}"));
                    let countdown = Countdown { remaining: 1 };
                    *this = TwoCountdowns::WaitingSecond {
                        trace,
                        first,
                        countdown,
                    };
                }
                TwoCountdowns::WaitingSecond {
                    trace,
                    first,
                    countdown,
                } => {
                    let Poll::Ready(second) = Pin::new(countdown).poll(cx) else {
                        return Poll::Pending;
                    };
                    trace.line(format!("  second countdown: {second}"));
                    let output = format!("{first}, then {second}");
                    *this = TwoCountdowns::Done;
                    return Poll::Ready(output);
                }
                TwoCountdowns::Done => panic!("`TwoCountdowns` polled after completion"),
            }
        }
    }
}
// ANCHOR_END: poll_states

// ANCHOR: run
/// Polls `future` until it is ready, writing each result into `trace`.
fn run<F: Future>(future: F, trace: &Trace) -> F::Output
where
    F::Output: std::fmt::Debug,
{
    // The `async fn`'s future must be pinned before it is polled; the
    // "Why `Pin`" section explains. `pin!` does it without a heap allocation.
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    let mut polls = 0;
    loop {
        polls += 1;
        trace.line(format!("poll {polls}"));
        match future.as_mut().poll(&mut cx) {
            Poll::Pending => trace.line("  -> Pending"),
            Poll::Ready(output) => {
                trace.line(format!("  -> Ready({output:?})"));
                return output;
            }
        }
    }
}
// ANCHOR_END: run

// ANCHOR: main
fn main() {
    let by_compiler = Trace::default();
    run(two_countdowns(&by_compiler), &by_compiler);

    let by_hand = Trace::default();
    run(two_countdowns_by_hand(&by_hand), &by_hand);

    let by_compiler = by_compiler.0.into_inner();
    let by_hand = by_hand.0.into_inner();
    for line in &by_compiler {
        println!("{line}");
    }
    println!("same trace by hand: {}", by_compiler == by_hand);

    let trace = Trace::default();
    println!(
        "size of the async fn's future: {} bytes",
        size_of_val(&two_countdowns(&trace))
    );
    println!(
        "size of the hand-written enum: {} bytes",
        size_of::<TwoCountdowns>()
    );
}
// ANCHOR_END: main

#[cfg(test)]
mod tests;
