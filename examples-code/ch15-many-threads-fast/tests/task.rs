//! The task on its own, without the runtime: a run queue of our own and plain threads drive
//! it, so that Miri can run these tests (it has no epoll for mio) and check every access to
//! the future, the output and the handle's waker for data races and leaks.

use ch15_many_threads_fast::task::{Join, Ran, Runnable, Schedule, Task, TaskRef};
use std::collections::VecDeque;
use std::future::poll_fn;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::thread;

/// A run queue: what a wake calls.
#[derive(Clone, Default)]
struct Queue(Arc<Mutex<VecDeque<TaskRef>>>);

impl Schedule for Queue {
    fn schedule(&self, task: TaskRef) {
        self.0.lock().unwrap().push_back(task);
    }
    fn bind(&self, _task: TaskRef) -> usize {
        0
    }
    fn release(&self, _key: usize) {}
}

impl Queue {
    /// Runs what is queued until the queue is empty; a task that yields goes to the back.
    fn run_all(&self) {
        loop {
            let Some(task) = self.0.lock().unwrap().pop_front() else {
                return;
            };
            if let Ran::Yielded(task) = task.run() {
                self.schedule(task);
            }
        }
    }
}

/// A waker that counts its wakes and lets a thread wait for one.
#[derive(Default)]
struct Signal {
    wakes: Mutex<usize>,
    condvar: Condvar,
}

impl Wake for Signal {
    fn wake(self: Arc<Self>) {
        *self.wakes.lock().unwrap() += 1;
        self.condvar.notify_all();
    }
}

impl Signal {
    fn wait_for(&self, wakes: usize) {
        let mut seen = self.wakes.lock().unwrap();
        while *seen < wakes {
            seen = self.condvar.wait(seen).unwrap();
        }
    }
}

fn poll_join<T>(task: &dyn Join<T>, waker: &Waker) -> Poll<T> {
    let mut cx = Context::from_waker(waker);
    task.poll_join(&mut cx)
        .map(|output| output.expect("an output"))
}

#[test]
fn a_task_runs_and_hands_its_output_to_a_handle_on_another_thread() {
    let queue = Queue::default();
    let task = Task::new(async { vec![1, 2, 3] }, queue.clone());
    queue.schedule(task.clone());
    let signal = Arc::new(Signal::default());
    let waker = Waker::from(Arc::clone(&signal));
    let handle: Arc<dyn Join<Vec<i32>>> = task;
    // The handle waits on this thread; the task runs on another.
    let pending = poll_join(&*handle, &waker);
    let worker = thread::spawn(move || queue.run_all());
    let output = match pending {
        Poll::Ready(output) => output,
        Poll::Pending => {
            signal.wait_for(1);
            match poll_join(&*handle, &waker) {
                Poll::Ready(output) => output,
                Poll::Pending => panic!("woken, and still no output"),
            }
        }
    };
    worker.join().unwrap();
    assert_eq!(output, [1, 2, 3]);
}

#[test]
fn a_wake_from_another_thread_during_the_poll_gets_the_task_polled_again() {
    let queue = Queue::default();
    let (go, went) = (
        Arc::new(AtomicBool::new(false)),
        Arc::new(AtomicBool::new(false)),
    );
    let polls = Arc::new(AtomicUsize::new(0));
    let task = Task::new(
        {
            let (go, went, polls) = (Arc::clone(&go), Arc::clone(&went), Arc::clone(&polls));
            poll_fn(move |cx: &mut Context<'_>| {
                if polls.fetch_add(1, Ordering::SeqCst) == 0 {
                    // Wake ourselves from another thread, and wait until it has.
                    let waker = cx.waker().clone();
                    let (their_go, their_went) = (Arc::clone(&go), Arc::clone(&went));
                    thread::spawn(move || {
                        while !their_go.load(Ordering::SeqCst) {
                            thread::yield_now();
                        }
                        waker.wake();
                        their_went.store(true, Ordering::SeqCst);
                    });
                    go.store(true, Ordering::SeqCst);
                    while !went.load(Ordering::SeqCst) {
                        thread::yield_now();
                    }
                    Poll::Pending
                } else {
                    Poll::Ready(())
                }
            })
        },
        queue.clone(),
    );
    queue.schedule(task.clone());
    queue.run_all();
    assert_eq!(
        polls.load(Ordering::SeqCst),
        2,
        "the wake during the poll was kept"
    );
    assert_eq!(poll_join(&*task, Waker::noop()), Poll::Ready(()));
}

