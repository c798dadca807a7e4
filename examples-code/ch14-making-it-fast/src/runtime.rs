//! The runtime of chapter 9 made fast: one allocation per task, a run queue instead of an
//! eventfd per task, a "scheduled" flag so a task is queued once however often it is woken,
//! no system call for a wake on the runtime's own thread, one eventfd for wakes from other
//! threads (written only when the runtime sleeps), and a look at the OS every
//! `event_interval` polls (61 by default) when there is work.

use crate::blocking::Pool;
use crate::context::{Enter, on_runtime_thread, with_current};
use crate::handshake::Sleep;
use crate::join::{JoinError, JoinHandle};
use crate::reactor::{self, Reactor};
use crate::sync::lock;
use crate::sys::{EventFd, Events};
use crate::task::{Runnable, Task};
use crate::timers::Timers;
use crate::trace::{self, Event, Queue};
use futures::channel::oneshot;
use futures::task::{ArcWake, waker};
use slab::Slab;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::io;
use std::os::fd::AsFd;
use std::panic::AssertUnwindSafe;
use std::pin::pin;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

/// The epoll token of the runtime's one eventfd. Sockets have the top bit set.
const WAKE: u64 = 0;

/// How many ready fds one `epoll_wait` can return.
const EVENTS: usize = 256;

// ANCHOR: event_interval
/// How many tasks run, when tasks keep being ready, before the runtime looks at the OS
/// (sockets, timers, wakes from other threads) without sleeping: the default of
/// `Builder::event_interval`. tokio's `event_interval` has the same default: often enough
/// that I/O is not starved by busy tasks, seldom enough that the `epoll_wait` is a small
/// share of the work.
const EVENT_INTERVAL: u32 = 61;
// ANCHOR_END: event_interval

// ANCHOR: shared
/// The part of the runtime that wakers reach from any thread.
pub(crate) struct Shared {
    /// Tasks woken on other threads, for the runtime's thread to take.
    injector: Mutex<Injector>,
    /// The flags a waker on another thread and the runtime's thread share: a task was
    /// injected, the main future was woken, the runtime sleeps (`handshake.rs`).
    sleep: Sleep,
    /// The runtime's one eventfd, in its epoll set: the only way to end its sleep early.
    event: EventFd,
}

struct Injector {
    queue: VecDeque<Arc<dyn Runnable>>,
    /// The runtime is gone (dropped): a wake drops the task instead of queueing it.
    closed: bool,
}
// ANCHOR_END: shared

// ANCHOR: schedule
impl Shared {
    /// Puts a woken task in a run queue. On the runtime's own thread, inside its `block_on`,
    /// that is a push on a plain `VecDeque`: no lock, no atomic, no system call. Anywhere
    /// else it goes through the injector, and the eventfd is written if the runtime sleeps.
    pub(crate) fn schedule(&self, task: Arc<dyn Runnable>) {
        let key = task.key() as u64;
        let mut task = Some(task);
        on_runtime_thread(self, |inner| {
            if let Some(task) = task.take() {
                trace::record(|| Event::Wake {
                    task: key,
                    from_worker: true,
                });
                trace::record(|| Event::Push {
                    task: key,
                    queue: Queue::Local,
                });
                inner.local.borrow_mut().push_back(task);
            }
        });
        if let Some(task) = task {
            trace::record(|| Event::Wake {
                task: key,
                from_worker: false,
            });
            trace::record(|| Event::Push {
                task: key,
                queue: Queue::Injector,
            });
            self.inject(task);
        }
    }

    fn inject(&self, task: Arc<dyn Runnable>) {
        let mut injector = lock(&self.injector);
        if injector.closed {
            drop(injector);
            drop(task); // outside the lock: dropping a task may wake another
            return;
        }
        injector.queue.push_back(task);
        drop(injector);
        if self.sleep.injected_then_unpark() {
            self.end_sleep();
        }
    }

