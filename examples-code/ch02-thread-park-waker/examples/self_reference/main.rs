#![forbid(unsafe_code)]
//! A struct that points into itself, and what a move does to it.
//!
//! No pointer here is ever dereferenced: the program only compares addresses,
//! so it stays safe Rust even after the pointer goes stale.

use std::cell::Cell;

// ANCHOR: self_ref
/// A value and a pointer that is meant to point at it.
///
/// This is the shape of a future whose body borrows one of its own locals
/// across an `.await`: the borrow is stored next to the thing it borrows.
struct SelfRef {
    value: u64,
    ptr: Cell<*const u64>,
}

impl SelfRef {
    fn new(value: u64) -> Self {
        SelfRef {
            value,
            ptr: Cell::new(std::ptr::null()),
        }
    }

    /// Stores the address of our own `value` in `ptr`.
    fn point_at_self(&self) {
        self.ptr.set(&self.value);
    }

    /// Does `ptr` still point at our own `value`?
    fn points_at_own_value(&self) -> bool {
        std::ptr::eq(self.ptr.get(), &self.value)
    }
}
// ANCHOR_END: self_ref

// ANCHOR: main
fn main() {
    let on_stack = SelfRef::new(42);
    on_stack.point_at_self();
    let old_address: *const u64 = &on_stack.value;
    println!(
        "before the move: points at own value: {}",
        on_stack.points_at_own_value()
    );

    // Move it to the heap. Its bytes are copied to a new address;
    // `ptr` is copied too, unchanged.
    let on_heap = Box::new(on_stack);
    println!(
        "after the move:  points at own value: {}",
        on_heap.points_at_own_value()
    );
    println!(
        "after the move:  points where the value used to be: {}",
        on_heap.ptr.get() == old_address
    );
}
// ANCHOR_END: main

#[cfg(test)]
mod tests;
