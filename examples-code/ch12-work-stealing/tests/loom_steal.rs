//! loom models of stealing: a worker popping its own queue while another steals half of it,
//! through the book's `Deque` and through the whole scheduler. Every item is taken exactly
//! once, whatever the interleaving. Run with
//! `RUSTFLAGS="--cfg loom" cargo test --release -p ch12-work-stealing --test loom_steal`.
#![cfg(loom)]

use ch12_work_stealing::deque::Deque;
use ch12_work_stealing::run_queue::BookQueues;
use ch12_work_stealing::scheduler::Scheduler;
use loom::sync::Arc;
use loom::thread;

// ANCHOR: loom_steal_vs_pop
#[test]
fn a_steal_and_a_pop_on_the_same_queue_take_each_item_once() {
    loom::model(|| {
        let victim = Arc::new(Deque::new());
        for item in 1..=3 {
            victim.push(item).unwrap();
        }
        let thief = thread::spawn({
            let victim = Arc::clone(&victim);
            move || {
                let mine = Deque::new();
                let mut scratch = Vec::new();
                let mut got: Vec<u32> =
                    victim.steal_half(&mine, &mut scratch).into_iter().collect();
                got.extend(mine.drain());
                got
            }
        });
        let mut got: Vec<u32> = victim.pop().into_iter().collect();
        let stolen = thief.join().unwrap();
        assert!(stolen.len() <= 2, "half of three, rounded up, at most");
        got.extend(stolen);
        got.extend(victim.drain());
        got.sort();
        assert_eq!(got, [1, 2, 3]);
    });
}
// ANCHOR_END: loom_steal_vs_pop

#[test]
fn an_idle_worker_steals_what_a_busy_one_has_queued() {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(2);
    builder.check(|| {
        let (scheduler, mut workers) = Scheduler::<BookQueues, u32>::new(2, 61);
        let mut thief = workers.pop().unwrap();
        let mut busy = workers.pop().unwrap();
        // Worker 0 has two items of its own (a task spawned two tasks on it).
        busy.push(1);
        busy.push(2);
        // It takes one; worker 1, with nothing of its own, must find the other and not sleep.
        let thief = thread::spawn(move || thief.next_task());
        let mine = busy.next_task();
        let stolen = thief.join().unwrap();
        let mut got = vec![mine.unwrap(), stolen.unwrap()];
        got.sort();
        assert_eq!(got, [1, 2]);
        drop(scheduler);
    });
}