    /// Ends the runtime's sleep with one write to its eventfd. Only the waker that finds
    /// `sleeping` set calls it: a thousand wakes during one sleep cost one write.
    fn end_sleep(&self) {
        // The eventfd is edge-triggered: every write is an edge that ends the `epoll_wait`,
        // so the runtime never needs to read it back. Only a counter at its maximum (after
        // 2^64 - 2 writes) refuses a write: then read it back and write again.
        if self.event.notify().is_err() {
            let _ = self.event.reset();
            let _ = self.event.notify();
        }
    }
}
// ANCHOR_END: schedule

// ANCHOR: main_waker
/// The waker of the main future: a flag, and the eventfd when it is set from another thread.
struct MainWaker {
    shared: Arc<Shared>,
}

impl ArcWake for MainWaker {
    fn wake_by_ref(arc_self: &Arc<Self>) {
        let shared = &arc_self.shared;
        if on_runtime_thread(shared, |_| ()).is_some() {
            shared.sleep.main_woken_here();
        } else if shared.sleep.main_woken_then_unpark() {
            shared.end_sleep();
        }
    }
}
// ANCHOR_END: main_waker

// ANCHOR: inner
/// The runtime's state on its own thread.
pub(crate) struct Inner {
    /// What wakers reach from anywhere.
    pub(crate) shared: Arc<Shared>,
    /// The tasks that are ready to run, woken on this thread (or taken from the injector).
    local: RefCell<VecDeque<Arc<dyn Runnable>>>,
    /// Every task that is not finished, to cancel them when the runtime is dropped. A slab
    /// (a `Vec` with a free list): a task's key is its index, insert and remove are O(1).
    tasks: RefCell<Slab<Arc<dyn Runnable>>>,
    /// The epoll set (the eventfd and the sockets) and the sockets' wakers.
    reactor: Arc<Reactor>,
    /// The deadlines and wakers of the sleeps that wait.
    timers: Arc<Timers>,
    /// The threads of `spawn_blocking`.
    blocking: Arc<Pool>,
    /// How many polls, at most, between two looks at the OS when there is work.
    event_interval: u32,
}
// ANCHOR_END: inner

impl Inner {
    fn new(pool: Pool, event_interval: u32) -> io::Result<Inner> {
        let reactor = Reactor::new()?;
        let event = EventFd::new()?;
        reactor
            .epoll
            .add(event.as_fd(), WAKE, (libc::EPOLLIN | libc::EPOLLET) as u32)?;
        Ok(Inner {
            shared: Arc::new(Shared {
                injector: Mutex::new(Injector {
                    queue: VecDeque::new(),
                    closed: false,
                }),
                sleep: Sleep::new(),
                event,
            }),
            local: RefCell::new(VecDeque::new()),
            tasks: RefCell::new(Slab::new()),
            reactor: Arc::new(reactor),
            timers: Arc::new(Timers::new()),
            blocking: Arc::new(pool),
            event_interval,
        })
    }

    // ANCHOR: next_task
    /// The next task to run: from the local queue, else from the injector (all of it moves
    /// to the local queue, under one lock).
    fn next_task(&self) -> Option<Arc<dyn Runnable>> {
        if let Some(task) = self.local.borrow_mut().pop_front() {
            return Some(task);
        }
        self.take_injected();
        self.local.borrow_mut().pop_front()
    }

    fn take_injected(&self) {
        if self.shared.sleep.take_injected() {
            let mut injector = lock(&self.shared.injector);
            self.local.borrow_mut().extend(injector.queue.drain(..));
        }
    }
    // ANCHOR_END: next_task

    // ANCHOR: run
    /// Polls a task once; if that poll finished it, takes it out of the list of live tasks.
    fn run(&self, task: Arc<dyn Runnable>) {
        let key = task.key();
        trace::record(|| Event::PollStart { task: key as u64 });
        let finished = task.run();
        trace::record(|| Event::PollEnd { task: key as u64 });
        if finished {
            // Dropped outside the borrow: the task's output may do anything when dropped.
            let finished = self.tasks.borrow_mut().try_remove(key);
            drop(finished);
        }
    }
    // ANCHOR_END: run

