//! The work-stealing scheduler: a run queue per worker, the injector, the order in which an
//! idle worker looks for work, and where it sleeps when there is none: in the driver (the
//! book-keeping of chapter 11) if no other worker is there, else on a `Condvar`. Generic over
//! the run queues (`RunQueues`) and over what it schedules, so that the loom models can drive
//! it with plain numbers and a stand-in driver.

use crate::run_queue::RunQueues;
use crate::sync::{AtomicBool, AtomicU64, AtomicUsize, Condvar, Mutex, Ordering, fence};
use std::sync::Arc;

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

/// A driver nobody parks in (the scheduler on its own, as in chapter 10).
pub struct NoDriver;

impl Unpark for NoDriver {
    fn unpark(&self) {}
}

impl Park for NoDriver {
    fn park(&mut self) {}
    fn dispatch(&mut self) {}
}

/// How often a worker looks at the injector before its own queue, in polls: tokio's default.
pub const GLOBAL_QUEUE_INTERVAL: u32 = 61;

// ANCHOR: scheduler
/// What the workers share: the injector, the stealing end of every worker's queue, and the
/// bed where idle workers sleep.
pub struct Scheduler<Q: RunQueues<T>, T> {
    injector: Q::Injector,
    /// `stealers[i]` is worker `i`'s queue, seen from the other workers.
    stealers: Box<[Q::Stealer]>,
    /// Idle workers sleep in the driver or on `condvar`, with `sleep` locked while they take
    /// a last look.
    sleep: Mutex<Sleep>,
    condvar: Condvar,
    /// Wakes the worker that sleeps in the driver.
    unpark: Box<dyn Unpark>,
    /// Workers asleep or on their way to sleep (`sleep.parking`), readable without the lock:
    /// a push looks at it to decide whether to wake someone.
    sleepers: AtomicUsize,
    /// The runtime is shutting down: workers leave, injections are refused.
    closed: AtomicBool,
    /// Successful steals, for the tests and the curious.
    steals: AtomicU64,
    /// Look at the injector first every this many polls.
    interval: u32,
}

struct Sleep {
    /// Workers in `park`: taking a last look, or asleep in the driver or on the `Condvar`.
    parking: usize,
    /// Workers asleep on the `Condvar`, or woken and not yet back from `wait`.
    sleeping: usize,
    /// How many of `sleeping` have been sent a `notify_one` already.
    notified: usize,
    /// A worker sleeps in the driver (set and cleared with this lock held).
    in_driver: bool,
    /// ... and it has been unparked already.
    driver_unparked: bool,
    counts: Counts,
}

/// One worker's end of the scheduler: its own queue, and where it is in its rounds.
pub struct Worker<Q: RunQueues<T>, T> {
    scheduler: Arc<Scheduler<Q, T>>,
    index: usize,
    local: Q::Local,
    /// Polls so far (wrapping): every `interval`th looks at the injector first.
    tick: u32,
    /// A cheap random number, to pick the first victim of a steal.
    seed: u32,
}
// ANCHOR_END: scheduler

/// How often workers went to sleep, were notified, came back, and stole.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Times a worker found no work anywhere and went to sleep on the `Condvar`.
    pub parks: u64,
    /// `notify_one` calls made by pushes (never more than one per push).
    pub notifies: u64,
    /// Times a worker came back from `wait` (a notification, or a rare spurious wakeup).
    pub unparks: u64,
    /// Workers asleep on the `Condvar` right now.
    pub sleeping: usize,
    /// Times a worker found no work anywhere and went to sleep in the driver.
    pub driver_parks: u64,
    /// Unparks of the driver made by pushes and timers (never more than one per push).
    pub driver_unparks: u64,
    /// A worker sleeps in the driver right now.
    pub in_driver: bool,
    /// Times a worker took half of another worker's queue.
    pub steals: u64,
}

impl<Q: RunQueues<T>, T> Scheduler<Q, T> {
    /// A scheduler for `workers` workers with no driver to sleep in, and their ends of it.
    pub fn new(workers: usize, interval: u32) -> (Arc<Self>, Vec<Worker<Q, T>>) {
        Scheduler::with_driver(workers, interval, NoDriver)
    }

    /// A scheduler whose idle workers take turns sleeping in a driver that `unpark` wakes,
    /// and the workers' ends of it, one per worker thread.
    pub fn with_driver(
        workers: usize,
        interval: u32,
        unpark: impl Unpark + 'static,
    ) -> (Arc<Self>, Vec<Worker<Q, T>>) {
        assert!(workers > 0 && interval > 0);
        let (locals, stealers): (Vec<_>, Vec<_>) = (0..workers).map(|_| Q::new_local()).unzip();
        let scheduler = Arc::new(Scheduler {
            injector: Q::new_injector(),
            stealers: stealers.into_boxed_slice(),
            sleep: Mutex::new(Sleep {
                parking: 0,
                sleeping: 0,
                notified: 0,
                in_driver: false,
                driver_unparked: false,
                counts: Counts::default(),
            }),
            condvar: Condvar::new(),
            unpark: Box::new(unpark),
            sleepers: AtomicUsize::new(0),
            closed: AtomicBool::new(false),
            steals: AtomicU64::new(0),
            interval,
        });
        let workers = locals
            .into_iter()
            .enumerate()
            .map(|(index, local)| Worker {
                scheduler: Arc::clone(&scheduler),
                index,
                local,
                tick: 0,
                seed: (index as u32).wrapping_mul(0x9E37_79B9) | 1,
            })
            .collect();
        (scheduler, workers)
    }

