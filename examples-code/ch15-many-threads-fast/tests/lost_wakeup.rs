//! The race between "the queue is empty" and "sleep", shown on a deliberately broken queue
//! that checks and sleeps under two separate lockings of its `Mutex`. The interleaving is
//! forced step by step, so the stall happens every time; a timeout ends it. The real
//! scheduler's last searcher looks once more after it joins the sleepers (and
//! `tests/loom_park.rs` proves it).

mod common;

use ch15_many_threads_fast::park::{Driver, Unpark};
use ch15_many_threads_fast::scheduler::{Config, Ring, Shared, Standalone, run_worker};
use common::{LIMIT, within};
use std::collections::VecDeque;
use std::sync::{Arc, Barrier, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// Long enough to call it a stall: no correct wake takes this long.
const STALL: Duration = Duration::from_millis(300);

// ANCHOR: broken_queue
/// A ready queue with the lost-wakeup bug.
#[derive(Default)]
struct BrokenQueue {
    items: Mutex<VecDeque<u32>>,
    condvar: Condvar,
}

impl BrokenQueue {
    fn push(&self, item: u32) {
        self.items.lock().unwrap().push_back(item);
        self.condvar.notify_one();
    }

    /// Step 1: look at the queue. Step 2: go to sleep. The lock is let go in between, and
    /// `between` runs there. Returns the item, or `None` if it slept `STALL` without a wake.
    fn pop_or_park(&self, between: impl FnOnce()) -> Option<u32> {
        if let Some(item) = self.items.lock().unwrap().pop_front() {
            return Some(item);
        }
        between(); // the queue was empty a moment ago; is it still?
        let items = self.items.lock().unwrap();
        let (mut items, timeout) = self.condvar.wait_timeout(items, STALL).unwrap();
        if timeout.timed_out() {
            return None; // asleep all along, though an item may be waiting
        }
        items.pop_front()
    }
}
// ANCHOR_END: broken_queue

#[test]
fn a_push_between_the_check_and_the_sleep_is_lost() {
    let (got, left_in_queue, slept) = within(LIMIT, || {
        let queue = Arc::new(BrokenQueue::default());
        let checked = Arc::new(Barrier::new(2));
        let pushed = Arc::new(Barrier::new(2));
        let worker = thread::spawn({
            let (queue, checked, pushed) = (queue.clone(), checked.clone(), pushed.clone());
            move || {
                let start = Instant::now();
                let got = queue.pop_or_park(|| {
                    checked.wait(); // 1. the worker has seen an empty queue
                    pushed.wait(); // 3. ... and only now goes to sleep
                });
                (got, start.elapsed())
            }
        });
        checked.wait();
        queue.push(7); // 2. push and notify: nobody is waiting on the Condvar yet
        pushed.wait();
        let (got, slept) = worker.join().unwrap();
        let left = queue.items.lock().unwrap().len();
        (got, left, slept)
    });
    assert_eq!(got, None, "the worker was never woken");
    assert_eq!(left_in_queue, 1, "while the item sat in the queue");
    assert!(slept >= STALL);
}

/// A stand-in for the driver: an event flag under a `Mutex`, with a `Condvar`. Like mio's
/// eventfd, it keeps a wake that comes before the sleep.
#[derive(Default)]
struct Events {
    flag: Mutex<bool>,
    condvar: Condvar,
}

struct FlagDriver(Arc<Events>);

impl Driver for FlagDriver {
    fn park(&mut self, timeout: Option<Duration>) {
        if timeout.is_some_and(|t| t.is_zero()) {
            return;
        }
        let mut flag = self.0.flag.lock().unwrap();
        while !*flag {
            flag = self.0.condvar.wait(flag).unwrap();
        }
        *flag = false;
    }
}

struct FlagUnpark(Arc<Events>);

impl Unpark for FlagUnpark {
    fn unpark(&self) {
        *self.0.flag.lock().unwrap() = true;
        self.0.condvar.notify_one();
    }
}

#[test]
#[cfg_attr(miri, ignore = "200 rounds of real sleeps: far too slow under Miri")]
fn the_scheduler_wakes_a_worker_that_is_about_to_sleep() {
    // The same race on the real scheduler, left to chance many times over: every injection
    // must reach a worker that found every queue empty, however the two interleave.
    let stalls = within(LIMIT, || {
        let mut stalls = 0;
        for round in 0..200 {
            let events = Arc::new(Events::default());
            let (scheduler, mut cores) = Shared::<Ring, u32, FlagDriver>::new(
                Config::new(1),
                FlagDriver(Arc::clone(&events)),
                FlagUnpark(events),
            );
            let core = cores.pop().unwrap();
            let got = Arc::new(Mutex::new(None));
            let worker = thread::spawn({
                let (scheduler, got) = (Arc::clone(&scheduler), Arc::clone(&got));
                move || {
                    let closer = Arc::clone(&scheduler);
                    let cx = Standalone::new(core, move |item, _| {
                        *got.lock().unwrap() = Some(item);
                        closer.close();
                    });
                    run_worker(&scheduler, &cx, 0);
                }
            });
            // Push at different moments: at once, after a yield, and after the worker has
            // surely checked the queues and is on its way to sleep.
            match round % 4 {
                0 => {}
                1 => thread::yield_now(),
                2 => thread::sleep(Duration::from_micros(50)),
                _ => thread::sleep(Duration::from_micros(500)),
            }
            scheduler.inject(round).unwrap();
            let start = Instant::now();
            while !worker.is_finished() {
                if start.elapsed() > STALL {
                    stalls += 1;
                    scheduler.close(); // frees the worker so the test can go on
                    break;
                }
                thread::sleep(Duration::from_micros(100));
            }
            worker.join().unwrap();
            if *got.lock().unwrap() != Some(round) {
                break;
            }
        }
        stalls
    });
    assert_eq!(stalls, 0);
}
