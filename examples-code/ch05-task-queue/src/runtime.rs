//! The runtime: a run queue, an executor loop that sleeps on a `Condvar` when the queue is
//! empty, `block_on` for the main future and `spawn` for the others.

use crate::join::{JoinError, JoinHandle};
use crate::task::Task;
use futures::FutureExt;
use futures::channel::oneshot;
use std::cell::{Cell, RefCell};
use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::io;
use std::marker::PhantomData;
use std::panic::AssertUnwindSafe;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::task::{Context, Poll, Wake, Waker};

// ANCHOR: run_queue
/// What the executor thread shares with every waker, on any thread.
pub(crate) struct Shared {
    /// The run queue, and whether the main future has been woken.
    queue: Mutex<Queue>,
    /// The executor thread sleeps on this when there is nothing to do (chapter 2's parker).
    condvar: Condvar,
    /// Every task not yet finished, so that dropping the runtime can drop them.
    tasks: Mutex<HashMap<u64, Arc<Task>>>,
    /// The id of the next task.
    next_id: AtomicU64,
}

struct Queue {
    /// What has been woken and waits for its poll, oldest first: tasks, and the main future.
    ready: VecDeque<Next>,
    /// The main future is on `ready` already.
    main_woken: bool,
    /// The runtime has been dropped: wakes have nowhere to go.
    closed: bool,
}

impl Shared {
    /// Puts a woken task on the queue and wakes the executor thread if it sleeps.
    pub(crate) fn push(&self, task: Arc<Task>) {
        let mut queue = self.queue.lock().unwrap();
        if queue.closed {
            return;
        }
        queue.ready.push_back(Next::Task(task));
        drop(queue);
        self.condvar.notify_one();
    }
    // ANCHOR_END: run_queue

    /// Takes a finished task out of the list of live tasks.
    pub(crate) fn forget(&self, id: u64) {
        self.tasks.lock().unwrap().remove(&id);
    }

    // ANCHOR: next
    /// What the executor does next: poll the main future, poll a task, or sleep until a wake.
    fn next(&self) -> Next {
        let mut queue = self.queue.lock().unwrap();
        loop {
            match queue.ready.pop_front() {
                Some(Next::Main) => {
                    queue.main_woken = false;
                    return Next::Main;
                }
                Some(next) => return next,
                None => queue = self.condvar.wait(queue).unwrap(),
            }
        }
    }

    /// Puts the main future on the queue, once, and wakes the executor thread if it sleeps.
    fn wake_main(&self) {
        let mut queue = self.queue.lock().unwrap();
        if queue.main_woken || queue.closed {
            return;
        }
        queue.main_woken = true;
        queue.ready.push_back(Next::Main);
        drop(queue);
        self.condvar.notify_one();
    }
}

/// An entry of the run queue: the main future, or a task.
enum Next {
    Main,
    Task(Arc<Task>),
}
// ANCHOR_END: next

// ANCHOR: main_waker
/// The main future's waker: it has no task, it only flags the main future and wakes the
/// executor thread.
struct MainWaker(Arc<Shared>);

impl Wake for MainWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.wake_main();
    }
}
// ANCHOR_END: main_waker

thread_local! {
    /// The runtime whose `block_on` runs on this thread, if any: where `spawn` puts tasks.
    static CURRENT: RefCell<Option<Arc<Shared>>> = const { RefCell::new(None) };
}

/// Sets `CURRENT` for as long as it lives, and clears it on drop (even when a panic unwinds).
struct Enter;

impl Enter {
    fn new(shared: &Arc<Shared>) -> Enter {
        CURRENT.with(|current| {
            let mut current = current.borrow_mut();
            assert!(
                current.is_none(),
                "cannot call `Runtime::block_on` from inside a runtime: \
                 this thread is already running one"
            );
            *current = Some(Arc::clone(shared));
        });
        Enter
    }
}

impl Drop for Enter {
    fn drop(&mut self) {
        CURRENT.with(|current| current.borrow_mut().take());
    }
}

