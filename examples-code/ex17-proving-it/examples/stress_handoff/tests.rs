use super::*;

#[test]
fn the_stress_test_catches_the_broken_handoff_once_the_window_is_widened() {
    // About half the tries lose the wake here: the sender runs first in the others.
    let lost = lost_wakes::<CheckThenRegister>(100, Duration::from_millis(1));
    assert!(lost > 0, "no lost wake in 100 tries");
}

#[test]
fn the_right_handoff_loses_no_wake_even_with_the_pause() {
    assert_eq!(
        lost_wakes::<RegisterThenCheck>(100, Duration::from_millis(1)),
        0
    );
}

#[test]
fn the_right_handoff_loses_no_wake_in_2000_tries_without_a_pause() {
    assert_eq!(lost_wakes::<RegisterThenCheck>(2_000, Duration::ZERO), 0);
}

/// The check itself: a handle that is left `Pending` and never woken, while the output
/// sits in the slot, is counted every time.
#[test]
fn a_handoff_that_never_wakes_is_counted_every_time() {
    struct NeverWakes {
        value: Mutex<Option<u32>>,
        looked: AtomicBool,
    }
    impl Handoff for NeverWakes {
        fn new(_: Duration) -> Self {
            NeverWakes {
                value: Mutex::new(None),
                looked: AtomicBool::new(false),
            }
        }
        fn send(&self, value: u32) {
            *self.value.lock().unwrap() = Some(value);
        }
        fn poll_take(&self, _: &mut Context<'_>) -> Poll<u32> {
            // The first poll says `Pending` without looking, and keeps no waker.
            if !self.looked.swap(true, Ordering::SeqCst) {
                return Poll::Pending;
            }
            self.value
                .lock()
                .unwrap()
                .take()
                .map_or(Poll::Pending, Poll::Ready)
        }
    }
    assert_eq!(lost_wakes::<NeverWakes>(10, Duration::ZERO), 10);
}
