//! A two-worker executor in one file, with `std` only: one queue behind a `Mutex`, idle
//! workers asleep on a `Condvar` beside it, a wake that notifies one sleeper, and a drop that
//! stops and joins the workers. (The stage crate adds the rest: `block_on`, `JoinHandle`,
//! panics, cancelling, and a state word that keeps a task off two workers at once.)

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, mpsc};
use std::task::{Context, Poll, Wake, Waker};
use std::thread;

// ANCHOR: queue
type BoxFuture = Pin<Box<dyn Future<Output = ()> + Send>>;

struct Task {
    future: Mutex<Option<BoxFuture>>,
    /// On the queue already: a second wake does not queue it twice.
    queued: AtomicBool,
    shared: Arc<Shared>,
}

/// The queue, and the workers asleep waiting for it, under one lock.
struct Shared {
    state: Mutex<Queue>,
    condvar: Condvar,
}

struct Queue {
    tasks: VecDeque<Arc<Task>>,
    sleeping: usize,
    closed: bool,
}

impl Shared {
    fn push(&self, task: Arc<Task>) {
        let mut queue = self.state.lock().unwrap();
        if queue.closed {
            return;
        }
        queue.tasks.push_back(task);
        let anyone_asleep = queue.sleeping > 0;
        drop(queue);
        if anyone_asleep {
            self.condvar.notify_one(); // one task, one worker: not `notify_all`
        }
    }

    /// The next task, or sleep until there is one; `None` when the executor is dropped.
    fn pop(&self) -> Option<Arc<Task>> {
        let mut queue = self.state.lock().unwrap();
        loop {
            if queue.closed {
                return None;
            }
            if let Some(task) = queue.tasks.pop_front() {
                return Some(task);
            }
            // Checked empty with the lock held; `wait` lets go of it only once asleep.
            queue.sleeping += 1;
            queue = self.condvar.wait(queue).unwrap();
            queue.sleeping -= 1;
        }
    }
}

impl Wake for Task {
    fn wake(self: Arc<Self>) {
        if !self.queued.swap(true, Ordering::AcqRel) {
            let shared = Arc::clone(&self.shared);
            shared.push(self);
        }
    }
}
// ANCHOR_END: queue

// ANCHOR: executor
/// What each worker thread runs.
fn worker(shared: Arc<Shared>) {
    while let Some(task) = shared.pop() {
        // A swap, not a store: it reads the write of a wake that found `queued` set and
        // queued nothing, so what that wake announced is visible to this poll (chapter 16).
        task.queued.swap(false, Ordering::AcqRel);
        let waker = Waker::from(Arc::clone(&task));
        let mut slot = task.future.lock().unwrap();
        if let Some(future) = slot.as_mut() {
            if future
                .as_mut()
                .poll(&mut Context::from_waker(&waker))
                .is_ready()
            {
                *slot = None;
            }
        }
    }
}

struct Executor {
    shared: Arc<Shared>,
    workers: Vec<thread::JoinHandle<()>>,
}

impl Executor {
    fn new(workers: usize) -> Executor {
        let shared = Arc::new(Shared {
            state: Mutex::new(Queue {
                tasks: VecDeque::new(),
                sleeping: 0,
                closed: false,
            }),
            condvar: Condvar::new(),
        });
        let workers = (0..workers)
            .map(|_| {
                let shared = Arc::clone(&shared);
                thread::spawn(move || worker(shared))
            })
            .collect();
        Executor { shared, workers }
    }

    fn spawn(&self, future: impl Future<Output = ()> + Send + 'static) {
        let task = Arc::new(Task {
            future: Mutex::new(Some(Box::pin(future))),
            queued: AtomicBool::new(true),
            shared: Arc::clone(&self.shared),
        });
        self.shared.push(task);
    }
}

impl Drop for Executor {
    /// Wakes every worker, waits for each to leave, and drops the unfinished tasks.
    fn drop(&mut self) {
        let mut queue = self.shared.state.lock().unwrap();
        queue.closed = true;
        let left = std::mem::take(&mut queue.tasks);
        drop(queue);
        self.shared.condvar.notify_all();
        for worker in self.workers.drain(..) {
            worker.join().unwrap();
        }
        drop(left);
    }
}
// ANCHOR_END: executor

/// Returns `Pending` once, after waking its own task: back to the queue, for any worker.
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
/// Ten tasks on two workers; task `n` adds up 1..=n, one number per turn.
fn demo() -> Vec<String> {
    let (sender, receiver) = mpsc::channel();
    let executor = Executor::new(2);
    for n in 1..=10_u64 {
        let sender = sender.clone();
        executor.spawn(async move {
            let mut total = 0;
            for k in 1..=n {
                total += k;
                yield_now().await;
            }
            sender.send((n, total)).unwrap();
        });
    }
    drop(sender);
    // Ends when every task has finished, and so dropped its sender.
    let mut results: Vec<(u64, u64)> = receiver.iter().collect();
    drop(executor); // stops and joins both workers
    results.sort(); // the order they finish in depends on the workers
    let mut lines: Vec<String> = results
        .iter()
        .map(|(n, total)| format!("task {n:>2}: 1 + ... + {n} = {total}"))
        .collect();
    lines.push("both workers stopped and joined".to_string());
    lines
}

fn main() {
    for line in demo() {
        println!("{line}");
    }
}
// ANCHOR_END: main

#[cfg(test)]
mod tests;
