//! A plain `std` thread, outside the runtime, wakes a task: a hand-written channel whose
//! sender lives on the thread and whose receiver is awaited by the task. The waker the task
//! leaves in the channel is all the thread needs.

use ch15_many_threads_fast::{Runtime, spawn};
use std::collections::VecDeque;
use std::future::poll_fn;
use std::sync::{Arc, Mutex};
use std::task::{Poll, Waker};
use std::thread;
use std::time::Duration;

// ANCHOR: channel
/// What the two ends share.
struct Shared<T> {
    queue: VecDeque<T>,
    /// The waker of the receiver's latest poll that found the queue empty.
    waker: Option<Waker>,
    /// The sender is gone.
    closed: bool,
}

/// The sending end: any thread may hold it. Dropping it closes the channel.
pub struct Sender<T> {
    shared: Arc<Mutex<Shared<T>>>,
}

/// The receiving end, awaited by a task.
pub struct Receiver<T> {
    shared: Arc<Mutex<Shared<T>>>,
}

pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    let shared = Arc::new(Mutex::new(Shared {
        queue: VecDeque::new(),
        waker: None,
        closed: false,
    }));
    let receiver = Receiver {
        shared: Arc::clone(&shared),
    };
    (Sender { shared }, receiver)
}

impl<T> Sender<T> {
    pub fn send(&self, value: T) {
        let waker = {
            let mut shared = self.shared.lock().unwrap();
            shared.queue.push_back(value);
            shared.waker.take()
        };
        // Outside the lock. For our runtime this is a push to its injector, from a thread
        // the runtime knows nothing about, and the unpark of a worker if they all sleep.
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let waker = {
            let mut shared = self.shared.lock().unwrap_or_else(|e| e.into_inner());
            shared.closed = true;
            shared.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

impl<T> Receiver<T> {
    /// The next value, or `None` once the sender is gone and the queue is empty.
    pub async fn recv(&mut self) -> Option<T> {
        poll_fn(|cx| {
            let mut shared = self.shared.lock().unwrap();
            if let Some(value) = shared.queue.pop_front() {
                return Poll::Ready(Some(value));
            }
            if shared.closed {
                return Poll::Ready(None);
            }
            // Checked and stored under one lock: a `send` either came before the check (and
            // we found its value) or comes after the store (and takes this waker).
            shared.waker = Some(cx.waker().clone());
            Poll::Pending
        })
        .await
    }
}
// ANCHOR_END: channel

// ANCHOR: demo
/// The pause between two readings of the sensor thread.
const PAUSE: Duration = Duration::from_millis(50);

fn demo(pause: Duration) -> Vec<String> {
    let (sender, mut receiver) = channel();
    // A plain thread, not a task, that the runtime does not know about.
    let sensor = thread::spawn(move || {
        for reading in [17, 19, 23] {
            thread::sleep(pause);
            sender.send(reading);
        }
        // `sender` is dropped here: the channel closes.
    });
    let runtime = Runtime::new().expect("cannot create the runtime");
    let lines = runtime.block_on(async {
        let task = spawn(async move {
            let mut lines = Vec::new();
            while let Some(reading) = receiver.recv().await {
                lines.push(format!("the task got {reading} from the sensor thread"));
            }
            lines.push("the sensor thread is gone: the channel is closed".to_string());
            lines
        });
        task.await.unwrap()
    });
    sensor.join().unwrap();
    lines
}
// ANCHOR_END: demo

fn main() {
    for line in demo(PAUSE) {
        println!("{line}");
    }
}

#[cfg(test)]
mod tests;
