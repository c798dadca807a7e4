//! What a runtime must offer to be measured: three traits, one per group of cases.
//!
//! Every case is written once, generic over these traits, so each runtime runs exactly the
//! same futures. A runtime that lacks timers or sockets does not implement [`Timers`] or
//! [`Net`], and its row shows "n/a" for those cases.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

// ANCHOR: exec
/// A runtime that can run a future to completion and spawn tasks from inside it.
pub trait Exec: 'static {
    /// The runtime itself; one is built for every measured run and dropped after it.
    type Runtime;

    fn build() -> io::Result<Self::Runtime>;

    fn block_on<F: Future>(runtime: &Self::Runtime, future: F) -> F::Output;

    /// Spawns onto the runtime that is running the caller (the way `tokio::spawn` finds it)
    /// and returns a future of the task's output: the runtime's join handle, unwrapped.
    fn spawn<F>(future: F) -> impl Future<Output = F::Output> + Send + 'static
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static;
}

/// A runtime with timers.
pub trait Timers: Exec {
    fn sleep(duration: Duration) -> impl Future<Output = ()> + Send + 'static;
}

/// A runtime with TCP sockets.
pub trait Net: Exec {
    type Listener: Send + Sync + 'static;
    type Stream: Send + 'static;

    fn bind(addr: SocketAddr) -> impl Future<Output = io::Result<Self::Listener>> + Send;
    fn local_addr(listener: &Self::Listener) -> io::Result<SocketAddr>;
    fn accept(
        listener: &Self::Listener,
    ) -> impl Future<Output = io::Result<Self::Stream>> + Send + '_;
    fn connect(addr: SocketAddr) -> impl Future<Output = io::Result<Self::Stream>> + Send;
    fn read_exact<'a>(
        stream: &'a mut Self::Stream,
        buf: &'a mut [u8],
    ) -> impl Future<Output = io::Result<()>> + Send + 'a;
    fn write_all<'a>(
        stream: &'a mut Self::Stream,
        buf: &'a [u8],
    ) -> impl Future<Output = io::Result<()>> + Send + 'a;
}
// ANCHOR_END: exec

// ANCHOR: yield_now
/// Wakes its own task and returns `Pending` once: the same yield for every runtime (tokio's
/// own `yield_now` defers the wake to the end of the tick, which would measure something else).
#[derive(Default)]
pub struct YieldNow {
    yielded: bool,
}

impl Future for YieldNow {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            return Poll::Ready(());
        }
        self.yielded = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}
// ANCHOR_END: yield_now
