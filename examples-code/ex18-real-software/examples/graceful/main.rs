//! Exercise 18.1: a graceful shutdown of chapter 18's hyper server. On a signal it stops
//! accepting (new connections are refused), asks every connection to finish the request it
//! is in and then close (hyper's `Connection::graceful_shutdown`), and waits for them, for at
//! most a grace period.
//!
//! `cargo run -p ex18-real-software --example graceful` serves, keeps one connection idle and
//! one request half-sent, signals the shutdown, and prints what each client saw.

use ch18_real_software::compat::{self, HyperIo};
use ch18_real_software::hello;
use ch18_real_software::net::TcpListener;
use ch18_real_software::time::{sleep, timeout};
use ch18_real_software::{JoinHandle, Runtime, spawn};
use futures::StreamExt;
use futures::channel::{mpsc, oneshot};
use futures::future::{Either, FutureExt, select};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// How long the accept loop pauses after an error.
const ACCEPT_PAUSE: Duration = Duration::from_millis(10);

// ANCHOR: serve_until
/// Serves until `stop` fires; then refuses new connections, asks each open one to finish the
/// request it is in and close, and waits for them for at most `grace`. Returns how many were
/// still open when the grace ran out (0: every one finished).
async fn serve_until(
    listener: TcpListener,
    builder: http1::Builder,
    stop: oneshot::Receiver<()>,
    grace: Duration,
) -> usize {
    // Every connection's task waits on the same signal: a `Shared` future, cloned.
    let stop = stop.map(drop).shared();
    // Each task holds a sender; when the last is dropped, `all_done` ends.
    let (alive, mut all_done) = mpsc::channel::<()>(0);
    let open = Arc::new(AtomicUsize::new(0));
    loop {
        let accepted = match select(pin!(listener.accept()), stop.clone()).await {
            Either::Left((accepted, _)) => accepted,
            Either::Right(((), _)) => break,
        };
        let Ok((stream, _)) = accepted else {
            sleep(ACCEPT_PAUSE).await;
            continue;
        };
        let (builder, stop, alive, open) =
            (builder.clone(), stop.clone(), alive.clone(), open.clone());
        open.fetch_add(1, Ordering::SeqCst);
        spawn(async move {
            let mut connection =
                pin!(builder.serve_connection(HyperIo::new(stream), service_fn(hello::hello)));
            if let Either::Right(((), _)) = select(connection.as_mut(), stop).await {
                // The request in progress (if any) is answered, then the connection closes;
                // an idle connection closes at once.
                connection.as_mut().graceful_shutdown();
                let _ = connection.await;
            }
            open.fetch_sub(1, Ordering::SeqCst);
            drop(alive);
        });
    }
    drop(listener); // new connections are refused from here on
    drop(alive);
    let _ = timeout(grace, all_done.next()).await;
    open.load(Ordering::SeqCst)
}
// ANCHOR_END: serve_until

/// A server on a free port of `runtime`, with its stop signal and its handle.
fn start(
    runtime: &Runtime,
    grace: Duration,
) -> io::Result<(SocketAddr, oneshot::Sender<()>, JoinHandle<usize>)> {
    let (stop, stopped) = oneshot::channel();
    runtime.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let builder = hello::builder(compat::timer(), hello::HEADER_READ_TIMEOUT);
        Ok((
            addr,
            stop,
            spawn(serve_until(listener, builder, stopped, grace)),
        ))
    })
}

/// Reads what comes until the server closes the connection.
fn read_to_close(stream: &mut std::net::TcpStream) -> io::Result<String> {
    let mut answer = String::new();
    stream.read_to_string(&mut answer)?;
    Ok(answer)
}

// ANCHOR: main
fn demo() -> io::Result<Vec<String>> {
    let runtime = Runtime::builder().worker_threads(2).build()?;
    let (addr, stop, server) = start(&runtime, Duration::from_secs(10))?;
    // One connection that asked once and now idles, one with a request half-sent.
    let mut idle = std::net::TcpStream::connect(addr)?;
    idle.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")?;
    let mut first = [0; 256];
    let _ = idle.read(&mut first)?;
    let mut busy = std::net::TcpStream::connect(addr)?;
    busy.write_all(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\ntwice")?;
    // The server has read it (half a second: a loaded machine may be slow to get to it).
    std::thread::sleep(Duration::from_millis(500));
    let _ = stop.send(());
    let mut lines = Vec::new();
    idle.set_read_timeout(Some(Duration::from_secs(20)))?;
    busy.set_read_timeout(Some(Duration::from_secs(20)))?;
    let idle_end = read_to_close(&mut idle)?;
    lines.push(format!(
        "the idle connection: closed, {} bytes more",
        idle_end.len()
    ));
    busy.write_all(b" over")?;
    let answer = read_to_close(&mut busy)?;
    let status = answer.lines().next().unwrap_or("").to_string();
    let body = answer.rsplit("\r\n\r\n").next().unwrap_or("");
    lines.push(format!(
        "the request in flight: {status} | {body}, then closed"
    ));
    let left = runtime
        .block_on(server)
        .map_err(|e| io::Error::other(e.to_string()))?;
    lines.push(format!("connections left after the grace: {left}"));
    let refused = std::net::TcpStream::connect(addr)
        .map(|_| ())
        .map_err(|e| e.kind());
    lines.push(format!("a new connection: {refused:?}"));
    Ok(lines)
}

fn main() -> io::Result<()> {
    for line in demo()? {
        println!("{line}");
    }
    Ok(())
}
// ANCHOR_END: main

#[cfg(test)]
mod tests;
