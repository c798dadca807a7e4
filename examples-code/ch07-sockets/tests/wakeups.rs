//! No lost wakeups: a task woken while it is being polled is polled again, whoever wakes it.
//! And how many polls a burst of wakes costs.

mod common;

use ch07_sockets::{Runtime, spawn, yield_now};
use common::{LIMIT, within};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::task::{Context, Poll, Waker};
use std::thread;

#[test]
#[cfg_attr(
    miri,
    ignore = "Miri's epoll supports only edge-triggered registrations"
)]
fn a_task_that_wakes_itself_during_poll_is_polled_again() {
    // Wakes its own task, then returns `Pending`, twice; ready on the third poll.
    let polls = within(LIMIT, || {
        let runtime = Runtime::new().unwrap();
        runtime.block_on(async {
            let mut polls = 0;
            let task = std::future::poll_fn(move |cx| {
                polls += 1;
                if polls == 3 {
                    return Poll::Ready(polls);
                }
                cx.waker().wake_by_ref();
                Poll::Pending
            });
            spawn(task).await.unwrap()
        })
    });
    assert_eq!(polls, 3);
}

/// On its first poll, has another thread wake it, waits until that wake has happened, and
/// only then returns `Pending`. Ready on its second poll.
struct WokenFromAnotherThreadDuringPoll {
    polls: usize,
}

impl Future for WokenFromAnotherThreadDuringPoll {
    type Output = usize;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<usize> {
        self.polls += 1;
        if self.polls > 1 {
            return Poll::Ready(self.polls);
        }
        let waker = cx.waker().clone();
        let (done, woken) = mpsc::channel();
        thread::spawn(move || {
            waker.wake();
            done.send(()).unwrap();
        });
        woken.recv().unwrap(); // the wake has happened, and this poll is not over yet
        Poll::Pending
    }
}

#[test]
#[cfg_attr(
    miri,
    ignore = "Miri's epoll supports only edge-triggered registrations"
)]
fn a_task_woken_from_another_thread_while_being_polled_is_polled_again() {
    let polls = within(LIMIT, || {
        let runtime = Runtime::new().unwrap();
        runtime.block_on(async {
            spawn(WokenFromAnotherThreadDuringPoll { polls: 0 })
                .await
                .unwrap()
        })
    });
    assert_eq!(polls, 2);
}

/// Counts its polls and leaves its waker where the test can reach it; ready once `done` is set.
struct CountPolls {
    polls: Arc<AtomicUsize>,
    waker: Arc<Mutex<Option<Waker>>>,
    done: Arc<AtomicBool>,
}

impl Future for CountPolls {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        *self.waker.lock().unwrap() = Some(cx.waker().clone());
        self.polls.fetch_add(1, Ordering::SeqCst);
        if self.done.load(Ordering::SeqCst) {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

#[test]
#[cfg_attr(
    miri,
    ignore = "Miri's epoll supports only edge-triggered registrations"
)]
fn a_task_woken_many_times_before_it_runs_is_polled_once() {
    let polls = Arc::new(AtomicUsize::new(0));
    let waker = Arc::new(Mutex::new(None::<Waker>));
    let done = Arc::new(AtomicBool::new(false));
    let task = CountPolls {
        polls: Arc::clone(&polls),
        waker: Arc::clone(&waker),
        done: Arc::clone(&done),
    };
    let counted = Arc::clone(&polls);
    let after_the_burst = within(LIMIT, move || {
        let runtime = Runtime::new().unwrap();
        runtime.block_on(async move {
            let handle = spawn(task);
            while counted.load(Ordering::SeqCst) == 0 {
                yield_now().await; // until the task's first poll
            }
            // Five wakes in one poll of the main future: the task cannot run in between.
            let waker = waker.lock().unwrap().take().unwrap();
            for _ in 0..5 {
                waker.wake_by_ref();
            }
            // The task stays pending, so every entry the wakes put in the run queue gets its
            // poll: let them all come (five, if the wakes were not merged).
            for _ in 0..20 {
                yield_now().await;
            }
            let after_the_burst = counted.load(Ordering::SeqCst);
            done.store(true, Ordering::SeqCst);
            waker.wake();
            handle.await.unwrap();
            after_the_burst
        })
    });
    // One poll at spawn, one for the five wakes.
    assert_eq!(after_the_burst, 2);
}