    // ANCHOR: inject
    /// Pushes `item` onto the injector, from outside the workers, and wakes a sleeping worker
    /// if there is one. After `close`, gives back what the injector holds (`item` among them).
    pub fn inject(&self, item: T) -> Result<(), Vec<T>> {
        if self.closed.load(Ordering::Acquire) {
            return Err(vec![item]);
        }
        Q::inject(&self.injector, item);
        // Against `close`: it sets `closed`, then drains. Either that drain finds `item`, or
        // this load sees `closed` and takes it (and whatever else came late) back.
        fence(Ordering::SeqCst);
        if self.closed.load(Ordering::SeqCst) {
            return Err(Q::drain(&self.injector, &[]));
        }
        self.wake_one_if_asleep();
        Ok(())
    }
    // ANCHOR_END: inject

    // ANCHOR: wake_one
    /// After a push: wake one sleeping worker, one on the `Condvar` that nobody has notified
    /// yet, or else the one in the driver, unless it has been unparked already. One push, at
    /// most one worker out of bed. With nobody asleep, no lock and no system call.
    fn wake_one_if_asleep(&self) {
        // Against `park`: it raises `sleepers`, then looks at every queue. Either that look
        // finds what was just pushed, or this load sees the sleeper.
        fence(Ordering::SeqCst);
        if self.sleepers.load(Ordering::SeqCst) == 0 {
            return;
        }
        let mut sleep = self.sleep.lock().unwrap();
        // A sleeper on the Condvar first: the worker in the driver keeps watching the OS.
        let wake_sleeper = sleep.sleeping > sleep.notified;
        let wake_driver = !wake_sleeper && sleep.in_driver && !sleep.driver_unparked;
        if wake_sleeper {
            sleep.notified += 1;
            sleep.counts.notifies += 1;
        } else if wake_driver {
            sleep.driver_unparked = true;
            sleep.counts.driver_unparks += 1;
        }
        drop(sleep);
        if wake_sleeper {
            self.condvar.notify_one();
        } else if wake_driver {
            self.unpark.unpark();
        }
    }
    // ANCHOR_END: wake_one

    /// Gets the worker in the driver out of its sleep, if one is there and nobody has done so
    /// already: a new timer is due earlier than the driver planned to wake.
    pub fn unpark_driver(&self) {
        let mut sleep = self.sleep.lock().unwrap();
        let wake_driver = sleep.in_driver && !sleep.driver_unparked;
        if wake_driver {
            sleep.driver_unparked = true;
            sleep.counts.driver_unparks += 1;
        }
        drop(sleep);
        if wake_driver {
            self.unpark.unpark();
        }
    }

    /// Whether any queue holds work: the last look of a worker about to sleep.
    fn has_work(&self) -> bool {
        Q::injected(&self.injector) > 0 || self.stealers.iter().any(Q::has_work)
    }

    /// Tells the workers to leave (they finish the poll they are in), and wakes the sleepers,
    /// the one in the driver too.
    pub fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
        fence(Ordering::SeqCst);
        let sleep = self.sleep.lock().unwrap();
        self.condvar.notify_all();
        drop(sleep);
        self.unpark.unpark();
    }

    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// Takes out everything still queued: call it once the workers have stopped.
    pub fn drain(&self) -> Vec<T> {
        Q::drain(&self.injector, &self.stealers)
    }

    /// A snapshot of the counters.
    pub fn counts(&self) -> Counts {
        let sleep = self.sleep.lock().unwrap();
        Counts {
            sleeping: sleep.sleeping,
            in_driver: sleep.in_driver,
            steals: self.steals.load(Ordering::Relaxed),
            ..sleep.counts
        }
    }

    pub fn workers(&self) -> usize {
        self.stealers.len()
    }
}

impl<Q: RunQueues<T>, T> Worker<Q, T> {
    pub fn scheduler(&self) -> &Arc<Scheduler<Q, T>> {
        &self.scheduler
    }

    pub fn index(&self) -> usize {
        self.index
    }

    // ANCHOR: push
    /// Pushes `item` onto this worker's own queue (what a wake or a spawn on a worker does),
    /// or onto the injector when that queue is full; then wakes a sleeping worker, if any,
    /// so that it can steal.
    pub fn push(&mut self, item: T) {
        if let Err(item) = Q::push(&mut self.local, item) {
            Q::inject(&self.scheduler.injector, item);
        }
        self.scheduler.wake_one_if_asleep();
    }
    // ANCHOR_END: push

