//! The runtime: worker threads that take turns at the book-keeping (the driver), run their
//! own queue and steal from the others', `block_on` on the calling thread, `spawn` and a
//! `Handle` that spawn from anywhere, and cancelling on drop.

use crate::driver::{Driver, MioUnpark, WAKE_TOKEN};
use crate::join::{JoinError, JoinHandle};
use crate::reactor::Reactor;
use crate::run_queue::{BookQueues, CrossbeamQueues, OneQueue};
use crate::scheduler::{self, Counts, GLOBAL_QUEUE_INTERVAL};
use crate::state::TaskState;
use crate::sync;
use crate::task::Task;
use crate::timers::Timers;
use futures::FutureExt;
use futures::channel::oneshot;
use std::cell::RefCell;
use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::num::NonZeroUsize;
use std::panic::AssertUnwindSafe;
use std::pin::pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::thread;

/// The task list is split in this many parts, each behind its own lock, so that spawns and
/// completions on different workers seldom wait for each other.
const TASK_LIST_SHARDS: usize = 16;

// ANCHOR: flavor
/// Which run queues a runtime uses (see `Builder::run_queues`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RunQueueKind {
    /// `crossbeam-deque`'s lock-free `Worker`, `Stealer` and `Injector`: the default.
    #[default]
    Crossbeam,
    /// The book's own: a `Mutex<VecDeque>` per worker, and one for the injector.
    Book,
    /// No queue per worker: every task goes through one shared queue, as in chapter 10.
    OneQueue,
}

/// The scheduler, with its run queues chosen at run time. Each variant is the same generic
/// code (`scheduler::Scheduler`), compiled once per kind of queue.
enum Scheduler {
    Crossbeam(Arc<scheduler::Scheduler<CrossbeamQueues, Arc<Task>>>),
    Book(Arc<scheduler::Scheduler<BookQueues, Arc<Task>>>),
    OneQueue(Arc<scheduler::Scheduler<OneQueue, Arc<Task>>>),
}

/// A worker thread's end of the scheduler, of the same kind.
enum LocalWorker {
    Crossbeam(scheduler::Worker<CrossbeamQueues, Arc<Task>>),
    Book(scheduler::Worker<BookQueues, Arc<Task>>),
    OneQueue(scheduler::Worker<OneQueue, Arc<Task>>),
}
// ANCHOR_END: flavor

/// Runs `$body` with `$s` bound to whichever variant `$value` holds.
macro_rules! each_kind {
    ($value:expr, $kind:ident($s:ident) => $body:expr) => {
        match $value {
            $kind::Crossbeam($s) => $body,
            $kind::Book($s) => $body,
            $kind::OneQueue($s) => $body,
        }
    };
}

impl Scheduler {
    fn inject(&self, task: Arc<Task>) -> Result<(), Vec<Arc<Task>>> {
        each_kind!(self, Scheduler(s) => s.inject(task))
    }
    fn close(&self) {
        each_kind!(self, Scheduler(s) => s.close())
    }
    fn drain(&self) -> Vec<Arc<Task>> {
        each_kind!(self, Scheduler(s) => s.drain())
    }
    fn counts(&self) -> Counts {
        each_kind!(self, Scheduler(s) => s.counts())
    }
}

impl Scheduler {
    fn unpark_driver(&self) {
        each_kind!(self, Scheduler(s) => s.unpark_driver())
    }
}

impl LocalWorker {
    fn next_task(&mut self, driver: &sync::Mutex<Driver>) -> Option<Arc<Task>> {
        each_kind!(self, LocalWorker(w) => w.next_task_or_drive(driver))
    }

