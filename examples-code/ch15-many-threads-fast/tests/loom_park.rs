//! loom models of the scheduler's sleep and wake handshakes, on the real worker loop
//! (`scheduler::run_worker`) with numbers for tasks: injections from another thread racing
//! with workers on their way to sleep, one in the driver and the others on their parkers;
//! several searchers; a push on a busy worker that a sleeping worker must steal; and the
//! LIFO slot. mio cannot run under loom, so the driver is a stand-in: a flag under a `Mutex`
//! with a `Condvar`, which keeps a wake that comes before the sleep, as mio's eventfd does.
//! A lost wakeup leaves a thread asleep for ever, which loom reports as a deadlock. Run with
//! `RUSTFLAGS="--cfg loom" cargo test --release -p ch15-many-threads-fast --test loom_park`.
#![cfg(loom)]

use ch15_many_threads_fast::park::{Driver, Unpark};
use ch15_many_threads_fast::scheduler::{Config, Core, Ring, Shared, Standalone, run_worker};
use loom::sync::{Condvar, Mutex};
use loom::thread;
use std::cell::RefCell;
use std::sync::Arc;
use std::time::Duration;

// ANCHOR: loom_driver
/// The stand-in for `mio::Poll` and its `mio::Waker`: an event flag.
#[derive(Default)]
struct Events {
    flag: Mutex<bool>,
    condvar: Condvar,
}

struct FlagDriver(Arc<Events>);

impl Driver for FlagDriver {
    /// `epoll_wait`: with no timeout, sleeps until the flag is set, and consumes it; with a
    /// zero timeout (the look every 61 polls), returns at once.
    fn park(&mut self, timeout: Option<Duration>) {
        if timeout.is_some_and(|timeout| timeout.is_zero()) {
            return;
        }
        let mut flag = self.0.flag.lock().unwrap();
        while !*flag {
            flag = self.0.condvar.wait(flag).unwrap();
        }
        *flag = false;
    }
}

/// `mio::Waker::wake`: sets the flag (kept until the next park), wakes the sleeper.
struct FlagUnpark(Arc<Events>);

impl Unpark for FlagUnpark {
    fn unpark(&self) {
        *self.0.flag.lock().unwrap() = true;
        self.0.condvar.notify_one();
    }
}

type Sched = Shared<Ring, u32, FlagDriver>;

/// What a model's items do when a worker runs them: record who ran what, maybe push more
/// items onto the worker that runs them, and close the scheduler once `expected` have run.
struct Model {
    scheduler: Arc<Sched>,
    /// `(item, worker)` for every run.
    ran: Arc<std::sync::Mutex<Vec<(u32, usize)>>>,
}

impl Model {
    /// A scheduler for `workers` workers (tokio's throttle: at most half of them search),
    /// each on a loom thread, running items until `expected` have run. `children(item)`
    /// are pushed onto the running worker when `item` runs, as a task's wakes would be.
    fn start(
        workers: usize,
        expected: usize,
        children: fn(u32) -> Vec<u32>,
    ) -> (Model, Vec<thread::JoinHandle<()>>) {
        let events = Arc::new(Events::default());
        let (scheduler, cores) = Sched::new(
            Config::new(workers),
            FlagDriver(Arc::clone(&events)),
            FlagUnpark(events),
        );
        let ran = Arc::new(std::sync::Mutex::new(Vec::new()));
        let threads = cores
            .into_iter()
            .map(|core| {
                let (scheduler, ran) = (Arc::clone(&scheduler), Arc::clone(&ran));
                thread::spawn(move || worker(scheduler, core, ran, expected, children))
            })
            .collect();
        (Model { scheduler, ran }, threads)
    }

    /// Waits for the workers and returns what ran, sorted by item.
    fn finish(self, threads: Vec<thread::JoinHandle<()>>) -> Vec<(u32, usize)> {
        for thread in threads {
            thread.join().unwrap();
        }
        let mut ran = self.ran.lock().unwrap().clone();
        ran.sort_unstable();
        ran
    }
}

fn worker(
    scheduler: Arc<Sched>,
    core: Core<Ring, u32>,
    ran: Arc<std::sync::Mutex<Vec<(u32, usize)>>>,
    expected: usize,
    children: fn(u32) -> Vec<u32>,
) {
    let index = core.index();
    let closer = Arc::clone(&scheduler);
    let context = Standalone::new(core, move |item, core: &RefCell<Core<Ring, u32>>| {
        for child in children(item) {
            core.borrow_mut().schedule(&closer, child);
        }
        let mut ran = ran.lock().unwrap();
        ran.push((item, index));
        if ran.len() == expected {
            drop(ran);
            drop(closer.close());
        }
    });
    run_worker(&scheduler, &context, index);
}

fn none(_: u32) -> Vec<u32> {
    Vec::new()
}
// ANCHOR_END: loom_driver

#[test]
fn an_injection_reaches_the_worker_that_sleeps_in_the_driver() {
    loom::model(|| {
        let (model, threads) = Model::start(1, 1, none);
        model.scheduler.inject(1).unwrap();
        assert_eq!(model.finish(threads), [(1, 0)]);
    });
}

#[test]
fn two_injections_reach_two_workers_wherever_they_sleep_or_search() {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(2);
    builder.check(|| {
        let (model, threads) = Model::start(2, 2, none);
        model.scheduler.inject(1).unwrap();
        model.scheduler.inject(2).unwrap();
        let ran: Vec<u32> = model
            .finish(threads)
            .iter()
            .map(|(item, _)| *item)
            .collect();
        assert_eq!(ran, [1, 2], "each runs once");
    });
}

