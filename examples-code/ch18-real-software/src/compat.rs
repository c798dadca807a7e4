//! What hyper asks of a runtime, given by any runtime whose sockets implement the standard
//! traits (`futures::io::AsyncRead`/`AsyncWrite`) and which can spawn a task and sleep.
//!
//! hyper 1.x depends on no runtime. It names three traits of its own in `hyper::rt` and asks
//! its user for them:
//!
//! | hyper's trait | what it is for | the adapter here |
//! |---|---|---|
//! | `Read`, `Write` | the connection's bytes | [`HyperIo`], over any `AsyncRead + AsyncWrite` |
//! | `Executor` | background tasks (HTTP/2's streams; HTTP/1 never calls it) | [`HyperExecutor`], over a spawn function |
//! | `Timer`, `Sleep` | timeouts: the server's header-read timeout, keep-alive | [`HyperTimer`], over a sleep function |
//!
//! Nothing here names this crate's runtime: the same adapters serve chapter 14's runtime,
//! chapter 15's and smol's (`http-bench` runs them all). [`io`], [`executor`] and [`timer`]
//! fill them in with this crate's `spawn` and `sleep_until`.
//!
//! Real projects use `hyper-util`'s `TokioIo`, `TokioExecutor` and `TokioTimer` on tokio, and
//! `smol-hyper` on smol and `async-io`: the same three adapters.

use futures::io::{AsyncRead, AsyncWrite};
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

// ANCHOR: hyper_io
/// A `futures::io` stream as hyper's `Read` and `Write`, like `smol-hyper`'s `FuturesIo`.
#[derive(Debug)]
pub struct HyperIo<T> {
    inner: T,
}

impl<T> HyperIo<T> {
    /// Wraps a stream.
    pub fn new(inner: T) -> HyperIo<T> {
        HyperIo { inner }
    }

    /// The stream.
    pub fn get_ref(&self) -> &T {
        &self.inner
    }

    /// Unwraps the stream.
    pub fn into_inner(self) -> T {
        self.inner
    }
}

impl<T: AsyncRead + Unpin> hyper::rt::Read for HyperIo<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        mut buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        // hyper lends memory that may be uninitialized; `AsyncRead` wants a `&mut [u8]`,
        // which must be initialized. So: zero it first (one `memset`), as smol-hyper does.
        let unfilled = buf.initialize_unfilled();
        let n = match Pin::new(&mut self.inner).poll_read(cx, unfilled) {
            Poll::Ready(Ok(n)) => n,
            Poll::Ready(Err(error)) => return Poll::Ready(Err(error)),
            Poll::Pending => return Poll::Pending,
        };
        // SAFETY: `advance` requires that the next `n` bytes be initialized: all of the
        // unfilled part is, and `AsyncRead` promises `n <= unfilled.len()`.
        unsafe { buf.advance(n) };
        Poll::Ready(Ok(()))
    }
}

impl<T: AsyncWrite + Unpin> hyper::rt::Write for HyperIo<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    /// hyper's "shut down the writing half" is `futures::io`'s `poll_close`.
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_close(cx)
    }
}
// ANCHOR_END: hyper_io

// ANCHOR: hyper_executor
/// A boxed future that a spawn function takes: one type for every future hyper spawns.
pub type BoxFuture = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// hyper's `Executor` over a spawn function, like `hyper-util`'s `TokioExecutor`.
#[derive(Clone, Debug)]
pub struct HyperExecutor<S> {
    spawn: S,
}

impl<S> HyperExecutor<S>
where
    S: Fn(BoxFuture) + Clone + Send + Sync + 'static,
{
    /// An executor that hands each future to `spawn`.
    pub fn new(spawn: S) -> HyperExecutor<S> {
        HyperExecutor { spawn }
    }
}

impl<S, F> hyper::rt::Executor<F> for HyperExecutor<S>
where
    S: Fn(BoxFuture),
    F: Future + Send + 'static,
{
    fn execute(&self, future: F) {
        // hyper's background futures return `()`; whatever they return is dropped here.
        (self.spawn)(Box::pin(async move {
            future.await;
        }));
    }
}
// ANCHOR_END: hyper_executor

// ANCHOR: hyper_timer
/// hyper's `Timer` over a function that makes a sleep future for a deadline, like
/// `hyper-util`'s `TokioTimer`.
#[derive(Clone, Debug)]
pub struct HyperTimer<F> {
    sleep_until: F,
}

impl<F, S> HyperTimer<F>
where
    F: Fn(Instant) -> S + Send + Sync + 'static,
    S: Future<Output = ()> + Send + Sync + Unpin + 'static,
{
    /// A timer whose sleeps are `sleep_until(deadline)`.
    pub fn new(sleep_until: F) -> HyperTimer<F> {
        HyperTimer { sleep_until }
    }
}

impl<F, S> hyper::rt::Timer for HyperTimer<F>
where
    F: Fn(Instant) -> S + Send + Sync + 'static,
    S: Future<Output = ()> + Send + Sync + Unpin + 'static,
{
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn hyper::rt::Sleep>> {
        self.sleep_until(Instant::now() + duration)
    }

    fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn hyper::rt::Sleep>> {
        Box::pin(HyperSleep((self.sleep_until)(deadline)))
    }
}

/// A runtime's sleep future as hyper's `Sleep` (a future that is `Send + Sync`, nothing more).
pub struct HyperSleep<S>(S);

impl<S: Future<Output = ()> + Unpin> Future for HyperSleep<S> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        Pin::new(&mut self.0).poll(cx)
    }
}

impl<S: Future<Output = ()> + Send + Sync + Unpin + 'static> hyper::rt::Sleep for HyperSleep<S> {}
// ANCHOR_END: hyper_timer

// ANCHOR: this_runtime
/// A stream of this crate's runtime, for hyper.
pub fn io<T: AsyncRead + AsyncWrite + Unpin>(stream: T) -> HyperIo<T> {
    HyperIo::new(stream)
}

/// This crate's `spawn`, for hyper.
pub fn executor() -> HyperExecutor<fn(BoxFuture)> {
    HyperExecutor::new(|future| {
        crate::spawn(future);
    })
}

/// This crate's `sleep_until`, for hyper.
pub fn timer() -> HyperTimer<fn(Instant) -> crate::time::Sleep> {
    HyperTimer::new(crate::time::sleep_until)
}
// ANCHOR_END: this_runtime
