//! loom models of parking: every interleaving of a worker going to sleep on the
//! `ReadyQueue` and a push (or a close) from another thread. A lost wakeup would leave a
//! thread asleep for ever, which loom reports as a deadlock. Run with
//! `RUSTFLAGS="--cfg loom" cargo test --release -p ch10-workers --test loom_park`
//! (`cargo xtask test loom` does).
#![cfg(loom)]

use ch10_workers::queue::ReadyQueue;
use loom::sync::{Arc, Condvar, Mutex};
use loom::thread;
use std::collections::VecDeque;

// ANCHOR: loom_push_reaches_sleeper
#[test]
fn a_push_reaches_a_worker_that_is_about_to_sleep() {
    loom::model(|| {
        let queue = Arc::new(ReadyQueue::new());
        let worker = thread::spawn({
            let queue = Arc::clone(&queue);
            move || queue.pop_or_park()
        });
        queue.push(1).unwrap();
        assert_eq!(worker.join().unwrap(), Some(1));
    });
}
// ANCHOR_END: loom_push_reaches_sleeper

#[test]
fn two_pushes_reach_two_sleeping_workers() {
    loom::model(|| {
        let queue = Arc::new(ReadyQueue::new());
        let workers: Vec<_> = (0..2)
            .map(|_| {
                let queue = Arc::clone(&queue);
                thread::spawn(move || queue.pop_or_park())
            })
            .collect();
        queue.push(1).unwrap();
        queue.push(2).unwrap();
        let mut got: Vec<_> = workers.into_iter().map(|w| w.join().unwrap()).collect();
        got.sort();
        assert_eq!(got, [Some(1), Some(2)]);
    });
}

#[test]
fn close_wakes_every_sleeping_worker() {
    loom::model(|| {
        let queue = Arc::new(ReadyQueue::<u32>::new());
        let workers: Vec<_> = (0..2)
            .map(|_| {
                let queue = Arc::clone(&queue);
                thread::spawn(move || queue.pop_or_park())
            })
            .collect();
        assert!(queue.close().is_empty());
        for worker in workers {
            assert_eq!(worker.join().unwrap(), None);
        }
    });
}

#[test]
fn one_push_notifies_at_most_one_worker() {
    loom::model(|| {
        let queue = Arc::new(ReadyQueue::new());
        let workers: Vec<_> = (0..2)
            .map(|_| {
                let queue = Arc::clone(&queue);
                thread::spawn(move || {
                    let mut got = 0;
                    while queue.pop_or_park().is_some() {
                        got += 1;
                    }
                    got
                })
            })
            .collect();
        queue.push(1).unwrap();
        let notifies = queue.counts().notifies;
        assert!(notifies <= 1, "{notifies} notifications for one push");
        // Let the workers leave (close notifies everyone, and is not counted).
        let mut left = queue.close().len();
        for worker in workers {
            left += worker.join().unwrap();
        }
        assert_eq!(
            left, 1,
            "the item was taken, or handed back by close, exactly once"
        );
    });
}

// ANCHOR: loom_broken
/// The broken queue of `tests/lost_wakeup.rs`, on loom's primitives: it looks at the queue
/// and goes to sleep under two separate lockings.
struct BrokenQueue {
    items: Mutex<VecDeque<u32>>,
    condvar: Condvar,
}

impl BrokenQueue {
    fn push(&self, item: u32) {
        self.items.lock().unwrap().push_back(item);
        self.condvar.notify_one();
    }

    fn pop_or_park(&self) -> u32 {
        loop {
            if let Some(item) = self.items.lock().unwrap().pop_front() {
                return item;
            }
            // <- a push and its notify here are lost: nobody is waiting yet
            let items = self.items.lock().unwrap();
            drop(self.condvar.wait(items).unwrap());
        }
    }
}

#[test]
#[should_panic(expected = "deadlock")]
fn loom_finds_the_lost_wakeup_in_the_broken_queue() {
    loom::model(|| {
        // Leaked, so that nothing of loom's is dropped while its report of the deadlock
        // unwinds (a loom `Arc` dropped then would abort the process).
        let queue: &'static BrokenQueue = Box::leak(Box::new(BrokenQueue {
            items: Mutex::new(VecDeque::new()),
            condvar: Condvar::new(),
        }));
        let worker = thread::spawn(move || queue.pop_or_park());
        queue.push(1);
        assert_eq!(worker.join().unwrap(), 1);
    });
}
// ANCHOR_END: loom_broken
