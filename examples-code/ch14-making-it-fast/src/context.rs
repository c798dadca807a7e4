//! The thread-local context: which runtime's `block_on` runs on this thread, if any. `spawn`,
//! `spawn_blocking`, a new socket and a new sleep find their runtime here, and a waker finds
//! out whether it runs on its runtime's thread.

use crate::runtime::{Inner, Shared};
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

thread_local! {
    /// The runtime whose `block_on` runs on this thread, if any.
    static CURRENT: RefCell<Option<Rc<Inner>>> = const { RefCell::new(None) };
}

/// Runs `f` with the runtime whose `block_on` runs on this thread.
///
/// # Panics
///
/// With `message` when no `block_on` runs on this thread.
pub(crate) fn with_current<R>(message: &str, f: impl FnOnce(&Inner) -> R) -> R {
    CURRENT.with(|current| f(current.borrow().as_deref().expect(message)))
}

// ANCHOR: on_runtime_thread
/// Runs `f` with the runtime of `shared` if this thread is inside that runtime's `block_on`,
/// else returns `None`. A thread-local read and a pointer comparison: that is how a waker
/// knows it is on its runtime's thread.
pub(crate) fn on_runtime_thread<R>(shared: &Shared, f: impl FnOnce(&Inner) -> R) -> Option<R> {
    CURRENT
        .try_with(|current| {
            let current = current.borrow();
            let inner = current.as_ref()?;
            std::ptr::eq(Arc::as_ptr(&inner.shared), shared).then(|| f(inner))
        })
        .ok() // the thread-local is gone: this thread is ending, and runs no runtime
        .flatten()
}
// ANCHOR_END: on_runtime_thread

/// Sets the context for as long as it lives, and clears it on drop (even when a panic
/// unwinds).
pub(crate) struct Enter;

impl Enter {
    /// # Panics
    ///
    /// When this thread already runs a runtime's `block_on`.
    pub(crate) fn new(inner: &Rc<Inner>) -> Enter {
        CURRENT.with(|current| {
            let mut current = current.borrow_mut();
            assert!(
                current.is_none(),
                "cannot call `Runtime::block_on` from inside a runtime: \
                 this thread is already running one"
            );
            *current = Some(Rc::clone(inner));
        });
        Enter
    }
}

impl Drop for Enter {
    fn drop(&mut self) {
        CURRENT.with(|current| current.borrow_mut().take());
    }
}
