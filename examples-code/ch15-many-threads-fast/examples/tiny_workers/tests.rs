use super::*;
use std::time::Duration;

#[test]
fn every_task_finishes_with_its_sum() {
    let lines = demo();
    assert_eq!(lines.len(), 11);
    assert_eq!(lines[0], "task  1: 1 + ... + 1 = 1");
    assert_eq!(lines[9], "task 10: 1 + ... + 10 = 55");
    assert_eq!(lines[10], "both workers stopped and joined");
}

#[test]
fn a_task_woken_from_another_thread_runs() {
    let (sender, receiver) = mpsc::channel();
    let executor = Executor::new(2);
    let (ping, pong) = mpsc::channel::<Waker>();
    // A task that waits until another thread has woken it once.
    executor.spawn({
        let mut woken = false;
        std::future::poll_fn(move |cx| {
            if woken {
                sender.send("woken and polled again").unwrap();
                return Poll::Ready(());
            }
            woken = true;
            ping.send(cx.waker().clone()).unwrap();
            Poll::Pending
        })
    });
    let waker = pong.recv_timeout(Duration::from_secs(20)).unwrap();
    thread::spawn(move || waker.wake()).join().unwrap();
    let got = receiver.recv_timeout(Duration::from_secs(20)).unwrap();
    assert_eq!(got, "woken and polled again");
}

#[test]
fn dropping_the_executor_with_a_pending_task_returns() {
    let (done, finished) = mpsc::channel();
    thread::spawn(move || {
        let executor = Executor::new(2);
        executor.spawn(std::future::pending());
        drop(executor);
        done.send(()).unwrap();
    });
    finished
        .recv_timeout(Duration::from_secs(20))
        .expect("the workers were not joined");
}

#[test]
fn main_runs() {
    main();
}
