//! `JoinHandle`, the future that waits for a task's output, and `JoinError`, why there is none.

use futures::channel::oneshot;
use std::any::Any;
use std::fmt;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

/// An owned permission to await a task's output, like tokio's `JoinHandle`.
///
/// Dropping it detaches the task: the task runs on and its output is dropped.
pub struct JoinHandle<T> {
    receiver: oneshot::Receiver<Result<T, JoinError>>,
}

impl<T> JoinHandle<T> {
    pub(crate) fn new(receiver: oneshot::Receiver<Result<T, JoinError>>) -> JoinHandle<T> {
        JoinHandle { receiver }
    }
}

impl<T> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // The receiver stores `cx`'s waker; the task's `send` wakes it.
        match Pin::new(&mut self.receiver).poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Ok(result)) => Poll::Ready(result),
            // The sender was dropped without sending: the task's future was dropped unfinished.
            Poll::Ready(Err(oneshot::Canceled)) => Poll::Ready(Err(JoinError::cancelled())),
        }
    }
}

/// Why a task gave no output: it panicked, it was dropped before it finished, or it could
/// not be spawned at all.
pub struct JoinError {
    repr: Repr,
}

enum Repr {
    Cancelled,
    Panic(Box<dyn Any + Send + 'static>),
    Io(io::Error),
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

    pub(crate) fn io(error: io::Error) -> JoinError {
        JoinError {
            repr: Repr::Io(error),
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

    /// Why `spawn` could not start the task: its eventfd could not be created or registered
    /// (for example `EMFILE`, when the process has no file descriptor left). The future was
    /// dropped without being polled. tokio has no such error: its tasks need no fd.
    pub fn io_error(&self) -> Option<&io::Error> {
        match &self.repr {
            Repr::Io(error) => Some(error),
            _ => None,
        }
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
            Repr::Io(error) => write!(f, "task could not be spawned: {error}"),
        }
    }
}

impl fmt::Debug for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.repr {
            Repr::Cancelled => write!(f, "JoinError::Cancelled"),
            Repr::Panic(payload) => write!(f, "JoinError::Panic({:?})", message(payload.as_ref())),
            Repr::Io(error) => write!(f, "JoinError::Io({error:?})"),
        }
    }
}

impl std::error::Error for JoinError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.repr {
            Repr::Io(error) => Some(error),
            _ => None,
        }
    }
}
