//! What the scheduler needs of its run queues, as one trait, and three implementations of
//! it: the book's (`BookQueues`, a `Mutex<VecDeque>` each), `crossbeam-deque`'s
//! (`CrossbeamQueues`), and chapter 10's single shared queue (`OneQueue`), kept to measure
//! the other two against.

use crate::deque::{Deque, Injector};
use crossbeam_deque::Steal;
use std::sync::Arc;

// ANCHOR: run_queues
/// The run queues of one scheduler: a queue per worker, which only its worker pushes to and
/// pops from and the other workers steal from, and one injector, the global queue. Every
/// function is an associated function: an implementation is a type with no values.
pub trait RunQueues<T>: 'static {
    /// The worker's own end of its queue: it never leaves the worker's thread.
    type Local: Send;
    /// The other workers' end of that queue.
    type Stealer: Send + Sync;
    /// The global queue.
    type Injector: Send + Sync;

    /// A worker's queue, as its two ends.
    fn new_local() -> (Self::Local, Self::Stealer);
    fn new_injector() -> Self::Injector;

    /// Pushes onto the worker's own queue; gives `item` back when the queue is full.
    fn push(local: &mut Self::Local, item: T) -> Result<(), T>;
    /// The next item of the worker's own queue, oldest first.
    fn pop(local: &mut Self::Local) -> Option<T>;
    /// Moves about half of another worker's queue into `into`, and returns one item of it.
    fn steal_half(from: &Self::Stealer, into: &mut Self::Local) -> Option<T>;
    /// Whether a steal from this queue could find something.
    fn has_work(from: &Self::Stealer) -> bool;

    fn inject(injector: &Self::Injector, item: T);
    /// Takes a fair share of the injector (one item in `workers`, at least one): returns one
    /// and queues the rest in `into`.
    fn take_batch(injector: &Self::Injector, into: &mut Self::Local, workers: usize) -> Option<T>;
    /// How many items the injector holds.
    fn injected(injector: &Self::Injector) -> usize;

    /// Takes everything out of the injector and the workers' queues (at shutdown).
    fn drain(injector: &Self::Injector, stealers: &[Self::Stealer]) -> Vec<T>;
}
// ANCHOR_END: run_queues

// ANCHOR: book_queues
/// The book's queues: `Deque` and `Injector`, a `Mutex<VecDeque>` each (`src/deque.rs`).
pub struct BookQueues;

/// A worker's end of a `Deque`, and its buffer for stealing.
pub struct BookLocal<T> {
    deque: Arc<Deque<T>>,
    scratch: Vec<T>,
}

impl<T: Send + 'static> RunQueues<T> for BookQueues {
    type Local = BookLocal<T>;
    type Stealer = Arc<Deque<T>>;
    type Injector = Injector<T>;

    fn new_local() -> (BookLocal<T>, Arc<Deque<T>>) {
        let deque = Arc::new(Deque::new());
        let scratch = Vec::new();
        (
            BookLocal {
                deque: Arc::clone(&deque),
                scratch,
            },
            deque,
        )
    }
    fn new_injector() -> Injector<T> {
        Injector::new()
    }
    fn push(local: &mut BookLocal<T>, item: T) -> Result<(), T> {
        local.deque.push(item)
    }
    fn pop(local: &mut BookLocal<T>) -> Option<T> {
        local.deque.pop()
    }
    fn steal_half(from: &Arc<Deque<T>>, into: &mut BookLocal<T>) -> Option<T> {
        from.steal_half(&into.deque, &mut into.scratch)
    }
    fn has_work(from: &Arc<Deque<T>>) -> bool {
        !from.is_empty()
    }
    fn inject(injector: &Injector<T>, item: T) {
        injector.push(item);
    }
    fn take_batch(injector: &Injector<T>, into: &mut BookLocal<T>, workers: usize) -> Option<T> {
        injector.take_batch(&into.deque, workers)
    }
    fn injected(injector: &Injector<T>) -> usize {
        injector.len()
    }
    fn drain(injector: &Injector<T>, stealers: &[Arc<Deque<T>>]) -> Vec<T> {
        let mut items = injector.drain();
        for deque in stealers {
            items.extend(deque.drain());
        }
        items
    }
}
// ANCHOR_END: book_queues

