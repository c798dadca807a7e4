//! Exercise 3.1: the reactor wakes the waker of a task's *latest* poll. The waker no longer
//! travels with the timer event; the reactor keeps one per timer id, and a poll with a waker
//! that would wake someone else replaces it (`Waker::will_wake`).

use std::collections::HashMap;
use std::future::Future;
use std::pin::{Pin, pin};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Condvar, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, JoinHandle};
use std::time::Duration;

/// The demo's time unit: long enough that the timer cannot fire between the two polls, nor
/// be late past the demo's look at the counts, even on a loaded machine.
const UNIT: Duration = Duration::from_millis(300);

/// What the executor side can ask of the dispatcher thread. The waker is no longer here.
enum Event {
    /// Fire timer `id` after this long.
    Timeout(Duration, usize),
    Close,
}

// ANCHOR: timers
/// What the reactor knows about its timers, under one lock so that a poll and a firing
/// timer never see half of each other's work.
#[derive(Default)]
struct Timers {
    /// Ids of the timers that have fired and that no task has collected yet.
    ready: Vec<usize>,
    /// The waker to wake when timer `id` fires: the one of the task's latest poll.
    wakers: HashMap<usize, Waker>,
}
// ANCHOR_END: timers

struct Reactor {
    dispatcher: Sender<Event>,
    handle: Option<JoinHandle<()>>,
    timers: Arc<Mutex<Timers>>,
}

impl Reactor {
    fn new() -> Arc<Reactor> {
        let (dispatcher, events) = mpsc::channel();
        let timers = Arc::new(Mutex::new(Timers::default()));
        let handle = thread::spawn({
            let timers = Arc::clone(&timers);
            move || dispatch(events, timers)
        });
        Arc::new(Reactor {
            dispatcher,
            handle: Some(handle),
            timers,
        })
    }

    fn register(&self, duration: Duration, waker: Waker, id: usize) {
        self.timers.lock().unwrap().wakers.insert(id, waker);
        self.dispatcher
            .send(Event::Timeout(duration, id))
            .expect("the dispatcher thread has stopped");
    }

    // ANCHOR: poll_timer
    /// If timer `id` has fired, takes it off the ready list and returns `true`. If not,
    /// makes sure `waker` is the one its firing will wake.
    fn poll_timer(&self, id: usize, waker: &Waker) -> bool {
        let mut timers = self.timers.lock().unwrap();
        if let Some(index) = timers.ready.iter().position(|&ready| ready == id) {
            timers.ready.swap_remove(index);
            return true;
        }
        match timers.wakers.get_mut(&id) {
            // The same task polled by the same executor: keep the waker, skip the clone.
            Some(stored) if stored.will_wake(waker) => {}
            Some(stored) => stored.clone_from(waker),
            None => {}
        }
        false
    }
    // ANCHOR_END: poll_timer
}

// ANCHOR: dispatch
fn dispatch(events: Receiver<Event>, timers: Arc<Mutex<Timers>>) {
    let mut sleepers = Vec::new();
    for event in events {
        match event {
            Event::Timeout(duration, id) => {
                let timers = Arc::clone(&timers);
                sleepers.push(thread::spawn(move || {
                    thread::sleep(duration);
                    // Ready list and waker in one critical section; the wake after it.
                    let waker = {
                        let mut timers = timers.lock().unwrap();
                        timers.ready.push(id);
                        timers.wakers.remove(&id)
                    };
                    if let Some(waker) = waker {
                        waker.wake();
                    }
                }));
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

/// A timer that is ready with its `id` once `duration` has passed.
struct Task {
    id: usize,
    duration: Duration,
    reactor: Arc<Reactor>,
    registered: bool,
}

impl Task {
    fn new(id: usize, duration: Duration, reactor: &Arc<Reactor>) -> Task {
        Task {
            id,
            duration,
            reactor: Arc::clone(reactor),
            registered: false,
        }
    }
}

// ANCHOR: task
impl Future for Task {
    type Output = usize;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<usize> {
        if !self.registered {
            self.reactor
                .register(self.duration, cx.waker().clone(), self.id);
            self.registered = true;
            return Poll::Pending;
        }
        if self.reactor.poll_timer(self.id, cx.waker()) {
            Poll::Ready(self.id)
        } else {
            Poll::Pending
        }
    }
}
// ANCHOR_END: task

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
    let reactor = Reactor::new();
    let mut task = Task::new(1, UNIT, &reactor);
    let (old, old_waker) = Counter::new();
    let (new, new_waker) = Counter::new();
    // First polled by one executor, then by another before the timer fires.
    let _ = Pin::new(&mut task).poll(&mut Context::from_waker(&old_waker));
    let _ = Pin::new(&mut task).poll(&mut Context::from_waker(&new_waker));
    thread::sleep(3 * UNIT);
    println!("the first poll's waker was woken {} times", old.count());
    println!("the latest poll's waker was woken {} time", new.count());
    println!("task {} is ready", block_on(task));
}
// ANCHOR_END: main

#[cfg(test)]
mod tests;
