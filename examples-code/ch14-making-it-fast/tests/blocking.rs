//! `spawn_blocking`: results and panics come back through the `JoinHandle`; the pool grows
//! on demand up to its limit, queues what it cannot start, and lets idle threads go after
//! the keep-alive.

mod common;

use ch14_making_it_fast::{Builder, Runtime, spawn, spawn_blocking};
use common::{LIMIT, within};
use std::future::{Future, poll_fn};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

/// Waits until the blocking pool of `runtime` has `n` idle threads (10 s at most).
fn wait_for_idle_threads(runtime: &Runtime, n: usize) {
    let start = Instant::now();
    while runtime.num_idle_blocking_threads() != n {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the pool has {} idle threads, not {n}",
            runtime.num_idle_blocking_threads()
        );
        thread::sleep(Duration::from_millis(1));
    }
}

#[test]
fn a_blocking_closure_runs_on_a_pool_thread_and_its_result_comes_back() {
    let (result, name) = within(LIMIT, || {
        Runtime::new().unwrap().block_on(async {
            let main = thread::current().id();
            spawn_blocking(move || {
                let here = thread::current();
                (here.id() != main, here.name().map(str::to_string))
            })
            .await
            .unwrap()
        })
    });
    assert!(result, "ran on the runtime's own thread");
    assert_eq!(name.as_deref(), Some("blocking"));
}

#[test]
fn a_handle_can_be_awaited_from_another_task() {
    let answer = within(LIMIT, || {
        Runtime::new().unwrap().block_on(async {
            let handle = spawn_blocking(|| 6 * 7);
            spawn(async move { handle.await.unwrap() }).await.unwrap()
        })
    });
    assert_eq!(answer, 42);
}

#[test]
fn the_waiting_task_is_polled_twice_once_before_and_once_after_the_job() {
    let polls = within(LIMIT, || {
        Runtime::new().unwrap().block_on(async {
            // The job waits until the task's first poll has left its waker: however late the
            // task gets polled, the job is not done before.
            let (release, wait) = std::sync::mpsc::channel::<()>();
            let mut handle = spawn_blocking(move || wait.recv().unwrap());
            let mut release = Some(release);
            let mut polls = 0;
            poll_fn(|cx| {
                polls += 1;
                let poll = std::pin::Pin::new(&mut handle).poll(cx);
                if let Some(release) = release.take() {
                    release.send(()).unwrap();
                }
                poll
            })
            .await
            .unwrap();
            polls
        })
    });
    assert_eq!(
        polls, 2,
        "the task slept while the job ran, and was woken once"
    );
}

#[test]
fn a_panic_in_the_closure_is_a_join_error_and_its_thread_goes_on() {
    let (message, panicked_on, next_on) = within(LIMIT, || {
        let runtime = Runtime::new().unwrap();
        runtime.block_on(async {
            let panicked_on = Arc::new(std::sync::Mutex::new(None));
            let record = Arc::clone(&panicked_on);
            let error = spawn_blocking(move || {
                *record.lock().unwrap() = Some(thread::current().id());
                panic!("blocking job failed");
            })
            .await
            .unwrap_err();
            assert!(error.is_panic() && !error.is_cancelled());
            wait_for_idle_threads(&runtime, 1); // the thread that caught the panic
            let next_on = spawn_blocking(|| thread::current().id()).await.unwrap();
            let panicked_on = panicked_on.lock().unwrap().take();
            (error.to_string(), panicked_on, next_on)
        })
    });
    assert_eq!(message, "task panicked: blocking job failed");
    assert_eq!(
        panicked_on,
        Some(next_on),
        "the thread that caught the panic took the next job"
    );
}

