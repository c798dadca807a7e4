use super::*;
use std::sync::mpsc;

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

#[test]
fn one_steal_takes_the_oldest_task_and_nothing_else() {
    let (mut victim, stealer) = <StealOne as RunQueues<u32>>::new_local();
    let (mut thief, _) = <StealOne as RunQueues<u32>>::new_local();
    for task in 1..=4 {
        StealOne::push(&mut victim, task).unwrap();
    }
    assert_eq!(StealOne::steal_half(&stealer, &mut thief), Some(1));
    assert_eq!(StealOne::pop(&mut thief), None);
    assert_eq!(stealer.len(), 3);
    // The book's steal takes half: 1 to run, 2 into the thief's queue.
    let (mut victim, stealer) = <BookQueues as RunQueues<u32>>::new_local();
    let (mut thief, _) = <BookQueues as RunQueues<u32>>::new_local();
    for task in 1..=4 {
        BookQueues::push(&mut victim, task).unwrap();
    }
    assert_eq!(BookQueues::steal_half(&stealer, &mut thief), Some(1));
    assert_eq!(BookQueues::pop(&mut thief), Some(2));
    assert_eq!(stealer.len(), 2);
}

#[test]
fn stealing_one_costs_a_steal_for_every_task_another_worker_runs() {
    let backlog = with_watchdog(Duration::from_secs(60), || {
        drain_backlog::<StealOne>(WORKERS, TASKS, WORK)
    });
    assert!(backlog.runs.iter().all(|&runs| runs == 1), "{backlog:?}");
    // A thief's queue stays empty: each task it runs, it stole on its own.
    let stolen = TASKS - backlog.per_worker[0];
    assert_eq!(backlog.steals, stolen as u64, "{backlog:?}");
}

#[test]
fn stealing_half_shares_a_backlog_in_a_few_steals() {
    let backlog = with_watchdog(Duration::from_secs(60), || {
        drain_backlog::<BookQueues>(WORKERS, TASKS, WORK)
    });
    assert!(backlog.runs.iter().all(|&runs| runs == 1), "{backlog:?}");
    // 4 workers and halves: a few dozen steals at most, where stealing one task at a time
    // takes one per task the thieves run (about 150 of the 200).
    assert!(backlog.steals <= 50, "{backlog:?}");
}

#[test]
fn the_demo_shares_the_backlog_both_ways() {
    main();
}
