//! Exercise 14.2: a budget per task, in user space, as tokio's coop. A task whose every
//! operation is ready at once never returns `Pending`, and on a single-threaded runtime no other
//! task runs until it is done. `budgeted` gives each poll of a task 128 operations to spend;
//! `Budgeted` wraps a reader or a stream so that each read or item spends one, and once none
//! is left, wakes its own task and returns `Pending`.

use ch14_making_it_fast::{Runtime, spawn, yield_now};
use futures::io::{AsyncRead, AsyncReadExt};
use futures::stream::Stream;
use std::cell::Cell;
use std::future::{Future, poll_fn};
use std::io;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::task::{Context, Poll, ready};

// ANCHOR: budget
/// How many operations one poll of a budgeted task may complete: tokio's figure.
pub const BUDGET: u32 = 128;

thread_local! {
    /// What is left of the budget of the poll that runs on this thread; `None` outside
    /// `budgeted`, where nothing is limited.
    static LEFT: Cell<Option<u32>> = const { Cell::new(None) };
}

/// Runs `future` with a budget: each of its polls may complete `BUDGET` operations of
/// `Budgeted` sources, and no more.
pub async fn budgeted<F: Future>(future: F) -> F::Output {
    /// Puts back the budget of the poll around ours (usually none), even if ours panics.
    struct Restore(Option<u32>);
    impl Drop for Restore {
        fn drop(&mut self) {
            LEFT.set(self.0);
        }
    }

    let mut future = pin!(future);
    poll_fn(|cx| {
        let _restore = Restore(LEFT.replace(Some(BUDGET)));
        future.as_mut().poll(cx)
    })
    .await
}

/// Spends one unit of the budget of the poll that runs. With none left, wakes the task, so
/// that it runs again after the tasks already queued, and returns `Pending`. Outside
/// `budgeted`, always `Ready`.
pub fn poll_proceed(cx: &mut Context<'_>) -> Poll<()> {
    match LEFT.get() {
        None => Poll::Ready(()),
        Some(0) => {
            cx.waker().wake_by_ref();
            Poll::Pending
        }
        Some(left) => {
            LEFT.set(Some(left - 1));
            Poll::Ready(())
        }
    }
}

/// Gives back the unit of an operation that did not complete: as in tokio, only progress
/// spends the budget.
fn refund() {
    if let Some(left) = LEFT.get() {
        LEFT.set(Some(left + 1));
    }
}
// ANCHOR_END: budget

// ANCHOR: adapter
/// A reader or a stream whose every read or item spends one unit of the budget.
pub struct Budgeted<S> {
    inner: S,
}

impl<S> Budgeted<S> {
    pub fn new(inner: S) -> Budgeted<S> {
        Budgeted { inner }
    }
}

impl<S: Stream + Unpin> Stream for Budgeted<S> {
    type Item = S::Item;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<S::Item>> {
        ready!(poll_proceed(cx));
        let poll = Pin::new(&mut self.inner).poll_next(cx);
        if poll.is_pending() {
            refund();
        }
        poll
    }
}

impl<R: AsyncRead + Unpin> AsyncRead for Budgeted<R> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        ready!(poll_proceed(cx));
        let poll = Pin::new(&mut self.inner).poll_read(cx, buf);
        if poll.is_pending() {
            refund();
        }
        poll
    }
}
// ANCHOR_END: adapter

// ANCHOR: turns
/// Task A does `work`, inside `budgeted` if `budget` is set; task B, spawned after it,
/// counts its turns and yields after each, until A is done. Returns how many turns B had
/// had when A finished, on chapter 14's runtime.
pub fn turns_of_the_other_task<F>(work: F, budget: bool) -> usize
where
    F: Future<Output = ()> + Send + 'static,
{
    let runtime = Runtime::new().expect("building the runtime");
    runtime.block_on(async move {
        let turns = Arc::new(AtomicUsize::new(0));
        let done = Arc::new(AtomicBool::new(false));
        let (seen, finished) = (Arc::clone(&turns), Arc::clone(&done));
        let a = async move {
            work.await;
            finished.store(true, Ordering::Relaxed);
            seen.load(Ordering::Relaxed)
        };
        let a = if budget { spawn(budgeted(a)) } else { spawn(a) };
        let b = spawn(async move {
            while !done.load(Ordering::Relaxed) {
                turns.fetch_add(1, Ordering::Relaxed);
                yield_now().await;
            }
        });
        let turns_when_a_finished = a.await.expect("task A gave no output");
        b.await.expect("task B gave no output");
        turns_when_a_finished
    })
}

/// The loop of chapter 14: read, and read again, from a reader whose data is always there.
pub async fn read_all<R: AsyncRead + Unpin>(mut reader: R, reads: usize) {
    let mut buf = [0; 64];
    for _ in 0..reads {
        let n = reader.read(&mut buf).await.expect("the read failed");
        assert_eq!(n, buf.len());
    }
}
// ANCHOR_END: turns

const READS: usize = 100_000;

// ANCHOR: demo
fn main() {
    // `futures::io::repeat` is a reader that is always ready, like a socket that always has
    // data, but with no timing in it: what follows is the same on every run.
    let always_ready = || futures::io::repeat(7);
    println!("task A reads {READS} times from a reader that is always ready,");
    println!("task B counts its turns: how many had it had when A finished?");
    let cases = [
        ("no budget", false, false),
        ("Budgeted reader, outside budgeted", false, true),
        ("budgeted task, plain reader", true, false),
        ("budgeted task, Budgeted reader", true, true),
    ];
    for (label, budget, adapter) in cases {
        let turns = if adapter {
            let reader = Budgeted::new(always_ready());
            turns_of_the_other_task(read_all(reader, READS), budget)
        } else {
            turns_of_the_other_task(read_all(always_ready(), READS), budget)
        };
        println!("{label:<34} {turns:>4} turns");
    }
}
// ANCHOR_END: demo

#[cfg(test)]
mod tests;
