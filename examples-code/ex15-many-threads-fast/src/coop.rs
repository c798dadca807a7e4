//! The budget of a task's poll, tokio's `coop`: each poll of a task may complete 128
//! operations on the runtime's resources (a read, a write, an accept, a sleep that is over, a
//! `JoinHandle` that is ready); the next one says `Pending` and wakes its own task, which goes
//! to the back of its worker's queue. So a task whose every operation is ready at once (a
//! socket that always has data) still returns `Pending` now and then, and the tasks behind it
//! (and the look at the driver) get their turn.

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

// ANCHOR: budget
/// Operations per poll: tokio's number (`Budget::initial` in its `task/coop/mod.rs`).
pub const BUDGET: u8 = 128;

thread_local! {
    /// What is left of the budget of the poll running on this thread; `None` outside a
    /// task's poll (`block_on`'s main future, a plain thread): no limit there.
    static LEFT: Cell<Option<u8>> = const { Cell::new(None) };
}

/// Runs `f` (a task's poll) with a fresh budget, and puts back what was there after.
pub(crate) fn with_budget<R>(f: impl FnOnce() -> R) -> R {
    with(Some(BUDGET), f)
}

/// Runs `f` (a poll of the task in the LIFO slot) with what the previous poll left, less one:
/// a chain of tasks that wake each other shares one budget (tokio's PR #5686).
pub(crate) fn with_rest_of_budget<R>(f: impl FnOnce() -> R) -> R {
    let left = LAST.with(Cell::get).map(|left| left.saturating_sub(1));
    with(left, f)
}

fn with<R>(budget: Option<u8>, f: impl FnOnce() -> R) -> R {
    /// Puts the old budget back, even when `f` unwinds.
    struct Restore(Option<u8>);
    impl Drop for Restore {
        fn drop(&mut self) {
            LEFT.with(|left| left.set(self.0));
        }
    }
    let old = LEFT.with(|left| left.replace(budget));
    let _restore = Restore(old);
    let result = f();
    // What this poll left is what a LIFO successor gets: keep it visible until `Restore`.
    LAST.with(|last| last.set(LEFT.with(Cell::get)));
    result
}

thread_local! {
    /// What the last poll left of its budget (for `has_budget_left`, after it returned).
    static LAST: Cell<Option<u8>> = const { Cell::new(None) };
}

/// Whether the poll that just ended left some of its budget (or had none: no limit).
pub(crate) fn has_budget_left() -> bool {
    LAST.with(Cell::get) != Some(0)
}

/// Spends one unit. When none is left, wakes the task and returns `Pending`: the caller (a
/// leaf future about to complete an operation) returns `Pending` too.
pub fn poll_proceed(cx: &mut Context<'_>) -> Poll<()> {
    LEFT.with(|left| match left.get() {
        None => Poll::Ready(()),
        Some(0) => {
            cx.waker().wake_by_ref();
            Poll::Pending
        }
        Some(n) => {
            left.set(Some(n - 1));
            Poll::Ready(())
        }
    })
}

/// Gives back the unit of an operation that turned out not to be ready: a task that waits
/// spends nothing.
pub fn refund() {
    LEFT.with(|left| {
        if let Some(n) = left.get() {
            left.set(Some(n.saturating_add(1).min(BUDGET)));
        }
    });
}

/// Runs `future` without a budget: its operations never say `Pending` to make it yield,
/// like `tokio::task::unconstrained`. What the budget prevents comes back: a future whose
/// every operation is ready keeps its worker until it is done.
pub fn unconstrained<F: Future>(future: F) -> Unconstrained<F> {
    Unconstrained { future }
}

/// The future of [`unconstrained`].
pub struct Unconstrained<F> {
    future: F,
}

impl<F: Future> Future for Unconstrained<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        // SAFETY: `future` is structurally pinned: it is never moved out of `self`, and
        // `Unconstrained` has no `Drop` and no `Unpin` impl of its own that would move it.
        let future = unsafe { self.map_unchecked_mut(|this| &mut this.future) };
        with(None, || future.poll(cx))
    }
}
// ANCHOR_END: budget

#[cfg(test)]
mod tests {
    use super::*;
    use std::task::Waker;

    #[test]
    fn a_poll_may_complete_128_operations_and_the_next_one_waits() {
        let mut cx = Context::from_waker(Waker::noop());
        let ready = with_budget(|| {
            (0..200)
                .take_while(|_| poll_proceed(&mut cx).is_ready())
                .count()
        });
        assert_eq!(ready, 128);
        assert!(!has_budget_left());
        assert!(poll_proceed(&mut cx).is_ready(), "outside a poll: no limit");
    }

    #[test]
    fn a_refunded_unit_is_spent_again_and_a_lifo_successor_gets_the_rest_less_one() {
        let mut cx = Context::from_waker(Waker::noop());
        with_budget(|| {
            for _ in 0..100 {
                assert!(poll_proceed(&mut cx).is_ready());
            }
            refund();
        });
        assert!(has_budget_left());
        let ready = with_rest_of_budget(|| {
            (0..200)
                .take_while(|_| poll_proceed(&mut cx).is_ready())
                .count()
        });
        assert_eq!(ready, 128 - 99 - 1);
    }
}
