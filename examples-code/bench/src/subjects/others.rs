//! The yardsticks: tokio (one thread, and workers: two unless the run says otherwise), smol's two executors with async-io
//! for timers and sockets, and `futures::executor::LocalPool`.

use crate::{Exec, Net, Subject, Timers};
use std::cell::RefCell;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::thread;
use std::time::Duration;

/// The yardsticks, in the order the tables show them.
pub fn subjects() -> Vec<Subject> {
    vec![
        Subject::new::<TokioCurrentThread>("tokio-ct", "tokio current_thread", false)
            .with_timers::<TokioCurrentThread>()
            .with_net::<TokioCurrentThread>(),
        Subject::new::<TokioMultiThread>("tokio-mt", "tokio multi_thread", true)
            .with_timers::<TokioMultiThread>()
            .with_net::<TokioMultiThread>(),
        Subject::new::<SmolLocal>("smol-local", "smol LocalExecutor", false)
            .with_timers::<SmolLocal>()
            .with_net::<SmolLocal>(),
        Subject::new::<SmolExecutor>("smol-mt", "smol Executor", true)
            .with_timers::<SmolExecutor>()
            .with_net::<SmolExecutor>(),
        Subject::new::<FuturesLocalPool>("localpool", "futures LocalPool", false),
    ]
}

fn unwrap_join<T>(result: Result<T, tokio::task::JoinError>) -> T {
    result.expect("a benchmark task failed")
}

/// tokio's `current_thread` runtime.
pub struct TokioCurrentThread;

impl Exec for TokioCurrentThread {
    type Runtime = tokio::runtime::Runtime;

    fn build() -> io::Result<Self::Runtime> {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    }
    fn block_on<F: Future>(runtime: &Self::Runtime, future: F) -> F::Output {
        runtime.block_on(future)
    }
    fn spawn<F>(future: F) -> impl Future<Output = F::Output> + Send + 'static
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let handle = tokio::spawn(future);
        async move { unwrap_join(handle.await) }
    }
}

/// tokio's `multi_thread` runtime with [`crate::harness::workers`] workers (two unless the
/// run says otherwise: this machine has two cores).
pub struct TokioMultiThread;

impl Exec for TokioMultiThread {
    type Runtime = tokio::runtime::Runtime;

    fn build() -> io::Result<Self::Runtime> {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(crate::harness::workers())
            .enable_all()
            .build()
    }
    fn block_on<F: Future>(runtime: &Self::Runtime, future: F) -> F::Output {
        runtime.block_on(future)
    }
    fn spawn<F>(future: F) -> impl Future<Output = F::Output> + Send + 'static
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let handle = tokio::spawn(future);
        async move { unwrap_join(handle.await) }
    }
}

macro_rules! tokio_io {
    ($($runtime:ty),*) => {$(
        impl Timers for $runtime {
            fn sleep(duration: Duration) -> impl Future<Output = ()> + Send + 'static {
                tokio::time::sleep(duration)
            }
        }

        impl Net for $runtime {
            type Listener = tokio::net::TcpListener;
            type Stream = tokio::net::TcpStream;

            async fn bind(addr: SocketAddr) -> io::Result<Self::Listener> {
                tokio::net::TcpListener::bind(addr).await
            }
            fn local_addr(listener: &Self::Listener) -> io::Result<SocketAddr> {
                listener.local_addr()
            }
            async fn accept(listener: &Self::Listener) -> io::Result<Self::Stream> {
                let (stream, _) = listener.accept().await?;
                stream.set_nodelay(true)?;
                Ok(stream)
            }
            async fn connect(addr: SocketAddr) -> io::Result<Self::Stream> {
                let stream = tokio::net::TcpStream::connect(addr).await?;
                stream.set_nodelay(true)?;
                Ok(stream)
            }
            async fn read_exact<'a>(stream: &'a mut Self::Stream, buf: &'a mut [u8]) -> io::Result<()> {
                tokio::io::AsyncReadExt::read_exact(stream, buf).await.map(|_| ())
            }
            async fn write_all<'a>(stream: &'a mut Self::Stream, buf: &'a [u8]) -> io::Result<()> {
                tokio::io::AsyncWriteExt::write_all(stream, buf).await
            }
        }
    )*};
}

tokio_io!(TokioCurrentThread, TokioMultiThread);

thread_local! {
    /// The `LocalExecutor` running on this thread, for `spawn` to find (smol has no
    /// ambient runtime: a task spawns through a reference to its executor).
    static LOCAL: smol::LocalExecutor<'static> = const { smol::LocalExecutor::new() };
}

/// smol's single-threaded `LocalExecutor`, driven by `smol::block_on` (async-io's, which
/// also runs the reactor for timers and sockets).
pub struct SmolLocal;

impl Exec for SmolLocal {
    type Runtime = ();

