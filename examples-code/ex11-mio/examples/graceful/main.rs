//! Exercise 11.2: a graceful shutdown for `http_hello`'s server. When told to stop, the
//! server stops accepting, closes the connections that wait between requests, lets the ones
//! in the middle of a request finish it (and close), and returns when all have closed or a
//! grace period has passed, saying how many it left behind.

use ch11_mio::net::{TcpListener, TcpStream};
use ch11_mio::time::{sleep, timeout};
use ch11_mio::{Runtime, spawn};
use futures::StreamExt;
use futures::channel::oneshot;
use futures::future::{Either, FutureExt, Shared, select};
use futures::stream::FuturesUnordered;
use std::io;
use std::net::Shutdown;
use std::pin::pin;
use std::time::Duration;

/// The largest request head the server reads (request line and headers).
const MAX_REQUEST: usize = 8 * 1024;
/// How long a closing connection waits for the client to close its side.
const LINGER: Duration = Duration::from_secs(1);
/// The demo's grace period.
const GRACE: Duration = Duration::from_millis(500);

// ANCHOR: serve
/// Resolves when the server is told to stop; every connection task holds a clone.
type Stop = Shared<oneshot::Receiver<()>>;

/// What a shutdown left: connections that closed in the grace period, and the ones still
/// open at its end.
#[derive(Debug, PartialEq, Eq)]
struct Drained {
    closed: usize,
    left_open: usize,
}

/// Serves until `stop` resolves, then drains: returns once every connection has closed, or
/// `grace` after the stop, whichever comes first.
async fn serve(listener: TcpListener, stop: Stop, grace: Duration) -> Drained {
    let mut connections = FuturesUnordered::new();
    loop {
        // Accept, or stop, whichever comes first. A dropped `accept` has taken no
        // connection: one that came meanwhile waits in the kernel's queue.
        match select(pin!(listener.accept()), stop.clone()).await {
            Either::Left((Ok((stream, _)), _)) => {
                connections.push(spawn(connection(stream, stop.clone())));
            }
            Either::Left((Err(_), _)) => sleep(Duration::from_millis(10)).await,
            Either::Right(_) => break,
        }
        // Forget the connections that have closed (`now_or_never`: without waiting).
        while let Some(Some(_)) = connections.next().now_or_never() {}
    }
    // From here on, a new connection is refused, and the queued ones are reset.
    drop(listener);
    let mut closed = 0;
    let _ = timeout(grace, async {
        while connections.next().await.is_some() {
            closed += 1;
        }
    })
    .await;
    Drained {
        closed,
        left_open: connections.len(),
    }
}
// ANCHOR_END: serve

// ANCHOR: connection
/// Serves requests on one connection until the client closes it, asks to, misbehaves, or
/// the server stops. A stop closes the connection between two requests, at once; a request
/// already begun is read to its end, answered, and then the connection closes.
async fn connection(stream: TcpStream, stop: Stop) -> io::Result<()> {
    stream.set_nodelay(true)?;
    let mut buf = Vec::with_capacity(1024);
    loop {
        let head = if stop.peek().is_some() {
            None
        } else {
            match select(pin!(read_head(&stream, &mut buf)), stop.clone()).await {
                Either::Left((head, _)) => Some(head?),
                // Told to stop. Dropping `read_head` loses nothing: what it read is in `buf`.
                Either::Right(_) => None,
            }
        };
        let head = match head {
            Some(head) => head,
            // Stopping, between two requests: close.
            None if buf.is_empty() => return close_cleanly(&stream).await,
            // Stopping, in the middle of a head: read the rest, without the stop.
            None => read_head(&stream, &mut buf).await?,
        };
        let head_len = match head {
            Head::Complete(len) => len,
            Head::Closed => return Ok(()),
            Head::TooLarge => return refuse(&stream, 431).await,
        };
        let request = parse(&buf[..head_len]);
        buf.drain(..head_len); // a pipelined next request stays
        match request {
            Ok(request) => {
                let status = if request.path == "/" { 200 } else { 404 };
                // Once the server is stopping, every answer says `Connection: close`.
                let keep_alive = request.keep_alive && stop.peek().is_none();
                stream.write_all(&response(status, keep_alive)).await?;
                if !keep_alive {
                    return close_cleanly(&stream).await;
                }
            }
            Err(status) => return refuse(&stream, status).await,
        }
    }
}
// ANCHOR_END: connection

