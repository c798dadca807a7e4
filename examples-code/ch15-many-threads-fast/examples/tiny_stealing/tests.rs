use super::*;

#[test]
fn worker_1_steals_half_and_every_task_runs_once() {
    assert_eq!(
        demo(WORK),
        [
            "worker 0's queue: 16 tasks; worker 1's queue: empty",
            "all 16 tasks ran, each exactly once: true",
            "first steal: worker 1 took 8 tasks, half of worker 0's queue",
            "both workers ran tasks: true",
        ]
    );
}

#[test]
fn a_task_woken_on_a_worker_goes_back_to_that_workers_queue() {
    let shared = Arc::new(Shared {
        queues: vec![Mutex::new(VecDeque::new()), Mutex::new(VecDeque::new())],
        injector: Mutex::new(VecDeque::new()),
        live: AtomicUsize::new(1),
        stop: AtomicBool::new(false),
        steals: Mutex::new(Vec::new()),
    });
    let task = Arc::new(Task {
        future: Mutex::new(None),
        shared: Arc::clone(&shared),
    });
    let on_worker_1 = {
        let task = Arc::clone(&task);
        thread::spawn(move || {
            WORKER.set(Some(1));
            task.wake();
        })
    };
    on_worker_1.join().unwrap();
    Arc::clone(&task).wake(); // this thread is no worker: the injector
    assert_eq!(shared.queues[1].lock().unwrap().len(), 1);
    assert_eq!(shared.injector.lock().unwrap().len(), 1);
    assert!(shared.queues[0].lock().unwrap().is_empty());
    // Let go of the cycle (a task in its own runtime's queue).
    shared.queues[1].lock().unwrap().clear();
    shared.injector.lock().unwrap().clear();
}

#[test]
fn main_runs() {
    main();
}
