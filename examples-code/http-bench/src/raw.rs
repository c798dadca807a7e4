//! The book's hand-written HTTP/1.1 server, chapter 11's `http_hello` (as chapter 15 and 18
//! carry it), made generic over the runtime: the same reading, parsing and answering, over
//! any `futures::io` stream, with the runtime's sleep for the linger on close. It is what
//! the chapter sets hyper beside: an HTTP server that does only what `wrk` asks of it.

use futures::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use std::future::Future;
use std::io;
use std::pin::pin;

/// The largest request head the server reads (request line and headers).
const MAX_REQUEST: usize = 8 * 1024;

/// Serves requests on one connection until the client closes it, asks to, or misbehaves;
/// `linger` is a sleep of at most a second (the runtime's), for the clean close.
pub async fn connection<S, L>(mut stream: S, linger: impl Fn() -> L) -> io::Result<()>
where
    S: AsyncRead + AsyncWrite + Unpin,
    L: Future<Output = ()>,
{
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
                return close_cleanly(stream, linger()).await;
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
                    return close_cleanly(stream, linger()).await;
                }
            }
            Err(status) => {
                stream.write_all(&response(status, false)).await?;
                return close_cleanly(stream, linger()).await;
            }
        }
    }
}

/// Shuts down our side, then reads (and drops) what the client still sends until it closes
/// its side or `linger` is over: closing with unread bytes would send a reset.
async fn close_cleanly<S, L>(mut stream: S, linger: L) -> io::Result<()>
where
    S: AsyncRead + AsyncWrite + Unpin,
    L: Future<Output = ()>,
{
    stream.close().await?;
    let drain = async {
        let mut sink = [0; 2048];
        while stream.read(&mut sink).await? > 0 {}
        io::Result::Ok(())
    };
    let _ = futures::future::select(pin!(drain), pin!(linger)).await;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_get_parses_and_anything_else_gets_its_status() {
        assert_eq!(
            parse(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
            Ok(Request {
                path: "/".into(),
                keep_alive: true
            })
        );
        assert_eq!(parse(b"HELLO\r\n\r\n"), Err(400));
        assert_eq!(parse(b"POST / HTTP/1.1\r\n\r\n"), Err(405));
        assert!(!parse(b"GET / HTTP/1.0\r\n\r\n").unwrap().keep_alive);
    }
}
