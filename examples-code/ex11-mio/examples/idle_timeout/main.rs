//! Exercise 11.1: `http_hello`'s server with an idle timeout. A keep-alive connection on which
//! no request starts within `idle` is closed; a request head that has not all arrived within
//! `idle` gets `408 Request Timeout`, however steadily its bytes trickle in. Everything else
//! is chapter 11's `http_hello`.

use ch11_mio::net::{TcpListener, TcpStream};
use ch11_mio::time::{sleep, timeout};
use ch11_mio::{Runtime, spawn};
use std::io;
use std::net::Shutdown;
use std::sync::Arc;
use std::time::Duration;

/// The largest request head the server reads (request line and headers).
const MAX_REQUEST: usize = 8 * 1024;
/// How long a closing connection waits for the client to close its side.
const LINGER: Duration = Duration::from_secs(1);
/// The demo's idle timeout.
const IDLE: Duration = Duration::from_millis(300);

/// Accepts connections for ever, one task each.
async fn serve(listener: TcpListener, idle: Duration) {
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                spawn(async move {
                    let _ = connection(stream, idle).await;
                });
            }
            Err(_) => sleep(Duration::from_millis(10)).await,
        }
    }
}

// ANCHOR: read_head
/// How reading a request head ended.
enum Head {
    /// A whole head is in the buffer, this long.
    Complete(usize),
    /// The client closed its side.
    Closed,
    /// `MAX_REQUEST` bytes and no end of the head.
    TooLarge,
}

/// Reads until a whole head is in `buf`, but never more than `MAX_REQUEST` of it:
/// `http_hello`'s inner loop, as a function of its own so that one timeout covers it all.
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
// ANCHOR_END: read_head

// ANCHOR: connection
/// Serves requests on one connection until the client closes it, asks to, misbehaves, or
/// leaves it idle: no whole request head within `idle` of the last answer.
async fn connection(stream: TcpStream, idle: Duration) -> io::Result<()> {
    stream.set_nodelay(true)?;
    let mut buf = Vec::with_capacity(1024);
    loop {
        // One deadline for the whole head, not one per read: a client that sends a byte
        // now and then must not hold the connection for ever.
        let head_len = match timeout(idle, read_head(&stream, &mut buf)).await {
            Ok(Ok(Head::Complete(len))) => len,
            Ok(Ok(Head::Closed)) => return Ok(()),
            Ok(Ok(Head::TooLarge)) => return refuse(&stream, 431).await,
            Ok(Err(error)) => return Err(error),
            // Idle between requests: close without a word. In the middle of a head: 408.
            Err(_) if buf.is_empty() => return close_cleanly(&stream).await,
            Err(_) => return refuse(&stream, 408).await,
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
            Err(status) => return refuse(&stream, status).await,
        }
    }
}

/// Answers `status` and closes the connection.
async fn refuse(stream: &TcpStream, status: u16) -> io::Result<()> {
    stream.write_all(&response(status, false)).await?;
    close_cleanly(stream).await
}
// ANCHOR_END: connection

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
        408 => ("Request Timeout", "request timeout\n"),
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
/// Sends each of `parts` after waiting `pause` (the first at once), on one connection,
/// while reading what comes back until the server closes.
async fn talk(
    addr: std::net::SocketAddr,
    parts: Vec<&'static [u8]>,
    pause: Duration,
) -> io::Result<Vec<String>> {
    let stream = Arc::new(TcpStream::connect(addr).await?);
    let writer = Arc::clone(&stream);
    let sending = spawn(async move {
        for (i, part) in parts.into_iter().enumerate() {
            if i > 0 {
                sleep(pause).await;
            }
            if writer.write_all(part).await.is_err() {
                break; // the server has closed
            }
        }
    });
    let mut buf = Vec::new();
    let mut answers = Vec::new();
    while let Some(answer) = read_response(&stream, &mut buf).await? {
        answers.push(answer);
    }
    answers.push("closed by the server".to_string());
    drop(sending); // detached: it ends at its next write
    Ok(answers)
}

/// Three clients against a server with an idle timeout of `idle`.
fn demo(idle: Duration) -> io::Result<Vec<String>> {
    let runtime = Runtime::builder().worker_threads(2).build()?;
    runtime.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        spawn(serve(listener, idle));
        let get = b"GET / HTTP/1.1\r\n\r\n".as_slice();
        // A head sent in pieces, a quarter of the idle time apart: eight pieces take longer
        // than the idle time, though the connection is never quiet for long.
        let slow_head = b"GET / HTTP/1.1\r\nX-Slow: 1234567890\r\n\r\n"
            .chunks(5)
            .collect();
        let asks: [(&str, Vec<&'static [u8]>, Duration); 3] = [
            ("two requests, then silence", vec![get, get], idle / 2),
            ("a connection that never says a word", vec![], idle),
            ("a head that trickles in", slow_head, idle / 4),
        ];
        let mut lines = Vec::new();
        for (what, parts, pause) in asks {
            lines.push(format!("{what}:"));
            for answer in talk(addr, parts, pause).await? {
                lines.push(format!("  {answer}"));
            }
        }
        Ok(lines)
    })
}
// ANCHOR_END: demo

fn main() -> io::Result<()> {
    for line in demo(IDLE)? {
        println!("{line}");
    }
    Ok(())
}

#[cfg(test)]
mod tests;
