use super::*;
use std::thread;
use std::time::Duration;

/// Runs `f` on a thread of its own and fails the test if it takes longer than 20 s.
fn within<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (sender, receiver) = mpsc::channel();
    thread::spawn(move || {
        let _ = sender.send(f());
    });
    receiver
        .recv_timeout(Duration::from_secs(20))
        .expect("not finished in 20 s, or the test's thread panicked")
}

/// One thread, held by a first job; then `queued` jobs, whose handles are dropped when
/// `drop_handle` says so; then the thread is released. Returns which queued jobs ran.
fn run_queued(drop_handle: impl Fn(usize) -> bool + Send + 'static, queued: usize) -> Vec<bool> {
    within(move || {
        let runtime = Builder::new().max_blocking_threads(1).build().unwrap();
        runtime.block_on(async move {
            let (release, hold) = mpsc::channel::<()>();
            let (started, has_started) = oneshot::channel();
            let first = spawn_blocking(move || {
                let _ = started.send(());
                let _ = hold.recv();
            });
            has_started.await.unwrap();
            let ran: Vec<Arc<AtomicBool>> = (0..queued).map(|_| Arc::default()).collect();
            let mut kept = Vec::new();
            for (n, ran) in ran.iter().enumerate() {
                let handle = spawn_blocking(job(ran));
                if !drop_handle(n) {
                    kept.push(handle);
                }
            }
            release.send(()).unwrap();
            first.await.unwrap();
            for handle in kept {
                handle.await.unwrap();
            }
            // A last job: first in, first out, so every queued job has had its turn.
            spawn_blocking(|| ()).await.unwrap();
            ran.iter().map(|ran| ran.load(Ordering::SeqCst)).collect()
        })
    })
}

#[test]
#[cfg_attr(
    miri,
    ignore = "Miri's epoll supports only edge-triggered registrations"
)]
fn a_job_whose_handle_is_dropped_before_it_starts_never_runs() {
    assert_eq!(run_queued(|_| true, 10), vec![false; 10]);
}

#[test]
#[cfg_attr(
    miri,
    ignore = "Miri's epoll supports only edge-triggered registrations"
)]
fn a_job_whose_handle_is_kept_runs() {
    assert_eq!(run_queued(|_| false, 10), vec![true; 10]);
}

#[test]
#[cfg_attr(
    miri,
    ignore = "Miri's epoll supports only edge-triggered registrations"
)]
fn only_the_jobs_whose_handles_were_dropped_are_skipped() {
    let ran = run_queued(|n| n % 2 == 0, 10);
    let want: Vec<bool> = (0..10).map(|n| n % 2 == 1).collect();
    assert_eq!(ran, want);
}

#[test]
#[cfg_attr(
    miri,
    ignore = "Miri's epoll supports only edge-triggered registrations"
)]
fn a_job_whose_handle_is_dropped_while_it_runs_runs_to_its_end() {
    let ended = within(|| {
        let runtime = Builder::new().max_blocking_threads(1).build().unwrap();
        runtime.block_on(async {
            let ended = Arc::new(AtomicBool::new(false));
            let (release, hold) = mpsc::channel::<()>();
            let (started, has_started) = oneshot::channel();
            let end = job(&ended);
            drop({
                let handle = spawn_blocking(move || {
                    let _ = started.send(());
                    let _ = hold.recv();
                    end();
                });
                has_started.await.unwrap();
                handle
            });
            release.send(()).unwrap();
            spawn_blocking(|| ()).await.unwrap(); // runs after the first has ended
            ended.load(Ordering::SeqCst)
        })
    });
    assert!(ended);
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
            "job 0 has started; its handle is dropped",
            "job 1 waits for the thread; its handle is dropped",
            "job 2 waits for the thread; its handle is kept",
            "job 0 ran: true",
            "job 1 ran: false",
            "job 2 ran: true",
        ]
    );
    within(|| main().unwrap());
}
