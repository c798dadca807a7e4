//! The runtime: worker threads that take tasks from one shared queue, `block_on` on the
//! calling thread, `spawn` and a `Handle` that spawn from anywhere, and cancelling on drop.

use crate::join::{JoinError, JoinHandle};
use crate::queue::{Counts, ReadyQueue};
use crate::state::TaskState;
use crate::task::Task;
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

// ANCHOR: shared
/// What the workers, the handles and every task share.
pub(crate) struct Shared {
    /// The one ready queue, where idle workers also sleep.
    queue: ReadyQueue<Arc<Task>>,
    /// Every task not yet finished, so that dropping the runtime can cancel them.
    tasks: [Mutex<HashMap<u64, Arc<Task>>>; TASK_LIST_SHARDS],
    /// The id of the next task.
    next_id: AtomicU64,
}
// ANCHOR_END: shared

impl Shared {
    /// Puts a woken task on the ready queue; on a closed runtime, cancels it.
    pub(crate) fn schedule(&self, task: Arc<Task>) {
        if let Err(task) = self.queue.push(task) {
            task.cancel();
        }
    }

    fn task_list(&self, id: u64) -> &Mutex<HashMap<u64, Arc<Task>>> {
        &self.tasks[id as usize % TASK_LIST_SHARDS]
    }

    /// Takes a finished task out of the list of live tasks.
    pub(crate) fn forget(&self, id: u64) {
        self.task_list(id).lock().unwrap().remove(&id);
    }
}

// ANCHOR: worker
/// What every worker thread runs: take a ready task, poll it once, repeat; sleep in
/// `pop_or_park` while there is none. Returns when the runtime shuts down.
fn worker(handle: Handle) {
    let _enter = Enter::new(handle.clone());
    while let Some(task) = handle.shared.queue.pop_or_park() {
        task.run();
    }
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
    shared: Arc<Shared>,
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
        if let Err(task) = self.shared.queue.push(task) {
            self.shared.forget(task.id);
            task.cancel();
        }
        JoinHandle::new(receiver)
    }
    // ANCHOR_END: spawn

    /// How often the workers have slept and been woken: see [`Counts`].
    pub fn counts(&self) -> Counts {
        self.shared.queue.counts()
    }
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
/// Configures a [`Runtime`]: for now, only how many worker threads it has.
#[derive(Debug, Default)]
pub struct Builder {
    worker_threads: Option<usize>,
}

impl Builder {
    /// The number of worker threads (at least 1). Default: `available_parallelism`.
    pub fn worker_threads(mut self, count: usize) -> Builder {
        assert!(count > 0, "a runtime needs at least one worker thread");
        self.worker_threads = Some(count);
        self
    }

    /// Starts the worker threads.
    pub fn build(self) -> io::Result<Runtime> {
        let count = match self.worker_threads {
            Some(count) => count,
            None => thread::available_parallelism().map_or(1, NonZeroUsize::get),
        };
        let handle = Handle {
            shared: Arc::new(Shared {
                queue: ReadyQueue::new(),
                tasks: std::array::from_fn(|_| Mutex::new(HashMap::new())),
                next_id: AtomicU64::new(0),
            }),
        };
        // Dropped on an early return, it stops and joins the workers started so far.
        let mut runtime = Runtime {
            handle,
            workers: Vec::with_capacity(count),
        };
        for index in 0..count {
            let handle = runtime.handle.clone();
            let worker = thread::Builder::new()
                .name(format!("ch10-worker-{index}"))
                .spawn(move || worker(handle))?;
            runtime.workers.push(worker);
        }
        Ok(runtime)
    }
}
// ANCHOR_END: builder

/// A multi-threaded runtime: worker threads that share one ready queue.
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
        let queued = shared.queue.close();
        for worker in self.workers.drain(..) {
            let _ = worker.join();
        }
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