    /// Pushes `task` onto this worker's queue if the worker belongs to `scheduler`; gives it
    /// back otherwise (a task of another runtime, woken on this worker).
    fn push(&mut self, scheduler: &Scheduler, task: Arc<Task>) -> Result<(), Arc<Task>> {
        match (self, scheduler) {
            (LocalWorker::Crossbeam(w), Scheduler::Crossbeam(s))
                if Arc::ptr_eq(w.scheduler(), s) =>
            {
                w.push(task)
            }
            (LocalWorker::Book(w), Scheduler::Book(s)) if Arc::ptr_eq(w.scheduler(), s) => {
                w.push(task)
            }
            (LocalWorker::OneQueue(w), Scheduler::OneQueue(s)) if Arc::ptr_eq(w.scheduler(), s) => {
                w.push(task)
            }
            _ => return Err(task),
        }
        Ok(())
    }
}

thread_local! {
    /// On a worker thread, its end of the scheduler: where its wakes and spawns go.
    static LOCAL: RefCell<Option<LocalWorker>> = const { RefCell::new(None) };
}

// ANCHOR: shared
/// What the workers, the handles and every task share.
pub(crate) struct Shared {
    /// The run queues, and where idle workers sleep (except the one in the driver).
    scheduler: Scheduler,
    /// Every task not yet finished, so that dropping the runtime can cancel them.
    tasks: [Mutex<HashMap<u64, Arc<Task>>>; TASK_LIST_SHARDS],
    /// The id of the next task.
    next_id: AtomicU64,
    /// The book-keeping: `mio::Poll` and the timers' clock. One worker at a time holds it.
    driver: sync::Mutex<Driver>,
    /// Which task waits for which socket (sockets register from any thread).
    pub(crate) reactor: Arc<Reactor>,
    /// The pending sleeps, earliest first (sleeps register from any thread).
    pub(crate) timers: Arc<Timers>,
    /// Calls to `mio::Poll::poll`.
    turns: Arc<AtomicU64>,
}
// ANCHOR_END: shared

impl Shared {
    // ANCHOR: schedule
    /// Queues a woken or new task: on a worker of this runtime, onto that worker's own
    /// queue; anywhere else, onto the injector. On a closed runtime, cancels it.
    pub(crate) fn schedule(&self, task: Arc<Task>) {
        let mut task = Some(task);
        // `try_with` and `try_borrow_mut`: a wake during the thread's exit, or one from inside
        // `next_task` (none today), takes the injector instead.
        let _ = LOCAL.try_with(|local| {
            if let Ok(mut local) = local.try_borrow_mut() {
                if let Some(worker) = local.as_mut() {
                    let item = task.take().expect("taken once");
                    task = worker.push(&self.scheduler, item).err();
                }
            }
        });
        let Some(task) = task else { return };
        if let Err(refused) = self.scheduler.inject(task) {
            for task in refused {
                self.forget(task.id);
                task.cancel();
            }
        }
    }
    // ANCHOR_END: schedule

    fn task_list(&self, id: u64) -> &Mutex<HashMap<u64, Arc<Task>>> {
        &self.tasks[id as usize % TASK_LIST_SHARDS]
    }

    /// Takes a finished task out of the list of live tasks.
    pub(crate) fn forget(&self, id: u64) {
        self.task_list(id).lock().unwrap().remove(&id);
    }
}

// ANCHOR: worker
/// What every worker thread runs: (1) the book-keeping, if no other worker is doing it;
/// (2) take the next task (its own queue, the injector, a steal) and poll it once, or sleep
/// (in the driver, or on the `Condvar`) while there is none; repeat. Returns when the
/// runtime shuts down.
fn worker(handle: Handle, worker: LocalWorker) {
    let _enter = Enter::new(handle.clone());
    let shared = &handle.shared;
    LOCAL.with(|local| *local.borrow_mut() = Some(worker));
    loop {
        if let Ok(mut driver) = shared.driver.try_lock() {
            // The tasks it wakes go onto this worker's own queue, for the others to steal.
            driver.book_keeping();
        }
        // The borrow ends before the poll: the task's wakes and spawns push onto this queue.
        let next = LOCAL.with(|local| local.borrow_mut().as_mut()?.next_task(&shared.driver));
        match next {
            Some(task) => task.run(),
            None => break,
        }
    }
    let worker = LOCAL.with(|local| local.borrow_mut().take());
    drop(worker); // what is left in its queue, `Runtime::drop` takes through the stealers
}
// ANCHOR_END: worker

