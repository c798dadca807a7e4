//! loom models of a task's state word, with the real `Task`: a wake racing with a poll (the
//! wake must reach the poll that follows it, even when it is merged into a wake already
//! pending), the output handed to a `JoinHandle` on another thread, a cancellation racing
//! with a poll, a handle dropped as the task completes. The task's cells are loom's, so loom
//! also reports any access to the future or the output that two threads make unordered. Run
//! with `RUSTFLAGS="--cfg loom" cargo test --release -p ch15-many-threads-fast --test
//! loom_state` (`cargo xtask test loom` does).
#![cfg(loom)]

use ch15_many_threads_fast::task::{Join, Ran, Runnable, Schedule, Task, TaskRef};
use loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use loom::sync::{Condvar, Mutex};
use loom::thread;
use std::collections::VecDeque;
use std::future::poll_fn;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

/// The run queue of the model: a `VecDeque` behind loom's `Mutex`, with a `Condvar` for the
/// worker to sleep on, and `closed` once the wakers are done.
#[derive(Default)]
struct Queue {
    tasks: Mutex<(VecDeque<TaskRef>, bool)>,
    condvar: Condvar,
}

#[derive(Clone, Default)]
struct Scheduler(Arc<Queue>);

impl Schedule for Scheduler {
    fn schedule(&self, task: TaskRef) {
        self.0.tasks.lock().unwrap().0.push_back(task);
        self.0.condvar.notify_one();
    }
    fn bind(&self, _task: TaskRef) -> usize {
        0
    }
    fn release(&self, _key: usize) {}
}

impl Scheduler {
    /// The worker: runs queued tasks until the queue is empty and closed. A task woken
    /// during its own poll is queued again, as the runtime does.
    fn work(&self) {
        loop {
            let task = {
                let mut tasks = self.0.tasks.lock().unwrap();
                loop {
                    if let Some(task) = tasks.0.pop_front() {
                        break task;
                    }
                    if tasks.1 {
                        return;
                    }
                    tasks = self.0.condvar.wait(tasks).unwrap();
                }
            };
            if let Ran::Yielded(task) = task.run() {
                self.schedule(task);
            }
        }
    }

    /// Runs the first queued task once.
    fn run_one(&self) {
        let task = self.0.tasks.lock().unwrap().0.pop_front().unwrap();
        if let Ran::Yielded(task) = task.run() {
            self.schedule(task);
        }
    }

    fn close(&self) {
        self.0.tasks.lock().unwrap().1 = true;
        self.0.condvar.notify_one();
    }
}

/// Polls a `JoinHandle`'s side of a task once, with a waker that does nothing.
fn poll_join<T>(task: &dyn Join<T>) -> Poll<T> {
    let mut cx = Context::from_waker(Waker::noop());
    task.poll_join(&mut cx)
        .map(|result| result.expect("no panic, no cancel"))
}

// ANCHOR: loom_wake_reaches_poll
#[test]
fn a_wake_reaches_the_poll_after_it_even_when_merged_into_a_pending_one() {
    loom::model(|| {
        let scheduler = Scheduler::default();
        // What the wakes announce, written `Relaxed`: only the state word orders it.
        let events = Arc::new(AtomicUsize::new(0));
        let seen = Arc::clone(&events);
        let waker_slot = Arc::new(std::sync::Mutex::new(None::<Waker>));
        let slot = Arc::clone(&waker_slot);
        let task = Task::new(
            poll_fn(move |cx: &mut Context<'_>| {
                *slot.lock().unwrap() = Some(cx.waker().clone());
                if seen.load(Ordering::Relaxed) == 2 {
                    Poll::Ready(())
                } else {
                    Poll::Pending
                }
            }),
            scheduler.clone(),
        );
        // The first poll, here: it leaves the waker, and the task waits.
        scheduler.schedule(task.clone());
        scheduler.run_one();
        let waker = waker_slot.lock().unwrap().take().unwrap();
        // Two wakes from another thread, each after an event; the second may find the first
        // still pending (merged), or the task running, or idle.
        let wakers = thread::spawn({
            let scheduler = scheduler.clone();
            let events = Arc::clone(&events);
            move || {
                for _ in 0..2 {
                    events.fetch_add(1, Ordering::Relaxed);
                    waker.wake_by_ref();
                }
                scheduler.close();
            }
        });
        scheduler.work();
        wakers.join().unwrap();
        // No wake was lost: a poll saw both events, and the task is complete.
        assert_eq!(poll_join(&*task), Poll::Ready(()));
    });
}
// ANCHOR_END: loom_wake_reaches_poll