    // ANCHOR: poll_os
    /// Looks at the OS: waits in `epoll_wait` for at most `timeout_ms` (0: not at all), fires
    /// the timers that are due, and hands socket events to the reactor.
    fn poll_os(&self, events: &mut Events, timeout_ms: i32) {
        let shared = &self.shared;
        let started = trace::ENABLED.then(Instant::now); // `None`, free, without `trace`
        if timeout_ms != 0 {
            trace::record(|| Event::Park);
        }
        self.reactor
            .epoll
            .wait(events, timeout_ms)
            .expect("epoll_wait failed");
        shared.sleep.awake();
        trace::record(|| Event::EpollWait {
            nanos: started.map_or(0, |started| trace::nanos(started.elapsed())),
            events: events.iter().count() as u32,
        });
        if timeout_ms != 0 {
            trace::record(|| Event::Unparked);
        }
        self.timers.fire(Instant::now());
        for (token, ready) in events.iter() {
            // `WAKE` needs nothing: it only ended the wait. The task of the wake from another
            // thread is in the injector (or the main future has its flag set).
            if reactor::is_source(token) {
                self.reactor.dispatch(token, ready);
            }
        }
        self.take_injected();
    }

    /// How long the runtime may sleep: until the next deadline, or not at all if work came in
    /// the meantime. `may_sleep` says "I sleep" before its last look, so that a wake from
    /// another thread after the look writes the eventfd (and one before it is seen by it).
    fn sleep_timeout(&self) -> i32 {
        if self.shared.sleep.may_sleep() {
            self.timers.timeout_ms(Instant::now())
        } else {
            0
        }
    }
    // ANCHOR_END: poll_os
}

/// A single-threaded runtime on Linux `epoll`, like tokio's current-thread `Runtime`: it
/// makes progress only while some thread is inside its `block_on`. It is neither `Send` nor
/// `Sync`: it lives on the thread that made it.
pub struct Runtime {
    inner: Rc<Inner>,
}

// ANCHOR: builder
/// Builds a `Runtime` with settings other than the defaults, like tokio's `runtime::Builder`.
pub struct Builder {
    max_blocking_threads: usize,
    thread_keep_alive: Duration,
    event_interval: u32,
}

impl Builder {
    /// tokio's defaults: at most 512 blocking threads, each kept for 10 s after its last job;
    /// a look at the OS every 61 polls when there is work.
    pub fn new() -> Builder {
        Builder {
            max_blocking_threads: 512,
            thread_keep_alive: Duration::from_secs(10),
            event_interval: EVENT_INTERVAL,
        }
    }

