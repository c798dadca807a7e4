//! Exercise 4.1: a timeout for any future, with chapter 3's reactor: whichever of the
//! future and a timer is ready first decides the result. It is a two-way `select`.

use std::future::Future;
use std::pin::{Pin, pin};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Condvar, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// The demo's time unit.
const UNIT: Duration = Duration::from_millis(200);

/// What the executor side can ask of the reactor's dispatcher thread.
enum Event {
    /// Wake this waker after this long, and put this timer id on the readylist first.
    Timeout(Waker, Duration, usize),
    /// Stop taking timers, let the ones already started finish, then exit.
    Close,
}

/// The part of a runtime that waits on the outside world (here, the clock) and wakes
/// the wakers of the futures waiting on it. It never polls a future.
struct Reactor {
    /// Where events go. The dispatcher thread holds the receiving end.
    dispatcher: Sender<Event>,
    /// The dispatcher thread, joined on drop. An `Option` because `join` takes it by value.
    handle: Option<JoinHandle<()>>,
    /// Ids of the timers that have fired and that no task has collected yet.
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

    /// Asks for `waker` to be woken after `duration`, with `id` on the readylist by then.
    fn register(&self, duration: Duration, waker: Waker, id: usize) {
        let event = Event::Timeout(waker, duration, id);
        self.dispatcher
            .send(event)
            .expect("the dispatcher thread has stopped");
    }

    /// If timer `id` has fired, takes it off the readylist and returns `true`.
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

/// The dispatcher thread: one sleeper thread per timer, until `Close`.
fn dispatch(events: Receiver<Event>, readylist: Arc<Mutex<Vec<usize>>>) {
    let mut sleepers = Vec::new();
    for event in events {
        match event {
            Event::Timeout(waker, duration, id) => {
                let readylist = Arc::clone(&readylist);
                sleepers.push(thread::spawn(move || {
                    thread::sleep(duration);
                    // First the readylist, then the wake: whoever polls after the wake
                    // must find the id there.
                    readylist.lock().unwrap().push(id);
                    waker.wake();
                }));
            }
            Event::Close => break,
        }
    }
    for sleeper in sleepers {
        sleeper.join().expect("a sleeper thread panicked");
    }
}

impl Drop for Reactor {
    fn drop(&mut self) {
        // If the dispatcher is already gone, there is nothing left to close.
        let _ = self.dispatcher.send(Event::Close);
        if let Some(handle) = self.handle.take() {
            // Returns once every sleeper thread has finished: no thread outlives us.
            handle.join().expect("the dispatcher thread panicked");
        }
    }
}

/// A leaf future: a timer that is ready with its `id` once `duration` has passed.
///
/// The ids of the tasks of one reactor must differ: the readylist knows only ids.
struct Task {
    id: usize,
    duration: Duration,
    reactor: Arc<Reactor>,
    /// Whether the timer has been started. It is started once, on the first poll.
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

impl Future for Task {
    type Output = usize;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<usize> {
        if self.reactor.take_ready(self.id) {
            return Poll::Ready(self.id);
        }
        if !self.registered {
            // The waker travels with the event: the sleeper thread will need it later,
            // long after this poll has returned.
            self.reactor
                .register(self.duration, cx.waker().clone(), self.id);
            self.registered = true;
        }
        Poll::Pending
    }
}

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

// ANCHOR: timeout
/// The timer of a `timeout` fired before the future was ready.
#[derive(Debug, PartialEq)]
struct Elapsed;

/// Polls `future` and a timer with the same waker; the first one ready wins.
struct Timeout<F> {
    future: Pin<Box<F>>,
    timer: Task,
}

/// `future`, given up on after `limit`. `timer_id` is the timer's id in the reactor.
fn timeout<F: Future>(
    future: F,
    limit: Duration,
    timer_id: usize,
    reactor: &Arc<Reactor>,
) -> Timeout<F> {
    Timeout {
        future: Box::pin(future),
        timer: Task::new(timer_id, limit, reactor),
    }
}

impl<F: Future> Future for Timeout<F> {
    type Output = Result<F::Output, Elapsed>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // The future first: if both are ready, the work that was done is not thrown away.
        if let Poll::Ready(output) = self.future.as_mut().poll(cx) {
            return Poll::Ready(Ok(output));
        }
        // Both get this poll's waker, so whichever finishes first wakes us.
        match Pin::new(&mut self.timer).poll(cx) {
            Poll::Ready(_) => Poll::Ready(Err(Elapsed)),
            Poll::Pending => Poll::Pending,
        }
    }
}
// ANCHOR_END: timeout

// ANCHOR: main
fn main() {
    let _ = demo(UNIT);
}

/// Two timeouts, one after the other; each prints how long it took, in units.
fn demo(unit: Duration) -> [Result<usize, Elapsed>; 2] {
    let reactor = Reactor::new();
    let units = |time: Duration| time.as_secs_f64() / unit.as_secs_f64();
    block_on(async {
        let start = Instant::now();
        let slow = timeout(Task::new(1, 2 * unit, &reactor), unit, 10, &reactor).await;
        println!(
            "a 2-unit task with a 1-unit timeout: {slow:?} after {:.0} unit(s)",
            units(start.elapsed())
        );
        let start = Instant::now();
        let fast = timeout(Task::new(2, unit, &reactor), 2 * unit, 11, &reactor).await;
        println!(
            "a 1-unit task with a 2-unit timeout: {fast:?} after {:.0} unit(s)",
            units(start.elapsed())
        );
        [slow, fast]
    })
}
// ANCHOR_END: main

#[cfg(test)]
mod tests;
