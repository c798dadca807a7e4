//! Exercise 3.2: dropping a `Task` cancels its timer. `Task`'s `Drop` sends an
//! `Event::Cancel`; the sleeper thread of that timer stops at once, wakes nobody, and the
//! reactor no longer waits for it when it closes.

use std::collections::HashMap;
use std::future::Future;
use std::pin::{Pin, pin};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Condvar, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// The demo's time unit.
const UNIT: Duration = Duration::from_millis(100);

// ANCHOR: event
enum Event {
    Timeout(Waker, Duration, usize),
    /// Forget timer `id`: its task is gone. New here.
    Cancel(usize),
    Close,
}
// ANCHOR_END: event

struct Reactor {
    dispatcher: Sender<Event>,
    handle: Option<JoinHandle<()>>,
    readylist: Arc<Mutex<Vec<usize>>>,
}

impl Reactor {
    fn new() -> Arc<Reactor> {
        let (dispatcher, events) = mpsc::channel();
        let readylist = Arc::new(Mutex::new(Vec::new()));
        let handle = thread::spawn({
            let readylist = Arc::clone(&readylist);
            move || dispatch(events, readylist)
        });
        Arc::new(Reactor {
            dispatcher,
            handle: Some(handle),
            readylist,
        })
    }

    fn register(&self, duration: Duration, waker: Waker, id: usize) {
        self.dispatcher
            .send(Event::Timeout(waker, duration, id))
            .expect("the dispatcher thread has stopped");
    }

    fn cancel(&self, id: usize) {
        // A closing reactor has stopped reading: nothing is left to cancel then.
        let _ = self.dispatcher.send(Event::Cancel(id));
    }

    fn take_ready(&self, id: usize) -> bool {
        let mut readylist = self.readylist.lock().unwrap();
        match readylist.iter().position(|&ready| ready == id) {
            Some(index) => {
                readylist.swap_remove(index);
                true
            }
            None => false,
        }
    }
}

// ANCHOR: cancel_flag
/// Shared by the dispatcher and one sleeper: set to cancel the timer, and the condvar
/// that interrupts the sleep.
#[derive(Default)]
struct CancelFlag {
    cancelled: Mutex<bool>,
    condvar: Condvar,
}
// ANCHOR_END: cancel_flag

// ANCHOR: dispatch
fn dispatch(events: Receiver<Event>, readylist: Arc<Mutex<Vec<usize>>>) {
    let mut sleepers = Vec::new();
    let mut flags: HashMap<usize, Arc<CancelFlag>> = HashMap::new();
    for event in events {
        match event {
            Event::Timeout(waker, duration, id) => {
                let readylist = Arc::clone(&readylist);
                let flag = Arc::new(CancelFlag::default());
                flags.insert(id, Arc::clone(&flag));
                sleepers.push(thread::spawn(move || {
                    // A sleep that a cancel can cut short, unlike `thread::sleep`.
                    let cancelled = flag.cancelled.lock().unwrap();
                    let (cancelled, _) = flag
                        .condvar
                        .wait_timeout_while(cancelled, duration, |cancelled| !*cancelled)
                        .unwrap();
                    if *cancelled {
                        return;
                    }
                    // Still under the flag's lock: a cancel now waits until the id is
                    // on the readylist, and then takes it off again.
                    readylist.lock().unwrap().push(id);
                    drop(cancelled);
                    waker.wake();
                }));
            }
            Event::Cancel(id) => {
                if let Some(flag) = flags.remove(&id) {
                    *flag.cancelled.lock().unwrap() = true;
                    flag.condvar.notify_one();
                }
                // If it fired before the cancel, nobody will collect it now.
                readylist.lock().unwrap().retain(|&ready| ready != id);
            }
            Event::Close => break,
        }
    }
    for sleeper in sleepers {
        sleeper.join().expect("a sleeper thread panicked");
    }
}
// ANCHOR_END: dispatch

impl Drop for Reactor {
    fn drop(&mut self) {
        let _ = self.dispatcher.send(Event::Close);
        if let Some(handle) = self.handle.take() {
            handle.join().expect("the dispatcher thread panicked");
        }
    }
}

struct Task {
    id: usize,
    duration: Duration,
    reactor: Arc<Reactor>,
    registered: bool,
    /// Whether the task has returned `Ready`: its timer is spent, nothing to cancel.
    finished: bool,
}

impl Task {
    fn new(id: usize, duration: Duration, reactor: &Arc<Reactor>) -> Task {
        Task {
            id,
            duration,
            reactor: Arc::clone(reactor),
            registered: false,
            finished: false,
        }
    }
}

impl Future for Task {
    type Output = usize;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<usize> {
        if self.reactor.take_ready(self.id) {
            self.finished = true;
            return Poll::Ready(self.id);
        }
        if !self.registered {
            self.reactor
                .register(self.duration, cx.waker().clone(), self.id);
            self.registered = true;
        }
        Poll::Pending
    }
}

// ANCHOR: drop_task
impl Drop for Task {
    fn drop(&mut self) {
        if self.registered && !self.finished {
            self.reactor.cancel(self.id);
        }
    }
}
// ANCHOR_END: drop_task

/// From chapter 2: a parker on `Mutex<bool>` + `Condvar`, and the waker that unparks it.
#[derive(Default)]
struct Parker {
    notified: Mutex<bool>,
    condvar: Condvar,
}

impl Parker {
    /// Sleeps until `unpark` has been called since the last `park`.
    fn park(&self) {
        let mut notified = self.notified.lock().unwrap();
        while !*notified {
            notified = self.condvar.wait(notified).unwrap();
        }
        *notified = false;
    }

    fn unpark(&self) {
        *self.notified.lock().unwrap() = true;
        self.condvar.notify_one();
    }
}

impl Wake for Parker {
    fn wake(self: Arc<Self>) {
        self.unpark();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.unpark();
    }
}

/// From chapter 2: runs `future` to completion, parking the thread while it is `Pending`.
fn block_on<F: Future>(future: F) -> F::Output {
    let parker = Arc::new(Parker::default());
    let waker = Waker::from(Arc::clone(&parker));
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    loop {
        match future.as_mut().poll(&mut cx) {
            Poll::Ready(output) => return output,
            Poll::Pending => parker.park(),
        }
    }
}

/// A waker that counts its wakes, for the demo.
#[derive(Default)]
struct Counter(AtomicUsize);

impl Wake for Counter {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

impl Counter {
    fn new() -> (Arc<Counter>, Waker) {
        let counter = Arc::new(Counter::default());
        let waker = Waker::from(Arc::clone(&counter));
        (counter, waker)
    }

    fn count(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

// ANCHOR: main
fn main() {
    let start = Instant::now();
    let reactor = Reactor::new();
    let (counter, waker) = Counter::new();
    let mut slow = Task::new(1, 10 * UNIT, &reactor);
    // Polled once, so its ten-unit timer starts; then given up on.
    let _ = Pin::new(&mut slow).poll(&mut Context::from_waker(&waker));
    drop(slow);
    let id = block_on(Task::new(2, UNIT, &reactor));
    println!("task {id} is ready");
    drop(reactor);
    // Without the cancel, closing the reactor would wait for the ten-unit sleeper.
    let early = start.elapsed() < 10 * UNIT;
    println!("the reactor closed before the cancelled timer was due: {early}");
    println!(
        "the cancelled task's waker was woken {} times",
        counter.count()
    );
}
// ANCHOR_END: main

#[cfg(test)]
mod tests;
