use super::*;
use ch12_work_stealing::run_queue::CrossbeamQueues;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// Runs `test` on a thread of its own and fails if it takes longer than `limit`: a scheduler
/// bug parks a worker for ever, and a test must fail, not hang.
fn with_watchdog<R: Send + 'static>(
    limit: Duration,
    test: impl FnOnce() -> R + Send + 'static,
) -> R {
    let (done, result) = mpsc::channel();
    thread::spawn(move || {
        let _ = done.send(test());
    });
    result
        .recv_timeout(limit)
        .unwrap_or_else(|_| panic!("no result after {limit:?}: a worker hangs"))
}

fn first_three<Q: RunQueues<u32>>() -> Vec<u32> {
    let (_scheduler, mut workers) = Scheduler::<Q, u32>::new(1, GLOBAL_QUEUE_INTERVAL);
    let worker = &mut workers[0];
    for task in 1..=3 {
        worker.push(task);
    }
    (0..3).map(|_| worker.next_task().unwrap()).collect()
}

#[test]
fn the_task_pushed_last_runs_next_and_the_others_keep_their_order() {
    assert_eq!(first_three::<Lifo<BookQueues>>(), [3, 1, 2]);
    assert_eq!(first_three::<Lifo<CrossbeamQueues>>(), [3, 1, 2]);
    // The queue alone runs them in the order they came.
    assert_eq!(first_three::<BookQueues>(), [1, 2, 3]);
}

#[test]
fn a_ping_pong_pair_lets_the_queue_run_after_three_slot_polls_in_a_row() {
    let order = run_order::<Lifo<BookQueues>>("abc", 14);
    assert!(order.starts_with("P Q P a"), "{order}");
    for task in ["a", "b", "c"] {
        assert!(order.contains(task), "{task} never ran: {order}");
    }
    // After the queue's turn, the pair comes back to the slot and gets its three polls again.
    assert_eq!(order, "P Q P a b c Q P Q P Q P Q P");
}

#[test]
fn without_the_cap_a_ping_pong_pair_starves_the_queue() {
    let order = run_order::<Lifo<BookQueues, { u32::MAX }>>("abc", 1000);
    assert!(!order.contains('a'), "the queue ran: {order}");
}

#[test]
fn a_task_that_wakes_itself_gets_the_slot_too_but_only_three_polls_in_a_row() {
    // The trait is given a task, not the reason it is pushed: a yield looks like any wake.
    let (_scheduler, mut workers) = Scheduler::<Lifo<BookQueues>, char>::new(1, 61);
    let worker = &mut workers[0];
    worker.push('a');
    worker.push('Y');
    let mut order = String::new();
    for _ in 0..6 {
        let task = worker.next_task().unwrap();
        order.push(task);
        if task == 'Y' {
            worker.push('Y'); // yields: wakes itself
        }
    }
    assert_eq!(order, "YYYaYY");
}

#[test]
fn thieves_never_take_the_task_in_the_slot() {
    type Q = Lifo<BookQueues>;
    let (mut owner, stealer) = <Q as RunQueues<u32>>::new_local();
    let (mut thief, _) = <Q as RunQueues<u32>>::new_local();
    Q::push(&mut owner, 1).unwrap();
    assert!(!Q::has_work(&stealer));
    assert_eq!(Q::steal_half(&stealer, &mut thief), None);
    // 2 takes the slot and 1 goes to the queue, where a thief can take it.
    Q::push(&mut owner, 2).unwrap();
    assert_eq!(Q::steal_half(&stealer, &mut thief), Some(1));
    assert_eq!(Q::pop(&mut owner), Some(2));
}

/// Two workers; tasks 0 and 1 wake each other `rounds` times in all, and each keeps its
/// worker busy for `work` after the wake, as a task that sends a message and goes on does.
/// Returns how many times the pair moved from one worker to the other.
fn ping_pong_moves<Q: RunQueues<u8>>(rounds: usize, work: Duration) -> usize {
    let (scheduler, mut workers) = Scheduler::<Q, u8>::new(2, GLOBAL_QUEUE_INTERVAL);
    workers[0].push(0);
    let log = Arc::new(Mutex::new(Vec::with_capacity(rounds)));
    let threads: Vec<_> = workers
        .into_iter()
        .map(|mut worker| {
            let log = Arc::clone(&log);
            thread::spawn(move || {
                while let Some(task) = worker.next_task() {
                    let mut log = log.lock().unwrap();
                    log.push(worker.index());
                    let done = log.len() == rounds;
                    drop(log);
                    if done {
                        worker.scheduler().close();
                        break;
                    }
                    worker.push(1 - task); // wakes the other one
                    let start = Instant::now();
                    while start.elapsed() < work {
                        std::hint::spin_loop();
                    }
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    drop(scheduler);
    let log = log.lock().unwrap();
    log.windows(2).filter(|pair| pair[0] != pair[1]).count()
}

#[test]
fn a_ping_pong_pair_stays_on_one_worker() {
    let work = Duration::from_micros(100);
    let moves = with_watchdog(Duration::from_secs(60), move || {
        ping_pong_moves::<Lifo<CrossbeamQueues>>(1000, work)
    });
    // Only in the moment a capped task passes through the queue can the other worker take it.
    assert!(moves <= 20, "the pair moved {moves} times in 1000 polls");
    // For comparison, not asserted (it depends on when the other worker gets a CPU): the
    // queue alone, where the woken task waits in the queue while its waker still runs.
    let moves_without = with_watchdog(Duration::from_secs(60), move || {
        ping_pong_moves::<CrossbeamQueues>(1000, work)
    });
    println!("moves in 1000 polls: {moves} with the slot, {moves_without} without");
}

#[test]
fn the_demo_prints_the_three_orders() {
    main();
}
