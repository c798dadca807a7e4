//! A WebSocket echo server and its client on the chapter's runtime, with async-tungstenite: a
//! library written for `futures::io::AsyncRead`/`AsyncWrite`, which the runtime's `TcpStream`
//! implements. No adapter: the stream goes in as it is.
//!
//! `cargo run -p ch18-real-software --example websocket_echo` serves on a free port, sends a
//! few messages, prints what comes back and exits.

use async_tungstenite::tungstenite::Message;
use async_tungstenite::tungstenite::protocol::WebSocketConfig;
use ch18_real_software::net::{TcpListener, TcpStream};
use ch18_real_software::{Runtime, spawn};
use futures::StreamExt;
use std::io;

/// The largest message (and frame) the server takes; a larger one ends the connection with
/// an error (tungstenite's default is 64 MiB).
const MAX_MESSAGE: usize = 64 * 1024;

// ANCHOR: server
/// The server's settings: messages and frames bounded by `MAX_MESSAGE`.
fn config() -> WebSocketConfig {
    WebSocketConfig::default()
        .max_message_size(Some(MAX_MESSAGE))
        .max_frame_size(Some(MAX_MESSAGE))
}

/// Accepts connections for ever; each one, a task that sends every message back.
async fn serve(listener: TcpListener) {
    while let Ok((stream, _)) = listener.accept().await {
        spawn(async move {
            let _ = echo(stream).await;
        });
    }
}

/// The WebSocket handshake over the runtime's own `TcpStream`, then echo until the client
/// closes. tungstenite answers pings and closes by itself.
async fn echo(stream: TcpStream) -> Result<(), async_tungstenite::tungstenite::Error> {
    let mut socket = async_tungstenite::accept_async_with_config(stream, Some(config())).await?;
    while let Some(message) = socket.next().await {
        let message = message?;
        if message.is_text() || message.is_binary() {
            socket.send(message).await?;
        }
    }
    Ok(())
}
// ANCHOR_END: server

// ANCHOR: client
/// Connects, sends each message and reads its echo, then closes; returns what came back.
async fn client(addr: std::net::SocketAddr, messages: &[&str]) -> io::Result<Vec<String>> {
    let stream = TcpStream::connect(addr).await?;
    let url = format!("ws://{addr}/");
    let (mut socket, response) = async_tungstenite::client_async(url, stream)
        .await
        .map_err(io::Error::other)?;
    let mut lines = vec![format!("handshake: {}", response.status())];
    for text in messages {
        socket
            .send(Message::text(*text))
            .await
            .map_err(io::Error::other)?;
        match socket.next().await {
            Some(Ok(echo)) => lines.push(format!("sent {text:?}, got {echo}")),
            Some(Err(error)) => return Err(io::Error::other(error)),
            None => return Err(io::ErrorKind::UnexpectedEof.into()),
        }
    }
    socket.close(None).await.map_err(io::Error::other)?;
    Ok(lines)
}
// ANCHOR_END: client

fn demo() -> io::Result<Vec<String>> {
    let runtime = Runtime::builder().worker_threads(2).build()?;
    runtime.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        spawn(serve(listener));
        client(addr, &["hello", "from the book's runtime"]).await
    })
}

fn main() -> io::Result<()> {
    for line in demo()? {
        println!("{line}");
    }
    Ok(())
}

#[cfg(test)]
mod tests;
