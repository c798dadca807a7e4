//! Exercise 8.2: an accept loop that survives running out of file descriptors. Chapter 7's
//! `serve` returns the `EMFILE` error of `accept`, and trying again at once would fail again at
//! once; this one pauses 100 ms with `time::sleep` and tries again.
//!
//! The demo lowers the process's limit on open files to fill its fd table, so it runs best as
//! a process of its own: `cargo run -p ex08-timers --example accept_pause`.
// xtask: numbers-vary

use ch08_timers::net::{TcpListener, TcpStream};
use ch08_timers::time::sleep;
use ch08_timers::{Runtime, spawn};
use ex08_timers::fd_limit;
use futures::StreamExt;
use futures::io::{AsyncBufReadExt, BufReader};
use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// How long the server waits before it tries `accept` again when no descriptor is left.
const PAUSE: Duration = Duration::from_millis(100);

/// How long the demo keeps the fd table full.
const STUCK: Duration = Duration::from_millis(300);

// ANCHOR: serve
/// What the server has done, for the demo and the tests to read.
#[derive(Default)]
struct Stats {
    accepted: AtomicUsize,
    pauses: AtomicUsize,
}

/// Whether an accept error means the process or the system is out of something: trying again
/// at once would fail again at once.
fn out_of_resources(error: &io::Error) -> bool {
    let codes = [libc::EMFILE, libc::ENFILE, libc::ENOBUFS, libc::ENOMEM];
    error
        .raw_os_error()
        .is_some_and(|code| codes.contains(&code))
}

/// Chapter 7's echo server, except that an accept that fails for want of resources pauses the
/// loop for `PAUSE` instead of ending it. The connection waits in the listener's queue
/// meanwhile; it is not lost.
async fn serve(listener: TcpListener, stats: Arc<Stats>) -> io::Result<()> {
    loop {
        match listener.accept().await {
            Ok((stream, _peer)) => {
                stats.accepted.fetch_add(1, Ordering::Relaxed);
                spawn(async move {
                    let _ = futures::io::copy(&stream, &mut &stream).await;
                });
            }
            Err(error) if out_of_resources(&error) => {
                stats.pauses.fetch_add(1, Ordering::Relaxed);
                sleep(PAUSE).await;
            }
            // This one connection was reset before we took it; the next one is fine.
            Err(error) if error.kind() == io::ErrorKind::ConnectionAborted => {}
            Err(error) => return Err(error),
        }
    }
}
// ANCHOR_END: serve

/// What the demo saw.
#[derive(Debug)]
struct Report {
    /// Clients that connected before `connect` itself failed with `EMFILE`.
    clients: usize,
    /// How many times the server paused while the table was full.
    pauses: usize,
    /// The lines that came back to the clients once descriptors were free again.
    echoed: Vec<String>,
}

// ANCHOR: demo
/// Starts the server, fills the fd table with clients, keeps it full for `stuck`, then puts
/// the limit back and checks that every waiting client is served.
fn demo(stuck: Duration) -> io::Result<Report> {
    let runtime = Runtime::new()?;
    runtime.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let stats = Arc::new(Stats::default());
        spawn(serve(listener, Arc::clone(&stats)));

        // Leave a few descriptors: a few clients connect, then `connect` fails.
        let old_limit = fd_limit::set(fd_limit::leaving(4)?)?;
        let mut clients = Vec::new();
        let full = loop {
            match std::net::TcpStream::connect(addr) {
                Ok(client) if clients.len() < 64 => clients.push(client),
                Ok(_) => return Err(io::Error::other("the fd table does not fill up")),
                Err(error) => break error,
            }
        };
        assert_eq!(full.raw_os_error(), Some(libc::EMFILE), "{full}");

        // The server's accept fails with EMFILE; it pauses, tries again, pauses...
        sleep(stuck).await;
        let pauses = stats.pauses.load(Ordering::Relaxed);

        // Descriptors again: the server accepts the clients that waited, and serves them.
        fd_limit::set(old_limit)?;
        let mut echoed = Vec::new();
        for (n, client) in clients.drain(..).enumerate() {
            let client = TcpStream::from_std(client)?;
            client.write_all(format!("client {n}\n").as_bytes()).await?;
            let mut lines = BufReader::new(&client).lines();
            echoed.push(lines.next().await.ok_or(io::ErrorKind::UnexpectedEof)??);
        }
        Ok(Report {
            clients: echoed.len(),
            pauses,
            echoed,
        })
    })
}

fn main() -> io::Result<()> {
    let start = Instant::now();
    let report = demo(STUCK)?;
    println!("{} clients filled the fd table", report.clients);
    println!(
        "in {} ms, the server's accept failed with EMFILE and paused {} times",
        STUCK.as_millis(),
        report.pauses
    );
    for line in &report.echoed {
        println!("echoed once descriptors were free: {line}");
    }
    assert!(start.elapsed() >= STUCK);
    Ok(())
}
// ANCHOR_END: demo

#[cfg(test)]
mod tests;
