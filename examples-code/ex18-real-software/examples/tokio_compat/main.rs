//! Exercise 18.2: tokio's `AsyncRead` and `AsyncWrite` over any `futures::io` stream, as
//! `tokio-util`'s `compat` module does, so that code written against tokio's traits (here
//! `tokio::io::copy`) runs on the book's runtime. No tokio runtime is involved.
//!
//! `cargo run -p ex18-real-software --example tokio_compat` runs an echo server made of
//! `tokio::io::copy` on the book's runtime, and sends it a few lines.

use ch18_real_software::net::{TcpListener, TcpStream};
use ch18_real_software::{Runtime, spawn};
use futures::io::{AsyncReadExt, AsyncWriteExt};
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

// ANCHOR: compat
/// A `futures::io` stream as tokio's `AsyncRead` and `AsyncWrite`.
pub struct TokioCompat<T>(pub T);

impl<T: futures::io::AsyncRead + Unpin> tokio::io::AsyncRead for TokioCompat<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        // tokio's `ReadBuf` remembers how much of its memory is initialized: the zeroing
        // happens once per buffer, not once per read as with hyper's cursor.
        let unfilled = buf.initialize_unfilled();
        let n = ready!(Pin::new(&mut self.0).poll_read(cx, unfilled))?;
        buf.advance(n);
        Poll::Ready(Ok(()))
    }
}

impl<T: futures::io::AsyncWrite + Unpin> tokio::io::AsyncWrite for TokioCompat<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_close(cx)
    }
}
// ANCHOR_END: compat

// ANCHOR: echo
/// An echo server whose every connection is `tokio::io::copy` from the socket to itself;
/// each task returns how many bytes it echoed.
async fn serve(listener: TcpListener) {
    while let Ok((stream, _)) = listener.accept().await {
        spawn(async move {
            // `&TcpStream` reads and writes: one half each, over the same socket.
            let mut reader = TokioCompat(&stream);
            let mut writer = TokioCompat(&stream);
            tokio::io::copy(&mut reader, &mut writer).await
        });
    }
}
// ANCHOR_END: echo

/// Sends `text`, closes its side, and reads the echo to the end.
async fn echo_once(addr: std::net::SocketAddr, text: &[u8]) -> io::Result<Vec<u8>> {
    let mut stream = TcpStream::connect(addr).await?;
    stream.write_all(text).await?;
    stream.close().await?;
    let mut echoed = Vec::new();
    stream.read_to_end(&mut echoed).await?;
    Ok(echoed)
}

// ANCHOR: main
fn demo() -> io::Result<Vec<String>> {
    let runtime = Runtime::builder().worker_threads(2).build()?;
    runtime.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        spawn(serve(listener));
        let mut lines = Vec::new();
        for text in ["tokio's traits", "on the book's runtime"] {
            let echoed = echo_once(addr, text.as_bytes()).await?;
            lines.push(format!(
                "sent {text:?}, got {:?}",
                String::from_utf8_lossy(&echoed)
            ));
        }
        Ok(lines)
    })
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
