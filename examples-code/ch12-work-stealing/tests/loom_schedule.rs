//! A loom model of scheduling: a task's state word and the work-stealing scheduler, with two
//! workers and two wakes from two threads, in every interleaving (up to loom's preemption
//! bound). It checks that no two workers poll the task at once, and that the last wake is
//! followed by a poll that sees it (otherwise the workers sleep for ever: a deadlock).
//! Run with `RUSTFLAGS="--cfg loom" cargo test --release -p ch12-work-stealing --test loom_schedule`.
#![cfg(loom)]

use ch12_work_stealing::run_queue::BookQueues;
use ch12_work_stealing::scheduler::{Scheduler, Worker};
use ch12_work_stealing::state::TaskState;
use loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use loom::thread;

/// How many wakes the model makes: one from a thread of its own, one from the main thread.
const WAKES: usize = 2;

/// What the model needs of a state word, so that it can run the real one and a broken one.
trait State: Sync + 'static {
    fn wake(&self) -> bool;
    fn start_poll(&self) -> bool;
    fn end_poll(&self) -> bool;
    fn complete(&self);
}

impl State for TaskState {
    fn wake(&self) -> bool {
        TaskState::wake(self)
    }
    fn start_poll(&self) -> bool {
        TaskState::start_poll(self)
    }
    fn end_poll(&self) -> bool {
        TaskState::end_poll(self)
    }
    fn complete(&self) {
        TaskState::complete(self)
    }
}

/// A task whose "future" is ready once it has seen `WAKES` events. Everything in the model
/// is leaked (`&'static`): when loom reports a deadlock it unwinds, and a loom object
/// dropped during that unwinding would abort the process instead of failing the test.
struct ModelTask<S> {
    state: S,
    events: AtomicUsize,
    in_poll: AtomicBool,
}

type Sched<S> = Scheduler<BookQueues, &'static ModelTask<S>>;
type ModelWorker<S> = Worker<BookQueues, &'static ModelTask<S>>;

// ANCHOR: loom_wake
/// An event, then the wake that announces it from outside the workers: what `Task::wake`
/// does, with the injector.
fn event_and_wake<S: State>(task: &'static ModelTask<S>, scheduler: &Sched<S>) {
    task.events.fetch_add(1, Ordering::SeqCst);
    if task.state.wake() {
        let _ = scheduler.inject(task);
    }
}

/// A worker: what `Task::run` does with the state word, around a poll that checks it is
/// alone and reads the events. A task woken during its poll goes back on this worker's queue.
fn worker<S: State>(mut worker: ModelWorker<S>) {
    while let Some(task) = worker.next_task() {
        if !task.state.start_poll() {
            continue;
        }
        assert!(
            !task.in_poll.swap(true, Ordering::SeqCst),
            "two workers poll the task at once"
        );
        let seen = task.events.load(Ordering::SeqCst);
        task.in_poll.store(false, Ordering::SeqCst);
        if seen == WAKES {
            task.state.complete();
            worker.scheduler().close(); // the model is over: let every worker leave
        } else if task.state.end_poll() {
            worker.push(task);
        }
    }
}

/// The model: a spawned task, two workers, two wakers.
fn two_workers_two_wakers<S: State>(state: S) {
    let (scheduler, workers) = Sched::<S>::new(2, 61);
    let scheduler: &'static Sched<S> = Box::leak(Box::new(scheduler));
    let task: &'static ModelTask<S> = Box::leak(Box::new(ModelTask {
        state, // scheduled: a spawn queues it
        events: AtomicUsize::new(0),
        in_poll: AtomicBool::new(false),
    }));
    assert!(scheduler.inject(task).is_ok());
    let workers: Vec<_> = workers
        .into_iter()
        .map(|w| thread::spawn(move || worker(w)))
        .collect();
    let waker = thread::spawn(|| event_and_wake(task, scheduler));
    event_and_wake(task, scheduler);
    waker.join().unwrap();
    for worker in workers {
        worker.join().unwrap();
    }
}

#[test]
fn two_workers_two_wakers_no_double_poll_no_lost_wake() {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(2);
    builder.check(|| two_workers_two_wakers(TaskState::new()));
}
// ANCHOR_END: loom_wake

// ANCHOR: loom_plain_load
/// The first version of `TaskState` (same bits, same transitions), whose `wake` returned
/// after a plain load when the task was queued or notified already, writing nothing.
struct FirstVersion(AtomicUsize);

const SCHEDULED: usize = 0b0001;
const RUNNING: usize = 0b0010;
const NOTIFIED: usize = 0b0100;
const COMPLETE: usize = 0b1000;

impl FirstVersion {
    /// Swaps `current` for `f(current)` until it sticks; returns the value replaced.
    fn update(&self, f: impl Fn(usize) -> usize) -> usize {
        let mut current = self.0.load(Ordering::Acquire);
        loop {
            match self.0.compare_exchange_weak(
                current,
                f(current),
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(previous) => return previous,
                Err(actual) => current = actual,
            }
        }
    }
}

impl State for FirstVersion {
    fn wake(&self) -> bool {
        if self.0.load(Ordering::Acquire) & (SCHEDULED | NOTIFIED | COMPLETE) != 0 {
            return false; // the bug: nothing written, so nothing ordered before the poll
        }
        let previous = self.update(|s| match s {
            0 => SCHEDULED,
            s if s & (SCHEDULED | NOTIFIED | COMPLETE) != 0 => s,
            s => s | NOTIFIED,
        });
        previous == 0
    }
    fn start_poll(&self) -> bool {
        self.update(|s| if s & COMPLETE != 0 { s } else { RUNNING }) & COMPLETE == 0
    }
    fn end_poll(&self) -> bool {
        self.update(|s| if s & NOTIFIED != 0 { SCHEDULED } else { 0 }) & NOTIFIED != 0
    }
    fn complete(&self) {
        self.0.fetch_or(COMPLETE, Ordering::AcqRel);
    }
}

#[test]
#[should_panic(expected = "deadlock")]
fn loom_finds_the_lost_wake_of_a_wake_that_only_loads() {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(2);
    builder.check(|| two_workers_two_wakers(FirstVersion(AtomicUsize::new(SCHEDULED))));
}
// ANCHOR_END: loom_plain_load

#[test]
fn a_task_that_wakes_itself_during_its_poll_is_polled_again() {
    loom::model(|| {
        let (scheduler, mut workers) = Sched::<TaskState>::new(1, 61);
        let task: &'static ModelTask<TaskState> = Box::leak(Box::new(ModelTask {
            state: TaskState::new(),
            events: AtomicUsize::new(0),
            in_poll: AtomicBool::new(false),
        }));
        assert!(scheduler.inject(task).is_ok());
        let mut worker = workers.pop().unwrap();
        let worker = thread::spawn(move || {
            let mut polls = 0;
            while let Some(task) = worker.next_task() {
                assert!(task.state.start_poll());
                polls += 1;
                if polls == 2 {
                    task.state.complete();
                    worker.scheduler().close();
                } else {
                    assert!(!task.state.wake(), "a wake while running queues nothing");
                    assert!(
                        task.state.end_poll(),
                        "but the end of the poll queues it again"
                    );
                    worker.push(task); // onto this worker's own queue
                }
            }
            polls
        });
        assert_eq!(worker.join().unwrap(), 2);
    });
}
