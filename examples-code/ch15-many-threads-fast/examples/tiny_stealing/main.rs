//! Work stealing in one file, with `std` only: two workers, a `Mutex<VecDeque>` queue each,
//! and an injector. A worker runs its own queue, then the injector, then steals half of the
//! other's queue. Sixteen tasks start on worker 0's queue; worker 1, with none, steals.
//! (The stage crate adds the rest: sleeping without lost wakeups, `JoinHandle`, a state word,
//! a look at the injector every 61 polls, and crossbeam's lock-free queues.)

use std::cell::Cell;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::thread;
use std::time::Duration;

// ANCHOR: queues
type BoxFuture = Pin<Box<dyn Future<Output = ()> + Send>>;

struct Task {
    future: Mutex<Option<BoxFuture>>,
    shared: Arc<Shared>,
}

/// A queue per worker, the injector, and what the demo reports.
struct Shared {
    queues: Vec<Mutex<VecDeque<Arc<Task>>>>,
    injector: Mutex<VecDeque<Arc<Task>>>,
    /// Tasks not finished yet: the workers stop when it reaches zero.
    live: AtomicUsize,
    stop: AtomicBool,
    /// What each worker's steals took, in order.
    steals: Mutex<Vec<(usize, usize)>>,
}

thread_local! {
    /// The index of the worker running on this thread, if it is one.
    static WORKER: Cell<Option<usize>> = const { Cell::new(None) };
}

impl Wake for Task {
    /// On a worker: back onto that worker's own queue. Anywhere else: the injector.
    fn wake(self: Arc<Self>) {
        let shared = Arc::clone(&self.shared);
        match WORKER.get() {
            Some(me) => shared.queues[me].lock().unwrap().push_back(self),
            None => shared.injector.lock().unwrap().push_back(self),
        }
    }
}
// ANCHOR_END: queues

// ANCHOR: find_task
impl Shared {
    /// Own queue first, then the injector, then half of the other worker's queue.
    fn find_task(&self, me: usize) -> Option<Arc<Task>> {
        if let Some(task) = self.queues[me].lock().unwrap().pop_front() {
            return Some(task);
        }
        if let Some(task) = self.injector.lock().unwrap().pop_front() {
            return Some(task);
        }
        for (victim, queue) in self.queues.iter().enumerate() {
            if victim == me {
                continue;
            }
            // Take half (rounded up) of the victim's queue, oldest first, and let go of its
            // lock before taking ours: two thieves never hold two locks at once.
            let mut stolen: VecDeque<_> = {
                let mut queue = queue.lock().unwrap();
                let half = queue.len().div_ceil(2);
                queue.drain(..half).collect()
            };
            if let Some(task) = stolen.pop_front() {
                self.steals.lock().unwrap().push((me, stolen.len() + 1));
                self.queues[me].lock().unwrap().extend(stolen);
                return Some(task);
            }
        }
        None
    }
}

/// What each worker thread runs, until every task is done.
fn worker(shared: Arc<Shared>, me: usize) {
    WORKER.set(Some(me));
    while !shared.stop.load(Ordering::Acquire) {
        let Some(task) = shared.find_task(me) else {
            // Nothing anywhere: nap and look again. (The stage crate sleeps on a Condvar.)
            thread::sleep(Duration::from_micros(100));
            continue;
        };
        let waker = Waker::from(Arc::clone(&task));
        let mut slot = task.future.lock().unwrap();
        let future = slot.as_mut().expect("a finished task is never queued");
        if future
            .as_mut()
            .poll(&mut Context::from_waker(&waker))
            .is_ready()
        {
            *slot = None;
            if shared.live.fetch_sub(1, Ordering::AcqRel) == 1 {
                shared.stop.store(true, Ordering::Release); // the last task: everyone stops
            }
        }
    }
}
// ANCHOR_END: find_task

/// Returns `Pending` once, after waking its own task: back to the queue.
async fn yield_now() {
    let mut yielded = false;
    std::future::poll_fn(|cx| {
        if yielded {
            return Poll::Ready(());
        }
        yielded = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    })
    .await
}

// ANCHOR: main
/// How long each task keeps its worker busy, in two halves around a yield.
const WORK: Duration = Duration::from_millis(10);
const TASKS: usize = 16;

/// Puts `TASKS` tasks on worker 0's queue, starts the two workers, and reports who ran what.
fn demo(work: Duration) -> Vec<String> {
    let shared = Arc::new(Shared {
        queues: vec![Mutex::new(VecDeque::new()), Mutex::new(VecDeque::new())],
        injector: Mutex::new(VecDeque::new()),
        live: AtomicUsize::new(TASKS),
        stop: AtomicBool::new(false),
        steals: Mutex::new(Vec::new()),
    });
    let ran: Arc<Vec<Mutex<Vec<usize>>>> = Arc::new((0..TASKS).map(|_| Mutex::default()).collect());
    for n in 0..TASKS {
        let ran = Arc::clone(&ran);
        let task = Arc::new(Task {
            future: Mutex::new(Some(Box::pin(async move {
                thread::sleep(work / 2); // busy: a worker with a backlog
                yield_now().await; // back onto the queue of the worker that runs it
                thread::sleep(work / 2);
                ran[n].lock().unwrap().push(WORKER.get().unwrap());
            }))),
            shared: Arc::clone(&shared),
        });
        shared.queues[0].lock().unwrap().push_back(task); // all on worker 0's queue
    }
    let mut lines = vec![format!(
        "worker 0's queue: {TASKS} tasks; worker 1's queue: empty"
    )];
    // Worker 1 starts first, so that its first steal finds all (or all but one) of them.
    let workers: Vec<_> = [1, 0]
        .map(|me| {
            let shared = Arc::clone(&shared);
            thread::spawn(move || worker(shared, me))
        })
        .into();
    for worker in workers {
        worker.join().unwrap();
    }
    let runs: Vec<Vec<usize>> = ran.iter().map(|r| r.lock().unwrap().clone()).collect();
    let once = runs.iter().all(|r| r.len() == 1);
    lines.push(format!("all {TASKS} tasks ran, each exactly once: {once}"));
    let (thief, took) = shared.steals.lock().unwrap()[0];
    lines.push(format!(
        "first steal: worker {thief} took {took} tasks, half of worker 0's queue"
    ));
    let both = (0..2).all(|w| runs.iter().any(|r| r.contains(&w)));
    lines.push(format!("both workers ran tasks: {both}"));
    lines
}

fn main() {
    for line in demo(WORK) {
        println!("{line}");
    }
}
// ANCHOR_END: main

#[cfg(test)]
mod tests;
