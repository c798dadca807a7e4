use super::*;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Instant;

/// Runs `f` on a thread of its own, and panics if it has not finished after a minute: a lost
/// wakeup fails the test instead of hanging it. (A minute: ten thousand cross-thread wakes
/// take well under a second here, and more than twenty on a heavily loaded machine.)
fn within<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (done, result) = mpsc::channel();
    thread::spawn(move || {
        let _ = done.send(f());
    });
    result
        .recv_timeout(Duration::from_secs(60))
        .expect("not finished after 60 s, or panicked")
}

#[test]
fn the_task_gets_every_reading_then_sees_the_channel_closed() {
    assert_eq!(
        within(|| demo(Duration::from_millis(10))),
        [
            "the task got 17 from the sensor thread",
            "the task got 19 from the sensor thread",
            "the task got 23 from the sensor thread",
            "the sensor thread is gone: the channel is closed",
        ]
    );
}

#[test]
fn a_task_waiting_on_a_quiet_thread_sleeps_until_the_thread_sends() {
    let (polls, waited) = within(|| {
        let (sender, mut receiver) = channel();
        let thread = thread::spawn(move || {
            thread::sleep(Duration::from_millis(100));
            sender.send(1);
        });
        let polls = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&polls);
        let start = Instant::now();
        Runtime::new().unwrap().block_on(async move {
            let mut recv = std::pin::pin!(receiver.recv());
            poll_fn(|cx| {
                counted.fetch_add(1, Ordering::SeqCst);
                recv.as_mut().poll(cx)
            })
            .await
        });
        thread.join().unwrap();
        (polls.load(Ordering::SeqCst), start.elapsed())
    });
    // Once to find nothing and leave the waker, once after the thread's wake.
    assert_eq!(polls, 2);
    assert!(waited >= Duration::from_millis(100));
}

#[test]
fn ten_thousand_values_from_a_thread_all_arrive_in_order() {
    // The sender races the receiver: sends land before, during and after each poll.
    let received = within(|| {
        let (sender, mut receiver) = channel();
        let thread = thread::spawn(move || {
            for n in 0..10_000u32 {
                sender.send(n);
                if n % 7 == 0 {
                    thread::yield_now();
                }
            }
        });
        let received = Runtime::new().unwrap().block_on(async move {
            let mut received = Vec::new();
            while let Some(n) = receiver.recv().await {
                received.push(n);
            }
            received
        });
        thread.join().unwrap();
        received
    });
    assert_eq!(received, (0..10_000).collect::<Vec<_>>());
}

#[test]
fn a_wake_from_a_thread_after_the_runtime_is_dropped_is_harmless() {
    let (sender, mut receiver) = channel::<u32>();
    let polled = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    within(move || {
        let runtime = Runtime::new().unwrap();
        runtime.block_on(async move {
            let task_polled = std::sync::Arc::clone(&polled);
            drop(spawn(async move {
                task_polled.store(true, std::sync::atomic::Ordering::SeqCst);
                let _ = receiver.recv().await; // leaves its waker in the channel
            }));
            // Wait until a worker has run the task once, then return: it is left unfinished.
            while !polled.load(std::sync::atomic::Ordering::SeqCst) {
                ch15_many_threads_fast::yield_now().await;
            }
        });
        // The runtime is dropped here: the task and its receiver with it.
    });
    // The thread sends after the runtime is gone: the wake finds the injector closed, drops
    // the task, and nothing happens.
    thread::spawn(move || sender.send(5)).join().unwrap();
}

#[test]
fn main_runs() {
    main();
}
