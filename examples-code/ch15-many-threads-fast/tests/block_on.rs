//! `block_on` sleeps on a parker of its own, so code that parks the thread inside the main
//! future's poll cannot eat a wake meant for `block_on` (chapter 2's lost wakeup).

use ch15_many_threads_fast::Runtime;
use std::future::Future;
use std::pin::Pin;
use std::sync::mpsc;
use std::task::{Context, Poll};
use std::thread;
use std::time::Duration;

/// Wakes itself, then parks the thread briefly, as a blocking library inside `poll` might:
/// with a `thread::park`-based `block_on` that park would consume the wake's token.
struct ParksInsidePoll {
    polls: u32,
}

impl Future for ParksInsidePoll {
    type Output = u32;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u32> {
        self.polls += 1;
        if self.polls > 1 {
            return Poll::Ready(self.polls);
        }
        cx.waker().wake_by_ref();
        thread::park_timeout(Duration::from_millis(10));
        Poll::Pending
    }
}

#[test]
fn a_park_inside_the_main_futures_poll_does_not_eat_its_wake() {
    let (done, finished) = mpsc::channel();
    let runner = thread::spawn(move || {
        let runtime = Runtime::builder().worker_threads(1).build().unwrap();
        done.send(runtime.block_on(ParksInsidePoll { polls: 0 }))
            .unwrap();
    });
    let polls = finished.recv_timeout(Duration::from_secs(10));
    if polls.is_err() {
        // Rescue the stuck thread so that the test fails instead of hanging.
        runner.thread().unpark();
    }
    assert_eq!(
        polls,
        Ok(2),
        "block_on slept through a wake that came before its park"
    );
    runner.join().unwrap();
}