/// Counts its drops.
struct Counted(Arc<AtomicUsize>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn a_handle_dropped_before_or_after_the_end_drops_the_output_once() {
    for drop_first in [true, false] {
        let queue = Queue::default();
        let drops = Arc::new(AtomicUsize::new(0));
        let output = Counted(Arc::clone(&drops));
        let task = Task::new(async move { output }, queue.clone());
        queue.schedule(task.clone());
        let handle: Arc<dyn Join<Counted>> = task;
        if drop_first {
            handle.drop_join_handle();
            queue.run_all();
        } else {
            queue.run_all();
            handle.drop_join_handle();
        }
        assert_eq!(drops.load(Ordering::SeqCst), 1, "drop_first: {drop_first}");
        drop(handle);
        assert_eq!(drops.load(Ordering::SeqCst), 1);
    }
}

#[test]
fn a_panic_in_the_poll_is_a_join_error_and_the_future_is_dropped() {
    let queue = Queue::default();
    let drops = Arc::new(AtomicUsize::new(0));
    let guard = Counted(Arc::clone(&drops));
    let task = Task::new(
        async move {
            let _guard = guard;
            panic!("boom")
        },
        queue.clone(),
    );
    queue.schedule(task.clone());
    queue.run_all();
    let mut cx = Context::from_waker(Waker::noop());
    let Poll::Ready(Err(error)) = task.poll_join(&mut cx) else {
        panic!("no join error");
    };
    assert!(error.is_panic());
    assert_eq!(drops.load(Ordering::SeqCst), 1);
}

#[test]
fn a_cancelled_task_is_dropped_and_never_polled_and_its_handle_says_so() {
    let queue = Queue::default();
    let drops = Arc::new(AtomicUsize::new(0));
    let guard = Counted(Arc::clone(&drops));
    let polled = Arc::new(AtomicBool::new(false));
    let task = Task::new(
        {
            let polled = Arc::clone(&polled);
            async move {
                let _guard = guard;
                polled.store(true, Ordering::SeqCst);
            }
        },
        queue.clone(),
    );
    queue.schedule(task.clone());
    task.cancel(); // while it waits in the queue
    queue.run_all();
    assert!(!polled.load(Ordering::SeqCst));
    assert_eq!(drops.load(Ordering::SeqCst), 1);
    let mut cx = Context::from_waker(Waker::noop());
    let Poll::Ready(Err(error)) = task.poll_join(&mut cx) else {
        panic!("no join error");
    };
    assert!(error.is_cancelled());
}

#[test]
fn a_handle_awaited_by_another_task_hands_over_its_waker_and_changes_it() {
    let queue = Queue::default();
    let release = Arc::new(AtomicBool::new(false));
    let parked: Arc<Mutex<Option<Waker>>> = Arc::default();
    let task = Task::new(
        {
            let (release, parked) = (Arc::clone(&release), Arc::clone(&parked));
            poll_fn(move |cx: &mut Context<'_>| {
                if release.load(Ordering::SeqCst) {
                    Poll::Ready(9)
                } else {
                    *parked.lock().unwrap() = Some(cx.waker().clone());
                    Poll::Pending
                }
            })
        },
        queue.clone(),
    );
    queue.schedule(task.clone());
    queue.run_all();
    let (first, second) = (Arc::new(Signal::default()), Arc::new(Signal::default()));
    let first_waker = Waker::from(Arc::clone(&first));
    let second_waker = Waker::from(Arc::clone(&second));
    assert_eq!(poll_join(&*task, &first_waker), Poll::Pending);
    assert_eq!(
        poll_join(&*task, &first_waker),
        Poll::Pending,
        "the same: kept"
    );
    assert_eq!(
        poll_join(&*task, &second_waker),
        Poll::Pending,
        "another: swapped"
    );
    release.store(true, Ordering::SeqCst);
    let waker = parked.lock().unwrap().take().unwrap();
    let worker = thread::spawn(move || {
        waker.wake();
        queue.run_all();
    });
    second.wait_for(1);
    worker.join().unwrap();
    assert_eq!(
        *first.wakes.lock().unwrap(),
        0,
        "the old waker is not woken"
    );
    assert_eq!(poll_join(&*task, &second_waker), Poll::Ready(9));
}

