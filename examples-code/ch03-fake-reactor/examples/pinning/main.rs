#![forbid(unsafe_code)]
//! `Pin` fixes a value's address; `Unpin` says a type does not care.
//!
//! As in `examples/self_reference`, no pointer is ever dereferenced: the
//! program only compares addresses.

use std::cell::Cell;
use std::future::Future;
use std::marker::PhantomPinned;
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

// ANCHOR: self_ref
/// The struct of `examples/self_reference`, made safe to point into itself.
struct SelfRef {
    value: u64,
    ptr: Cell<*const u64>,
    /// Makes `SelfRef` `!Unpin`: once pinned, safe code can never move it again.
    _pinned: PhantomPinned,
}

impl SelfRef {
    fn new(value: u64) -> Self {
        SelfRef {
            value,
            ptr: Cell::new(std::ptr::null()),
            _pinned: PhantomPinned,
        }
    }

    /// Takes `Pin<&Self>`, not `&Self`: the pointer is only ever made once
    /// the value is pinned, so it can never go stale.
    fn point_at_self(self: Pin<&Self>) {
        self.ptr.set(&self.value);
    }

    fn points_at_own_value(&self) -> bool {
        std::ptr::eq(self.ptr.get(), &self.value)
    }
}
// ANCHOR_END: self_ref

// ANCHOR: box_pin
/// Pins a `SelfRef` on the heap, then moves the `Pin<Box<_>>` into an array.
/// Returns whether it pointed at its own value before and after that move.
fn box_pin_survives_a_move() -> (bool, bool) {
    let boxed: Pin<Box<SelfRef>> = Box::pin(SelfRef::new(42));
    boxed.as_ref().point_at_self();
    let before = boxed.points_at_own_value();

    // This moves the box (a pointer), not the `SelfRef` it points to.
    let moved = [boxed];
    (before, moved[0].points_at_own_value())
}
// ANCHOR_END: box_pin

// ANCHOR: stack_pin
/// The same with `pin!`, which pins in place on the stack: the
/// `SelfRef` stays in this function's frame and we get a `Pin<&mut SelfRef>`.
fn stack_pin_survives_a_move() -> (bool, bool) {
    let pinned: Pin<&mut SelfRef> = pin!(SelfRef::new(42));
    pinned.as_ref().point_at_self();
    let before = pinned.points_at_own_value();

    let moved = [pinned];
    (before, moved[0].points_at_own_value())
}
// ANCHOR_END: stack_pin

// ANCHOR: borrow_across_await
/// An `async fn` whose body borrows one of its own locals across an `.await`.
/// Its output says whether the borrow still points at the local afterwards.
async fn borrow_across_await() -> bool {
    let value = 7_u64;
    let borrow = &value; // a pointer into the future's own state
    Countdown { remaining: 1 }.await; // suspended here, `borrow` saved beside `value`
    std::ptr::eq(borrow, &value)
}
// ANCHOR_END: borrow_across_await

// ANCHOR: poll_pinned
/// Polls the future once on the heap, moves the box, then polls it to the end.
fn async_borrow_survives_a_move_of_its_box() -> bool {
    let mut cx = Context::from_waker(Waker::noop());
    // `Pin::new(&mut borrow_across_await())` would not compile: the
    // future of an `async fn` is not `Unpin`. Pin it first.
    let mut future = Box::pin(borrow_across_await());
    assert!(future.as_mut().poll(&mut cx).is_pending());

    let mut moved = [future];
    match moved[0].as_mut().poll(&mut cx) {
        Poll::Ready(still_points_at_value) => still_points_at_value,
        Poll::Pending => unreachable!("a countdown of 1 is ready on the second poll"),
    }
}
// ANCHOR_END: poll_pinned

// ANCHOR: unpin
/// `Countdown` holds only a `u32`, so it is `Unpin`: `Pin::new` accepts a
/// plain `&mut` to it, and moving it between polls is fine.
fn countdown_is_unpin() -> &'static str {
    let mut cx = Context::from_waker(Waker::noop());
    let mut countdown = Countdown { remaining: 1 };
    assert!(Pin::new(&mut countdown).poll(&mut cx).is_pending());

    let mut moved = [countdown];
    match Pin::new(&mut moved[0]).poll(&mut cx) {
        Poll::Ready(output) => output,
        Poll::Pending => unreachable!("a countdown of 1 is ready on the second poll"),
    }
}
// ANCHOR_END: unpin

fn main() {
    let (before, after) = box_pin_survives_a_move();
    println!("Box::pin: points at own value before the move: {before}, after: {after}");
    let (before, after) = stack_pin_survives_a_move();
    println!("pin!:     points at own value before the move: {before}, after: {after}");
    println!(
        "async fn, pinned in a moved box: borrow still points at its local: {}",
        async_borrow_survives_a_move_of_its_box()
    );
    println!("Countdown, moved between polls: {}", countdown_is_unpin());
}

#[cfg(test)]
mod tests;