thread_local! {
    /// The runtime this thread belongs to: set on workers, and inside `block_on`.
    static CURRENT: RefCell<Option<Handle>> = const { RefCell::new(None) };
}

/// Sets `CURRENT` for as long as it lives, and clears it on drop (even when a panic unwinds).
struct Enter;

impl Enter {
    fn new(handle: Handle) -> Enter {
        CURRENT.with(|current| {
            let mut current = current.borrow_mut();
            assert!(
                current.is_none(),
                "cannot call `Runtime::block_on` from inside a runtime: \
                 this thread is already running one"
            );
            *current = Some(handle);
        });
        Enter
    }
}

impl Drop for Enter {
    fn drop(&mut self) {
        CURRENT.with(|current| current.borrow_mut().take());
    }
}

// ANCHOR: handle
/// A cheap, cloneable reference to a runtime: spawns onto it from any thread.
#[derive(Clone)]
pub struct Handle {
    pub(crate) shared: Arc<Shared>,
}

impl Handle {
    /// The runtime of the current thread: a worker's, or the one whose `block_on` runs here.
    ///
    /// # Panics
    ///
    /// Outside a runtime.
    pub fn current() -> Handle {
        Handle::try_current().expect(
            "there is no runtime on this thread: call this from a task or from inside \
             `Runtime::block_on`, or pass a `Handle` (see `Runtime::handle`) to this thread",
        )
    }

    /// The runtime of the current thread, if there is one.
    pub fn try_current() -> Option<Handle> {
        CURRENT.with(|current| current.borrow().clone())
    }
    // ANCHOR_END: handle

    // ANCHOR: spawn
    /// Spawns `future` as a task on this runtime, from any thread, and returns a handle to
    /// its output. On a runtime that has been dropped, the task is cancelled at once.
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let (sender, receiver) = oneshot::channel();
        let task = Arc::new(Task {
            id: self.shared.next_id.fetch_add(1, Ordering::Relaxed),
            future: Mutex::new(Some(Box::pin(async move {
                // A panic in any poll ends up here, as an `Err`: the worker never unwinds.
                let output = AssertUnwindSafe(future).catch_unwind().await;
                let _ = sender.send(output.map_err(JoinError::panic));
            }))),
            state: TaskState::new(),
            shared: Arc::clone(&self.shared),
        });
        // Listed before it is queued: a worker may finish it (and unlist it) at once.
        self.shared
            .task_list(task.id)
            .lock()
            .unwrap()
            .insert(task.id, Arc::clone(&task));
        // A spawn on a worker goes to its own queue, like a wake.
        self.shared.schedule(task);
        JoinHandle::new(receiver)
    }
    // ANCHOR_END: spawn

    /// How often the workers have slept, been woken and stolen: see [`Counts`].
    pub fn counts(&self) -> Counts {
        self.shared.scheduler.counts()
    }

    /// What the book-keeping has done so far: see [`DriverCounts`].
    pub fn driver_counts(&self) -> DriverCounts {
        DriverCounts {
            turns: self.shared.turns.load(Ordering::Relaxed),
            timer_registrations: self.shared.timers.registrations(),
            timers: self.shared.timers.len(),
            sockets: self.shared.reactor.len(),
        }
    }

    /// A new timer is the earliest: the worker sleeping in the driver must wake up and
    /// sleep for less.
    pub(crate) fn unpark_driver(&self) {
        self.shared.scheduler.unpark_driver();
    }
}

/// Counters of the driver, for the tests and the curious.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DriverCounts {
    /// Calls to `mio::Poll::poll`, sleeping or not.
    pub turns: u64,
    /// Times a `Sleep` handed over its waker (once, then only when the waker changed).
    pub timer_registrations: u64,
    /// Entries in the timer heap, cancelled ones not yet swept out included.
    pub timers: usize,
    /// Sockets registered with mio.
    pub sockets: usize,
}

