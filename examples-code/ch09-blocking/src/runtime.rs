//! The runtime: an epoll set with one eventfd per task and the sockets of `net`, a timer
//! queue, a pool of threads for blocking work, an executor loop that sleeps in `epoll_wait`
//! until the next deadline, `block_on` for the main future, `spawn` for the others and
//! `spawn_blocking` for closures that block.

use crate::blocking::Pool;
use crate::join::{JoinError, JoinHandle};
use crate::reactor::{self, Reactor};
use crate::sys::{Epoll, EventFd, Events};
use crate::task::{self, Task};
use crate::timers::Timers;
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
use std::time::{Duration, Instant};

/// The token of the main future's eventfd. Tasks get 1, 2, 3…
const MAIN: u64 = 0;

/// How many ready fds one `epoll_wait` can return.
const EVENTS: usize = 256;

// ANCHOR: inner
/// The runtime's state. It never leaves the thread that created it: only the wakers
/// (eventfds) and the reactor, which every socket holds, cross threads.
struct Inner {
    /// The epoll set (for the tasks' eventfds and the sockets) and the sockets' wakers.
    reactor: Arc<Reactor>,
    /// The deadlines and wakers of the sleeps that wait.
    timers: Arc<Timers>,
    /// The threads of `spawn_blocking`.
    blocking: Arc<Pool>,
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
                let _ = self.reactor.epoll.delete(task.event().as_fd());
                drop(task); // closes the eventfd, unless a waker still holds it
            }
        }
    }
    // ANCHOR_END: run
}

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

/// A single-threaded runtime on Linux `epoll`: one eventfd per task, polled by the thread
/// that calls `block_on`.
///
/// Like tokio's current-thread `Runtime`, it makes progress only while some thread is inside
/// its `block_on`. It is neither `Send` nor `Sync`: it lives on the thread that made it.
pub struct Runtime {
    inner: Rc<Inner>,
}

// ANCHOR: builder
/// Builds a `Runtime` with settings other than the defaults, like tokio's `runtime::Builder`.
pub struct Builder {
    max_blocking_threads: usize,
    thread_keep_alive: Duration,
}

impl Builder {
    /// tokio's defaults: at most 512 blocking threads, each kept for 10 s after its last job.
    pub fn new() -> Builder {
        Builder {
            max_blocking_threads: 512,
            thread_keep_alive: Duration::from_secs(10),
        }
    }

    /// The most threads `spawn_blocking` may run at once; more jobs wait in a queue.
    ///
    /// # Panics
    ///
    /// When `limit` is zero.
    pub fn max_blocking_threads(&mut self, limit: usize) -> &mut Builder {
        assert!(limit > 0, "`max_blocking_threads` cannot be zero");
        self.max_blocking_threads = limit;
        self
    }

    /// How long a blocking thread with nothing to do waits for a job before it exits.
    pub fn thread_keep_alive(&mut self, keep_alive: Duration) -> &mut Builder {
        self.thread_keep_alive = keep_alive;
        self
    }

    /// A runtime with these settings. Fails when no file descriptor is left for its epoll
    /// instance. No blocking thread starts before the first `spawn_blocking`.
    pub fn build(&self) -> io::Result<Runtime> {
        let pool = Pool::new(self.max_blocking_threads, self.thread_keep_alive);
        Ok(Runtime {
            inner: Rc::new(Inner {
                reactor: Arc::new(Reactor::new()?),
                timers: Arc::new(Timers::new()),
                blocking: Arc::new(pool),
                tasks: RefCell::new(HashMap::new()),
                next_token: Cell::new(MAIN + 1),
            }),
        })
    }
}

impl Default for Builder {
    fn default() -> Builder {
        Builder::new()
    }
}
// ANCHOR_END: builder

impl Runtime {
    /// A runtime with no tasks: an epoll instance, and a blocking pool with no thread yet
    /// (`Builder`'s defaults). Fails when no file descriptor is left.
    pub fn new() -> io::Result<Runtime> {
        Builder::new().build()
    }

    /// How many threads the blocking pool has now, busy or idle (tokio has it as
    /// `RuntimeMetrics::num_blocking_threads`).
    pub fn num_blocking_threads(&self) -> usize {
        self.inner.blocking.threads()
    }

