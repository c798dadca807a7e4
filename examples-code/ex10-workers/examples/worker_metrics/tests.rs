use super::*;
use ex10_workers::RuntimeMetrics;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// How long a last poll may take to be counted, on a slow and busy machine.
const LANDS: Duration = Duration::from_secs(5);

/// Runs `f` on a thread of its own and fails the test if it takes longer than 20 s: a task
/// stuck behind a blocked worker fails the test instead of hanging it.
fn within<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (sender, receiver) = mpsc::channel();
    thread::spawn(move || {
        let _ = sender.send(f());
    });
    receiver
        .recv_timeout(Duration::from_secs(20))
        .expect("not finished in 20 s, or the test's thread panicked")
}

/// Every worker's count, in order.
fn polls(metrics: &RuntimeMetrics) -> Vec<u64> {
    (0..metrics.num_workers())
        .map(|worker| metrics.worker_poll_count(worker))
        .collect()
}

/// Spawns a task that says when its poll has started, then blocks its worker until
/// `release` is sent to (or dropped).
fn spawn_blocker(runtime: &Runtime) -> mpsc::Sender<()> {
    let (started, is_started) = mpsc::channel();
    let (release, released) = mpsc::channel::<()>();
    drop(runtime.spawn(async move {
        started.send(()).unwrap();
        let _ = released.recv(); // blocks the thread: the mistake under test
    }));
    is_started.recv().unwrap();
    release
}

/// Spawns `count` tasks of `yields` yields each, whose handles say when all are done.
fn spawn_yielders(
    runtime: &Runtime,
    count: usize,
    yields: usize,
) -> Vec<ex10_workers::JoinHandle<()>> {
    (0..count)
        .map(|_| {
            runtime.spawn(async move {
                for _ in 0..yields {
                    yield_now().await;
                }
            })
        })
        .collect()
}

#[test]
fn tasks_that_meet_at_a_barrier_are_polled_by_every_worker() {
    let counts = within(|| {
        let runtime = Runtime::builder().worker_threads(4).build().unwrap();
        let barrier = Arc::new(Barrier::new(4));
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let barrier = Arc::clone(&barrier);
                runtime.spawn(async move {
                    barrier.wait();
                })
            })
            .collect();
        for handle in handles {
            futures::executor::block_on(handle).unwrap();
        }
        let metrics = runtime.metrics();
        drop(runtime);
        polls(&metrics)
    });
    assert_eq!(counts, [1, 1, 1, 1], "one barrier task per worker");
}

#[test]
fn the_counts_add_up_to_every_poll() {
    let lines = within(demo);
    assert_eq!(lines.len(), WORKERS + 1);
    assert_eq!(lines[WORKERS], "in all: 11004 polls", "4 + 1,000 × 11");
    for line in &lines[..WORKERS] {
        let polls: u64 = line.split(' ').nth(2).unwrap().parse().unwrap();
        assert!(polls >= 1, "every worker polled a barrier task: {line}");
    }
}

#[test]
fn a_task_that_blocks_stalls_only_its_worker() {
    let (during, after) = within(|| {
        let runtime = Runtime::builder().worker_threads(2).build().unwrap();
        let metrics = runtime.metrics();
        let release = spawn_blocker(&runtime);
        // The blocker's poll has started and is not counted yet.
        let before = polls(&metrics);
        for handle in spawn_yielders(&runtime, 100, 10) {
            futures::executor::block_on(handle).unwrap();
        }
        // A worker counts a poll after it, when the handle has its output already: give
        // the last count a moment to land.
        let since = |before: &[u64]| -> Vec<u64> {
            let now = polls(&metrics);
            now.iter()
                .zip(before)
                .map(|(now, then)| now - then)
                .collect()
        };
        let start = Instant::now();
        while since(&before).iter().sum::<u64>() < 1_100 && start.elapsed() < LANDS {
            thread::sleep(Duration::from_millis(1));
        }
        let during = since(&before);
        release.send(()).unwrap();
        drop(runtime);
        (during, polls(&metrics))
    });
    // All 1,100 polls on the free worker; none on the blocked one, whichever it is.
    let mut sorted = during.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        [0, 1_100],
        "polls while one worker was blocked: {during:?}"
    );
    assert_eq!(
        after.iter().sum::<u64>(),
        1_101,
        "and the blocker's one poll"
    );
}

#[test]
fn with_one_worker_a_task_that_blocks_stalls_every_task() {
    within(|| {
        let runtime = Runtime::builder().worker_threads(1).build().unwrap();
        let release = spawn_blocker(&runtime);
        let (done, is_done) = mpsc::channel();
        drop(runtime.spawn(async move { done.send(()).unwrap() }));
        assert_eq!(
            is_done.recv_timeout(Duration::from_millis(300)),
            Err(mpsc::RecvTimeoutError::Timeout),
            "a task ran while the only worker was blocked"
        );
        assert_eq!(runtime.metrics().worker_poll_count(0), 0);
        release.send(()).unwrap();
        is_done.recv().unwrap(); // runs as soon as the worker is free
    });
}

#[test]
fn main_runs() {
    within(main);
}
