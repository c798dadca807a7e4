use super::*;
use ex09_blocking::Runtime;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

/// Runs `f` on a thread of its own and fails the test if it takes longer than 20 s: a job
/// that waits for a thread that never comes hangs instead of failing.
fn within<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (sender, receiver) = mpsc::channel();
    thread::spawn(move || {
        let _ = sender.send(f());
    });
    receiver
        .recv_timeout(Duration::from_secs(20))
        .expect("not finished in 20 s, or the test's thread panicked")
}

/// Sets its flag when dropped: tells whether a refused closure was dropped.
struct DropFlag(Arc<AtomicBool>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

#[test]
#[cfg_attr(
    miri,
    ignore = "Miri's epoll supports only edge-triggered registrations"
)]
fn a_full_queue_refuses_the_job_with_a_would_block_join_error() {
    let (kind, ran, dropped) = within(|| {
        let runtime = Builder::new()
            .max_blocking_threads(1)
            .max_blocking_queue(1)
            .build()
            .unwrap();
        runtime.block_on(async {
            let (release, hold) = mpsc::channel();
            let (first, has_started) = held_job(hold);
            has_started.await.unwrap();
            let queued = spawn_blocking(|| "done");
            let (ran, dropped) = (
                Arc::new(AtomicBool::new(false)),
                Arc::new(AtomicBool::new(false)),
            );
            let flag = DropFlag(Arc::clone(&dropped));
            let ran_in_job = Arc::clone(&ran);
            let refused = spawn_blocking(move || {
                let _flag = flag;
                ran_in_job.store(true, Ordering::SeqCst);
            });
            // Refused at once: the closure is dropped before `spawn_blocking` returns.
            let dropped_at_once = dropped.load(Ordering::SeqCst);
            let error = refused.await.unwrap_err();
            release.send(()).unwrap();
            assert_eq!(first.await.unwrap(), "done");
            assert_eq!(queued.await.unwrap(), "done");
            let kind = error.io_error().map(io::Error::kind);
            (kind, ran.load(Ordering::SeqCst), dropped_at_once)
        })
    });
    assert_eq!(kind, Some(io::ErrorKind::WouldBlock));
    assert!(!ran, "the refused closure ran");
    assert!(dropped, "the refused closure was kept");
}

#[test]
#[cfg_attr(
    miri,
    ignore = "Miri's epoll supports only edge-triggered registrations"
)]
fn the_queue_takes_jobs_again_once_it_has_room() {
    let results = within(|| {
        let runtime = Builder::new()
            .max_blocking_threads(1)
            .max_blocking_queue(1)
            .build()
            .unwrap();
        runtime.block_on(async {
            let mut results = Vec::new();
            for _ in 0..20 {
                // The thread is free again each time: every job is taken.
                results.push(spawn_blocking(|| 7).await.map_err(|e| e.to_string()));
            }
            results
        })
    });
    assert_eq!(results, vec![Ok(7); 20]);
}

#[test]
#[cfg_attr(
    miri,
    ignore = "Miri's epoll supports only edge-triggered registrations"
)]
fn with_no_queue_a_job_runs_only_if_a_thread_is_free() {
    let (second, third) = within(|| {
        let runtime = Builder::new()
            .max_blocking_threads(2)
            .max_blocking_queue(0)
            .build()
            .unwrap();
        runtime.block_on(async {
            let (release_first, hold_first) = mpsc::channel();
            let (release_second, hold_second) = mpsc::channel();
            let (first, first_started) = held_job(hold_first);
            first_started.await.unwrap();
            let (second, second_started) = held_job(hold_second);
            second_started.await.unwrap(); // a second thread took it
            let third = spawn_blocking(|| "done").await;
            release_first.send(()).unwrap();
            release_second.send(()).unwrap();
            first.await.unwrap();
            (second.await.is_ok(), third.is_err())
        })
    });
    assert!(second, "the second job did not get a thread of its own");
    assert!(third, "the third job was not refused");
}

#[test]
#[cfg_attr(
    miri,
    ignore = "Miri's epoll supports only edge-triggered registrations"
)]
fn by_default_the_queue_takes_every_job() {
    let done = within(|| {
        let runtime = Builder::new().max_blocking_threads(1).build().unwrap();
        runtime.block_on(async {
            let (release, hold) = mpsc::channel();
            let (first, has_started) = held_job(hold);
            has_started.await.unwrap();
            let handles: Vec<_> = (0..200).map(|n| spawn_blocking(move || n)).collect();
            release.send(()).unwrap();
            first.await.unwrap();
            let mut done = 0;
            for handle in handles {
                handle.await.unwrap();
                done += 1;
            }
            done
        })
    });
    assert_eq!(done, 200);
}

#[test]
#[cfg_attr(
    miri,
    ignore = "Miri's epoll supports only edge-triggered registrations"
)]
fn the_defaults_are_those_of_chapter_9() {
    let out = within(|| {
        Runtime::new()
            .unwrap()
            .block_on(async { spawn_blocking(|| 1).await.unwrap() })
    });
    assert_eq!(out, 1);
}

#[test]
#[cfg_attr(
    miri,
    ignore = "Miri's epoll supports only edge-triggered registrations"
)]
fn main_runs() {
    assert_eq!(
        within(|| demo().unwrap()),
        [
            "job 0 runs; jobs 1 and 2 wait in the queue",
            "job 3: task could not be spawned: the blocking pool's queue is full",
            "job 0: done",
            "job 1: done",
            "job 2: done",
            "job 4, once the queue is empty: done",
        ]
    );
    within(|| main().unwrap());
}