/// Spawns `future` on the current runtime (see [`Handle::spawn`]).
///
/// # Panics
///
/// Outside a runtime: on a thread that is not a worker and not inside `block_on`.
pub fn spawn<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handle = Handle::try_current().expect(
        "`spawn` called outside of a runtime: call it from a task or from inside \
         `Runtime::block_on`, or use a `Handle` (see `Runtime::handle`)",
    );
    handle.spawn(future)
}

// ANCHOR: builder
/// Configures a [`Runtime`]: how many worker threads, which run queues, how often a worker
/// looks at the injector first.
#[derive(Debug)]
pub struct Builder {
    worker_threads: Option<usize>,
    run_queues: RunQueueKind,
    global_queue_interval: u32,
}

impl Default for Builder {
    fn default() -> Self {
        Builder {
            worker_threads: None,
            run_queues: RunQueueKind::default(),
            global_queue_interval: GLOBAL_QUEUE_INTERVAL,
        }
    }
}

impl Builder {
    /// The number of worker threads (at least 1). Default: `available_parallelism`.
    pub fn worker_threads(mut self, count: usize) -> Builder {
        assert!(count > 0, "a runtime needs at least one worker thread");
        self.worker_threads = Some(count);
        self
    }

    /// Which run queues the scheduler uses. Default: [`RunQueueKind::Crossbeam`].
    pub fn run_queues(mut self, kind: RunQueueKind) -> Builder {
        self.run_queues = kind;
        self
    }

    /// A worker looks at the injector before its own queue once every `polls` polls
    /// (at least 1). Default: 61, as in tokio.
    pub fn global_queue_interval(mut self, polls: u32) -> Builder {
        assert!(polls > 0, "the interval is at least one poll");
        self.global_queue_interval = polls;
        self
    }

    /// Starts the worker threads.
    pub fn build(self) -> io::Result<Runtime> {
        let count = match self.worker_threads {
            Some(count) => count,
            None => thread::available_parallelism().map_or(1, NonZeroUsize::get),
        };
        // mio: the epoll set (`Poll`), a second handle on it for registering sockets from
        // any thread (`Registry`), and an eventfd in it that wakes the driver (`Waker`).
        let poll = mio::Poll::new()?;
        let unpark = MioUnpark(mio::Waker::new(poll.registry(), WAKE_TOKEN)?);
        let reactor = Arc::new(Reactor::new(poll.registry().try_clone()?));
        let timers = Arc::new(Timers::new());
        let turns = Arc::new(AtomicU64::new(0));
        let driver = Driver::new(
            poll,
            Arc::clone(&reactor),
            Arc::clone(&timers),
            Arc::clone(&turns),
        );
        let interval = self.global_queue_interval;
        let (scheduler, locals): (Scheduler, Vec<LocalWorker>) = match self.run_queues {
            RunQueueKind::Crossbeam => {
                let (s, w) = scheduler::Scheduler::with_driver(count, interval, unpark);
                (
                    Scheduler::Crossbeam(s),
                    w.into_iter().map(LocalWorker::Crossbeam).collect(),
                )
            }
            RunQueueKind::Book => {
                let (s, w) = scheduler::Scheduler::with_driver(count, interval, unpark);
                (
                    Scheduler::Book(s),
                    w.into_iter().map(LocalWorker::Book).collect(),
                )
            }
            RunQueueKind::OneQueue => {
                let (s, w) = scheduler::Scheduler::with_driver(count, interval, unpark);
                (
                    Scheduler::OneQueue(s),
                    w.into_iter().map(LocalWorker::OneQueue).collect(),
                )
            }
        };
        let handle = Handle {
            shared: Arc::new(Shared {
                scheduler,
                tasks: std::array::from_fn(|_| Mutex::new(HashMap::new())),
                next_id: AtomicU64::new(0),
                driver: sync::Mutex::new(driver),
                reactor,
                timers,
                turns,
            }),
        };
        // Dropped on an early return, it stops and joins the workers started so far.
        let mut runtime = Runtime {
            handle,
            workers: Vec::with_capacity(count),
        };
        for (index, local) in locals.into_iter().enumerate() {
            let handle = runtime.handle.clone();
            let worker = thread::Builder::new()
                .name(format!("ch12-worker-{index}"))
                .spawn(move || worker(handle, local))?;
            runtime.workers.push(worker);
        }
        Ok(runtime)
    }
}
// ANCHOR_END: builder