#[test]
fn the_output_reaches_a_join_handle_awaited_on_another_thread() {
    loom::model(|| {
        let scheduler = Scheduler::default();
        let task = Task::new(async { String::from("output") }, scheduler.clone());
        scheduler.schedule(task.clone());
        let worker = thread::spawn({
            let scheduler = scheduler.clone();
            move || {
                scheduler.work();
            }
        });
        // The handle's side: a waker that sets a flag; poll, and if pending, the completion
        // must wake us (loom explores whether it comes before or after our waker is in).
        let woken = Arc::new(Flag::default());
        let waker = Waker::from(Arc::clone(&woken));
        let mut cx = Context::from_waker(&waker);
        let output = match task.poll_join(&mut cx) {
            Poll::Ready(output) => output.unwrap(),
            Poll::Pending => {
                scheduler.close();
                woken.wait();
                match task.poll_join(&mut cx) {
                    Poll::Ready(output) => output.unwrap(),
                    Poll::Pending => panic!("woken, yet no output"),
                }
            }
        };
        // The handle goes while the worker may still be handing the waker back: one of
        // the two drops the waker, and loom checks that they never touch it together.
        task.drop_join_handle();
        scheduler.close();
        worker.join().unwrap();
        assert_eq!(output, "output");
    });
}

/// A waker that sets a flag, and a way to wait for it (a loom thread must not spin).
#[derive(Default)]
struct Flag {
    set: Mutex<bool>,
    condvar: Condvar,
}

impl Flag {
    fn wait(&self) {
        let mut set = self.set.lock().unwrap();
        while !*set {
            set = self.condvar.wait(set).unwrap();
        }
    }
}

impl std::task::Wake for Flag {
    fn wake(self: Arc<Self>) {
        *self.set.lock().unwrap() = true;
        self.condvar.notify_one();
    }
}

/// Counts its drops: an output (or a future) dropped twice or never shows here.
struct Counted(Arc<AtomicUsize>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

// ANCHOR: loom_cancel
#[test]
fn a_cancel_racing_with_a_poll_drops_the_future_once_and_the_handle_sees_one_ending() {
    loom::model(|| {
        let scheduler = Scheduler::default();
        let drops = Arc::new(AtomicUsize::new(0));
        let future = Counted(Arc::clone(&drops));
        let task = Task::new(
            async move {
                let _future = future;
                7
            },
            scheduler.clone(),
        );
        scheduler.schedule(task.clone());
        let worker = thread::spawn({
            let scheduler = scheduler.clone();
            move || scheduler.work()
        });
        task.cancel(); // the runtime's drop, on another thread
        scheduler.close();
        worker.join().unwrap();
        let mut cx = Context::from_waker(Waker::noop());
        match task.poll_join(&mut cx) {
            Poll::Ready(Ok(7)) => {}
            Poll::Ready(Err(error)) => assert!(error.is_cancelled()),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            drops.load(Ordering::Relaxed),
            1,
            "the future is dropped once"
        );
    });
}
// ANCHOR_END: loom_cancel

#[test]
fn a_handle_dropped_as_the_task_completes_drops_the_output_once() {
    loom::model(|| {
        let scheduler = Scheduler::default();
        let drops = Arc::new(AtomicUsize::new(0));
        let output = Counted(Arc::clone(&drops));
        let task = Task::new(async move { output }, scheduler.clone());
        scheduler.schedule(task.clone());
        let worker = thread::spawn({
            let scheduler = scheduler.clone();
            move || scheduler.work()
        });
        let handle: Arc<dyn Join<Counted>> = task;
        handle.drop_join_handle(); // what `JoinHandle::drop` does
        scheduler.close();
        worker.join().unwrap();
        // Whoever comes second (the completion, or the handle's drop) drops the output.
        assert_eq!(drops.load(Ordering::Relaxed), 1);
        drop(handle);
    });
}

#[test]
fn a_task_that_wakes_itself_during_its_poll_is_polled_again() {
    loom::model(|| {
        let scheduler = Scheduler::default();
        let polls = Arc::new(AtomicBool::new(false));
        let task = Task::new(
            {
                let polls = Arc::clone(&polls);
                poll_fn(move |cx: &mut Context<'_>| {
                    if polls.swap(true, Ordering::Relaxed) {
                        Poll::Ready(())
                    } else {
                        cx.waker().wake_by_ref(); // a yield
                        Poll::Pending
                    }
                })
            },
            scheduler.clone(),
        );
        scheduler.schedule(task.clone());
        scheduler.close();
        scheduler.work();
        assert_eq!(poll_join(&*task), Poll::Ready(()));
    });
}
