//! The servers the chapter compares: one hyper service (`ch18_real_software::hello`) with the
//! same settings on five runtimes, and the book's hand-written `http_hello` on the book's
//! two. Each serves on 127.0.0.1 until its process is killed.

use ch18_real_software::compat::{HyperIo, HyperTimer};
use ch18_real_software::hello::{self, HEADER_READ_TIMEOUT};
use futures::FutureExt;
use hyper::server::conn::http1;
use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio_util::compat::TokioAsyncReadCompatExt;

/// One server of the comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Server {
    /// Its key in the results (and on the command line).
    pub key: &'static str,
    /// What the tables call it.
    pub label: &'static str,
    /// Whether the runtime runs on two workers (else on one thread).
    pub multi_thread: bool,
    /// Whether the runtime is the book's.
    pub book: bool,
}

/// Every server, in the order of a round: each of ours just before its peers.
pub const SERVERS: [Server; 9] = [
    Server {
        key: "ch14",
        label: "hyper on ch14",
        multi_thread: false,
        book: true,
    },
    Server {
        key: "tokio-ct",
        label: "hyper on tokio current_thread",
        multi_thread: false,
        book: false,
    },
    Server {
        key: "tokio-ct-z",
        label: "hyper on tokio current_thread, zeroing",
        multi_thread: false,
        book: false,
    },
    Server {
        key: "ch15",
        label: "hyper on ch15",
        multi_thread: true,
        book: true,
    },
    Server {
        key: "tokio-mt",
        label: "hyper on tokio multi_thread",
        multi_thread: true,
        book: false,
    },
    Server {
        key: "tokio-mt-z",
        label: "hyper on tokio multi_thread, zeroing",
        multi_thread: true,
        book: false,
    },
    Server {
        key: "smol",
        label: "hyper on smol (async-io)",
        multi_thread: false,
        book: false,
    },
    Server {
        key: "ch14-raw",
        label: "http_hello on ch14",
        multi_thread: false,
        book: true,
    },
    Server {
        key: "ch15-raw",
        label: "http_hello on ch15",
        multi_thread: true,
        book: true,
    },
];

/// The worker count of the multi-threaded runtimes.
pub const WORKERS: usize = 2;

/// The server of `key`.
pub fn server(key: &str) -> Option<Server> {
    SERVERS.iter().copied().find(|s| s.key == key)
}

/// How long an accept loop waits after an error (out of descriptors) before it tries again.
const ACCEPT_PAUSE: Duration = Duration::from_millis(10);
/// How long the hand-written server waits for a closing client.
const LINGER: Duration = Duration::from_secs(1);

/// hyper's settings, the same on every runtime: only the timer differs.
fn builder<T: hyper::rt::Timer + Send + Sync + 'static>(timer: T) -> http1::Builder {
    hello::builder(timer, HEADER_READ_TIMEOUT)
}

// ANCHOR: book
/// The accept loop on one of the book's runtimes, `$krate`: the same code for chapter 14's and
/// chapter 15's, since both have the API of Part II. hyper gets the crate's `TcpStream`
/// through `HyperIo`, and its `sleep_until` through `HyperTimer`; `$raw` serves the
/// hand-written `http_hello` instead.
macro_rules! serve_on_the_book_s {
    ($krate:ident, $runtime:expr, $addr:expr, $ready:expr, $raw:expr) => {{
        use $krate::{net::TcpListener, spawn, time};
        let raw = $raw;
        $runtime.block_on(async {
            let listener = TcpListener::bind($addr).await?;
            $ready(listener.local_addr()?);
            let builder = builder(HyperTimer::new(time::sleep_until));
            loop {
                match listener.accept().await {
                    Ok((stream, _)) => {
                        let _ = stream.set_nodelay(true);
                        let builder = builder.clone();
                        spawn(async move {
                            if raw {
                                let _ =
                                    crate::raw::connection(stream, || time::sleep(LINGER)).await;
                            } else {
                                let _ =
                                    hello::serve_connection(&builder, HyperIo::new(stream)).await;
                            }
                        });
                    }
                    Err(_) => time::sleep(ACCEPT_PAUSE).await,
                }
            }
        })
    }};
}
// ANCHOR_END: book

