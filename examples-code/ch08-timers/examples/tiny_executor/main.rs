//! The whole runtime of chapter 5 in one file, with `std` and `futures` only: a run queue
//! behind a `Mutex` and a `Condvar`, tasks whose waker pushes them back on the queue, `spawn`
//! through a thread-local, and a `JoinHandle` over a oneshot channel. (The stage crate adds
//! what this leaves out: catching panics, cancelling on drop, waking each task at most once.)

use futures::channel::oneshot;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::{Pin, pin};
use std::sync::{Arc, Condvar, Mutex};
use std::task::{Context, Poll, Wake, Waker};

// ANCHOR: queue
type BoxFuture = Pin<Box<dyn Future<Output = ()> + Send>>;

/// The run queue: tasks to poll, whether the main future was woken, and a `Condvar` to sleep on.
#[derive(Default)]
struct Queue {
    state: Mutex<(VecDeque<Arc<Task>>, bool)>,
    condvar: Condvar,
}

struct Task {
    future: Mutex<Option<BoxFuture>>,
    queue: Arc<Queue>,
}

impl Wake for Task {
    fn wake(self: Arc<Self>) {
        let queue = Arc::clone(&self.queue);
        queue.state.lock().unwrap().0.push_back(self);
        queue.condvar.notify_one();
    }
}

/// The main future's waker: sets the flag and wakes the executor.
struct MainWaker(Arc<Queue>);

impl Wake for MainWaker {
    fn wake(self: Arc<Self>) {
        self.0.state.lock().unwrap().1 = true;
        self.0.condvar.notify_one();
    }
}
// ANCHOR_END: queue

// ANCHOR: block_on
thread_local! {
    static CURRENT: RefCell<Option<Arc<Queue>>> = const { RefCell::new(None) };
}

fn block_on<F: Future>(future: F) -> F::Output {
    let queue = Arc::new(Queue::default());
    CURRENT.with(|current| *current.borrow_mut() = Some(Arc::clone(&queue)));
    let mut future = pin!(future);
    let waker = Waker::from(Arc::new(MainWaker(Arc::clone(&queue))));
    let mut main_woken = true;
    loop {
        if main_woken {
            if let Poll::Ready(output) = future.as_mut().poll(&mut Context::from_waker(&waker)) {
                CURRENT.with(|current| current.borrow_mut().take());
                return output;
            }
        }
        // Take one task, or sleep until there is one or the main future is woken.
        let mut state = queue.state.lock().unwrap();
        while state.0.is_empty() && !state.1 {
            state = queue.condvar.wait(state).unwrap();
        }
        main_woken = std::mem::take(&mut state.1);
        let task = state.0.pop_front();
        drop(state); // never hold the lock while polling: the poll may wake or spawn
        if let Some(task) = task {
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
}
// ANCHOR_END: block_on

// ANCHOR: spawn
fn spawn<T: Send + 'static>(
    future: impl Future<Output = T> + Send + 'static,
) -> oneshot::Receiver<T> {
    let queue = CURRENT.with(|current| current.borrow().clone());
    let queue = queue.expect("`spawn` called outside of `block_on`");
    let (sender, receiver) = oneshot::channel();
    let task = Arc::new(Task {
        future: Mutex::new(Some(Box::pin(async move {
            let _ = sender.send(future.await);
        }))),
        queue,
    });
    task.wake(); // its first poll
    receiver // the join handle: a future of `Result<T, Canceled>`
}
// ANCHOR_END: spawn

/// Returns `Pending` once, after waking its own task: the other tasks get a turn.
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
/// Two tasks that take three turns each, and log each turn.
fn demo() -> Vec<String> {
    let log = Arc::new(Mutex::new(Vec::new()));
    block_on(async {
        let handles: Vec<_> = ["a", "b"]
            .into_iter()
            .map(|name| {
                let log = Arc::clone(&log);
                spawn(async move {
                    for step in 1..=3 {
                        log.lock()
                            .unwrap()
                            .push(format!("task {name}: step {step}"));
                        yield_now().await;
                    }
                    name
                })
            })
            .collect();
        for handle in handles {
            let output = handle.await.unwrap();
            log.lock().unwrap().push(format!("joined task {output}"));
        }
    });
    Arc::into_inner(log).unwrap().into_inner().unwrap()
}

fn main() {
    for line in demo() {
        println!("{line}");
    }
}
// ANCHOR_END: main

#[cfg(test)]
mod tests;
