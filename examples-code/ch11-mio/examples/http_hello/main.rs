//! A small HTTP/1.1 server on the chapter's runtime: `GET /` answers "Hello, world!", with
//! keep-alive. A request head larger than `MAX_REQUEST` gets `431` and a malformed one `400`,
//! and then the connection is closed cleanly.
//!
//! `cargo run -p ch11-mio --example http_hello` serves on a free port, sends itself a few
//! requests over loopback, prints the answers and exits. `cargo run -p ch11-mio --release
//! --example http_hello -- serve [PORT]` serves on 127.0.0.1 until you stop it (the port from
//! the argument, else `HTTP_HELLO_PORT`, else 8080).

// xtask: valgrind

use ch11_mio::net::{TcpListener, TcpStream};
use ch11_mio::time::{sleep, timeout};
use ch11_mio::{Runtime, spawn};
use std::io;
use std::net::Shutdown;
use std::time::Duration;

/// The largest request head the server reads (request line and headers).
const MAX_REQUEST: usize = 8 * 1024;
/// How long a closing connection waits for the client to close its side.
const LINGER: Duration = Duration::from_secs(1);
/// The port of `serve` when neither the argument nor `HTTP_HELLO_PORT` gives one.
const DEFAULT_PORT: u16 = 8080;

// ANCHOR: serve
/// Accepts connections for ever, one task each.
async fn serve(listener: TcpListener) {
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                spawn(async move {
                    // A client that goes away mid-answer is its own business.
                    let _ = connection(stream).await;
                });
            }
            // Out of fds, say: the connection waits in the kernel's queue. Try again soon.
            Err(_) => sleep(Duration::from_millis(10)).await,
        }
    }
}

/// Serves requests on one connection until the client closes it, asks to, or misbehaves.
async fn connection(stream: TcpStream) -> io::Result<()> {
    stream.set_nodelay(true)?;
    let mut buf = Vec::with_capacity(1024);
    loop {
        // Read until a whole head is in `buf`, but never more than `MAX_REQUEST` of it.
        let head_len = loop {
            if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break end + 4;
            }
            let room = MAX_REQUEST - buf.len();
            if room == 0 {
                stream.write_all(&response(431, false)).await?;
                return close_cleanly(&stream).await;
            }
            let mut chunk = [0; 2048];
            let chunk = &mut chunk[..room.min(2048)];
            match stream.read(chunk).await? {
                0 => return Ok(()), // the client closed
                n => buf.extend_from_slice(&chunk[..n]),
            }
        };
        let request = parse(&buf[..head_len]);
        buf.drain(..head_len); // a pipelined next request stays
        match request {
            Ok(request) => {
                let status = if request.path == "/" { 200 } else { 404 };
                stream
                    .write_all(&response(status, request.keep_alive))
                    .await?;
                if !request.keep_alive {
                    return close_cleanly(&stream).await;
                }
            }
            Err(status) => {
                stream.write_all(&response(status, false)).await?;
                return close_cleanly(&stream).await;
            }
        }
    }
}

/// Closes the connection so that the client reads the whole answer and then end of file:
/// shut down our side, then read (and drop) what the client still sends until it closes its
/// side, for `LINGER` at most. Closing with unread bytes would send a reset, and the client
/// could lose the answer.
async fn close_cleanly(stream: &TcpStream) -> io::Result<()> {
    stream.shutdown(Shutdown::Write)?;
    let _ = timeout(LINGER, async {
        let mut sink = [0; 2048];
        while stream.read(&mut sink).await? > 0 {}
        io::Result::Ok(())
    })
    .await;
    Ok(())
}
// ANCHOR_END: serve

// ANCHOR: parse
/// What the server needs of a request.
#[derive(Debug, PartialEq, Eq)]
struct Request {
    path: String,
    keep_alive: bool,
}

/// Parses a request head (up to and with the blank line); `Err` is the status to answer.
fn parse(head: &[u8]) -> Result<Request, u16> {
    let head = std::str::from_utf8(head).map_err(|_| 400u16)?;
    let mut lines = head.strip_suffix("\r\n\r\n").ok_or(400u16)?.split("\r\n");
    let mut parts = lines.next().ok_or(400u16)?.split(' ');
    let (Some(method), Some(path), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(400);
    };
    let mut keep_alive = match version {
        "HTTP/1.1" => true,
        "HTTP/1.0" => false,
        _ => return Err(400),
    };
    if method.is_empty() || !path.starts_with('/') {
        return Err(400);
    }
    for line in lines {
        let (name, value) = line.split_once(':').ok_or(400u16)?;
        if name.is_empty() || name.contains(' ') {
            return Err(400);
        }
        let value = value.trim();
        if name.eq_ignore_ascii_case("connection") {
            keep_alive = !value.eq_ignore_ascii_case("close")
                && (keep_alive || value.eq_ignore_ascii_case("keep-alive"));
        }
        // This server reads no request bodies.
        let body = name.eq_ignore_ascii_case("transfer-encoding")
            || (name.eq_ignore_ascii_case("content-length") && value != "0");
        if body {
            return Err(400);
        }
    }
    if method != "GET" {
        return Err(405);
    }
    Ok(Request {
        path: path.to_string(),
        keep_alive,
    })
}

