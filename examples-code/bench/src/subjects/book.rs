//! The book's runtimes. Each stage gets its adapter from one line of [`book_stages!`]: its
//! crate, whether it is built with one thread or with workers (two unless the run says
//! otherwise, [`crate::harness::workers`]), and which of timers and sockets
//! it has. A stage that is not written yet is simply not listed.

use crate::Subject;

/// Implements the traits of `crate::subject` for one stage crate and lists it.
macro_rules! book_stages {
    ($($key:literal => $krate:ident, $label:literal, $threads:ident, [$($cap:ident),*];)*) => {
        $(
            #[allow(non_camel_case_types)]
            pub struct $krate;
            book_stages!(@exec $krate $threads);
            $(book_stages!(@$cap $krate);)*
        )*

        /// Every stage of the book that the suite measures, in chapter order.
        pub fn subjects() -> Vec<Subject> {
            vec![$(
                book_stages!(@subject $key, $label, $krate, $threads, [$($cap),*]),
            )*]
        }
    };
    (@subject $key:literal, $label:literal, $krate:ident, $threads:ident, [$($cap:ident),*]) => {{
        let subject = Subject::new::<$krate>($key, $label, book_stages!(@multi $threads));
        $(let subject = book_stages!(@with $cap subject $krate);)*
        subject
    }};
    (@multi single) => { false };
    (@multi workers) => { true };
    (@with timers $subject:ident $krate:ident) => { $subject.with_timers::<$krate>() };
    (@with net $subject:ident $krate:ident) => { $subject.with_net::<$krate>() };
    (@exec $krate:ident $threads:ident) => {
        impl crate::Exec for $krate {
            type Runtime = ::$krate::Runtime;

            fn build() -> std::io::Result<Self::Runtime> {
                book_stages!(@build $krate $threads)
            }

            fn block_on<F: std::future::Future>(runtime: &Self::Runtime, future: F) -> F::Output {
                runtime.block_on(future)
            }

            fn spawn<F>(future: F) -> impl std::future::Future<Output = F::Output> + Send + 'static
            where
                F: std::future::Future + Send + 'static,
                F::Output: Send + 'static,
            {
                let handle = ::$krate::spawn(future);
                async move { handle.await.expect("a benchmark task failed") }
            }
        }
    };
    (@build $krate:ident single) => { ::$krate::Runtime::new() };
    (@build $krate:ident workers) => {
        ::$krate::Runtime::builder()
            .worker_threads(crate::harness::workers())
            .build()
    };
    (@timers $krate:ident) => {
        impl crate::Timers for $krate {
            fn sleep(
                duration: std::time::Duration,
            ) -> impl std::future::Future<Output = ()> + Send + 'static {
                ::$krate::time::sleep(duration)
            }
        }
    };
    (@net $krate:ident) => {
        impl crate::Net for $krate {
            type Listener = ::$krate::net::TcpListener;
            type Stream = ::$krate::net::TcpStream;

            async fn bind(addr: std::net::SocketAddr) -> std::io::Result<Self::Listener> {
                ::$krate::net::TcpListener::bind(addr).await
            }
            fn local_addr(listener: &Self::Listener) -> std::io::Result<std::net::SocketAddr> {
                listener.local_addr()
            }
            async fn accept(listener: &Self::Listener) -> std::io::Result<Self::Stream> {
                let (stream, _) = listener.accept().await?;
                stream.set_nodelay(true)?;
                Ok(stream)
            }
            async fn connect(addr: std::net::SocketAddr) -> std::io::Result<Self::Stream> {
                let stream = ::$krate::net::TcpStream::connect(addr).await?;
                stream.set_nodelay(true)?;
                Ok(stream)
            }
            fn read_exact<'a>(
                stream: &'a mut Self::Stream,
                buf: &'a mut [u8],
            ) -> impl std::future::Future<Output = std::io::Result<()>> + Send + 'a {
                futures::io::AsyncReadExt::read_exact(stream, buf)
            }
            fn write_all<'a>(
                stream: &'a mut Self::Stream,
                buf: &'a [u8],
            ) -> impl std::future::Future<Output = std::io::Result<()>> + Send + 'a {
                futures::io::AsyncWriteExt::write_all(stream, buf)
            }
        }
    };
}

// ANCHOR: book_stages
book_stages! {
    "ch05" => ch05_task_queue,    "ch05 run queue + Condvar",   single,  [];
    "ch06" => ch06_epoll_eventfd, "ch06 eventfd per task",      single,  [];
    "ch07" => ch07_sockets,       "ch07 + sockets",             single,  [net];
    "ch08" => ch08_timers,        "ch08 + timers",              single,  [timers, net];
    "ch09" => ch09_blocking,      "ch09 + blocking pool",       single,  [timers, net];
    "ch10" => ch10_workers,       "ch10 workers, shared queue", workers, [];
    "ch11" => ch11_mio,           "ch11 workers + mio",         workers, [timers, net];
    "ch12" => ch12_work_stealing, "ch12 work stealing",         workers, [timers, net];
    "ch14" => ch14_making_it_fast, "ch14 made fast",            single,  [timers, net];
    "ch15" => ch15_many_threads_fast, "ch15 many threads, fast", workers, [timers, net];
}
// ANCHOR_END: book_stages
