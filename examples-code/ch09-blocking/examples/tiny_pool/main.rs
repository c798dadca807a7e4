//! A blocking pool in one file, with `std` only: a fixed number of threads take closures from
//! a shared queue, and each result comes back through a future whose waker the thread wakes.
//! A thread-park `block_on` (chapter 2) awaits the results.

use std::future::Future;
use std::pin::{Pin, pin};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::thread;
use std::time::{Duration, Instant};

// ANCHOR: pool
type Job = Box<dyn FnOnce() + Send + 'static>;

/// `threads` threads that run the jobs of one queue, in order.
struct Pool {
    queue: Sender<Job>,
}

impl Pool {
    fn new(threads: usize) -> Pool {
        let (queue, jobs) = mpsc::channel::<Job>();
        let jobs = Arc::new(Mutex::new(jobs));
        for n in 0..threads {
            let jobs: Arc<Mutex<Receiver<Job>>> = Arc::clone(&jobs);
            thread::Builder::new()
                .name(format!("pool-{n}"))
                .spawn(move || {
                    loop {
                        // The lock is held only to take a job, not to run it.
                        let job = jobs.lock().unwrap().recv();
                        match job {
                            Ok(job) => job(),
                            Err(_) => return, // the pool is gone
                        }
                    }
                })
                .unwrap();
        }
        Pool { queue }
    }

    /// Runs `f` on a pool thread; the handle is a future of its result.
    fn spawn_blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Handle<T> {
        let slot = Arc::new(Mutex::new(Slot {
            result: None,
            waker: None,
        }));
        let filled = Arc::clone(&slot);
        let job = Box::new(move || {
            let result = f();
            let waker = {
                let mut slot = filled.lock().unwrap();
                slot.result = Some(result);
                slot.waker.take()
            };
            if let Some(waker) = waker {
                waker.wake(); // outside the lock
            }
        });
        self.queue.send(job).unwrap();
        Handle { slot }
    }
}

/// Where a job leaves its result, and the waker of whoever waits for it.
struct Slot<T> {
    result: Option<T>,
    waker: Option<Waker>,
}

struct Handle<T> {
    slot: Arc<Mutex<Slot<T>>>,
}

impl<T> Future for Handle<T> {
    type Output = T;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let mut slot = self.slot.lock().unwrap();
        match slot.result.take() {
            Some(result) => Poll::Ready(result),
            None => {
                // Under the same lock as the check: the job cannot fill the slot in between.
                slot.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}
// ANCHOR_END: pool

/// Chapter 2's executor: park the thread until a waker unparks it.
fn block_on<F: Future>(future: F) -> F::Output {
    struct Unpark(thread::Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Unpark(thread::current())));
    let mut future = pin!(future);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut Context::from_waker(&waker)) {
            return output;
        }
        thread::park();
    }
}

// ANCHOR: demo
/// How long each job blocks.
const UNIT: Duration = Duration::from_millis(100);

fn demo(unit: Duration) -> Vec<String> {
    let pool = Pool::new(2);
    let start = Instant::now();
    let main_thread = thread::current().id();
    // Three jobs that block for one unit each, on two threads: the third waits its turn.
    let handles: Vec<_> = (1..=3u64)
        .map(|n| {
            pool.spawn_blocking(move || {
                thread::sleep(unit); // stands for a file read, a DNS lookup…
                (n * n, thread::current().id())
            })
        })
        .collect();
    let mut lines = Vec::new();
    block_on(async {
        for (n, handle) in (1..).zip(handles) {
            let (square, thread) = handle.await;
            let elsewhere = thread != main_thread;
            lines.push(format!(
                "job {n} gave {square}, off the main thread: {elsewhere}"
            ));
        }
    });
    let waited = start.elapsed() >= unit * 2;
    lines.push(format!(
        "3 jobs on 2 threads, the third waited its turn: {waited}"
    ));
    lines
}
// ANCHOR_END: demo

fn main() {
    for line in demo(UNIT) {
        println!("{line}");
    }
}

#[cfg(test)]
mod tests;
