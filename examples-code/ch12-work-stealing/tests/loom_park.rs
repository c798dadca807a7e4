//! loom models of parking: every interleaving of workers going to sleep in the scheduler,
//! one in the driver and the others on the `Condvar`, and an injection (or a close) from
//! another thread. mio cannot run under loom, so the driver is a stand-in: a flag under a `Mutex`
//! with a `Condvar`, which keeps a wake that comes before the sleep, as mio's eventfd does.
//! A lost wakeup leaves a thread asleep for ever, which loom reports as a deadlock. Run with
//! `RUSTFLAGS="--cfg loom" cargo test --release -p ch12-work-stealing --test loom_park`
//! (`cargo xtask test loom` does).
#![cfg(loom)]

use ch12_work_stealing::run_queue::BookQueues;
use ch12_work_stealing::scheduler::{Park, Scheduler, Unpark, Worker};
use loom::sync::atomic::{AtomicBool, Ordering};
use loom::sync::{Arc, Condvar, Mutex};
use loom::thread;
use std::collections::VecDeque;

// ANCHOR: loom_driver
/// The stand-in for `mio::Poll` and its `mio::Waker`: an event flag.
struct Events {
    flag: Mutex<bool>,
    condvar: Condvar,
}

/// What a worker holds while it sleeps "in epoll".
struct FlagDriver(&'static Events);

impl Park for FlagDriver {
    /// `epoll_wait` with no timeout: sleeps until the flag is set, and consumes it.
    fn park(&mut self) {
        let mut flag = self.0.flag.lock().unwrap();
        while !*flag {
            flag = self.0.condvar.wait(flag).unwrap();
        }
        *flag = false;
    }

    fn dispatch(&mut self) {}
}

/// `mio::Waker::wake`: sets the flag (kept until the next park), wakes the sleeper.
struct FlagUnpark(&'static Events);

impl Unpark for FlagUnpark {
    fn unpark(&self) {
        *self.0.flag.lock().unwrap() = true;
        self.0.condvar.notify_one();
    }
}

type Sched = Scheduler<BookQueues, u32>;

/// A scheduler, its workers, and the stand-in driver they share.
type Model = (
    std::sync::Arc<Sched>,
    Vec<Worker<BookQueues, u32>>,
    Arc<Mutex<FlagDriver>>,
);

/// A scheduler whose idle workers take turns in a stand-in driver, and its workers.
fn scheduler_with_driver(workers: usize) -> Model {
    // Leaked: the model may end while a worker still holds it (harmless in a test).
    let events: &'static Events = Box::leak(Box::new(Events {
        flag: Mutex::new(false),
        condvar: Condvar::new(),
    }));
    let (scheduler, workers) = Sched::with_driver(workers, 61, FlagUnpark(events));
    let driver = Arc::new(Mutex::new(FlagDriver(events)));
    (scheduler, workers, driver)
}
// ANCHOR_END: loom_driver

// ANCHOR: loom_push_reaches_driver
#[test]
fn an_injection_reaches_the_worker_that_sleeps_in_the_driver() {
    loom::model(|| {
        let (scheduler, mut workers, driver) = scheduler_with_driver(1);
        let mut worker = workers.pop().unwrap();
        let worker = thread::spawn(move || worker.next_task_or_drive(&driver));
        scheduler.inject(1).unwrap();
        assert_eq!(worker.join().unwrap(), Some(1));
    });
}
// ANCHOR_END: loom_push_reaches_driver

/// Each worker on a thread of its own: one ends up in the driver, the other on the
/// `Condvar` (or both take turns).
fn spawn_workers(
    workers: Vec<Worker<BookQueues, u32>>,
    driver: &Arc<Mutex<FlagDriver>>,
) -> Vec<thread::JoinHandle<Option<u32>>> {
    workers
        .into_iter()
        .map(|mut worker| {
            let driver = Arc::clone(driver);
            thread::spawn(move || worker.next_task_or_drive(&driver))
        })
        .collect()
}

#[test]
fn two_injections_reach_two_workers_wherever_they_sleep() {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(2);
    builder.check(|| {
        let (scheduler, workers, driver) = scheduler_with_driver(2);
        let workers = spawn_workers(workers, &driver);
        scheduler.inject(1).unwrap();
        scheduler.inject(2).unwrap();
        let mut got: Vec<_> = workers.into_iter().map(|w| w.join().unwrap()).collect();
        got.sort();
        assert_eq!(got, [Some(1), Some(2)]);
    });
}

