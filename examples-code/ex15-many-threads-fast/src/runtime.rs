//! The runtime: worker threads that run the scheduler of `scheduler.rs` with tasks and mio,
//! `block_on` on the calling thread, `spawn` and `spawn_blocking`, a `Handle` that spawns from
//! anywhere, and cancelling on drop.

use crate::blocking::Pool;
use crate::coop;
use crate::driver::{MioDriver, MioUnpark, WAKE_TOKEN};
use crate::join::{JoinError, JoinHandle};
use crate::reactor::Reactor;
use crate::scheduler::{self, Config, Context, Core, Counts, Crossbeam, Item, Ring, RunQueue};
use crate::sync::lock_std as lock;
use crate::task::{Ran, Schedule, Task, TaskRef};
use crate::timers::Timers;
use crate::trace::{self, Event};
use futures::channel::oneshot;
use futures::task::{ArcWake, waker};
use slab::Slab;
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::io;
use std::num::NonZeroUsize;
use std::panic::AssertUnwindSafe;
use std::pin::pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::task::{Context as TaskContext, Poll};
use std::thread;
use std::time::Duration;

// ANCHOR: flavor
/// Which run queues the workers use (see `Builder::run_queues`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RunQueueKind {
    /// The book's ring of 256 slots (`queue.rs`), tokio's design: the default.
    #[default]
    Ring,
    /// `crossbeam-deque`'s `Worker` and `Stealer`.
    Crossbeam,
}

/// The scheduler, with its run queues chosen at run time: the same generic code compiled
/// once per kind.
enum Scheduler {
    Ring(Arc<scheduler::Shared<Ring, TaskRef, MioDriver>>),
    Crossbeam(Arc<scheduler::Shared<Crossbeam, TaskRef, MioDriver>>),
}

/// A worker thread's core, of the same kind.
enum LocalCore {
    Ring(Core<Ring, TaskRef>),
    Crossbeam(Core<Crossbeam, TaskRef>),
}
// ANCHOR_END: flavor

/// Runs `$body` with `$s` bound to whichever scheduler `$value` holds.
macro_rules! each_kind {
    ($value:expr, $s:ident => $body:expr) => {
        match $value {
            Scheduler::Ring($s) => $body,
            Scheduler::Crossbeam($s) => $body,
        }
    };
}

/// A task's name in traces: its address (unique while it lives).
impl Item for TaskRef {
    fn id(&self) -> u64 {
        Arc::as_ptr(self).cast::<()>() as usize as u64
    }
}

// ANCHOR: shared
/// What the workers, the handles and every task share.
pub(crate) struct Shared {
    scheduler: Scheduler,
    /// Every task that has waited and is not finished, so that dropping the runtime can
    /// cancel them: one list per worker, where the worker that ran a task's first poll puts
    /// it (and, unless another worker stole the task since, takes it out when it finishes:
    /// no lock that another thread wants). A task's key is its slab key times the number of
    /// workers, plus its worker. A task done at its first poll is never listed.
    tasks: Box<[Mutex<Slab<TaskRef>>]>,
    /// Which task waits for which socket (sockets register from any thread).
    pub(crate) reactor: Arc<Reactor>,
    /// The pending sleeps, earliest first (sleeps register from any thread).
    pub(crate) timers: Arc<Timers>,
    /// The threads of `spawn_blocking`.
    pub(crate) blocking: Arc<Pool>,
    /// Calls to `mio::Poll::poll`.
    turns: Arc<AtomicU64>,
}
// ANCHOR_END: shared

thread_local! {
    /// On a worker thread, its core: where its wakes and spawns go.
    static WORKER: RefCell<Option<WorkerSlot>> = const { RefCell::new(None) };
    /// The runtime this thread belongs to: set on workers, and inside `block_on`.
    static CURRENT: RefCell<Option<Handle>> = const { RefCell::new(None) };
    /// On a worker thread, its index: the list where the tasks it runs first go.
    static WORKER_INDEX: Cell<usize> = const { Cell::new(0) };
}

struct WorkerSlot {
    /// Whose worker this thread is.
    runtime: *const Shared,
    core: LocalCore,
}