/// How reading a request head ended.
enum Head {
    /// A whole head is in the buffer, this long.
    Complete(usize),
    /// The client closed its side.
    Closed,
    /// `MAX_REQUEST` bytes and no end of the head.
    TooLarge,
}

/// Reads until a whole head is in `buf`, but never more than `MAX_REQUEST` of it.
async fn read_head(stream: &TcpStream, buf: &mut Vec<u8>) -> io::Result<Head> {
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            return Ok(Head::Complete(end + 4));
        }
        let room = MAX_REQUEST - buf.len();
        if room == 0 {
            return Ok(Head::TooLarge);
        }
        let mut chunk = [0; 2048];
        let chunk = &mut chunk[..room.min(2048)];
        match stream.read(chunk).await? {
            0 => return Ok(Head::Closed),
            n => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

/// Answers `status` and closes the connection.
async fn refuse(stream: &TcpStream, status: u16) -> io::Result<()> {
    stream.write_all(&response(status, false)).await?;
    close_cleanly(stream).await
}

/// Closes the connection so that the client reads the whole answer and then end of file:
/// shut down our side, then read (and drop) what the client still sends until it closes its
/// side, for `LINGER` at most.
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

// ANCHOR: demo
/// Three clients, then a stop: one waits between requests, one is in the middle of a
/// request and finishes it after the stop, one is in the middle of a request and never
/// finishes it. Then a fourth client tries to connect.
fn demo(grace: Duration) -> io::Result<Vec<String>> {
    let runtime = Runtime::builder().worker_threads(2).build()?;
    runtime.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = oneshot::channel();
        let server = spawn(serve(listener, stopped.shared(), grace));
        let mut lines = Vec::new();
        let mut buf = Vec::new();

        let idle = TcpStream::connect(addr).await?;
        idle.write_all(b"GET / HTTP/1.1\r\n\r\n").await?;
        let answer = read_response(&idle, &mut buf).await?;
        lines.push(format!(
            "idle client, before the stop: {}",
            answer.unwrap_or_default()
        ));
        let busy = TcpStream::connect(addr).await?;
        busy.write_all(b"GET / HTTP/1.1\r\n").await?; // half a head
        let stuck = TcpStream::connect(addr).await?;
        stuck.write_all(b"GET / HTTP/1.1\r\n").await?; // half a head, for good
        sleep(grace / 2).await; // the server has read the halves

        stop.send(()).unwrap();
        let eof = read_response(&idle, &mut buf).await?.is_none();
        lines.push(format!("idle client, after the stop: end of file: {eof}"));
        drop(idle); // the server's close waits for ours
        busy.write_all(b"Host: localhost\r\n\r\n").await?;
        let mut busy_buf = Vec::new();
        while let Some(answer) = read_response(&busy, &mut busy_buf).await? {
            lines.push(format!("busy client, after the stop: {answer}"));
        }
        lines.push("busy client: end of file".to_string());
        drop(busy);
        let drained = server.await.expect("the server panicked");
        lines.push(format!("server: {drained:?}"));
        let late = TcpStream::connect(addr)
            .await
            .map(|_| ())
            .map_err(|e| e.kind());
        lines.push(format!("a new client: {late:?}"));
        drop(stuck);
        Ok(lines)
    })
}
// ANCHOR_END: demo

fn main() -> io::Result<()> {
    for line in demo(GRACE)? {
        println!("{line}");
    }
    Ok(())
}

#[cfg(test)]
mod tests;
