//! The shared ready queue, and where idle workers sleep: one `Mutex` over the queue and the
//! sleepers, one `Condvar` beside it, and the driver. An idle worker that can take the driver
//! sleeps in it (in `mio::Poll::poll`); the others sleep on the `Condvar`.

use crate::sync::{Condvar, Mutex};
use std::collections::VecDeque;

// ANCHOR: park_trait
/// The book-keeping a worker does, behind the driver's lock: `mio::Poll` and the timers in
/// the runtime, a flag and a `Condvar` in the loom models.
pub trait Park {
    /// Sleeps until an OS event, the earliest timer, or an [`Unpark::unpark`]. Wakes nobody.
    fn park(&mut self);
    /// Book-keeping that never sleeps: looks for events, fires due timers, wakes their tasks.
    fn dispatch(&mut self);
}

/// Gets a worker out of [`Park::park`], from any thread: `mio::Waker::wake`. A wake that
/// comes before the park is kept (an eventfd keeps its count), so the park returns at once.
pub trait Unpark: Send + Sync {
    fn unpark(&self);
}
// ANCHOR_END: park_trait

/// A driver nobody parks in (the queue on its own, as in chapter 10).
struct NoDriver;

impl Unpark for NoDriver {
    fn unpark(&self) {}
}

impl Park for NoDriver {
    fn park(&mut self) {}
    fn dispatch(&mut self) {}
}

// ANCHOR: ready_queue
/// The one queue every worker takes tasks from and every wake pushes onto.
pub struct ReadyQueue<T> {
    state: Mutex<State<T>>,
    /// Idle workers that could not take the driver sleep here.
    condvar: Condvar,
    /// Wakes the worker that sleeps in the driver.
    unpark: Box<dyn Unpark>,
}

struct State<T> {
    /// Woken tasks, oldest first.
    items: VecDeque<T>,
    /// Workers asleep on the `Condvar`, or woken and not yet back from `wait`.
    sleeping: usize,
    /// How many of `sleeping` have been sent a `notify_one` already.
    notified: usize,
    /// A worker sleeps in the driver (set and cleared with this lock held).
    in_driver: bool,
    /// ... and it has been unparked already.
    driver_unparked: bool,
    /// The runtime is shutting down: workers leave, pushes are refused.
    closed: bool,
    /// What happened, for the tests and the curious.
    counts: Counts,
}
// ANCHOR_END: ready_queue

/// How often workers went to sleep, were notified, and came back.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Times a worker found the queue empty and went to sleep on the `Condvar`.
    pub parks: u64,
    /// `notify_one` calls made by pushes (never more than one per push).
    pub notifies: u64,
    /// Times a worker came back from `wait` (a notification, or a rare spurious wakeup).
    pub unparks: u64,
    /// Workers asleep on the `Condvar` right now.
    pub sleeping: usize,
    /// Times a worker found the queue empty and went to sleep in the driver.
    pub driver_parks: u64,
    /// Unparks of the driver made by pushes and timers (never more than one per push).
    pub driver_unparks: u64,
    /// A worker sleeps in the driver right now.
    pub in_driver: bool,
}

impl<T> Default for ReadyQueue<T> {
    fn default() -> Self {
        ReadyQueue::new()
    }
}

impl<T> ReadyQueue<T> {
    /// A queue whose workers have no driver to sleep in (chapter 10's).
    pub fn new() -> ReadyQueue<T> {
        ReadyQueue::with_driver(NoDriver)
    }

    /// A queue whose idle workers take turns sleeping in a driver that `unpark` wakes.
    pub fn with_driver(unpark: impl Unpark + 'static) -> ReadyQueue<T> {
        ReadyQueue {
            state: Mutex::new(State {
                items: VecDeque::new(),
                sleeping: 0,
                notified: 0,
                in_driver: false,
                driver_unparked: false,
                closed: false,
                counts: Counts::default(),
            }),
            condvar: Condvar::new(),
            unpark: Box::new(unpark),
        }
    }