#[test]
fn a_full_pool_queues_jobs_and_never_runs_more_than_its_limit() {
    const LIMIT_THREADS: usize = 4;
    let (results, most, threads) = within(LIMIT, || {
        let runtime = Builder::new()
            .max_blocking_threads(LIMIT_THREADS)
            .build()
            .unwrap();
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let threads = Arc::new(AtomicUsize::new(0));
        let results = runtime.block_on(async {
            let handles: Vec<_> = (0..20)
                .map(|n| {
                    let (running, most) = (Arc::clone(&running), Arc::clone(&most));
                    spawn_blocking(move || {
                        let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        // Stay until the pool is full (or 2 s), so that it can show its limit.
                        let start = Instant::now();
                        while most.load(Ordering::SeqCst) < LIMIT_THREADS
                            && start.elapsed() < Duration::from_secs(2)
                        {
                            thread::sleep(Duration::from_millis(1));
                        }
                        thread::sleep(Duration::from_millis(5));
                        running.fetch_sub(1, Ordering::SeqCst);
                        n
                    })
                })
                .collect();
            threads.store(runtime.num_blocking_threads(), Ordering::SeqCst);
            let mut results = Vec::new();
            for handle in handles {
                results.push(handle.await.unwrap());
            }
            results
        });
        (
            results,
            most.load(Ordering::SeqCst),
            threads.load(Ordering::SeqCst),
        )
    });
    assert_eq!(results, (0..20).collect::<Vec<_>>(), "every queued job ran");
    assert_eq!(most, LIMIT_THREADS, "at most {LIMIT_THREADS} at once");
    assert_eq!(
        threads, LIMIT_THREADS,
        "the pool grew to its limit, no further"
    );
}

#[test]
fn idle_threads_are_reused_then_exit_after_the_keep_alive() {
    const KEEP_ALIVE: Duration = Duration::from_millis(300);
    let (first, second, alive, gone_after) = within(LIMIT, || {
        let runtime = Builder::new()
            .thread_keep_alive(KEEP_ALIVE)
            .build()
            .unwrap();
        let id = || thread::current().id();
        let first = runtime.block_on(async { spawn_blocking(id).await.unwrap() });
        // Until the thread is idle: a job that comes while it is still on its way back from
        // the last one starts a new thread (tokio's pool has the same window).
        wait_for_idle_threads(&runtime, 1);
        // The thread's last idle time begins after this, once it has run the second job.
        let idle_since = Instant::now();
        let second = runtime.block_on(async { spawn_blocking(id).await.unwrap() });
        let alive = runtime.num_blocking_threads();
        while runtime.num_blocking_threads() > 0 && idle_since.elapsed() < Duration::from_secs(10) {
            thread::sleep(Duration::from_millis(5));
        }
        (first, second, alive, idle_since.elapsed())
    });
    assert_eq!(first, second, "the second job went to the idle thread");
    assert_eq!(alive, 1);
    assert!(gone_after >= KEEP_ALIVE / 2, "exited after {gone_after:?}");
    assert!(
        gone_after < Duration::from_secs(10),
        "still alive after 10 s"
    );
}

#[test]
fn dropping_the_runtime_cancels_queued_jobs_and_lets_the_running_one_finish() {
    let (running, queued) = within(LIMIT, || {
        let runtime = Builder::new().max_blocking_threads(1).build().unwrap();
        let (started, has_started) = std::sync::mpsc::channel();
        let (running, queued) = runtime.block_on(async {
            let running = spawn_blocking(move || {
                started.send(()).unwrap();
                thread::sleep(Duration::from_millis(100));
                "finished"
            });
            has_started.recv().unwrap(); // the pool's one thread is busy now
            let queued = spawn_blocking(|| "never runs");
            (running, queued)
        });
        drop(runtime);
        // A JoinHandle is a plain future: any executor can await it.
        futures::executor::block_on(async { (running.await, queued.await) })
    });
    assert_eq!(running.unwrap(), "finished");
    assert!(queued.unwrap_err().is_cancelled());
}

#[test]
#[should_panic(expected = "`spawn_blocking` called outside of a runtime")]
fn spawn_blocking_outside_a_runtime_panics_and_says_why() {
    drop(spawn_blocking(|| ()));
}