/// A multi-threaded, work-stealing runtime: worker threads with a run queue each, that take
/// turns at the book-keeping (sockets through mio, and timers).
pub struct Runtime {
    handle: Handle,
    workers: Vec<thread::JoinHandle<()>>,
}

impl Runtime {
    /// A runtime with one worker per CPU (`std::thread::available_parallelism`).
    pub fn new() -> io::Result<Runtime> {
        Runtime::builder().build()
    }

    /// A [`Builder`], to choose the number of workers.
    pub fn builder() -> Builder {
        Builder::default()
    }

    /// A handle that spawns onto this runtime from any thread.
    pub fn handle(&self) -> &Handle {
        &self.handle
    }

    /// Spawns `future` on this runtime (see [`Handle::spawn`]).
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.handle.spawn(future)
    }

    /// How many worker threads the runtime has.
    pub fn worker_threads(&self) -> usize {
        self.workers.len()
    }

    // ANCHOR: block_on
    /// Runs `future` on this thread until it is done, while the workers run the tasks.
    /// `spawn` works inside it. The future need not be `Send`: it never leaves this thread.
    ///
    /// # Panics
    ///
    /// When called on a worker thread or inside another `block_on`, or when `future` panics.
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        let _enter = Enter::new(self.handle.clone());
        let mut future = pin!(future);
        // Chapter 2's parker, not `thread::park`: code that parks inside the future's poll
        // cannot eat a wake meant for this loop.
        let parker = Arc::new(Parker::default());
        let waker = Waker::from(parker.clone());
        let mut cx = Context::from_waker(&waker);
        loop {
            if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
                return output;
            }
            parker.park();
        }
    }
    // ANCHOR_END: block_on
}

/// Chapter 2's parker: the signal `block_on` sleeps on, owned by it alone. (Always std's
/// primitives: `block_on` is not part of the loom models.)
#[derive(Default)]
struct Parker {
    woken: std::sync::Mutex<bool>,
    condvar: std::sync::Condvar,
}

impl Parker {
    /// Sleeps until woken, then consumes the wake. A wake that came first is kept.
    fn park(&self) {
        let mut woken = self.woken.lock().unwrap_or_else(|e| e.into_inner());
        while !*woken {
            woken = self.condvar.wait(woken).unwrap_or_else(|e| e.into_inner());
        }
        *woken = false;
    }
}

impl Wake for Parker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        *self.woken.lock().unwrap_or_else(|e| e.into_inner()) = true;
        self.condvar.notify_one();
    }
}

// ANCHOR: drop_runtime
impl Drop for Runtime {
    /// Stops the workers, waits for them, then cancels every unfinished task: drops its
    /// future, so its `JoinHandle` gives a `JoinError` whose `is_cancelled()` is true.
    fn drop(&mut self) {
        let me = thread::current().id();
        assert!(
            self.workers.iter().all(|worker| worker.thread().id() != me),
            "cannot drop a runtime from inside one of its own tasks: its worker would wait for itself"
        );
        let shared = &self.handle.shared;
        // Workers finish the poll they are in, see `closed`, and return. Sleepers are woken.
        shared.scheduler.close();
        for worker in self.workers.drain(..) {
            let _ = worker.join();
        }
        // What the workers left in their queues and in the injector.
        let queued = shared.scheduler.drain();
        // No worker polls anything any more. Take the futures out, drop them with no lock
        // held (a future's destructor may wake or spawn tasks, which then find the queue
        // closed), and let go of the tasks: they and `Shared` point at each other.
        let mut tasks = Vec::new();
        for list in &shared.tasks {
            tasks.extend(std::mem::take(&mut *list.lock().unwrap()).into_values());
        }
        for task in &tasks {
            task.cancel();
        }
        drop(tasks);
        drop(queued);
    }
}
// ANCHOR_END: drop_runtime