    // ANCHOR: push
    /// Puts `item` at the back of the queue and wakes one sleeping worker: one on the
    /// `Condvar` that nobody has notified yet, or else the one in the driver, unless it has
    /// been unparked already. Gives `item` back when the queue is closed.
    pub fn push(&self, item: T) -> Result<(), T> {
        let mut state = self.state.lock().unwrap();
        if state.closed {
            return Err(item);
        }
        state.items.push_back(item);
        // A sleeper on the Condvar first: the worker in the driver keeps watching the OS.
        let wake_sleeper = state.sleeping > state.notified;
        let wake_driver = !wake_sleeper && state.in_driver && !state.driver_unparked;
        if wake_sleeper {
            state.notified += 1;
            state.counts.notifies += 1;
        } else if wake_driver {
            state.driver_unparked = true;
            state.counts.driver_unparks += 1;
        }
        drop(state);
        if wake_sleeper {
            self.condvar.notify_one();
        } else if wake_driver {
            self.unpark.unpark();
        }
        Ok(())
    }
    // ANCHOR_END: push

    /// Gets the worker in the driver out of its sleep, if one is there and nobody has done so
    /// already: a new timer is due earlier than the driver planned to wake.
    pub fn unpark_driver(&self) {
        let mut state = self.state.lock().unwrap();
        let wake_driver = state.in_driver && !state.driver_unparked;
        if wake_driver {
            state.driver_unparked = true;
            state.counts.driver_unparks += 1;
        }
        drop(state);
        if wake_driver {
            self.unpark.unpark();
        }
    }

    // ANCHOR: pop_or_park
    /// The next item. When there is none, sleeps: in the driver if no other worker has it
    /// (and then does the book-keeping it found), else on the `Condvar`. `None` once the
    /// queue is closed.
    pub fn pop_or_park<D: Park>(&self, driver: &Mutex<D>) -> Option<T> {
        self.pop_or_sleep(Some(driver))
    }
    // ANCHOR_END: pop_or_park

    /// Chapter 10's `pop_or_park`: the next item, sleeping on the `Condvar` until there is
    /// one, with no driver. `None` once the queue is closed.
    pub fn pop_or_wait(&self) -> Option<T> {
        self.pop_or_sleep::<NoDriver>(None)
    }

    // ANCHOR: pop_or_sleep
    fn pop_or_sleep<D: Park>(&self, driver: Option<&Mutex<D>>) -> Option<T> {
        let mut state = self.state.lock().unwrap();
        loop {
            if state.closed {
                return None;
            }
            if let Some(item) = state.items.pop_front() {
                return Some(item);
            }
            // The queue was seen empty with its lock held. Whoever pushes from now on sees
            // `in_driver` and unparks the driver, and an unpark that comes before `park`
            // makes it return at once: no wake falls between the look and the sleep.
            if let Some(Ok(mut driver)) = driver.map(Mutex::try_lock) {
                state.in_driver = true;
                state.counts.driver_parks += 1;
                drop(state);
                driver.park();
                state = self.state.lock().unwrap();
                state.in_driver = false;
                state.driver_unparked = false;
                drop(state);
                // The wakes of the events and timers go to other sleepers, not to the driver.
                driver.dispatch();
                drop(driver);
                state = self.state.lock().unwrap();
                continue;
            }
            // Another worker holds the driver: sleep on the Condvar, as in chapter 10.
            state.sleeping += 1;
            state.counts.parks += 1;
            state = self.condvar.wait(state).unwrap();
            state.sleeping -= 1;
            state.notified = state.notified.saturating_sub(1);
            state.counts.unparks += 1;
        }
    }
    // ANCHOR_END: pop_or_sleep

    /// Closes the queue, wakes every sleeper (the one in the driver too) so that it leaves,
    /// and returns what was queued.
    pub fn close(&self) -> Vec<T> {
        let mut state = self.state.lock().unwrap();
        state.closed = true;
        let items = state.items.drain(..).collect();
        drop(state);
        self.condvar.notify_all();
        self.unpark.unpark();
        items
    }

    /// A snapshot of the counters.
    pub fn counts(&self) -> Counts {
        let state = self.state.lock().unwrap();
        Counts {
            sleeping: state.sleeping,
            in_driver: state.in_driver,
            ..state.counts
        }
    }

    /// How many items wait in the queue.
    pub fn len(&self) -> usize {
        self.state.lock().unwrap().items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
