//! Where an idle worker sleeps: in the driver (`epoll_wait`), if no other worker is in it,
//! else on a parker of its own (a `Condvar`). One `Parker` per worker, with a state word that
//! says where it sleeps, so that whoever wakes it knows how: a write to the driver's eventfd,
//! or a `notify_one`. tokio's `runtime/scheduler/multi_thread/park.rs`, in small.

use crate::sync::{AtomicUsize, Condvar, Mutex, Ordering, TryLock, lock};
use std::time::Duration;

/// The book-keeping a worker does while it holds the driver: `mio::Poll` and the timers in
/// the runtime, a stand-in in the loom models.
pub trait Driver: Send + 'static {
    /// Waits for OS events until `timeout` (`None`: until one comes, or an unpark), fires the
    /// timers that are due, and wakes the tasks whose events came. `Some(ZERO)`: no wait.
    fn park(&mut self, timeout: Option<Duration>);
}

/// Gets a worker out of `Driver::park`, from any thread: a write to the driver's eventfd
/// (`mio::Waker`). An unpark that comes before the park is kept: the park returns at once.
pub trait Unpark: Send + Sync + 'static {
    fn unpark(&self);
}

// ANCHOR: parker
/// Awake, with no wake pending.
const EMPTY: usize = 0;
/// Asleep on `condvar`.
const PARKED_CONDVAR: usize = 1;
/// Asleep in the driver.
const PARKED_DRIVER: usize = 2;
/// Woken: the next park returns at once (and consumes it).
const NOTIFIED: usize = 3;

/// One worker's bed.
pub struct Parker {
    state: AtomicUsize,
    mutex: Mutex<()>,
    condvar: Condvar,
}
// ANCHOR_END: parker

impl Default for Parker {
    fn default() -> Self {
        Parker::new()
    }
}

/// Where a park ended up sleeping, for the counts and the trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slept {
    /// A wake was pending: it returned at once.
    NotAtAll,
    /// In the driver.
    InDriver,
    /// On its own condvar.
    OnCondvar,
}

impl Parker {
    pub fn new() -> Parker {
        Parker {
            state: AtomicUsize::new(EMPTY),
            mutex: Mutex::new(()),
            condvar: Condvar::new(),
        }
    }

    // ANCHOR: park
    /// Sleeps until `unpark` (or until the driver's timeout): in the driver if it is free,
    /// else on this parker's condvar.
    pub(crate) fn park<D: Driver>(&self, driver: &TryLock<D>) -> Slept {
        // A wake that came first: consume it, no sleep.
        if self
            .state
            .compare_exchange(NOTIFIED, EMPTY, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
        {
            return Slept::NotAtAll;
        }
        match driver.try_with(|driver| self.park_driver(driver)) {
            Some(slept) => slept,
            None => self.park_condvar(),
        }
    }

    fn park_driver<D: Driver>(&self, driver: &mut D) -> Slept {
        match self
            .state
            .compare_exchange(EMPTY, PARKED_DRIVER, Ordering::SeqCst, Ordering::SeqCst)
        {
            Ok(_) => {}
            Err(NOTIFIED) => {
                self.state.swap(EMPTY, Ordering::SeqCst);
                return Slept::NotAtAll;
            }
            Err(other) => panic!("inconsistent park state {other}"),
        }
        driver.park(None);
        // Woken, or an event or a timer came: awake again either way. A swap, not a store:
        // it reads the `unpark` that set `NOTIFIED`, and so sees what came before it.
        match self.state.swap(EMPTY, Ordering::SeqCst) {
            NOTIFIED | PARKED_DRIVER => {}
            other => panic!("inconsistent park state {other}"),
        }
        Slept::InDriver
    }

    fn park_condvar(&self) -> Slept {
        let mut guard = lock(&self.mutex);
        match self
            .state
            .compare_exchange(EMPTY, PARKED_CONDVAR, Ordering::SeqCst, Ordering::SeqCst)
        {
            Ok(_) => {}
            Err(NOTIFIED) => {
                self.state.swap(EMPTY, Ordering::SeqCst);
                return Slept::NotAtAll;
            }
            Err(other) => panic!("inconsistent park state {other}"),
        }
        loop {
            guard = self
                .condvar
                .wait(guard)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            // Only a `NOTIFIED` ends the sleep: a spurious wakeup sleeps again.
            if self
                .state
                .compare_exchange(NOTIFIED, EMPTY, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
            {
                return Slept::OnCondvar;
            }
        }
    }

    /// A look at the OS without sleeping (the worker's look every `event_interval` polls),
    /// if the driver is free. The state is left alone: an unpark meanwhile stays pending.
    pub(crate) fn poll_driver<D: Driver>(&self, driver: &TryLock<D>) -> bool {
        driver
            .try_with(|driver| driver.park(Some(Duration::ZERO)))
            .is_some()
    }
    // ANCHOR_END: park

    /// Wakes this worker wherever it sleeps, or makes its next park return at once. The
    /// system call is made only when it sleeps: a write to the driver's eventfd if it sleeps
    /// in the driver, a `notify_one` if on its condvar.
    pub fn unpark(&self, driver: &dyn Unpark) -> Slept {
        match self.state.swap(NOTIFIED, Ordering::SeqCst) {
            EMPTY | NOTIFIED => Slept::NotAtAll,
            PARKED_CONDVAR => {
                // Lock and unlock: the sleeper is either not yet waiting (it holds the lock
                // from its compare-and-swap to its `wait`) or waiting, and then it gets this.
                drop(lock(&self.mutex));
                self.condvar.notify_one();
                Slept::OnCondvar
            }
            PARKED_DRIVER => {
                driver.unpark();
                Slept::InDriver
            }
            other => panic!("inconsistent park state {other}"),
        }
    }
}
