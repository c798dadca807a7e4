//! Exercise 12.2: steal one task instead of half. `StealOne` is the book's queues with a
//! thief that takes a single task; `drain_backlog` queues a backlog on one worker of the real
//! scheduler and counts the steals it takes the others to share it.
// xtask: numbers-vary

use ch12_work_stealing::deque::{Deque, Injector};
use ch12_work_stealing::run_queue::{BookLocal, BookQueues, RunQueues};
use ch12_work_stealing::scheduler::{GLOBAL_QUEUE_INTERVAL, Scheduler};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;

// ANCHOR: steal_one
/// The book's queues, except that a thief takes the oldest task of its victim and nothing
/// else.
pub struct StealOne;

impl<T: Send + 'static> RunQueues<T> for StealOne {
    type Local = BookLocal<T>;
    type Stealer = Arc<Deque<T>>;
    type Injector = Injector<T>;

    fn steal_half(from: &Arc<Deque<T>>, _into: &mut BookLocal<T>) -> Option<T> {
        from.pop()
    }

    // The rest: the book's queues, function by function.
    fn new_local() -> (BookLocal<T>, Arc<Deque<T>>) {
        <BookQueues as RunQueues<T>>::new_local()
    }
    fn new_injector() -> Injector<T> {
        <BookQueues as RunQueues<T>>::new_injector()
    }
    fn push(local: &mut BookLocal<T>, item: T) -> Result<(), T> {
        BookQueues::push(local, item)
    }
    fn pop(local: &mut BookLocal<T>) -> Option<T> {
        BookQueues::pop(local)
    }
    fn has_work(from: &Arc<Deque<T>>) -> bool {
        <BookQueues as RunQueues<T>>::has_work(from)
    }
    fn inject(injector: &Injector<T>, item: T) {
        BookQueues::inject(injector, item);
    }
    fn take_batch(injector: &Injector<T>, into: &mut BookLocal<T>, workers: usize) -> Option<T> {
        BookQueues::take_batch(injector, into, workers)
    }
    fn injected(injector: &Injector<T>) -> usize {
        <BookQueues as RunQueues<T>>::injected(injector)
    }
    fn drain(injector: &Injector<T>, stealers: &[Arc<Deque<T>>]) -> Vec<T> {
        BookQueues::drain(injector, stealers)
    }
}
// ANCHOR_END: steal_one

/// What sharing a backlog cost.
#[derive(Debug)]
pub struct Backlog {
    /// Successful steals, counted by the scheduler.
    pub steals: u64,
    /// How many tasks each worker ran.
    pub per_worker: Vec<usize>,
    /// How many times each task ran.
    pub runs: Vec<u32>,
}

// ANCHOR: drain_backlog
/// Queues `tasks` tasks on worker 0 of `workers`, then starts the workers. Each task blocks
/// its worker for `work`; the worker that runs the last one closes the scheduler.
pub fn drain_backlog<Q: RunQueues<usize>>(workers: usize, tasks: usize, work: Duration) -> Backlog {
    let (scheduler, mut ends) = Scheduler::<Q, usize>::new(workers, GLOBAL_QUEUE_INTERVAL);
    for task in 0..tasks {
        ends[0].push(task);
    }
    let runs: Arc<[AtomicU32]> = (0..tasks).map(|_| AtomicU32::new(0)).collect();
    let done = Arc::new(AtomicUsize::new(0));
    let threads: Vec<_> = ends
        .into_iter()
        .map(|mut worker| {
            let (runs, done) = (Arc::clone(&runs), Arc::clone(&done));
            thread::spawn(move || {
                let mut ran = 0;
                while let Some(task) = worker.next_task() {
                    thread::sleep(work);
                    runs[task].fetch_add(1, Ordering::Relaxed);
                    ran += 1;
                    if done.fetch_add(1, Ordering::AcqRel) + 1 == tasks {
                        worker.scheduler().close();
                    }
                }
                ran
            })
        })
        .collect();
    let per_worker = threads.into_iter().map(|t| t.join().unwrap()).collect();
    Backlog {
        steals: scheduler.counts().steals,
        per_worker,
        runs: runs.iter().map(|r| r.load(Ordering::Relaxed)).collect(),
    }
}
// ANCHOR_END: drain_backlog

/// The demo's backlog: 200 tasks of 100 µs on worker 0 of 4.
const WORKERS: usize = 4;
const TASKS: usize = 200;
const WORK: Duration = Duration::from_micros(100);

/// Prints one line of the demo.
fn report(label: &str, backlog: &Backlog) {
    let once = backlog.runs.iter().all(|&runs| runs == 1);
    println!(
        "{label:<11} {:>3} steals; tasks per worker {:?}; each ran once: {once}",
        backlog.steals, backlog.per_worker
    );
}

// ANCHOR: demo
fn main() {
    let work = WORK.as_micros();
    println!("{TASKS} tasks of {work} µs, all queued on worker 0 of {WORKERS}:");
    let half = drain_backlog::<BookQueues>(WORKERS, TASKS, WORK);
    report("steal half:", &half);
    let one = drain_backlog::<StealOne>(WORKERS, TASKS, WORK);
    report("steal one:", &one);
}
// ANCHOR_END: demo

#[cfg(test)]
mod tests;
