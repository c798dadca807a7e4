//! The timer queue: the deadline and the waker of every `time::Sleep` that waits, sorted by
//! deadline. The runtime sleeps in `epoll_wait` until the earliest deadline, then wakes every
//! timer whose deadline has passed. No file descriptor and no system call per timer.

use crate::sync::lock;
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::Waker;
use std::time::Instant;

// ANCHOR: timers
/// A timer's place in the queue: its deadline, then a number that makes the key unique (two
/// sleeps may have the same deadline) and keeps equal deadlines in the order they were made.
pub(crate) type Key = (Instant, u64);

/// The runtime's timers, shared (through an `Arc`) with every `Sleep` that has been polled, so
/// that a `Sleep` dropped anywhere can take its entry out.
pub(crate) struct Timers {
    /// Sorted by deadline: the first entry is the next to expire.
    entries: Mutex<BTreeMap<Key, Waker>>,
    next_id: AtomicU64,
}
// ANCHOR_END: timers

impl Timers {
    pub(crate) fn new() -> Timers {
        Timers {
            entries: Mutex::new(BTreeMap::new()),
            next_id: AtomicU64::new(0),
        }
    }

    // ANCHOR: register
    /// A new key for a timer that expires at `deadline`. It has no entry until `register`.
    pub(crate) fn key(&self, deadline: Instant) -> Key {
        (deadline, self.next_id.fetch_add(1, Ordering::Relaxed))
    }

    /// Keeps `waker` as the one to wake when `key`'s deadline passes: adds the entry, or
    /// replaces its waker with the latest poll's (unless it would wake the same task).
    pub(crate) fn register(&self, key: Key, waker: &Waker) {
        lock(&self.entries)
            .entry(key)
            .and_modify(|stored| {
                if !stored.will_wake(waker) {
                    stored.clone_from(waker);
                }
            })
            .or_insert_with(|| waker.clone());
    }

    /// Takes the entry out (the `Sleep` finished, was dropped, or was reset): cancelled, its
    /// waker is never woken.
    pub(crate) fn remove(&self, key: Key) {
        lock(&self.entries).remove(&key);
    }
    // ANCHOR_END: register

    // ANCHOR: next_timeout
    /// How long `epoll_wait` may sleep: until the earliest deadline, or for ever (`-1`) when
    /// no timer waits.
    pub(crate) fn timeout_ms(&self, now: Instant) -> i32 {
        match lock(&self.entries).first_key_value() {
            Some(((deadline, _), _)) => timeout_ms(now, *deadline),
            None => -1,
        }
    }
    // ANCHOR_END: next_timeout

    // ANCHOR: fire
    /// Takes out every timer whose deadline is `now` or earlier and wakes it, in deadline
    /// order. Returns how many it woke.
    pub(crate) fn fire(&self, now: Instant) -> usize {
        let expired = {
            let mut entries = lock(&self.entries);
            // `split_off` keeps the keys before `(now, MAX)` and returns the rest: the timers
            // that have not expired stay in the queue.
            let later = entries.split_off(&(now, u64::MAX));
            std::mem::replace(&mut *entries, later)
        };
        let woken = expired.len();
        for waker in expired.into_values() {
            waker.wake(); // outside the lock: a waker may run any code
        }
        woken
    }
    // ANCHOR_END: fire

    /// How many timers wait now.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        lock(&self.entries).len()
    }
}

// ANCHOR: timeout_ms
/// The `epoll_wait` timeout that sleeps until `deadline`, in whole milliseconds, rounded
/// *up*. Rounded down, 1.6 ms left would give a 1 ms sleep, then 0.6 ms left would give
/// `epoll_wait(0)` again and again: a busy loop until the deadline.
pub(crate) fn timeout_ms(now: Instant, deadline: Instant) -> i32 {
    let left = deadline.saturating_duration_since(now);
    let ms = left.as_nanos().div_ceil(1_000_000);
    i32::try_from(ms).unwrap_or(i32::MAX)
}
// ANCHOR_END: timeout_ms

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::AtomicUsize;
    use std::task::Wake;
    use std::time::Duration;

    #[test]
    fn the_timeout_is_rounded_up_to_whole_milliseconds() {
        let now = Instant::now();
        let ms = |nanos: u64| timeout_ms(now, now + Duration::from_nanos(nanos));
        assert_eq!(ms(0), 0);
        assert_eq!(ms(1), 1, "a nanosecond left is a millisecond of sleep");
        assert_eq!(ms(999_999), 1);
        assert_eq!(ms(1_000_000), 1);
        assert_eq!(ms(1_000_001), 2);
        assert_eq!(ms(1_600_000), 2);
        assert_eq!(
            timeout_ms(now + Duration::from_secs(1), now),
            0,
            "a past deadline"
        );
        assert_eq!(ms(u64::MAX), i32::MAX, "about 24 days at most");
    }

    struct Count(AtomicUsize);

    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn fire_wakes_only_expired_timers_and_removes_them() {
        let timers = Timers::new();
        let now = Instant::now();
        let count = Arc::new(Count(AtomicUsize::new(0)));
        let waker = Waker::from(Arc::clone(&count));
        for ms in [5, 10, 10, 20] {
            let key = timers.key(now + Duration::from_millis(ms));
            timers.register(key, &waker);
        }
        assert_eq!(timers.timeout_ms(now), 5);
        assert_eq!(
            timers.fire(now + Duration::from_millis(10)),
            3,
            "10 ms is due at 10 ms"
        );
        assert_eq!(count.0.load(Ordering::SeqCst), 3);
        assert_eq!(timers.len(), 1);
        assert_eq!(timers.timeout_ms(now), 20);
        assert_eq!(timers.fire(now + Duration::from_millis(19)), 0);
        assert_eq!(timers.fire(now + Duration::from_millis(20)), 1);
        assert_eq!(timers.timeout_ms(now), -1, "no timer: wait for ever");
    }

    #[test]
    fn a_removed_timer_is_never_woken() {
        let timers = Timers::new();
        let now = Instant::now();
        let count = Arc::new(Count(AtomicUsize::new(0)));
        let key = timers.key(now);
        timers.register(key, &Waker::from(Arc::clone(&count)));
        timers.remove(key);
        assert_eq!(timers.fire(now + Duration::from_secs(1)), 0);
        assert_eq!(count.0.load(Ordering::SeqCst), 0);
    }
}
