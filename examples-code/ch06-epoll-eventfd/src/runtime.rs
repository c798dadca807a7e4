//! The runtime: an epoll set with one eventfd per task, an executor loop that sleeps in
//! `epoll_wait`, `block_on` for the main future and `spawn` for the others.

use crate::join::{JoinError, JoinHandle};
use crate::sys::{Epoll, EventFd, Events};
use crate::task::{self, Task};
use futures::FutureExt;
use futures::channel::oneshot;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::os::fd::AsFd;
use std::panic::AssertUnwindSafe;
use std::pin::pin;
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Poll, Waker};

/// The token of the main future's eventfd. Tasks get 1, 2, 3…
const MAIN: u64 = 0;

/// How many ready fds one `epoll_wait` can return.
const EVENTS: usize = 256;

// ANCHOR: inner
/// The runtime's state. It never leaves the thread that created it: only the wakers
/// (eventfds) cross threads, and the kernel is what they share with the executor.
struct Inner {
    epoll: Epoll,
    /// The tasks that are not running right now, by token. A task is taken out while it is
    /// polled, so a `spawn` from inside a poll can insert without a double borrow.
    tasks: RefCell<HashMap<u64, Task>>,
    /// The token of the next task.
    next_token: Cell<u64>,
}
// ANCHOR_END: inner

impl Inner {
    // ANCHOR: run
    /// Polls the task with this token once; if it finished, takes its eventfd out of the
    /// epoll set and drops it.
    fn run(&self, token: u64) {
        let Some(mut task) = self.tasks.borrow_mut().remove(&token) else {
            return;
        };
        match task.poll() {
            Poll::Pending => {
                self.tasks.borrow_mut().insert(token, task);
            }
            Poll::Ready(()) => {
                // Out of the set first: a waker may keep the fd open, and a stale wake must
                // not be reported with a token that no task answers to.
                let _ = self.epoll.delete(task.event().as_fd());
                drop(task); // closes the eventfd, unless a waker still holds it
            }
        }
    }
    // ANCHOR_END: run
}

// ANCHOR: enter
thread_local! {
    /// The runtime whose `block_on` runs on this thread, if any: where `spawn` puts tasks.
    static CURRENT: RefCell<Option<Rc<Inner>>> = const { RefCell::new(None) };
}

/// Sets `CURRENT` for as long as it lives, and clears it on drop (even when a panic unwinds).
struct Enter;

impl Enter {
    fn new(inner: &Rc<Inner>) -> Enter {
        CURRENT.with(|current| {
            let mut current = current.borrow_mut();
            assert!(
                current.is_none(),
                "cannot call `Runtime::block_on` from inside a runtime: \
                 this thread is already running one"
            );
            *current = Some(Rc::clone(inner));
        });
        Enter
    }
}

impl Drop for Enter {
    fn drop(&mut self) {
        CURRENT.with(|current| current.borrow_mut().take());
    }
}
// ANCHOR_END: enter

// ANCHOR: main_event
/// The main future's eventfd, registered for the length of one `block_on`.
struct MainEvent<'a> {
    epoll: &'a Epoll,
    event: Arc<EventFd>,
}

impl Drop for MainEvent<'_> {
    fn drop(&mut self) {
        let _ = self.epoll.delete(self.event.as_fd());
    }
}
// ANCHOR_END: main_event

/// A single-threaded runtime on Linux `epoll`: one eventfd per task, polled by the thread
/// that calls `block_on`.
///
/// Like tokio's current-thread `Runtime`, it makes progress only while some thread is inside
/// its `block_on`. It is neither `Send` nor `Sync`: it lives on the thread that made it.
pub struct Runtime {
    inner: Rc<Inner>,
}

impl Runtime {
    /// A runtime with no tasks: an epoll instance. Fails when no file descriptor is left.
    pub fn new() -> io::Result<Runtime> {
        Ok(Runtime {
            inner: Rc::new(Inner {
                epoll: Epoll::new()?,
                tasks: RefCell::new(HashMap::new()),
                next_token: Cell::new(MAIN + 1),
            }),
        })
    }

    // ANCHOR: block_on
    /// Runs `future` to completion on this thread, and the spawned tasks alongside it.
    /// Returns as soon as `future` is done, even if tasks are left: they run again at the
    /// next `block_on`, or are cancelled when the runtime is dropped.
    ///
    /// # Panics
    ///
    /// When called from inside a runtime, when `future` panics, or when the main future's
    /// eventfd cannot be created (no file descriptor left) or `epoll_wait` fails.
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        let _enter = Enter::new(&self.inner);
        let epoll = &self.inner.epoll;
        let main = MainEvent {
            epoll,
            event: task::register(epoll, MAIN).expect("cannot create block_on's eventfd"),
        };
        let waker = Waker::from(Arc::clone(&main.event));
        let mut future = pin!(future);
        let mut events = Events::with_capacity(EVENTS);
        loop {
            // Sleep until some eventfd is readable: a wake, from this thread or another.
            epoll.wait(&mut events, -1).expect("epoll_wait failed");
            for token in events.tokens() {
                if token != MAIN {
                    self.inner.run(token);
                } else if let Poll::Ready(output) =
                    task::poll_with(&main.event, &waker, future.as_mut())
                {
                    return output;
                }
            }
        }
    }
    // ANCHOR_END: block_on
}

// ANCHOR: drop_runtime
impl Drop for Runtime {
    /// Cancels every unfinished task: drops its future, so its `JoinHandle` sees
    /// `JoinError::is_cancelled`. The epoll fd closes after, which empties the epoll set.
    fn drop(&mut self) {
        // Out of the `RefCell` first: dropping a future may run code that spawns or wakes.
        let tasks = std::mem::take(&mut *self.inner.tasks.borrow_mut());
        drop(tasks);
    }
}
// ANCHOR_END: drop_runtime

// ANCHOR: spawn
/// Spawns `future` as a task on the current runtime and returns a handle to its output.
///
/// The task runs whether or not the handle is kept: dropping the handle detaches it. If the
/// task's eventfd cannot be created or registered (`EMFILE`: no file descriptor left), the
/// future is dropped unpolled and the handle gives a `JoinError` carrying the `io::Error`.
///
/// # Panics
///
/// When called outside `Runtime::block_on` (there is no current runtime).
pub fn spawn<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let inner = CURRENT.with(|current| current.borrow().clone()).expect(
        "`spawn` called outside of a runtime: \
         call it from a future running inside `Runtime::block_on`",
    );
    let (sender, receiver) = oneshot::channel();
    let token = inner.next_token.get();
    inner.next_token.set(token + 1);
    let event = match task::register(&inner.epoll, token) {
        Ok(event) => event,
        Err(error) => {
            let _ = sender.send(Err(JoinError::io(error)));
            return JoinHandle::new(receiver);
        }
    };
    let future = Box::pin(async move {
        // A panic in any poll of `future` ends up here, as an `Err`, instead of
        // unwinding through the executor.
        let output = AssertUnwindSafe(future).catch_unwind().await;
        // The handle may be gone (detached): then the output is dropped here.
        let _ = sender.send(output.map_err(JoinError::panic));
    });
    inner
        .tasks
        .borrow_mut()
        .insert(token, Task::new(future, event));
    JoinHandle::new(receiver)
}
// ANCHOR_END: spawn