    fn build() -> io::Result<()> {
        Ok(())
    }
    fn block_on<F: Future>(_: &(), future: F) -> F::Output {
        LOCAL.with(|executor| smol::block_on(executor.run(future)))
    }
    fn spawn<F>(future: F) -> impl Future<Output = F::Output> + Send + 'static
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        LOCAL.with(|executor| executor.spawn(future))
    }
}

/// The shared `Executor` that `SmolExecutor`'s worker threads run.
static SHARED: smol::Executor<'static> = smol::Executor::new();

/// smol's multi-threaded `Executor` with [`crate::harness::workers`] worker threads (two
/// unless the run says otherwise); like tokio's `block_on`, the
/// calling thread polls only the future it was given.
pub struct SmolExecutor;

/// The worker threads of [`SmolExecutor`]; dropping it stops and joins them.
pub struct SmolWorkers {
    stops: Vec<smol::channel::Sender<()>>,
    threads: Vec<thread::JoinHandle<()>>,
}

impl Drop for SmolWorkers {
    fn drop(&mut self) {
        self.stops.clear();
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

impl Exec for SmolExecutor {
    type Runtime = SmolWorkers;

    fn build() -> io::Result<SmolWorkers> {
        let (mut stops, mut threads) = (Vec::new(), Vec::new());
        for _ in 0..crate::harness::workers() {
            let (stop, stopped) = smol::channel::bounded::<()>(1);
            stops.push(stop);
            threads.push(thread::spawn(move || {
                let _ = smol::block_on(SHARED.run(stopped.recv()));
            }));
        }
        Ok(SmolWorkers { stops, threads })
    }
    fn block_on<F: Future>(_: &SmolWorkers, future: F) -> F::Output {
        smol::block_on(future)
    }
    fn spawn<F>(future: F) -> impl Future<Output = F::Output> + Send + 'static
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        SHARED.spawn(future)
    }
}

macro_rules! smol_io {
    ($($runtime:ty),*) => {$(
        impl Timers for $runtime {
            async fn sleep(duration: Duration) {
                smol::Timer::after(duration).await;
            }
        }

        impl Net for $runtime {
            type Listener = smol::net::TcpListener;
            type Stream = smol::net::TcpStream;

            async fn bind(addr: SocketAddr) -> io::Result<Self::Listener> {
                smol::net::TcpListener::bind(addr).await
            }
            fn local_addr(listener: &Self::Listener) -> io::Result<SocketAddr> {
                listener.local_addr()
            }
            async fn accept(listener: &Self::Listener) -> io::Result<Self::Stream> {
                let (stream, _) = listener.accept().await?;
                stream.set_nodelay(true)?;
                Ok(stream)
            }
            async fn connect(addr: SocketAddr) -> io::Result<Self::Stream> {
                let stream = smol::net::TcpStream::connect(addr).await?;
                stream.set_nodelay(true)?;
                Ok(stream)
            }
            fn read_exact<'a>(
                stream: &'a mut Self::Stream,
                buf: &'a mut [u8],
            ) -> impl Future<Output = io::Result<()>> + Send + 'a {
                futures::io::AsyncReadExt::read_exact(stream, buf)
            }
            fn write_all<'a>(
                stream: &'a mut Self::Stream,
                buf: &'a [u8],
            ) -> impl Future<Output = io::Result<()>> + Send + 'a {
                futures::io::AsyncWriteExt::write_all(stream, buf)
            }
        }
    )*};
}

smol_io!(SmolLocal, SmolExecutor);

thread_local! {
    /// The spawner of the `LocalPool` running on this thread, for `spawn` to find.
    static POOL: RefCell<Option<futures::executor::LocalSpawner>> = const { RefCell::new(None) };
}

/// `futures::executor::LocalPool`: a run queue and a thread park, no timers, no sockets.
pub struct FuturesLocalPool;

impl Exec for FuturesLocalPool {
    type Runtime = RefCell<futures::executor::LocalPool>;

    fn build() -> io::Result<Self::Runtime> {
        Ok(RefCell::new(futures::executor::LocalPool::new()))
    }
    fn block_on<F: Future>(runtime: &Self::Runtime, future: F) -> F::Output {
        let mut pool = runtime.borrow_mut();
        let previous = POOL.with(|spawner| spawner.borrow_mut().replace(pool.spawner()));
        let output = pool.run_until(future);
        POOL.with(|spawner| *spawner.borrow_mut() = previous);
        output
    }
    fn spawn<F>(future: F) -> impl Future<Output = F::Output> + Send + 'static
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        use futures::task::SpawnExt;
        POOL.with(|spawner| {
            spawner
                .borrow()
                .as_ref()
                .expect("spawn outside of LocalPool::run_until")
                .spawn_with_handle(future)
                .expect("the pool is gone")
        })
    }
}