    /// How many tasks may run, when tasks keep being ready, before the runtime looks at the
    /// OS (an `epoll_wait` that does not sleep), like tokio's `Builder::event_interval`.
    /// 1 looks before every poll, as chapter 11's workers did.
    ///
    /// # Panics
    ///
    /// When `interval` is zero.
    pub fn event_interval(&mut self, interval: u32) -> &mut Builder {
        assert!(interval > 0, "`event_interval` cannot be zero");
        self.event_interval = interval;
        self
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
            inner: Rc::new(Inner::new(pool, self.event_interval)?),
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
    /// A runtime with no tasks: an epoll instance, one eventfd, and a blocking pool with no
    /// thread yet (`Builder`'s defaults). Fails when no file descriptor is left.
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
    /// When called from inside a runtime, when `future` panics, or when `epoll_wait` fails.
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        let _enter = Enter::new(&self.inner);
        let inner = &*self.inner;
        let waker = waker(Arc::new(MainWaker {
            shared: Arc::clone(&inner.shared),
        }));
        let mut cx = Context::from_waker(&waker);
        let mut future = pin!(future);
        let mut events = Events::with_capacity(EVENTS);
        inner.shared.sleep.main_woken_here(); // the first poll
        trace::name_thread(|| "block_on".to_string());
        // Polls (of the main future and of tasks) since the last look at the OS.
        let mut since_os = 0;
        loop {
            if inner.shared.sleep.take_main_woken() {
                trace::record(|| Event::PollStart { task: trace::MAIN });
                let poll = future.as_mut().poll(&mut cx);
                trace::record(|| Event::PollEnd { task: trace::MAIN });
                if let Poll::Ready(output) = poll {
                    return output;
                }
                since_os += 1;
            }
            if let Some(task) = inner.next_task() {
                inner.run(task);
                since_os += 1;
            } else if !inner.shared.sleep.main_is_woken() {
                // Nothing to run: sleep until a socket, a deadline or another thread wakes us.
                let timeout = inner.sleep_timeout();
                inner.poll_os(&mut events, timeout);
                since_os = 0;
                continue;
            }
            if since_os >= inner.event_interval {
                // Busy: a look at the OS without sleeping, so sockets and timers get a turn.
                inner.poll_os(&mut events, 0);
                since_os = 0;
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
        let inner = &self.inner;
        // From now on a wake drops its task instead of queueing it (this thread is in no
        // `block_on`, so every wake goes through the injector).
        let injected = {
            let mut injector = lock(&inner.shared.injector);
            injector.closed = true;
            std::mem::take(&mut injector.queue)
        };
        drop(injected);
        // Out of the `RefCell`s first: dropping a future may run code that wakes.
        let tasks = std::mem::take(&mut *inner.tasks.borrow_mut());
        for (_, task) in &tasks {
            task.cancel();
        }
        drop(tasks);
        let queued = std::mem::take(&mut *inner.local.borrow_mut());
        drop(queued);
        // Jobs not started are cancelled; threads finish the job they run, and exit.
        inner.blocking.shutdown();
    }
}
// ANCHOR_END: drop_runtime

// ANCHOR: spawn
/// Spawns `future` as a task on the current runtime and returns a handle to its output.
///
/// The task runs whether or not the handle is kept: dropping the handle detaches it. One
/// allocation: the task, which is its own waker, its own queue entry and its own handle.
///
/// # Panics
///
/// When called outside `Runtime::block_on` (there is no current runtime).
pub fn spawn<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let message = "`spawn` called outside of a runtime: \
                   call it from a future running inside `Runtime::block_on`";
    with_current(message, |inner| {
        let mut tasks = inner.tasks.borrow_mut();
        let entry = tasks.vacant_entry();
        let task = Task::new(future, Arc::clone(&inner.shared), entry.key());
        entry.insert(task.clone());
        drop(tasks);
        inner.local.borrow_mut().push_back(task.clone()); // `scheduled` is set already
        JoinHandle::task(task)
    })
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
    let message = "`spawn_blocking` called outside of a runtime: \
                   call it from a future running inside `Runtime::block_on`";
    let pool = with_current(message, |inner| Arc::clone(&inner.blocking));
    let (sender, receiver) = oneshot::channel();
    pool.submit(Box::new(move || {
        let result = std::panic::catch_unwind(AssertUnwindSafe(f));
        // Wakes the task that awaits the handle, if it waits: from this thread, a push to
        // the runtime's injector and, if the runtime sleeps, a write to its eventfd.
        let _ = sender.send(result.map_err(JoinError::panic));
    }));
    JoinHandle::blocking(receiver)
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
    let message = "a socket was created outside of a runtime: \
                   create it in a future running inside `Runtime::block_on`";
    with_current(message, |inner| Arc::clone(&inner.reactor))
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
    let message = "a timer was polled outside of a runtime: \
                   await it in a future running inside `Runtime::block_on`";
    with_current(message, |inner| Arc::clone(&inner.timers))
}
// ANCHOR_END: current_timers