// ANCHOR: schedule
impl Shared {
    /// Queues a woken or new task: on a worker of this runtime, through its core (the LIFO
    /// slot during a poll, else its queue); anywhere else, onto the injector. On a closed
    /// runtime, cancels it.
    fn schedule(&self, task: TaskRef) {
        let mut task = Some(task);
        // `try_with` and `try_borrow_mut`: a wake during the thread's exit, or one from
        // inside a borrow of the core (a task dropped there), takes the injector instead.
        let _ = WORKER.try_with(|slot| {
            let Ok(mut slot) = slot.try_borrow_mut() else {
                return;
            };
            let Some(slot) = slot.as_mut().filter(|s| std::ptr::eq(s.runtime, self)) else {
                return;
            };
            let item = task.take().expect("taken once");
            trace::record(|| Event::Wake {
                task: item.id(),
                from_worker: true,
            });
            match (&mut slot.core, &self.scheduler) {
                (LocalCore::Ring(core), Scheduler::Ring(s)) => core.schedule(s, item),
                (LocalCore::Crossbeam(core), Scheduler::Crossbeam(s)) => core.schedule(s, item),
                _ => unreachable!("a runtime's workers have its kind of core"),
            }
        });
        let Some(task) = task else { return };
        trace::record(|| Event::Wake {
            task: task.id(),
            from_worker: false,
        });
        if let Err(task) = each_kind!(&self.scheduler, s => s.inject(task)) {
            task.cancel();
        }
    }
    // ANCHOR_END: schedule

    /// Lists a task whose first poll, on this worker, returned `Pending`.
    fn bind(&self, task: TaskRef) -> usize {
        let workers = self.tasks.len();
        let index = WORKER_INDEX.with(Cell::get);
        lock(&self.tasks[index]).insert(task) * workers + index
    }

    /// Takes a finished task out of the list.
    fn release(&self, key: usize) {
        let workers = self.tasks.len();
        let removed = lock(&self.tasks[key % workers]).try_remove(key / workers);
        drop(removed); // outside the lock: a task's last reference may drop its output
    }
}

impl Schedule for Arc<Shared> {
    fn schedule(&self, task: TaskRef) {
        Shared::schedule(self, task);
    }

    fn bind(&self, task: TaskRef) -> usize {
        Shared::bind(self, task)
    }

    fn release(&self, key: usize) {
        Shared::release(self, key);
    }
}

/// How a worker thread lends its core to the scheduler's loop: from the thread-local, where
/// the wakes of the task it runs find it too.
struct WorkerContext<Q: RunQueue<TaskRef>> {
    kind: std::marker::PhantomData<Q>,
}

impl<Q: RunQueue<TaskRef>> WorkerContext<Q> {
    fn new() -> Self {
        WorkerContext {
            kind: std::marker::PhantomData,
        }
    }
}

/// Picks this kind's core out of the thread's `LocalCore`.
trait CoreOf: RunQueue<TaskRef> + Sized {
    fn core(local: &mut LocalCore) -> &mut Core<Self, TaskRef>;
}

impl CoreOf for Ring {
    fn core(local: &mut LocalCore) -> &mut Core<Ring, TaskRef> {
        match local {
            LocalCore::Ring(core) => core,
            LocalCore::Crossbeam(_) => unreachable!("a ring worker has a ring core"),
        }
    }
}

impl CoreOf for Crossbeam {
    fn core(local: &mut LocalCore) -> &mut Core<Crossbeam, TaskRef> {
        match local {
            LocalCore::Crossbeam(core) => core,
            LocalCore::Ring(_) => unreachable!("a crossbeam worker has a crossbeam core"),
        }
    }
}

impl<Q: CoreOf> Context<Q, TaskRef> for WorkerContext<Q> {
    fn with_core<R>(&self, f: impl FnOnce(&mut Core<Q, TaskRef>) -> R) -> R {
        WORKER.with(|slot| {
            let mut slot = slot.borrow_mut();
            let slot = slot.as_mut().expect("a worker thread has its core");
            f(Q::core(&mut slot.core))
        })
    }

    fn run(&self, task: TaskRef, first: bool) -> Option<TaskRef> {
        let key = if trace::ENABLED { task.id() } else { 0 };
        trace::record(|| Event::PollStart { task: key });
        let ran = if first {
            coop::with_budget(|| task.run())
        } else {
            coop::with_rest_of_budget(|| task.run())
        };
        trace::record(|| Event::PollEnd { task: key });
        match ran {
            // Woken during its own poll: a yield, to the back of the queue (never to the
            // LIFO slot, or a task that yields in a loop would keep its worker for itself).
            Ran::Yielded(task) => Some(task),
            Ran::Idle | Ran::Complete | Ran::Skipped => None,
        }
    }

    fn has_budget(&self) -> bool {
        coop::has_budget_left()
    }
}