/// A whole answer: status line, headers, body.
fn response(status: u16, keep_alive: bool) -> Vec<u8> {
    let (reason, body) = match status {
        200 => ("OK", "Hello, world!\n"),
        400 => ("Bad Request", "bad request\n"),
        404 => ("Not Found", "not found\n"),
        405 => ("Method Not Allowed", "only GET\n"),
        _ => ("Request Header Fields Too Large", "request too large\n"),
    };
    let connection = if keep_alive {
        ""
    } else {
        "Connection: close\r\n"
    };
    format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\
         {connection}\r\n{body}",
        body.len()
    )
    .into_bytes()
}
// ANCHOR_END: parse

// ANCHOR: client
/// Reads one answer from `stream` (`buf` keeps what came after it); `None` at end of file.
async fn read_response(stream: &TcpStream, buf: &mut Vec<u8>) -> io::Result<Option<String>> {
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).into_owned();
            let length: usize = head
                .lines()
                .find_map(|line| line.strip_prefix("Content-Length: "))
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            if buf.len() >= end + 4 + length {
                let body = String::from_utf8_lossy(&buf[end + 4..end + 4 + length]);
                let answer = format!("{} | {}", head.lines().next().unwrap_or(""), body.trim());
                buf.drain(..end + 4 + length);
                return Ok(Some(answer));
            }
        }
        let mut chunk = [0; 2048];
        match stream.read(&mut chunk).await? {
            0 => return Ok(None),
            n => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

/// Sends `requests` on one connection, one after the other, and returns what came back.
/// Then closes its side and waits for the server to close too ("end of file").
async fn exchange(addr: std::net::SocketAddr, requests: &[&[u8]]) -> io::Result<Vec<String>> {
    let stream = TcpStream::connect(addr).await?;
    let mut buf = Vec::new();
    let mut answers = Vec::new();
    for request in requests {
        stream.write_all(request).await?;
        match read_response(&stream, &mut buf).await? {
            Some(answer) => answers.push(answer),
            None => break,
        }
    }
    stream.shutdown(Shutdown::Write)?;
    if read_response(&stream, &mut buf).await?.is_none() {
        answers.push("end of file".to_string());
    }
    Ok(answers)
}
// ANCHOR_END: client

// ANCHOR: main
/// Serves on a free port, asks the questions over loopback, and returns the answers.
fn demo() -> io::Result<Vec<String>> {
    let runtime = Runtime::builder().worker_threads(2).build()?;
    runtime.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        spawn(serve(listener));
        let get = b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".as_slice();
        let mut lines = Vec::new();
        let asks: [(&str, Vec<&[u8]>); 4] = [
            ("three requests, one connection", vec![get, get, get]),
            (
                "a missing page, then close",
                vec![b"GET /nope HTTP/1.1\r\nConnection: close\r\n\r\n"],
            ),
            ("a malformed request", vec![b"HELLO\r\n\r\n"]),
            ("a 20 KiB header", vec![&OVERSIZED]),
        ];
        for (what, requests) in asks {
            lines.push(format!("{what}:"));
            for answer in exchange(addr, &requests).await? {
                lines.push(format!("  {answer}"));
            }
        }
        Ok(lines)
    })
}

/// A request whose head is larger than `MAX_REQUEST`.
static OVERSIZED: [u8; 20 * 1024] = {
    let mut request = [b'a'; 20 * 1024];
    let start = b"GET / HTTP/1.1\r\nX-Big: ";
    let mut i = 0;
    while i < start.len() {
        request[i] = start[i];
        i += 1;
    }
    request
};

fn main() -> io::Result<()> {
    if std::env::args().nth(1).as_deref() == Some("serve") {
        let port = std::env::args()
            .nth(2)
            .or_else(|| std::env::var("HTTP_HELLO_PORT").ok())
            .map_or(Ok(DEFAULT_PORT), |port| port.parse())
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        let runtime = Runtime::new()?;
        return runtime.block_on(async {
            let listener = TcpListener::bind(("127.0.0.1", port)).await?;
            println!("listening on http://{}", listener.local_addr()?);
            serve(listener).await;
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
