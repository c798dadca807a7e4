//! loom models of parking: every interleaving of workers going to sleep on the `ReadyQueue`,
//! one in the driver and the others on the `Condvar`, and a push (or a close) from another
//! thread. mio cannot run under loom, so the driver is a stand-in: a flag under a `Mutex`
//! with a `Condvar`, which keeps a wake that comes before the sleep, as mio's eventfd does.
//! A lost wakeup leaves a thread asleep for ever, which loom reports as a deadlock. Run with
//! `RUSTFLAGS="--cfg loom" cargo test --release -p ch11-mio --test loom_park`
//! (`cargo xtask test loom` does).
#![cfg(loom)]

use ch11_mio::queue::{Park, ReadyQueue, Unpark};
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

/// A queue whose idle workers take turns in a stand-in driver.
fn queue_with_driver() -> (Arc<ReadyQueue<u32>>, Arc<Mutex<FlagDriver>>) {
    // Leaked: the model may end while a worker still holds it (harmless in a test).
    let events: &'static Events = Box::leak(Box::new(Events {
        flag: Mutex::new(false),
        condvar: Condvar::new(),
    }));
    let queue = ReadyQueue::with_driver(FlagUnpark(events));
    (Arc::new(queue), Arc::new(Mutex::new(FlagDriver(events))))
}
// ANCHOR_END: loom_driver

// ANCHOR: loom_push_reaches_driver
#[test]
fn a_push_reaches_the_worker_that_sleeps_in_the_driver() {
    loom::model(|| {
        let (queue, driver) = queue_with_driver();
        let worker = thread::spawn({
            let queue = Arc::clone(&queue);
            move || queue.pop_or_park(&driver)
        });
        queue.push(1).unwrap();
        assert_eq!(worker.join().unwrap(), Some(1));
    });
}
// ANCHOR_END: loom_push_reaches_driver

/// Two workers: one ends up in the driver, the other on the `Condvar` (or both take turns).
fn two_workers(
    queue: &Arc<ReadyQueue<u32>>,
    driver: &Arc<Mutex<FlagDriver>>,
) -> Vec<thread::JoinHandle<Option<u32>>> {
    (0..2)
        .map(|_| {
            let (queue, driver) = (Arc::clone(queue), Arc::clone(driver));
            thread::spawn(move || queue.pop_or_park(&driver))
        })
        .collect()
}

#[test]
fn two_pushes_reach_two_workers_wherever_they_sleep() {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(2);
    builder.check(|| {
        let (queue, driver) = queue_with_driver();
        let workers = two_workers(&queue, &driver);
        queue.push(1).unwrap();
        queue.push(2).unwrap();
        let mut got: Vec<_> = workers.into_iter().map(|w| w.join().unwrap()).collect();
        got.sort();
        assert_eq!(got, [Some(1), Some(2)]);
    });
}

#[test]
fn close_wakes_the_worker_in_the_driver_and_the_one_on_the_condvar() {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(2);
    builder.check(|| {
        let (queue, driver) = queue_with_driver();
        let workers = two_workers(&queue, &driver);
        assert!(queue.close().is_empty());
        for worker in workers {
            assert_eq!(worker.join().unwrap(), None);
        }
    });
}

#[test]
fn one_push_wakes_at_most_one_worker() {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(2);
    builder.check(|| {
        let (queue, driver) = queue_with_driver();
        let workers: Vec<_> = (0..2)
            .map(|_| {
                let (queue, driver) = (Arc::clone(&queue), Arc::clone(&driver));
                thread::spawn(move || {
                    let mut got = 0;
                    while queue.pop_or_park(&driver).is_some() {
                        got += 1;
                    }
                    got
                })
            })
            .collect();
        queue.push(1).unwrap();
        let counts = queue.counts();
        let wakes = counts.notifies + counts.driver_unparks;
        assert!(wakes <= 1, "{wakes} wakes for one push");
        let mut left = queue.close().len();
        for worker in workers {
            left += worker.join().unwrap();
        }
        assert_eq!(left, 1, "the item was taken, or handed back by close, once");
    });
}

#[test]
fn the_condvar_alone_still_works_as_in_chapter_10() {
    loom::model(|| {
        let queue = Arc::new(ReadyQueue::new());
        let worker = thread::spawn({
            let queue = Arc::clone(&queue);
            move || queue.pop_or_wait()
        });
        queue.push(1).unwrap();
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