// ANCHOR: loom_local_push
#[test]
fn a_push_on_a_busy_worker_gets_a_sleeping_worker_to_steal_it() {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(2);
    builder.check(|| {
        let (_scheduler, mut workers, driver) = scheduler_with_driver(2);
        let mut busy = workers.remove(0);
        let thief = spawn_workers(workers, &driver);
        // Worker 0 is busy in a long poll: what it pushes onto its own queue now only the
        // other worker, asleep or on its way to sleep, can run.
        busy.push(1);
        assert_eq!(thief.into_iter().next().unwrap().join().unwrap(), Some(1));
    });
}
// ANCHOR_END: loom_local_push

#[test]
fn close_wakes_the_worker_in_the_driver_and_the_one_on_the_condvar() {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(2);
    builder.check(|| {
        let (scheduler, workers, driver) = scheduler_with_driver(2);
        let workers = spawn_workers(workers, &driver);
        scheduler.close();
        for worker in workers {
            assert_eq!(worker.join().unwrap(), None);
        }
    });
}

#[test]
fn an_injection_racing_with_close_is_drained_or_taken_back_never_lost() {
    loom::model(|| {
        let (scheduler, _workers, _driver) = scheduler_with_driver(1);
        // A waker on another thread injects while the runtime is being dropped.
        let injector = {
            let scheduler = std::sync::Arc::clone(&scheduler);
            thread::spawn(move || scheduler.inject(7))
        };
        // `Runtime::drop`: close, then (no worker runs in this model) drain every queue, to
        // cancel what is left.
        scheduler.close();
        let mut seen = scheduler.drain();
        if let Err(taken_back) = injector.join().unwrap() {
            seen.extend(taken_back);
        }
        assert_eq!(
            seen,
            [7],
            "the injected task must be drained or given back, once"
        );
    });
}

#[test]
fn one_injection_wakes_at_most_one_worker() {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(2);
    builder.check(|| {
        let (scheduler, workers, driver) = scheduler_with_driver(2);
        let workers: Vec<_> = workers
            .into_iter()
            .map(|mut worker| {
                let driver = Arc::clone(&driver);
                thread::spawn(move || {
                    let mut got = 0;
                    while worker.next_task_or_drive(&driver).is_some() {
                        got += 1;
                    }
                    got
                })
            })
            .collect();
        scheduler.inject(1).unwrap();
        let counts = scheduler.counts();
        let wakes = counts.notifies + counts.driver_unparks;
        assert!(wakes <= 1, "{wakes} wakes for one injection");
        scheduler.close();
        let mut taken = 0;
        for worker in workers {
            taken += worker.join().unwrap();
        }
        let left = scheduler.drain().len();
        assert_eq!(taken + left, 1, "the item was taken, or left queued, once");
    });
}

#[test]
fn the_condvar_alone_still_works_as_in_chapter_10() {
    loom::model(|| {
        let (scheduler, mut workers) = Sched::new(1, 61);
        let mut worker = workers.pop().unwrap();
        let worker = thread::spawn(move || worker.next_task());
        scheduler.inject(1).unwrap();
        assert_eq!(worker.join().unwrap(), Some(1));
    });
}

// ANCHOR: loom_broken_driver
/// A queue that says "I am in the driver" too late: after it let go of the queue's lock.
struct LateFlagQueue {
    items: Mutex<VecDeque<u32>>,
    in_driver: AtomicBool,
    unpark: FlagUnpark,
}

impl LateFlagQueue {
    fn push(&self, item: u32) {
        self.items.lock().unwrap().push_back(item);
        if self.in_driver.load(Ordering::SeqCst) {
            self.unpark.unpark();
        }
    }

    fn pop_or_park(&self, driver: &mut FlagDriver) -> u32 {
        loop {
            if let Some(item) = self.items.lock().unwrap().pop_front() {
                return item;
            }
            // <- a push here sees `in_driver == false` and unparks nobody
            self.in_driver.store(true, Ordering::SeqCst);
            driver.park();
            self.in_driver.store(false, Ordering::SeqCst);
        }
    }
}

#[test]
#[should_panic(expected = "deadlock")]
fn loom_finds_the_lost_wakeup_of_a_driver_flag_set_too_late() {
    loom::model(|| {
        // Leaked, so that nothing of loom's is dropped while the deadlock report unwinds.
        let events: &'static Events = Box::leak(Box::new(Events {
            flag: Mutex::new(false),
            condvar: Condvar::new(),
        }));
        let queue: &'static LateFlagQueue = Box::leak(Box::new(LateFlagQueue {
            items: Mutex::new(VecDeque::new()),
            in_driver: AtomicBool::new(false),
            unpark: FlagUnpark(events),
        }));
        let driver: &'static mut FlagDriver = Box::leak(Box::new(FlagDriver(events)));
        let worker = thread::spawn(move || queue.pop_or_park(driver));
        queue.push(1);
        assert_eq!(worker.join().unwrap(), 1);
    });
}
// ANCHOR_END: loom_broken_driver
