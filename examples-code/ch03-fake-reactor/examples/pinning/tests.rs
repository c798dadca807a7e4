use super::*;
use std::marker::PhantomData;

// `is_unpin!(value)` says whether the type of `value` implements `Unpin`.
// The inherent method exists only when `T: Unpin`; otherwise method lookup
// falls back to the trait's method, which answers `false`.
struct Probe<T>(PhantomData<T>);

impl<T: Unpin> Probe<T> {
    fn is_unpin(&self) -> bool {
        true
    }
}

trait NotUnpin {
    fn is_unpin(&self) -> bool {
        false
    }
}

impl<T> NotUnpin for Probe<T> {}

fn probe<T>(_: &T) -> Probe<T> {
    Probe(PhantomData)
}

#[test]
fn probe_tells_unpin_from_not_unpin() {
    assert!(probe(&0_u32).is_unpin());
    assert!(!probe(&PhantomPinned).is_unpin());
}

#[test]
fn box_pin_keeps_the_address_when_the_box_moves() {
    assert_eq!(box_pin_survives_a_move(), (true, true));
}

#[test]
fn stack_pin_keeps_the_address_when_the_pin_moves() {
    assert_eq!(stack_pin_survives_a_move(), (true, true));
}

#[test]
fn pinned_async_fn_keeps_its_borrow_valid_across_polls() {
    assert!(async_borrow_survives_a_move_of_its_box());
}

#[test]
fn countdown_is_unpin_and_still_works_after_a_move() {
    assert!(probe(&Countdown { remaining: 0 }).is_unpin());
    assert_eq!(countdown_is_unpin(), "liftoff");
}

#[test]
fn self_ref_is_not_unpin_but_its_pinned_box_is() {
    let value = SelfRef::new(1);
    assert!(!probe(&value).is_unpin());
    let boxed = Box::pin(value);
    assert!(probe(&boxed).is_unpin());
}

#[test]
fn async_fn_that_borrows_across_await_is_not_unpin() {
    assert!(!probe(&borrow_across_await()).is_unpin());
}

#[test]
fn every_async_block_is_not_unpin_even_without_borrows() {
    let no_borrows = async { Countdown { remaining: 1 }.await.len() };
    assert!(!probe(&no_borrows).is_unpin());
    let empty = async {};
    assert!(!probe(&empty).is_unpin());
}

#[test]
fn main_runs() {
    main();
}
