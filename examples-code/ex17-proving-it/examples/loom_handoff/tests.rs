use super::*;

#[test]
fn loom_passes_the_handoff_under_one_lock() {
    let verdict = check::<OneLock>();
    assert_eq!(verdict.failure, None);
    // More than one interleaving: the model has a race for loom to explore.
    assert!(verdict.interleavings > 1, "{verdict:?}");
}

#[test]
fn loom_passes_two_locks_when_the_waker_is_stored_first() {
    let verdict = check::<RegisterThenCheck>();
    assert_eq!(verdict.failure, None);
    assert!(verdict.interleavings > 1, "{verdict:?}");
}

#[test]
fn loom_finds_the_lost_wakeup_when_the_output_is_checked_first() {
    let verdict = check::<CheckThenRegister>();
    assert_eq!(verdict.failure.as_deref(), Some("deadlock"), "{verdict:?}");
}

/// The interleaving loom found, played by hand on one thread: the handle looks (nothing
/// there), the task sends (no waker yet), the handle stores its waker. Nothing is left to
/// wake it, and the output waits in the slot.
#[test]
fn the_losing_interleaving_leaves_the_output_in_the_slot_and_nobody_to_wake() {
    loom::model(|| {
        let handoff = CheckThenRegister::new();
        let woken = loom::sync::Arc::new(loom::sync::atomic::AtomicBool::new(false));
        let waker = flag_waker(&woken);
        let mut cx = Context::from_waker(&waker);
        // poll_take's first half, the send, then poll_take's second half.
        assert!(handoff.value.lock().unwrap().take().is_none());
        handoff.send(42);
        *handoff.waker.lock().unwrap() = Some(cx.waker().clone());
        assert!(!woken.load(Ordering::SeqCst));
        assert_eq!(handoff.poll_take(&mut cx), Poll::Ready(42));
    });
}

/// A waker that sets a flag, built on loom's `Arc` so that it lives inside the model.
fn flag_waker(flag: &loom::sync::Arc<loom::sync::atomic::AtomicBool>) -> Waker {
    struct Flag(loom::sync::Arc<loom::sync::atomic::AtomicBool>);
    impl std::task::Wake for Flag {
        fn wake(self: std::sync::Arc<Self>) {
            self.0.store(true, Ordering::SeqCst);
        }
    }
    Waker::from(std::sync::Arc::new(Flag(loom::sync::Arc::clone(flag))))
}
