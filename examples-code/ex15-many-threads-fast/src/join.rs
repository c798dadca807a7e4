//! `JoinHandle`, the future that waits for a task's output, and `JoinError`, why there is none.
//! Chapter 14's, with a `Drop` that tells the task (its state word) that nobody wants the output.

use crate::task::Join;
use futures::channel::oneshot;
use std::any::Any;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

// ANCHOR: join_handle
/// An owned permission to await a task's output, like tokio's `JoinHandle`.
///
/// Dropping it detaches the task: the task runs on and its output is dropped.
pub struct JoinHandle<T> {
    inner: Inner<T>,
}

enum Inner<T> {
    /// A task's handle is the task itself: one more reference to its one allocation, where
    /// the output will be.
    Task(Arc<dyn Join<T>>),
    /// A job of the blocking pool sends its result through a channel.
    Blocking(oneshot::Receiver<Result<T, JoinError>>),
}

impl<T> JoinHandle<T> {
    pub(crate) fn task(task: Arc<dyn Join<T>>) -> JoinHandle<T> {
        JoinHandle {
            inner: Inner::Task(task),
        }
    }

    pub(crate) fn blocking(receiver: oneshot::Receiver<Result<T, JoinError>>) -> JoinHandle<T> {
        JoinHandle {
            inner: Inner::Blocking(receiver),
        }
    }
}

impl<T> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match &mut self.inner {
            Inner::Task(task) => task.poll_join(cx),
            // The receiver stores `cx`'s waker; the job's `send` wakes it.
            Inner::Blocking(receiver) => match Pin::new(receiver).poll(cx) {
                Poll::Pending => Poll::Pending,
                Poll::Ready(Ok(result)) => Poll::Ready(result),
                // The sender was dropped without sending: the job was dropped unstarted.
                Poll::Ready(Err(oneshot::Canceled)) => Poll::Ready(Err(JoinError::cancelled())),
            },
        }
    }
}

impl<T> Drop for JoinHandle<T> {
    /// Detaches the task: it runs on, and its output is dropped when it comes (or now, if it
    /// is there already).
    fn drop(&mut self) {
        if let Inner::Task(task) = &self.inner {
            task.drop_join_handle();
        }
    }
}
// ANCHOR_END: join_handle

// ANCHOR: join_error
/// Why a task gave no output: it panicked, or it was dropped before it finished.
pub struct JoinError {
    repr: Repr,
}

enum Repr {
    Cancelled,
    Panic(Box<dyn Any + Send + 'static>),
}

impl JoinError {
    pub(crate) fn cancelled() -> JoinError {
        JoinError {
            repr: Repr::Cancelled,
        }
    }

    pub(crate) fn panic(payload: Box<dyn Any + Send + 'static>) -> JoinError {
        JoinError {
            repr: Repr::Panic(payload),
        }
    }

    /// The task was dropped before it finished (its runtime was dropped).
    pub fn is_cancelled(&self) -> bool {
        matches!(self.repr, Repr::Cancelled)
    }

    /// The task panicked.
    pub fn is_panic(&self) -> bool {
        matches!(self.repr, Repr::Panic(_))
    }

    /// The value the task panicked with (what `std::panic::catch_unwind` returns).
    ///
    /// # Panics
    ///
    /// When the error is not a panic.
    pub fn into_panic(self) -> Box<dyn Any + Send + 'static> {
        match self.repr {
            Repr::Panic(payload) => payload,
            _ => panic!("`into_panic` called on a JoinError that is not a panic"),
        }
    }
}
// ANCHOR_END: join_error

/// The message of a panic payload, when it is a string (as with `panic!("…")`).
fn message(payload: &(dyn Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("a non-string payload")
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.repr {
            Repr::Cancelled => write!(f, "task was cancelled"),
            Repr::Panic(payload) => write!(f, "task panicked: {}", message(payload.as_ref())),
        }
    }
}

impl fmt::Debug for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.repr {
            Repr::Cancelled => write!(f, "JoinError::Cancelled"),
            Repr::Panic(payload) => write!(f, "JoinError::Panic({:?})", message(payload.as_ref())),
        }
    }
}

impl std::error::Error for JoinError {}