// ANCHOR: crossbeam_queues
/// `crossbeam-deque`'s queues: `Worker` (FIFO), `Stealer` and `Injector`, lock-free, the
/// Chase-Lev deque that rayon and `async-executor`'s ancestors use.
pub struct CrossbeamQueues;

/// Retries a crossbeam steal that lost a race with another thief.
fn retry<T>(mut steal: impl FnMut() -> Steal<T>) -> Option<T> {
    loop {
        match steal() {
            Steal::Success(item) => return Some(item),
            Steal::Empty => return None,
            Steal::Retry => std::hint::spin_loop(),
        }
    }
}

impl<T: Send + 'static> RunQueues<T> for CrossbeamQueues {
    type Local = crossbeam_deque::Worker<T>;
    type Stealer = crossbeam_deque::Stealer<T>;
    type Injector = crossbeam_deque::Injector<T>;

    fn new_local() -> (Self::Local, Self::Stealer) {
        let worker = crossbeam_deque::Worker::new_fifo();
        let stealer = worker.stealer();
        (worker, stealer)
    }
    fn new_injector() -> Self::Injector {
        crossbeam_deque::Injector::new()
    }
    fn push(local: &mut Self::Local, item: T) -> Result<(), T> {
        local.push(item); // unbounded: never full
        Ok(())
    }
    fn pop(local: &mut Self::Local) -> Option<T> {
        local.pop()
    }
    fn steal_half(from: &Self::Stealer, into: &mut Self::Local) -> Option<T> {
        // Half of the queue, at most 32 at a time (crossbeam's own cap).
        retry(|| from.steal_batch_and_pop(into))
    }
    fn has_work(from: &Self::Stealer) -> bool {
        !from.is_empty()
    }
    fn inject(injector: &Self::Injector, item: T) {
        injector.push(item);
    }
    fn take_batch(injector: &Self::Injector, into: &mut Self::Local, workers: usize) -> Option<T> {
        let limit = injector.len() / workers + 1;
        retry(|| injector.steal_batch_with_limit_and_pop(into, limit))
    }
    fn injected(injector: &Self::Injector) -> usize {
        injector.len()
    }
    fn drain(injector: &Self::Injector, stealers: &[Self::Stealer]) -> Vec<T> {
        let mut items: Vec<T> = std::iter::from_fn(|| retry(|| injector.steal())).collect();
        for stealer in stealers {
            items.extend(std::iter::from_fn(|| retry(|| stealer.steal())));
        }
        items
    }
}
// ANCHOR_END: crossbeam_queues

// ANCHOR: one_queue
/// Chapter 10's design in this chapter's scheduler: no queue of its own for any worker (a
/// push is always "full"), so every task goes through the one injector.
pub struct OneQueue;

impl<T: Send + 'static> RunQueues<T> for OneQueue {
    type Local = ();
    type Stealer = ();
    type Injector = Injector<T>;

    fn new_local() -> ((), ()) {
        ((), ())
    }
    fn new_injector() -> Injector<T> {
        Injector::new()
    }
    fn push(_: &mut (), item: T) -> Result<(), T> {
        Err(item)
    }
    fn pop(_: &mut ()) -> Option<T> {
        None
    }
    fn steal_half(_: &(), _: &mut ()) -> Option<T> {
        None
    }
    fn has_work(_: &()) -> bool {
        false
    }
    fn inject(injector: &Injector<T>, item: T) {
        injector.push(item);
    }
    fn take_batch(injector: &Injector<T>, _: &mut (), _: usize) -> Option<T> {
        injector.pop()
    }
    fn injected(injector: &Injector<T>) -> usize {
        injector.len()
    }
    fn drain(injector: &Injector<T>, _: &[()]) -> Vec<T> {
        injector.drain()
    }
}
// ANCHOR_END: one_queue