    /// How many threads of the blocking pool wait for a job (tokio has it as
    /// `RuntimeMetrics::num_idle_blocking_threads`).
    pub fn num_idle_blocking_threads(&self) -> usize {
        self.inner.blocking.idle_threads()
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
        let epoll = &self.inner.reactor.epoll;
        let main = MainEvent {
            epoll,
            event: task::register(epoll, MAIN).expect("cannot create block_on's eventfd"),
        };
        let waker = Waker::from(Arc::clone(&main.event));
        let mut future = pin!(future);
        let mut events = Events::with_capacity(EVENTS);
        let timers = &self.inner.timers;
        loop {
            // Sleep until some eventfd is readable (a wake, from this thread or another),
            // some socket is ready for what a task waits for, or the earliest timer is due.
            let timeout = timers.timeout_ms(Instant::now());
            epoll.wait(&mut events, timeout).expect("epoll_wait failed");
            // Wake the timers that are due: their tasks' eventfds are reported next time round.
            timers.fire(Instant::now());
            for (token, ready) in events.iter() {
                if reactor::is_source(token) {
                    // Wakes the waiting tasks: their eventfds are reported next time round.
                    self.inner.reactor.dispatch(token, ready);
                } else if token != MAIN {
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
    /// `JoinError::is_cancelled`. The epoll fd closes after, when the last socket that holds
    /// the reactor is gone too.
    fn drop(&mut self) {
        // Out of the `RefCell` first: dropping a future may run code that spawns or wakes.
        let tasks = std::mem::take(&mut *self.inner.tasks.borrow_mut());
        drop(tasks);
        // Jobs not started are cancelled; threads finish the job they run, and exit.
        self.inner.blocking.shutdown();
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
    let event = match task::register(&inner.reactor.epoll, token) {
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

// ANCHOR: spawn_blocking
/// Runs `f` on a thread of the current runtime's blocking pool, and returns a handle to its
/// result, like `tokio::task::spawn_blocking`. Use it for anything that blocks: `std::fs`,
/// `std::thread::sleep`, a DNS lookup, a long computation.
///
/// The result comes back through the `JoinHandle`: the pool thread sends it, which wakes the
/// task that awaits the handle. A panic in `f` gives a `JoinError` for which `is_panic` is
/// true. When the pool is full, the job waits for a free thread.
///
/// # Panics
///
/// When called outside `Runtime::block_on` (there is no current runtime).
pub fn spawn_blocking<F, R>(f: F) -> JoinHandle<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    let pool = CURRENT.with(|current| {
        let current = current.borrow();
        let inner = current.as_ref().expect(
            "`spawn_blocking` called outside of a runtime: \
             call it from a future running inside `Runtime::block_on`",
        );
        Arc::clone(&inner.blocking)
    });
    let (sender, receiver) = oneshot::channel();
    pool.submit(Box::new(move || {
        let result = std::panic::catch_unwind(AssertUnwindSafe(f));
        // A write to the eventfd of the task that awaits the handle, if it waits.
        let _ = sender.send(result.map_err(JoinError::panic));
    }));
    JoinHandle::new(receiver)
}
// ANCHOR_END: spawn_blocking

// ANCHOR: current_reactor
/// The reactor of the runtime whose `block_on` runs on this thread: where a new socket
/// registers.
///
/// # Panics
///
/// When called outside `Runtime::block_on`.
pub(crate) fn current_reactor() -> Arc<Reactor> {
    CURRENT.with(|current| {
        let current = current.borrow();
        let inner = current.as_ref().expect(
            "a socket was created outside of a runtime: \
             create it in a future running inside `Runtime::block_on`",
        );
        Arc::clone(&inner.reactor)
    })
}
// ANCHOR_END: current_reactor

// ANCHOR: current_timers
/// The timer queue of the runtime whose `block_on` runs on this thread: where a `Sleep`
/// puts its entry at its first poll.
///
/// # Panics
///
/// When called outside `Runtime::block_on`.
pub(crate) fn current_timers() -> Arc<Timers> {
    CURRENT.with(|current| {
        let current = current.borrow();
        let inner = current.as_ref().expect(
            "a timer was polled outside of a runtime: \
             await it in a future running inside `Runtime::block_on`",
        );
        Arc::clone(&inner.timers)
    })
}
// ANCHOR_END: current_timers
