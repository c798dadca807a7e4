//! loom models of the handshake between a waker on another thread and the runtime's thread
//! going to sleep (`handshake::Sleep`, the code `Shared::inject`, `MainWaker` and
//! `Inner::sleep_timeout` call). The eventfd and `epoll_wait` are a stand-in: a flag under a
//! `Mutex` with a `Condvar`, which keeps a write that comes before the wait, as the eventfd
//! does. A lost wake leaves the runtime asleep for ever, which loom reports as a deadlock.
//! Run with `RUSTFLAGS="--cfg loom" cargo test --release -p ch14-making-it-fast --test
//! loom_sleep` (`cargo xtask test loom` does).
#![cfg(loom)]

use ch14_making_it_fast::handshake::Sleep;
use loom::sync::{Condvar, Mutex};
use loom::thread;
use std::collections::VecDeque;

/// The runtime's eventfd and its `epoll_wait`, stood in for by a flag.
struct EventFd {
    written: Mutex<bool>,
    condvar: Condvar,
}

impl EventFd {
    /// `write`: the flag stays set until the next wait takes it.
    fn notify(&self) {
        *self.written.lock().unwrap() = true;
        self.condvar.notify_one();
    }

    /// `epoll_wait` with no timeout (no timer is due): sleeps until a write.
    fn wait(&self) {
        let mut written = self.written.lock().unwrap();
        while !*written {
            written = self.condvar.wait(written).unwrap();
        }
        *written = false;
    }
}

/// What the runtime and a waker share.
struct Model {
    sleep: Sleep,
    injector: Mutex<VecDeque<u32>>,
    event: EventFd,
}

fn model() -> &'static Model {
    // Leaked, for the reason `loom_task.rs` gives.
    Box::leak(Box::new(Model {
        sleep: Sleep::new(),
        injector: Mutex::new(VecDeque::new()),
        event: EventFd {
            written: Mutex::new(false),
            condvar: Condvar::new(),
        },
    }))
}

// ANCHOR: loom_sleep
#[test]
fn a_task_injected_while_the_runtime_goes_to_sleep_wakes_it() {
    loom::model(|| {
        let m = model();
        // A waker on another thread (`Shared::inject`).
        let waker = thread::spawn(move || {
            m.injector.lock().unwrap().push_back(7);
            if m.sleep.injected_then_unpark() {
                m.event.notify();
            }
        });
        // The runtime's thread with nothing to run (`block_on`, `next_task`, `poll_os`).
        let task = loop {
            if m.sleep.take_injected() {
                if let Some(task) = m.injector.lock().unwrap().pop_front() {
                    break task;
                }
            }
            if m.sleep.may_sleep() {
                m.event.wait();
            }
            m.sleep.awake();
        };
        assert_eq!(task, 7);
        waker.join().unwrap();
    });
}
// ANCHOR_END: loom_sleep

#[test]
fn a_main_future_woken_while_the_runtime_goes_to_sleep_is_polled() {
    loom::model(|| {
        let m = model();
        // The main future's waker, on another thread (`MainWaker`).
        let waker = thread::spawn(move || {
            if m.sleep.main_woken_then_unpark() {
                m.event.notify();
            }
        });
        // `block_on` with no task: poll the main future once it is woken, else sleep.
        loop {
            if m.sleep.take_main_woken() {
                break;
            }
            if !m.sleep.main_is_woken() && m.sleep.may_sleep() {
                m.event.wait();
            }
            m.sleep.awake();
        }
        waker.join().unwrap();
    });
}

#[test]
fn each_eventfd_write_answers_one_announced_sleep() {
    // Two wakers make many more interleavings: bounded, as chapter 12's largest models are.
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(2);
    builder.check(|| {
        let m = model();
        let writes: &'static Mutex<usize> = Box::leak(Box::new(Mutex::new(0)));
        let wakers: Vec<_> = [1, 2]
            .into_iter()
            .map(|id| {
                thread::spawn(move || {
                    m.injector.lock().unwrap().push_back(id);
                    if m.sleep.injected_then_unpark() {
                        *writes.lock().unwrap() += 1;
                        m.event.notify();
                    }
                })
            })
            .collect();
        // Every `may_sleep` announces a sleep (sets `sleeping`), whether or not the runtime
        // then sleeps: only a waker that finds that announcement writes, and it takes it.
        let mut announced = 0;
        let mut taken = 0;
        while taken < 2 {
            if m.sleep.take_injected() {
                taken += m.injector.lock().unwrap().drain(..).count();
                continue;
            }
            announced += 1;
            if m.sleep.may_sleep() {
                m.event.wait();
            }
            m.sleep.awake();
        }
        for waker in wakers {
            waker.join().unwrap();
        }
        assert!(
            *writes.lock().unwrap() <= announced,
            "more eventfd writes than announced sleeps: two wakers wrote for one"
        );
    });
}
