//! An echo server and three clients on this chapter's runtime. The server is a task that
//! accepts connections and gives each one a task that copies what it reads back into the
//! socket (`futures::io::copy`); the clients send lines and read them back with
//! `futures::io::BufReader::lines`. Everything runs on one thread, on 127.0.0.1.
//!
//! `cargo run -p ch14-making-it-fast --example tcp_echo -- serve` runs the server alone on
//! 127.0.0.1:7878 until you stop it, for `nc 127.0.0.1 7878`.

// xtask: valgrind

use ch14_making_it_fast::net::{TcpListener, TcpStream};
use ch14_making_it_fast::{Runtime, spawn};
use futures::StreamExt;
use futures::io::{AsyncBufReadExt, BufReader};
use std::io;
use std::net::SocketAddr;

/// How many clients connect, and how many lines each sends.
const CLIENTS: usize = 3;
const LINES: usize = 2;

// ANCHOR: serve
/// Accepts connections until accepting fails; each connection gets a task of its own that
/// sends back everything it reads, until the client shuts down its writing half.
async fn serve(listener: TcpListener) -> io::Result<()> {
    loop {
        let (stream, _peer) = listener.accept().await?;
        spawn(async move {
            // `&TcpStream` is both AsyncRead and AsyncWrite: read from it, write into it.
            let _ = futures::io::copy(&stream, &mut &stream).await;
        });
    }
}
// ANCHOR_END: serve

// ANCHOR: client
/// Connects, sends `LINES` lines one at a time, and reads each back.
async fn client(server: SocketAddr, id: usize) -> io::Result<Vec<String>> {
    let stream = TcpStream::connect(server).await?;
    let mut lines = BufReader::new(&stream).lines();
    let mut echoed = Vec::new();
    for n in 0..LINES {
        let line = format!("client {id}, line {n}\n");
        stream.write_all(line.as_bytes()).await?;
        let back = lines.next().await.ok_or(io::ErrorKind::UnexpectedEof)??;
        echoed.push(back);
    }
    Ok(echoed)
}
// ANCHOR_END: client

// ANCHOR: demo
/// Starts the server as a task, runs the clients as tasks, and returns what came back, in
/// the clients' order.
fn demo() -> io::Result<Vec<String>> {
    let runtime = Runtime::new()?;
    runtime.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let server = listener.local_addr()?;
        spawn(serve(listener));
        let clients: Vec<_> = (0..CLIENTS).map(|id| spawn(client(server, id))).collect();
        let mut log = Vec::new();
        for handle in clients {
            for line in handle.await.expect("a client task panicked")? {
                log.push(format!("echoed: {line}"));
            }
        }
        Ok(log)
    })
    // The runtime is dropped here, and the server task with it.
}

fn main() -> io::Result<()> {
    if std::env::args().nth(1).as_deref() == Some("serve") {
        println!("echoing on 127.0.0.1:7878; try `nc 127.0.0.1 7878`, stop with Ctrl-C");
        let runtime = Runtime::new()?;
        return runtime.block_on(async { serve(TcpListener::bind("127.0.0.1:7878").await?).await });
    }
    for line in demo()? {
        println!("{line}");
    }
    Ok(())
}
// ANCHOR_END: demo

#[cfg(test)]
mod tests;
