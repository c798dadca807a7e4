//! Exercise 12.1: a LIFO slot, as tokio's workers have. The task pushed last on a worker (the
//! one a task there just woke or spawned) waits in a slot of one and runs next, at most three
//! times in a row; thieves never take it. Written as run queues for chapter 12's scheduler:
//! `Lifo<Q>` puts a slot in front of any `RunQueues` `Q`.

use ch12_work_stealing::run_queue::{BookQueues, RunQueues};
use ch12_work_stealing::scheduler::{GLOBAL_QUEUE_INTERVAL, Scheduler};
use std::marker::PhantomData;

// ANCHOR: lifo
/// How many times in a row a worker runs the task in its slot before its queue gets a turn:
/// tokio's `MAX_LIFO_POLLS_PER_TICK`.
pub const MAX_LIFO_POLLS: u32 = 3;

/// The run queues `Q` with a LIFO slot in front of each worker's queue. `CAP` is how many
/// slot polls a worker makes in a row (`u32::MAX`: no cap).
pub struct Lifo<Q, const CAP: u32 = MAX_LIFO_POLLS>(PhantomData<Q>);

/// A worker's end: its queue, the slot, and how many slot polls it has made in a row.
pub struct LifoLocal<L, T> {
    queue: L,
    slot: Option<T>,
    in_a_row: u32,
}
// ANCHOR_END: lifo

impl<Q: RunQueues<T>, T: Send + 'static, const CAP: u32> RunQueues<T> for Lifo<Q, CAP> {
    type Local = LifoLocal<Q::Local, T>;
    /// Thieves see the queue only: the slot is the owner's.
    type Stealer = Q::Stealer;
    type Injector = Q::Injector;

    fn new_local() -> (Self::Local, Self::Stealer) {
        let (queue, stealer) = Q::new_local();
        let local = LifoLocal {
            queue,
            slot: None,
            in_a_row: 0,
        };
        (local, stealer)
    }
    fn new_injector() -> Self::Injector {
        Q::new_injector()
    }

    // ANCHOR: push_pop
    fn push(local: &mut Self::Local, item: T) -> Result<(), T> {
        // The newcomer takes the slot; the task it displaces goes to the back of the queue
        // (or, if the queue is full, back to the scheduler, which injects it).
        match local.slot.replace(item) {
            None => Ok(()),
            Some(older) => Q::push(&mut local.queue, older),
        }
    }

    fn pop(local: &mut Self::Local) -> Option<T> {
        if local.slot.is_some() && local.in_a_row < CAP {
            local.in_a_row += 1;
            return local.slot.take();
        }
        // The queue's turn. A task still in the slot has had its turns: to the back.
        local.in_a_row = 0;
        if let Some(item) = local.slot.take() {
            if let Err(item) = Q::push(&mut local.queue, item) {
                local.slot = Some(item); // a full queue: it keeps the slot
            }
        }
        Q::pop(&mut local.queue)
    }
    // ANCHOR_END: push_pop

    fn steal_half(from: &Self::Stealer, into: &mut Self::Local) -> Option<T> {
        let item = Q::steal_half(from, &mut into.queue)?;
        into.in_a_row = 0;
        Some(item)
    }
    fn has_work(from: &Self::Stealer) -> bool {
        Q::has_work(from)
    }
    fn inject(injector: &Self::Injector, item: T) {
        Q::inject(injector, item);
    }
    fn take_batch(injector: &Self::Injector, into: &mut Self::Local, workers: usize) -> Option<T> {
        let item = Q::take_batch(injector, &mut into.queue, workers)?;
        into.in_a_row = 0;
        Some(item)
    }
    fn injected(injector: &Self::Injector) -> usize {
        Q::injected(injector)
    }
    /// The queues only: an owner must run or drop what its slot holds before it goes.
    fn drain(injector: &Self::Injector, stealers: &[Self::Stealer]) -> Vec<T> {
        Q::drain(injector, stealers)
    }
}

// ANCHOR: run_order
/// One worker of the real scheduler, with the run queues `Q`. Tasks `a`, `b`, … (`queued`)
/// wait in its queue and run once; `P` and `Q` wake each other, a message passed back and
/// forth, and `P` has just been woken. Returns the first `polls` tasks the worker runs.
pub fn run_order<Q: RunQueues<char>>(queued: &str, polls: usize) -> String {
    let (_scheduler, mut workers) = Scheduler::<Q, char>::new(1, GLOBAL_QUEUE_INTERVAL);
    let worker = &mut workers[0];
    for task in queued.chars() {
        worker.push(task);
    }
    worker.push('P');
    let mut order = Vec::new();
    for _ in 0..polls {
        let task = worker.next_task().expect("P or Q is always queued");
        order.push(task.to_string());
        match task {
            'P' => worker.push('Q'), // P's poll wakes Q
            'Q' => worker.push('P'), // and Q's wakes P
            _ => {}
        }
    }
    order.join(" ")
}
// ANCHOR_END: run_order

// ANCHOR: demo
fn main() {
    println!("one worker: P and Q wake each other, a, b and c wait in its queue");
    println!("queue only:     {}", run_order::<BookQueues>("abc", 14));
    println!(
        "slot, no cap:   {}",
        run_order::<Lifo<BookQueues, { u32::MAX }>>("abc", 14)
    );
    println!(
        "slot, cap of 3: {}",
        run_order::<Lifo<BookQueues>>("abc", 14)
    );
}
// ANCHOR_END: demo

#[cfg(test)]
mod tests;
