//! A fake reactor: a dispatcher thread that runs each timer on a sleeper thread of its own
//! and wakes the waker that came with it. The design of "Futures Explained in 200 Lines of
//! Rust", first edition.

use std::future::Future;
use std::pin::{Pin, pin};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Condvar, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// The demo's time unit: the first timer lasts one unit, the second two.
const UNIT: Duration = Duration::from_secs(1);

// ANCHOR: event
/// What the executor side can ask of the reactor's dispatcher thread.
enum Event {
    /// Wake this waker after this long, and put this timer id on the readylist first.
    Timeout(Waker, Duration, usize),
    /// Stop taking timers, let the ones already started finish, then exit.
    Close,
}
// ANCHOR_END: event

// ANCHOR: reactor
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
// ANCHOR_END: reactor

// ANCHOR: dispatch
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
// ANCHOR_END: dispatch

// ANCHOR: drop
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
// ANCHOR_END: drop

// ANCHOR: task
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

// ANCHOR: main
fn main() {
    demo(UNIT);
}

/// Two timers, of one and two units, awaited one after the other.
fn demo(unit: Duration) -> [(usize, Duration); 2] {
    let start = Instant::now();
    let reactor = Reactor::new();
    let future1 = report(Task::new(1, unit, &reactor), start);
    let future2 = report(Task::new(2, 2 * unit, &reactor), start);

    block_on(async {
        let first = future1.await;
        let second = future2.await;
        [first, second]
    })
}

/// Awaits `task`, then says which id it got and when.
async fn report(task: Task, start: Instant) -> (usize, Duration) {
    let id = task.await;
    let time = start.elapsed();
    // One decimal, not the seed's two: a timer always fires a little late, by several
    // milliseconds on a busy machine, and two decimals would then print 1.01 now and then.
    println!("Future got {id} at time: {:.1}.", time.as_secs_f64());
    (id, time)
}
// ANCHOR_END: main

#[cfg(test)]
mod tests;