#[test]
fn a_chain_of_tasks_each_awaiting_the_next_ends_without_a_deep_drop() {
    // Each task awaits the handle of the next, so each task's future holds the next task.
    // A future is dropped when its task completes, so the tasks are freed one by one, in
    // the order they complete; were it kept until its task is freed, dropping the first
    // task would free the second from inside its destructor, and so on: a recursion as
    // deep as the chain.
    const DEPTH: u64 = if cfg!(miri) { 50 } else { 20_000 };
    fn chain(
        queue: Queue,
        n: u64,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = u64> + Send>> {
        Box::pin(async move {
            if n == 0 {
                return 0;
            }
            let next = Task::new(chain(queue.clone(), n - 1), queue.clone());
            queue.schedule(next.clone());
            let handle: Arc<dyn Join<u64>> = next;
            let output = poll_fn(|cx| handle.poll_join(cx)).await.unwrap();
            handle.drop_join_handle(); // what `JoinHandle::drop` does
            output + 1
        })
    }
    let queue = Queue::default();
    let first = Task::new(chain(queue.clone(), DEPTH), queue.clone());
    queue.schedule(first.clone());
    // On a thread with a small stack: a recursive drop would overflow it.
    let output = thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || {
            queue.run_all();
            let output = poll_join(&*first, Waker::noop());
            drop(first);
            output
        })
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(output, Poll::Ready(DEPTH));
}

// ANCHOR: cycle
#[test]
fn two_tasks_that_polled_each_others_handles_are_freed_with_the_handles() {
    // A polls B's handle and B polls A's, so each task holds the other's waker; then both
    // complete while the handles live on elsewhere. If a completed task kept the handle's
    // waker until its own memory is freed, A would keep B alive and B would keep A: a
    // reference cycle, never freed (tokio's issue #4724, fixed by its PR #6986).
    type Handle = Arc<dyn Join<()>>;
    let queue = Queue::default();
    let handles: Arc<Mutex<Vec<Handle>>> = Arc::default();
    let other = |slot: Arc<Mutex<Option<Handle>>>| {
        let handles = Arc::clone(&handles);
        let mut polled = false;
        poll_fn(move |cx: &mut Context<'_>| {
            if polled {
                return Poll::Ready(());
            }
            polled = true;
            let handle = slot.lock().unwrap().take().expect("the other's handle");
            assert!(
                handle.poll_join(cx).is_pending(),
                "the other is not done yet"
            );
            handles.lock().unwrap().push(handle);
            cx.waker().wake_by_ref(); // once more, to complete
            Poll::Pending
        })
    };
    let (for_a, for_b) = (Arc::default(), Arc::default());
    let a = Task::new(other(Arc::clone(&for_a)), queue.clone());
    let b = Task::new(other(Arc::clone(&for_b)), queue.clone());
    let (weak_a, weak_b) = (Arc::downgrade(&a), Arc::downgrade(&b));
    *for_a.lock().unwrap() = Some(b.clone() as Handle);
    *for_b.lock().unwrap() = Some(a.clone() as Handle);
    queue.schedule(a);
    queue.schedule(b);
    queue.run_all();
    let handles = std::mem::take(&mut *handles.lock().unwrap());
    assert_eq!(handles.len(), 2, "both tasks polled the other's handle");
    for handle in handles {
        handle.drop_join_handle(); // what `JoinHandle::drop` does
    }
    drop((for_a, for_b));
    assert!(weak_a.upgrade().is_none(), "task A is still alive");
    assert!(weak_b.upgrade().is_none(), "task B is still alive");
}
// ANCHOR_END: cycle
