//! A task: a spawned future, boxed, with an eventfd of its own that its waker writes to.

use crate::sys::{Epoll, EventFd};
use std::future::Future;
use std::io;
use std::os::fd::AsFd;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

/// What a task holds: any future with no output, boxed and pinned. The output of the
/// user's future goes to the `JoinHandle`, so the task itself returns `()`.
pub(crate) type BoxFuture = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// A waker is an eventfd: waking writes 1 to it, and `epoll_wait` reports the task's token.
///
/// The waker owns the eventfd (through the `Arc`), so the fd stays open for as long as any
/// waker of the task exists, even after the task is gone.
impl Wake for EventFd {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        // Fails only if the counter would overflow (2^64 - 2 unread wakes): then it is
        // readable already, and the wake has nothing left to do.
        let _ = self.notify();
    }
}

/// A spawned future, the eventfd that stands for it in the epoll set, and its waker.
pub(crate) struct Task {
    future: BoxFuture,
    event: Arc<EventFd>,
    /// `Waker::from(event)`, made once: every poll lends a clone of the same waker.
    waker: Waker,
}

/// An eventfd registered with `epoll` under a token, and readable already (so the first
/// `epoll_wait` reports it: that is the first poll).
pub(crate) fn register(epoll: &Epoll, token: u64) -> io::Result<Arc<EventFd>> {
    let event = Arc::new(EventFd::new()?);
    epoll.add(event.as_fd(), token, libc::EPOLLIN as u32)?; // on failure the eventfd is dropped: closed
    event.notify()?;
    Ok(event)
}

impl Task {
    pub(crate) fn new(future: BoxFuture, event: Arc<EventFd>) -> Task {
        let waker = Waker::from(Arc::clone(&event));
        Task {
            future,
            event,
            waker,
        }
    }

    /// Polls the task once, after resetting its eventfd's counter.
    pub(crate) fn poll(&mut self) -> Poll<()> {
        poll_with(&self.event, &self.waker, self.future.as_mut())
    }

    /// The task's eventfd, to take it out of the epoll set.
    pub(crate) fn event(&self) -> &EventFd {
        &self.event
    }
}

/// Reads the counter of `event` back to zero, *then* polls `future` with `waker`.
///
/// In this order, a wake that comes during the poll (from the future itself or from another
/// thread) makes the counter non-zero again, and the next `epoll_wait` reports it. Read after
/// the poll instead, and that wake would be read away with the others: a lost wakeup.
pub(crate) fn poll_with<F: Future + ?Sized>(
    event: &EventFd,
    waker: &Waker,
    future: Pin<&mut F>,
) -> Poll<F::Output> {
    event
        .reset()
        .expect("reading an eventfd of ours cannot fail but with EAGAIN");
    future.poll(&mut Context::from_waker(waker))
}