// ANCHOR: worker
/// What every worker thread runs: the scheduler's loop, with its core in the thread-local;
/// then what is left in its queue is dropped (`Runtime::drop` cancels the tasks).
fn worker_thread(handle: Handle, core: LocalCore, index: usize) {
    trace::name_thread(|| format!("worker {index}"));
    WORKER_INDEX.with(|cell| cell.set(index));
    let _enter = Enter::new(handle.clone());
    let shared = &handle.shared;
    WORKER.with(|slot| {
        *slot.borrow_mut() = Some(WorkerSlot {
            runtime: Arc::as_ptr(shared),
            core,
        })
    });
    match &shared.scheduler {
        Scheduler::Ring(s) => scheduler::run_worker(s, &WorkerContext::<Ring>::new(), index),
        Scheduler::Crossbeam(s) => {
            scheduler::run_worker(s, &WorkerContext::<Crossbeam>::new(), index)
        }
    }
    let slot = WORKER.with(|slot| slot.borrow_mut().take());
    if let Some(mut slot) = slot {
        let left = match &mut slot.core {
            LocalCore::Ring(core) => core.drain(),
            LocalCore::Crossbeam(core) => core.drain(),
        };
        drop(slot);
        // Cancelled here, not only dropped: a task never polled is in no list.
        for task in left {
            task.cancel();
        }
    }
}
// ANCHOR_END: worker

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
        let _ = CURRENT.try_with(|current| current.borrow_mut().take());
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
    /// its output. One allocation, and nothing else: the task is listed (to be cancelled if
    /// the runtime is dropped first) only if it ever waits. On a worker, the task goes to
    /// its LIFO slot; anywhere else, to the injector. On a runtime that has been dropped, it
    /// is cancelled at once.
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let task = Task::new(future, Arc::clone(&self.shared));
        self.shared.schedule(task.clone());
        JoinHandle::task(task)
    }
    // ANCHOR_END: spawn

    /// How often the workers ran, stole, slept and were woken: see [`Counts`].
    pub fn counts(&self) -> Counts {
        each_kind!(&self.shared.scheduler, s => s.counts())
    }

    /// How many workers are searching for work and how many are not asleep, now.
    pub fn idle_counts(&self) -> (usize, usize) {
        each_kind!(&self.shared.scheduler, s => s.idle_counts())
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

    /// How many tasks have waited and are not finished (the runtime lists a task at its
    /// first `Pending`, to cancel it on drop).
    pub fn waiting_tasks(&self) -> usize {
        self.shared.tasks.iter().map(|list| lock(list).len()).sum()
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

// ANCHOR: spawn_blocking
/// Runs `f` on a thread of the current runtime's blocking pool, and returns a handle to its
/// result, like `tokio::task::spawn_blocking` (chapter 9's pool). Use it for anything that
/// blocks: `std::fs`, `std::thread::sleep`, a DNS lookup, a long computation.
///
/// # Panics
///
/// Outside a runtime.
pub fn spawn_blocking<F, R>(f: F) -> JoinHandle<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    let handle = Handle::try_current().expect(
        "`spawn_blocking` called outside of a runtime: \
         call it from a task or from inside `Runtime::block_on`",
    );
    let (sender, receiver) = oneshot::channel();
    handle.shared.blocking.submit(Box::new(move || {
        let result = std::panic::catch_unwind(AssertUnwindSafe(f));
        // Wakes the task that awaits the handle: from this thread, a push to the injector
        // and, if every worker sleeps, one unpark.
        let _ = sender.send(result.map_err(JoinError::panic));
    }));
    JoinHandle::blocking(receiver)
}
// ANCHOR_END: spawn_blocking

// ANCHOR: builder
/// Configures a [`Runtime`], like tokio's `runtime::Builder`.
#[derive(Debug, Clone)]
pub struct Builder {
    worker_threads: Option<usize>,
    run_queues: RunQueueKind,
    global_queue_interval: u32,
    event_interval: u32,
    lifo_slot: bool,
    stealable_lifo: bool,
    always_wake_after_search: bool,
    max_blocking_threads: usize,
    thread_keep_alive: Duration,
}

impl Default for Builder {
    fn default() -> Self {
        Builder::new()
    }
}

impl Builder {
    /// tokio's defaults: a worker per CPU, the injector and the driver every 61 polls, the
    /// LIFO slot on, at most 512 blocking threads kept 10 s each.
    pub fn new() -> Builder {
        Builder {
            worker_threads: None,
            run_queues: RunQueueKind::default(),
            global_queue_interval: 61,
            event_interval: 61,
            lifo_slot: true,
            stealable_lifo: false,
            always_wake_after_search: false,
            max_blocking_threads: 512,
            thread_keep_alive: Duration::from_secs(10),
        }
    }

    /// The number of worker threads (at least 1). Default: `available_parallelism`.
    pub fn worker_threads(&mut self, count: usize) -> &mut Builder {
        assert!(count > 0, "a runtime needs at least one worker thread");
        self.worker_threads = Some(count);
        self
    }

    /// Which run queues the workers use. Default: [`RunQueueKind::Ring`].
    pub fn run_queues(&mut self, kind: RunQueueKind) -> &mut Builder {
        self.run_queues = kind;
        self
    }

    /// A worker looks at the injector before its own queue once every `polls` polls.
    pub fn global_queue_interval(&mut self, polls: u32) -> &mut Builder {
        assert!(polls > 0, "the interval is at least one poll");
        self.global_queue_interval = polls;
        self
    }

    /// A busy worker looks at the driver (sockets, timers) once every `polls` polls, like
    /// tokio's `Builder::event_interval`.
    pub fn event_interval(&mut self, polls: u32) -> &mut Builder {
        assert!(polls > 0, "the interval is at least one poll");
        self.event_interval = polls;
        self
    }

    /// Turns the LIFO slot off: a task woken by the running task goes to the back of the
    /// queue like any other (tokio has this as an unstable option, `disable_lifo_slot`).
    pub fn disable_lifo_slot(&mut self) -> &mut Builder {
        self.lifo_slot = false;
        self
    }

    /// Lets other workers take the task in a worker's LIFO slot, as tokio 1.51.0 did
    /// (exercise 15.2): a task woken just before its worker blocks no longer waits for it.
    pub fn stealable_lifo_slot(&mut self) -> &mut Builder {
        self.stealable_lifo = true;
        self
    }

    /// The last searcher to find work wakes another worker even when it sees no more work,
    /// as tokio's does; by default it wakes one only when it sees some. For measuring the
    /// difference (`examples/round_trip`).
    pub fn always_wake_after_search(&mut self) -> &mut Builder {
        self.always_wake_after_search = true;
        self
    }

    /// The most threads `spawn_blocking` may run at once; more jobs wait in a queue.
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

    /// Starts the worker threads.
    pub fn build(&self) -> io::Result<Runtime> {
        let workers = match self.worker_threads {
            Some(count) => count,
            None => thread::available_parallelism().map_or(1, NonZeroUsize::get),
        };
        // mio: the epoll set (`Poll`), a second handle on it for registering sockets from
        // any thread (`Registry`), and an eventfd in it that wakes the driver (`Waker`).
        let poll = mio::Poll::new()?;
        let unpark = MioUnpark(mio::Waker::new(poll.registry(), WAKE_TOKEN)?);
        let reactor = Arc::new(Reactor::new(poll.registry().try_clone()?));
        let timers = Arc::new(Timers::new()?);
        let turns = Arc::new(AtomicU64::new(0));
        let driver = MioDriver::new(
            poll,
            Arc::clone(&reactor),
            Arc::clone(&timers),
            Arc::clone(&turns),
        )?;
        let config = Config {
            workers,
            global_queue_interval: self.global_queue_interval,
            event_interval: self.event_interval,
            lifo_slot: self.lifo_slot,
            stealable_lifo: self.stealable_lifo,
            always_wake_after_search: self.always_wake_after_search,
        };
        let (scheduler, cores): (Scheduler, Vec<LocalCore>) = match self.run_queues {
            RunQueueKind::Ring => {
                let (s, cores) = scheduler::Shared::new(config, driver, unpark);
                (
                    Scheduler::Ring(s),
                    cores.into_iter().map(LocalCore::Ring).collect(),
                )
            }
            RunQueueKind::Crossbeam => {
                let (s, cores) = scheduler::Shared::new(config, driver, unpark);
                (
                    Scheduler::Crossbeam(s),
                    cores.into_iter().map(LocalCore::Crossbeam).collect(),
                )
            }
        };
        let handle = Handle {
            shared: Arc::new(Shared {
                scheduler,
                tasks: (0..workers).map(|_| Mutex::new(Slab::new())).collect(),
                reactor,
                timers,
                blocking: Arc::new(Pool::new(self.max_blocking_threads, self.thread_keep_alive)),
                turns,
            }),
        };
        // Dropped on an early return, it stops and joins the workers started so far.
        let mut runtime = Runtime {
            handle,
            workers: Vec::with_capacity(workers),
        };
        for (index, core) in cores.into_iter().enumerate() {
            let handle = runtime.handle.clone();
            let worker = thread::Builder::new()
                .name(format!("ch15-worker-{index}"))
                .spawn(move || worker_thread(handle, core, index))?;
            runtime.workers.push(worker);
        }
        Ok(runtime)
    }
}
// ANCHOR_END: builder

/// A multi-threaded, work-stealing runtime, like tokio's `multi_thread` runtime.
pub struct Runtime {
    handle: Handle,
    workers: Vec<thread::JoinHandle<()>>,
}

impl Runtime {
    /// A runtime with one worker per CPU (`std::thread::available_parallelism`).
    pub fn new() -> io::Result<Runtime> {
        Builder::new().build()
    }

    /// A [`Builder`], to choose the number of workers and the rest.
    pub fn builder() -> Builder {
        Builder::new()
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

    /// How many threads the blocking pool has now, busy or idle.
    pub fn num_blocking_threads(&self) -> usize {
        self.handle.shared.blocking.threads()
    }

    /// How many threads of the blocking pool wait for a job (tokio has it as
    /// `RuntimeMetrics::num_idle_blocking_threads`).
    pub fn num_idle_blocking_threads(&self) -> usize {
        self.handle.shared.blocking.idle_threads()
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
        trace::name_thread(|| "block_on".to_string());
        let mut future = pin!(future);
        let parker = Arc::new(ThreadParker::default());
        let waker = waker(Arc::clone(&parker));
        let mut cx = TaskContext::from_waker(&waker);
        loop {
            if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
                return output;
            }
            parker.park();
        }
    }
    // ANCHOR_END: block_on
}

/// What `block_on` sleeps on, owned by it alone (so code that parks inside the future's
/// poll cannot eat its wake). A wake while it is awake is one atomic swap; only a wake of a
/// sleeping thread takes the lock and makes the system call. tokio's `ParkThread` is the same.
#[derive(Default)]
struct ThreadParker {
    /// 0: awake, 1: asleep, 2: woken.
    state: AtomicUsize,
    mutex: Mutex<()>,
    condvar: Condvar,
}

const AWAKE: usize = 0;
const ASLEEP: usize = 1;
const WOKEN: usize = 2;

impl ThreadParker {
    /// Sleeps until woken, then consumes the wake. A wake that came first is kept.
    fn park(&self) {
        if self
            .state
            .compare_exchange(WOKEN, AWAKE, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
        {
            return;
        }
        let mut guard = lock(&self.mutex);
        if self
            .state
            .compare_exchange(AWAKE, ASLEEP, Ordering::SeqCst, Ordering::SeqCst)
            .is_err()
        {
            // Woken between the two looks.
            self.state.swap(AWAKE, Ordering::SeqCst);
            return;
        }
        loop {
            guard = self
                .condvar
                .wait(guard)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            if self
                .state
                .compare_exchange(WOKEN, AWAKE, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
            {
                return;
            }
        }
    }
}

impl ArcWake for ThreadParker {
    fn wake_by_ref(arc_self: &Arc<Self>) {
        if arc_self.state.swap(WOKEN, Ordering::SeqCst) == ASLEEP {
            drop(lock(&arc_self.mutex));
            arc_self.condvar.notify_one();
        }
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
        // From now on a push to the injector is refused, and the pusher cancels its task.
        let queued = each_kind!(&shared.scheduler, s => s.close());
        for worker in self.workers.drain(..) {
            let _ = worker.join(); // each cancels what its queue still holds
        }
        // No worker polls anything any more. Take the tasks out, cancel them with no lock
        // held (a future's destructor may wake or spawn tasks, which find the queues closed),
        // and let go of them: they and `Shared` point at each other.
        let mut tasks = Vec::new();
        for list in &shared.tasks {
            tasks.extend(std::mem::take(&mut *lock(list)).drain());
        }
        for task in tasks.iter().chain(&queued) {
            task.cancel();
        }
        drop(tasks);
        drop(queued);
        // Jobs not started are cancelled; threads finish the job they run, and exit.
        shared.blocking.shutdown();
    }
}
// ANCHOR_END: drop_runtime

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn a_task_with_a_small_future_fits_in_72_bytes_with_its_reference_counts() {
        // A future of 16 bytes (a pointer and a state), as an `async` block that holds an
        // `Arc` across one await: the task is its state word and key (8 bytes), its runtime
        // (8), the phase (24: the future or the output, and which), the handle's waker (16).
        let future = {
            let shared = Arc::new(0_u8);
            async move {
                std::future::pending::<()>().await;
                drop(shared);
            }
        };
        assert_eq!(size_of_val(&future), 16);
        fn task_size<F: Future + Send + 'static>(_: &F) -> usize
        where
            F::Output: Send + 'static,
        {
            size_of::<Task<F, Arc<Shared>>>()
        }
        assert_eq!(task_size(&future), 56);
        // With the `Arc`'s two counts, 72 bytes: glibc's malloc rounds that to a chunk of 80.
    }
}