/// Serves on `127.0.0.1:port` (0: a free port) with the server `key`, calls `ready` with the
/// address once it listens, and never returns unless binding fails.
pub fn serve(key: &str, port: u16, ready: impl FnOnce(SocketAddr)) -> io::Result<()> {
    let addr = ("127.0.0.1", port);
    match key {
        "ch14" | "ch14-raw" => {
            let runtime = ch14_making_it_fast::Runtime::new()?;
            serve_on_the_book_s!(ch14_making_it_fast, runtime, addr, ready, key == "ch14-raw")
        }
        "ch15" | "ch15-raw" => {
            let runtime = ch15_many_threads_fast::Runtime::builder()
                .worker_threads(WORKERS)
                .build()?;
            serve_on_the_book_s!(
                ch15_many_threads_fast,
                runtime,
                addr,
                ready,
                key == "ch15-raw"
            )
        }
        "tokio-ct" | "tokio-mt" | "tokio-ct-z" | "tokio-mt-z" => {
            // `-z`: through the same adapter as the book's runtimes and smol (tokio's socket
            // as a `futures::io` stream by `tokio-util`'s `compat`, then `HyperIo`, which
            // zeroes what hyper lends it), so that the runtimes, not the adapters, are
            // compared. Without it, `hyper-util`'s `TokioIo`, as tokio's users run hyper.
            let zeroing = key.ends_with("-z");
            let runtime = if key.starts_with("tokio-ct") {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()?
            } else {
                tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(WORKERS)
                    .enable_all()
                    .build()?
            };
            runtime.block_on(async {
                let listener = tokio::net::TcpListener::bind(addr).await?;
                ready(listener.local_addr()?);
                let builder = builder(hyper_util::rt::TokioTimer::new());
                loop {
                    match listener.accept().await {
                        Ok((stream, _)) => {
                            let _ = stream.set_nodelay(true);
                            let builder = builder.clone();
                            tokio::spawn(async move {
                                if zeroing {
                                    let io = HyperIo::new(stream.compat());
                                    let _ = hello::serve_connection(&builder, io).await;
                                } else {
                                    let io = hyper_util::rt::TokioIo::new(stream);
                                    let _ = hello::serve_connection(&builder, io).await;
                                }
                            });
                        }
                        Err(_) => tokio::time::sleep(ACCEPT_PAUSE).await,
                    }
                }
            })
        }
        "smol" => {
            // smol's own executor on this one thread, its sockets and timers from async-io
            // (whose reactor runs in `block_on`, or on its own thread when none does).
            let executor = smol::LocalExecutor::new();
            smol::block_on(executor.run(async {
                let listener = smol::Async::<std::net::TcpListener>::bind(SocketAddr::from((
                    [127, 0, 0, 1],
                    port,
                )))?;
                ready(listener.get_ref().local_addr()?);
                let builder = builder(HyperTimer::new(|deadline: Instant| {
                    smol::Timer::at(deadline).map(drop as fn(Instant))
                }));
                loop {
                    match listener.accept().await {
                        Ok((stream, _)) => {
                            let _ = stream.get_ref().set_nodelay(true);
                            let builder = builder.clone();
                            executor
                                .spawn(async move {
                                    let _ = hello::serve_connection(&builder, HyperIo::new(stream))
                                        .await;
                                })
                                .detach();
                        }
                        Err(_) => {
                            smol::Timer::after(ACCEPT_PAUSE).await;
                        }
                    }
                }
            }))
        }
        _ => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "no server `{key}` (there are: {})",
                SERVERS.map(|s| s.key).join(", ")
            ),
        )),
    }
}