// ANCHOR: loom_local_push
/// Item 1, when it runs, wakes items 2 and 3 on its worker: 2 goes to the LIFO slot, then 3
/// takes the slot and 2 goes to the queue, where the other worker may steal it.
fn two_children(item: u32) -> Vec<u32> {
    if item == 1 { vec![2, 3] } else { Vec::new() }
}

#[test]
fn a_push_on_a_busy_worker_gets_a_sleeping_worker_to_steal_it_or_runs_there() {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(2);
    builder.check(|| {
        let (model, threads) = Model::start(2, 3, two_children);
        model.scheduler.inject(1).unwrap();
        let ran = model.finish(threads);
        let items: Vec<u32> = ran.iter().map(|(item, _)| *item).collect();
        assert_eq!(items, [1, 2, 3], "each runs once, none is lost");
        // The slot's task is never stolen: 3 runs where 1 ran.
        assert_eq!(ran[0].1, ran[2].1, "3 ran on 1's worker: {ran:?}");
    });
}
// ANCHOR_END: loom_local_push

/// Items 1 to 4 form a chain, each waking the next on its worker: a ping-pong in the LIFO
/// slot. Item 10, pushed to the back of the queue by item 1, must get its turn: the cap
/// stops the chain after three slot polls in a row.
fn chain(item: u32) -> Vec<u32> {
    match item {
        1 => vec![10, 2],
        2..=4 => vec![item + 1],
        _ => Vec::new(),
    }
}

#[test]
fn the_lifo_slot_runs_a_chain_on_one_worker_and_the_cap_lets_the_queue_in() {
    loom::model(|| {
        // One worker: the order is the scheduler's alone.
        let (model, threads) = Model::start(1, 6, chain);
        model.scheduler.inject(1).unwrap();
        let order: Vec<u32> = {
            let ran = model.ran.clone();
            let order = model.finish(threads);
            let _ = order;
            ran.lock().unwrap().iter().map(|(item, _)| *item).collect()
        };
        // 1 runs; then the slot: 2, 3, 4 (the third slot poll in a row turns the slot off,
        // so 4's wake of 5 goes to the back); then the queue: 10, 5.
        assert_eq!(order, [1, 2, 3, 4, 10, 5]);
    });
}

#[test]
fn a_worker_with_a_task_in_its_lifo_slot_does_not_sleep_and_nobody_else_takes_it() {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(2);
    builder.check(|| {
        fn one_child(item: u32) -> Vec<u32> {
            if item == 1 { vec![2] } else { Vec::new() }
        }
        let (model, threads) = Model::start(2, 2, one_child);
        model.scheduler.inject(1).unwrap();
        let ran = model.finish(threads);
        assert_eq!(ran.len(), 2);
        assert_eq!(
            ran[0].1, ran[1].1,
            "2 ran on 1's worker, from its slot: {ran:?}"
        );
    });
}

// ANCHOR: loom_three_workers
#[test]
fn with_three_workers_two_may_search_and_an_injection_still_reaches_one() {
    let mut builder = loom::model::Builder::new();
    // Four threads: a bound of 1 keeps it to seconds (2 takes many minutes).
    builder.preemption_bound = Some(1);
    builder.check(|| {
        let (model, threads) = Model::start(3, 1, none);
        model.scheduler.inject(1).unwrap();
        let ran: Vec<u32> = model
            .finish(threads)
            .iter()
            .map(|(item, _)| *item)
            .collect();
        assert_eq!(ran, [1]);
    });
}
// ANCHOR_END: loom_three_workers

// ANCHOR: loom_last_searcher
#[test]
fn a_task_that_blocks_its_worker_never_strands_the_work_queued_behind_it() {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(2);
    builder.check(|| {
        let events = Arc::new(Events::default());
        let (scheduler, cores) = Sched::new(
            Config::new(2),
            FlagDriver(Arc::clone(&events)),
            FlagUnpark(events),
        );
        // Item 1 blocks its worker until item 2 has run: only the other worker can run 2.
        let done = Arc::new((Mutex::new(false), Condvar::new()));
        let threads: Vec<_> = cores
            .into_iter()
            .map(|core| {
                let (scheduler, done) = (Arc::clone(&scheduler), Arc::clone(&done));
                thread::spawn(move || {
                    let index = core.index();
                    let closer = Arc::clone(&scheduler);
                    let context = Standalone::new(core, move |item, _| {
                        let (two_ran, condvar) = &*done;
                        let mut two_ran = two_ran.lock().unwrap();
                        if item == 1 {
                            while !*two_ran {
                                two_ran = condvar.wait(two_ran).unwrap();
                            }
                            drop(two_ran);
                            drop(closer.close());
                        } else {
                            *two_ran = true;
                            condvar.notify_one();
                        }
                    });
                    run_worker(&scheduler, &context, index);
                })
            })
            .collect();
        // The second injection may find the first one's worker searching, and wake nobody:
        // then that worker, once it stops searching, must wake the other for item 2.
        scheduler.inject(1).unwrap();
        scheduler.inject(2).unwrap();
        for thread in threads {
            thread.join().unwrap();
        }
    });
}
// ANCHOR_END: loom_last_searcher
