//! hyper's HTTP/1.1 server and client on the chapter's runtime, through `compat`'s adapters:
//! the server answers `GET /` with "Hello, world!" and echoes `POST /echo`; the client is
//! hyper's too.
//!
//! `cargo run -p ch18-real-software --example hyper_hello` serves on a free port, asks it a
//! few questions with hyper's client, prints the answers and exits. `cargo run -p
//! ch18-real-software --release --example hyper_hello -- serve [PORT]` serves on 127.0.0.1
//! until you stop it (the port from the argument, else 8080), for `curl` or `wrk`.

use ch18_real_software::compat::{self, HyperIo};
use ch18_real_software::hello::{self, HEADER_READ_TIMEOUT};
use ch18_real_software::net::{TcpListener, TcpStream};
use ch18_real_software::time::sleep;
use ch18_real_software::{Runtime, spawn};
use hyper::Method;
use hyper::server::conn::http1;
use std::io;
use std::time::Duration;

/// The port of `serve` when the argument gives none.
const DEFAULT_PORT: u16 = 8080;
/// How long the accept loop waits after an error (out of descriptors, say) before it tries
/// again.
const ACCEPT_PAUSE: Duration = Duration::from_millis(10);

// ANCHOR: serve
/// Accepts connections for ever, one task each, served by hyper.
async fn serve(listener: TcpListener, builder: http1::Builder) {
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                let builder = builder.clone();
                spawn(async move {
                    let _ = stream.set_nodelay(true);
                    // A client that resets, misbehaves or is too slow ends its connection,
                    // and only its own: hyper's error says which, and the task ends.
                    let _ = hello::serve_connection(&builder, HyperIo::new(stream)).await;
                });
            }
            // Out of descriptors (EMFILE), say: the connection waits in the kernel's queue.
            // Pause, so as not to spin, and try again (chapter 7).
            Err(_) => sleep(ACCEPT_PAUSE).await,
        }
    }
}
// ANCHOR_END: serve

// ANCHOR: connect
/// Opens a connection with hyper's client; its `Connection` future runs as a task of its own.
async fn connect(
    addr: std::net::SocketAddr,
) -> io::Result<hyper::client::conn::http1::SendRequest<http_body_util::Full<hyper::body::Bytes>>> {
    let stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (sender, connection) = hyper::client::conn::http1::handshake(HyperIo::new(stream))
        .await
        .map_err(io::Error::other)?;
    spawn(async move {
        let _ = connection.await;
    });
    Ok(sender)
}
// ANCHOR_END: connect

// ANCHOR: main
/// Serves on a free port, asks the questions with hyper's client, and returns the answers.
fn demo() -> io::Result<Vec<String>> {
    let runtime = Runtime::builder().worker_threads(2).build()?;
    runtime.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        spawn(serve(
            listener,
            hello::builder(compat::timer(), HEADER_READ_TIMEOUT),
        ));
        let mut sender = connect(addr).await?;
        let questions: [(Method, &str, &'static [u8]); 4] = [
            (Method::GET, "/", b""),
            (Method::GET, "/", b""),
            (Method::POST, "/echo", b"hyper on the book's runtime"),
            (Method::GET, "/nope", b""),
        ];
        let mut lines = vec!["four requests, one connection:".to_string()];
        for (method, path, body) in questions {
            let what = format!("{method} {path}");
            let (status, answer) = hello::ask(&mut sender, method, path, body)
                .await
                .map_err(io::Error::other)?;
            let answer = String::from_utf8_lossy(&answer);
            lines.push(format!("  {what:<10} -> {status} | {}", answer.trim()));
        }
        Ok(lines)
    })
}

fn main() -> io::Result<()> {
    if std::env::args().nth(1).as_deref() == Some("serve") {
        let port = std::env::args()
            .nth(2)
            .map_or(Ok(DEFAULT_PORT), |port| port.parse())
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        let runtime = Runtime::new()?;
        return runtime.block_on(async {
            let listener = TcpListener::bind(("127.0.0.1", port)).await?;
            println!("listening on http://{}", listener.local_addr()?);
            serve(
                listener,
                hello::builder(compat::timer(), HEADER_READ_TIMEOUT),
            )
            .await;
            Ok(())
        });
    }
    for line in demo()? {
        println!("{line}");
    }
    Ok(())
}
// ANCHOR_END: main

#[cfg(test)]
mod tests;