    /// Chapter 10's way: the next item to run, sleeping on the `Condvar` until there is one,
    /// with no driver. `None` once the scheduler is closed.
    pub fn next_task(&mut self) -> Option<T> {
        self.next_task_or_park::<NoDriver>(None)
    }

    /// The next item to run. When there is none anywhere, sleeps: in the driver if no other
    /// worker has it (and then does the book-keeping it found), else on the `Condvar`.
    /// `None` once the scheduler is closed.
    pub fn next_task_or_drive<D: Park>(&mut self, driver: &Mutex<D>) -> Option<T> {
        self.next_task_or_park(Some(driver))
    }

    // ANCHOR: next
    fn next_task_or_park<D: Park>(&mut self, driver: Option<&Mutex<D>>) -> Option<T> {
        let scheduler = Arc::clone(&self.scheduler);
        let workers = scheduler.workers();
        loop {
            if scheduler.is_closed() {
                return None;
            }
            self.tick = self.tick.wrapping_add(1);
            // 1. Now and then the injector first, or a worker whose own queue never
            //    empties would never see it (a task that yields in a loop).
            if self.tick % scheduler.interval == 0 {
                if let Some(item) = Q::take_batch(&scheduler.injector, &mut self.local, workers) {
                    return Some(item);
                }
            }
            // 2. Its own queue: no one else pushes there, so it is rarely contended.
            if let Some(item) = Q::pop(&mut self.local) {
                return Some(item);
            }
            // 3. The injector: a batch, its share.
            if let Some(item) = Q::take_batch(&scheduler.injector, &mut self.local, workers) {
                return Some(item);
            }
            // 4. Half of another worker's queue.
            if let Some(item) = self.steal() {
                return Some(item);
            }
            // 5. Nothing anywhere: sleep until a push wakes it.
            self.park(driver);
        }
    }
    // ANCHOR_END: next

    // ANCHOR: steal
    /// Tries every other worker once, starting at a random one, and takes half of the first
    /// queue that has something.
    fn steal(&mut self) -> Option<T> {
        let stealers = &self.scheduler.stealers;
        let count = stealers.len();
        // xorshift: a different first victim each time, so thieves spread out.
        self.seed ^= self.seed << 13;
        self.seed ^= self.seed >> 17;
        self.seed ^= self.seed << 5;
        let start = self.seed as usize % count;
        for offset in 0..count {
            let victim = (start + offset) % count;
            if victim == self.index {
                continue;
            }
            if let Some(item) = Q::steal_half(&stealers[victim], &mut self.local) {
                self.scheduler.steals.fetch_add(1, Ordering::Relaxed);
                return Some(item);
            }
        }
        None
    }
    // ANCHOR_END: steal

    // ANCHOR: park
    /// Sleeps, in the driver or on the `Condvar`, until a push wakes this worker, unless a
    /// last look finds work. Returns to `next_task_or_park`, which looks again either way.
    fn park<D: Park>(&mut self, driver: Option<&Mutex<D>>) {
        let scheduler = &*self.scheduler;
        let mut sleep = scheduler.sleep.lock().unwrap();
        if scheduler.is_closed() {
            return;
        }
        // First say "I sleep", then look: a push that this look misses sees `sleepers` > 0
        // and wakes someone (see `wake_one_if_asleep`). Both sides fence, so one of them wins.
        sleep.parking += 1;
        scheduler.sleepers.store(sleep.parking, Ordering::SeqCst);
        fence(Ordering::SeqCst);
        if !scheduler.has_work() {
            if let Some(Ok(mut driver)) = driver.map(Mutex::try_lock) {
                // From here a push sees `in_driver` and unparks the driver, and an unpark
                // that comes before `park` makes it return at once.
                sleep.in_driver = true;
                sleep.counts.driver_parks += 1;
                drop(sleep);
                driver.park();
                sleep = scheduler.sleep.lock().unwrap();
                sleep.in_driver = false;
                sleep.driver_unparked = false;
                Self::unannounce(scheduler, &mut sleep);
                drop(sleep);
                // The wakes of the events and timers go to the injector and other sleepers.
                driver.dispatch();
                return;
            }
            // Another worker holds the driver: sleep on the Condvar. `wait` lets go of the
            // lock only once this thread is on the Condvar's list, and a push counts the
            // sleepers under the lock: no notification is lost.
            sleep.sleeping += 1;
            sleep.counts.parks += 1;
            sleep = scheduler.condvar.wait(sleep).unwrap();
            sleep.sleeping -= 1;
            sleep.notified = sleep.notified.saturating_sub(1);
            sleep.counts.unparks += 1;
        }
        Self::unannounce(scheduler, &mut sleep);
    }
    // ANCHOR_END: park

    fn unannounce(scheduler: &Scheduler<Q, T>, sleep: &mut Sleep) {
        sleep.parking -= 1;
        scheduler.sleepers.store(sleep.parking, Ordering::SeqCst);
    }
}
