//! Exercise 7.1: a timeout around a read. `timeout` polls the read and a timer with the same
//! waker and is ready with whichever finishes first; the timer is a `std` thread that sleeps
//! and then wakes the task (the runtime has no timers yet).

use ch07_sockets::Runtime;
use ch07_sockets::net::{TcpListener, TcpStream};
use std::future::{Future, poll_fn};
use std::io;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::thread;
use std::time::Duration;

/// The demo's time unit.
const UNIT: Duration = Duration::from_millis(100);

/// A future that is ready after `duration`: on its first poll, a `std` thread gets a clone of
/// the waker, sleeps, sets `done` and wakes the task (chapter 6's `thread_waker`).
struct ThreadSleep {
    duration: Duration,
    done: Arc<AtomicBool>,
    started: bool,
}

impl Future for ThreadSleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.done.load(Ordering::Acquire) {
            return Poll::Ready(());
        }
        if !self.started {
            self.started = true;
            let (duration, done, waker) =
                (self.duration, Arc::clone(&self.done), cx.waker().clone());
            thread::spawn(move || {
                thread::sleep(duration);
                done.store(true, Ordering::Release);
                waker.wake();
            });
        }
        Poll::Pending
    }
}

fn sleep(duration: Duration) -> ThreadSleep {
    ThreadSleep {
        duration,
        done: Arc::new(AtomicBool::new(false)),
        started: false,
    }
}

// ANCHOR: timeout
/// The error of `timeout`: the limit passed before the future was ready.
#[derive(Debug, PartialEq, Eq)]
struct Elapsed;

/// `future`'s output, or `Err(Elapsed)` if `limit` passes first. The future is polled first,
/// so when both are ready, the output wins. The loser is dropped: a read dropped unfinished
/// has read nothing, and its socket stays usable.
async fn timeout<F: Future>(limit: Duration, future: F) -> Result<F::Output, Elapsed> {
    let mut future = pin!(future);
    let mut timer = pin!(sleep(limit));
    poll_fn(|cx| {
        if let Poll::Ready(output) = future.as_mut().poll(cx) {
            return Poll::Ready(Ok(output));
        }
        if timer.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Err(Elapsed));
        }
        Poll::Pending
    })
    .await
}
// ANCHOR_END: timeout

// ANCHOR: demo
/// Reads from a connection nobody writes to, with a limit; then the peer writes, and the
/// same connection is read again.
fn demo(unit: Duration) -> io::Result<Vec<String>> {
    let runtime = Runtime::new()?;
    runtime.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let client = TcpStream::connect(listener.local_addr()?).await?;
        let (server, _) = listener.accept().await?;
        let mut lines = Vec::new();
        let mut buf = [0; 16];
        let quiet = timeout(unit, client.read(&mut buf)).await;
        lines.push(format!("read, nothing sent, 1-unit limit: {quiet:?}"));
        server.write_all(b"hello").await?;
        let n = timeout(10 * unit, client.read(&mut buf))
            .await
            .map(|read| read.unwrap());
        lines.push(format!("read after the peer wrote, 10-unit limit: {n:?}"));
        lines.push(format!(
            "the bytes: {:?}",
            String::from_utf8_lossy(&buf[..5])
        ));
        Ok(lines)
    })
}
// ANCHOR_END: demo

fn main() -> io::Result<()> {
    for line in demo(UNIT)? {
        println!("{line}");
    }
    Ok(())
}

#[cfg(test)]
mod tests;
