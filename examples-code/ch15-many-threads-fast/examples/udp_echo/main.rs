//! A UDP echo server and three clients on this chapter's runtime: the server is a task that
//! sends every datagram back to where it came from; each client sends one and waits for it.
//! Everything runs on one thread, on 127.0.0.1.

use ch15_many_threads_fast::net::UdpSocket;
use ch15_many_threads_fast::{Runtime, spawn};
use std::io;
use std::net::SocketAddr;

/// How many clients send a datagram.
const CLIENTS: usize = 3;

// ANCHOR: serve
/// Sends each datagram back to its sender, until a socket call fails.
async fn serve(socket: UdpSocket) -> io::Result<()> {
    let mut buf = [0; 1500];
    loop {
        let (len, peer) = socket.recv_from(&mut buf).await?;
        socket.send_to(&buf[..len], peer).await?;
    }
}
// ANCHOR_END: serve

// ANCHOR: client
/// Sends one datagram to the server and waits for it to come back.
async fn client(server: SocketAddr, id: usize) -> io::Result<String> {
    let socket = UdpSocket::bind("127.0.0.1:0").await?;
    let message = format!("ping from client {id}");
    socket.send_to(message.as_bytes(), server).await?;
    let mut buf = [0; 1500];
    let (len, from) = socket.recv_from(&mut buf).await?;
    let who = if from == server {
        "the server"
    } else {
        "someone else"
    };
    let text = String::from_utf8_lossy(&buf[..len]);
    Ok(format!("client {id} got {text:?} back from {who}"))
}
// ANCHOR_END: client

// ANCHOR: demo
fn demo() -> io::Result<Vec<String>> {
    let runtime = Runtime::new()?;
    runtime.block_on(async {
        let socket = UdpSocket::bind("127.0.0.1:0").await?;
        let server = socket.local_addr()?;
        spawn(serve(socket));
        let clients: Vec<_> = (0..CLIENTS).map(|id| spawn(client(server, id))).collect();
        let mut log = Vec::new();
        for handle in clients {
            log.push(handle.await.expect("a client task panicked")?);
        }
        Ok(log)
    })
}

fn main() -> io::Result<()> {
    for line in demo()? {
        println!("{line}");
    }
    Ok(())
}
// ANCHOR_END: demo

#[cfg(test)]
mod tests;