/// A single-threaded runtime: one run queue, polled by the thread that calls `block_on`.
///
/// Like tokio's current-thread `Runtime`, it makes progress only while some thread is inside
/// its `block_on`. It is `Send` but not `Sync`: one thread at a time drives it.
pub struct Runtime {
    shared: Arc<Shared>,
    _not_sync: PhantomData<Cell<()>>,
}

impl Runtime {
    /// A runtime with no tasks. It cannot fail yet; it returns `io::Result` like tokio's
    /// `Runtime::new`, because the next chapter's runtime opens file descriptors.
    pub fn new() -> io::Result<Runtime> {
        let queue = Queue {
            ready: VecDeque::new(),
            main_woken: false,
            closed: false,
        };
        Ok(Runtime {
            shared: Arc::new(Shared {
                queue: Mutex::new(queue),
                condvar: Condvar::new(),
                tasks: Mutex::new(HashMap::new()),
                next_id: AtomicU64::new(0),
            }),
            _not_sync: PhantomData,
        })
    }

    // ANCHOR: block_on
    /// Runs `future` to completion on this thread, and the spawned tasks alongside it.
    /// Returns as soon as `future` is done, even if tasks are left: they run again at the
    /// next `block_on`, or are cancelled when the runtime is dropped.
    ///
    /// # Panics
    ///
    /// When called from inside a runtime, or when `future` panics.
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        let _enter = Enter::new(&self.shared);
        let mut future = pin!(future);
        let waker = Waker::from(Arc::new(MainWaker(Arc::clone(&self.shared))));
        let mut cx = Context::from_waker(&waker);
        self.shared.wake_main(); // its first poll
        loop {
            match self.shared.next() {
                Next::Main => {
                    if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
                        return output;
                    }
                }
                Next::Task(task) => task.run(),
            }
        }
    }
    // ANCHOR_END: block_on
}

// ANCHOR: drop_runtime
impl Drop for Runtime {
    /// Cancels every unfinished task: drops its future, so its `JoinHandle` sees
    /// `JoinError::is_cancelled`.
    fn drop(&mut self) {
        self.shared.queue.lock().unwrap().closed = true;
        let tasks = std::mem::take(&mut *self.shared.tasks.lock().unwrap());
        // Take the futures out first, drop them after, with no lock held: dropping a future
        // may wake or drop other tasks.
        let futures: Vec<_> = tasks
            .values()
            .map(|task| task.future.lock().unwrap().take())
            .collect();
        drop(futures);
        // The queue holds tasks, and tasks hold the queue: break the cycle.
        let ready = std::mem::take(&mut self.shared.queue.lock().unwrap().ready);
        drop(ready);
    }
}
// ANCHOR_END: drop_runtime

// ANCHOR: spawn
/// Spawns `future` as a task on the current runtime and returns a handle to its output.
///
/// The task runs whether or not the handle is kept: dropping the handle detaches it.
///
/// # Panics
///
/// When called outside `Runtime::block_on` (there is no current runtime).
pub fn spawn<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let shared = CURRENT.with(|current| current.borrow().clone()).expect(
        "`spawn` called outside of a runtime: \
         call it from a future running inside `Runtime::block_on`",
    );
    let (sender, receiver) = oneshot::channel();
    let task = Arc::new(Task {
        id: shared.next_id.fetch_add(1, Ordering::Relaxed),
        future: Mutex::new(Some(Box::pin(async move {
            // A panic in any poll of `future` ends up here, as an `Err`, instead of
            // unwinding through the executor.
            let output = AssertUnwindSafe(future).catch_unwind().await;
            // The handle may be gone (detached): then the output is dropped here.
            let _ = sender.send(output.map_err(JoinError::panic));
        }))),
        scheduled: AtomicBool::new(true),
        runtime: Arc::clone(&shared),
    });
    shared
        .tasks
        .lock()
        .unwrap()
        .insert(task.id, Arc::clone(&task));
    shared.push(task);
    JoinHandle::new(receiver)
}
// ANCHOR_END: spawn
