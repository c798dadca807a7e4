//! Exercise 4.2: the naive spawn's handle detaches on drop, as tokio's `JoinHandle` does.
//! A dropped handle hands its future to `block_on`, which polls it whenever it is woken,
//! until the future finishes or `block_on` returns.

use std::cell::RefCell;
use std::future::Future;
use std::pin::{Pin, pin};
use std::rc::Rc;
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

// ANCHOR: block_on
/// A future nobody awaits: a detached task, with its output already thrown away.
type Detached = Pin<Box<dyn Future<Output = ()>>>;

thread_local! {
    /// The waker of the `block_on` running on this thread, if one is: `spawn` polls with it.
    static CURRENT_WAKER: RefCell<Option<Waker>> = const { RefCell::new(None) };
    /// The tasks whose handles were dropped: the running `block_on` polls them. New here.
    static DETACHED: RefCell<Vec<Detached>> = const { RefCell::new(Vec::new()) };
}

/// Runs `future` to completion, parking the thread while it is `Pending`. New here: each
/// time it wakes, it also polls the detached tasks, which share its waker. Those still
/// running when `future` is done are dropped, as a runtime that shuts down drops its tasks.
fn block_on<F: Future>(future: F) -> F::Output {
    let parker = Arc::new(Parker::default());
    let waker = Waker::from(Arc::clone(&parker));
    let outer = CURRENT_WAKER.replace(Some(waker.clone()));
    let outer_detached = DETACHED.take();
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    let output = loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            break output;
        }
        // Taken out while they are polled: a detached task may spawn and detach others.
        let mut detached = DETACHED.take();
        detached.retain_mut(|task| task.as_mut().poll(&mut cx).is_pending());
        DETACHED.with_borrow_mut(|more| detached.append(more));
        DETACHED.set(detached);
        parker.park();
    };
    DETACHED.set(outer_detached);
    CURRENT_WAKER.set(outer);
    output
}
// ANCHOR_END: block_on

/// The handle of a spawned future. A struct around the state, so that it can have a `Drop`
/// and still move the future out of the state when it detaches.
struct Spawned<T: 'static>(State<T>);

/// A spawned future: boxed and pinned so that it can be kept, and polled once already.
enum State<T> {
    /// Still running.
    Running(Pin<Box<dyn Future<Output = T>>>),
    /// Finished: the output waits here for whoever awaits the handle, or was taken.
    Finished(Option<T>),
}

/// Starts `future`: polls it once, right now, with the waker of the `block_on` running on
/// this thread (or with a waker that does nothing, if there is none), then hands it back.
fn spawn<F: Future + 'static>(future: F) -> Spawned<F::Output> {
    let waker = CURRENT_WAKER.with_borrow(|current| current.clone());
    let waker = waker.unwrap_or_else(|| Waker::noop().clone());
    let mut future: Pin<Box<dyn Future<Output = F::Output>>> = Box::pin(future);
    match future.as_mut().poll(&mut Context::from_waker(&waker)) {
        Poll::Ready(output) => Spawned(State::Finished(Some(output))),
        Poll::Pending => Spawned(State::Running(future)),
    }
}

impl<T> Future for Spawned<T> {
    type Output = T;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let state = &mut self.get_mut().0;
        match state {
            State::Running(future) => match future.as_mut().poll(cx) {
                // Finished now: a drop after this must not detach a completed future.
                Poll::Ready(output) => {
                    *state = State::Finished(None);
                    Poll::Ready(output)
                }
                Poll::Pending => Poll::Pending,
            },
            State::Finished(output) => Poll::Ready(output.take().expect("polled after Ready")),
        }
    }
}

// ANCHOR: detach
impl<T: 'static> Drop for Spawned<T> {
    /// Dropping the handle of a running task detaches it: the task runs on, its output is
    /// thrown away. Outside a `block_on`, nothing would ever poll it, so it is dropped.
    fn drop(&mut self) {
        if let State::Running(future) = std::mem::replace(&mut self.0, State::Finished(None)) {
            if CURRENT_WAKER.with_borrow(Option::is_some) {
                let task: Detached = Box::pin(async move {
                    future.await;
                });
                DETACHED.with_borrow_mut(|detached| detached.push(task));
            }
        }
    }
}
// ANCHOR_END: detach

// Nothing in a `Spawned` is pinned in place: the future sits behind a `Pin<Box>` of its own,
// and the output is only ever moved out. So a `Spawned` may move even while it is pinned.
impl<T> Unpin for Spawned<T> {}

// ANCHOR: main
fn main() {
    demo(UNIT);
}

/// Spawns a two-unit timer and drops its handle at once; awaits others meanwhile.
fn demo(unit: Duration) -> Vec<(usize, Duration)> {
    let start = Instant::now();
    let reactor = Reactor::new();
    let done = Rc::new(RefCell::new(Vec::new()));
    let detached = report(
        Task::new(2, 2 * unit, &reactor),
        start,
        unit,
        Rc::clone(&done),
    );
    let first = report(Task::new(1, unit, &reactor), start, unit, Rc::clone(&done));
    let last = report(
        Task::new(3, 2 * unit, &reactor),
        start,
        unit,
        Rc::clone(&done),
    );
    block_on(async {
        drop(spawn(detached));
        first.await;
        last.await;
    });
    done.take()
}

/// Awaits `task`, then says which id it got and when (in units), and notes it in `done`.
async fn report(
    task: Task,
    start: Instant,
    unit: Duration,
    done: Rc<RefCell<Vec<(usize, Duration)>>>,
) {
    let id = task.await;
    let time = start.elapsed();
    println!(
        "Future got {id} at {:.0} unit(s).",
        time.as_secs_f64() / unit.as_secs_f64()
    );
    done.borrow_mut().push((id, time));
}
// ANCHOR_END: main

#[cfg(test)]
mod tests;
