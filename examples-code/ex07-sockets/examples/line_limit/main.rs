//! Exercise 7.2: a line echo server with a bound on the length of a line. A client that sends
//! a longer line, or never sends a newline at all, gets an error message and end of file,
//! and the server's buffer never grows past the bound.

use ch07_sockets::net::{TcpListener, TcpStream};
use ch07_sockets::{Runtime, spawn};
use futures::StreamExt;
use futures::io::{AsyncBufRead, AsyncBufReadExt, BufReader};
use std::io;
use std::net::SocketAddr;

/// The longest line the server takes, its `\n` included.
const MAX_LINE: usize = 64;

// ANCHOR: read_line_limited
/// Reads one line, up to and including its `\n`, into `line`, and returns its length: 0 at
/// end of file, and the last line may lack its `\n`. A line of more than `max` bytes is an
/// `InvalidData` error as soon as its `max + 1`-th byte is read, whether or not a `\n`
/// ever comes: `line` never holds more than `max` bytes.
async fn read_line_limited<R>(reader: &mut R, line: &mut Vec<u8>, max: usize) -> io::Result<usize>
where
    R: AsyncBufRead + Unpin,
{
    line.clear();
    loop {
        let available = reader.fill_buf().await?;
        if available.is_empty() {
            return Ok(line.len()); // end of file
        }
        let (take, complete) = match available.iter().position(|&byte| byte == b'\n') {
            Some(newline) => (newline + 1, true),
            None => (available.len(), false),
        };
        if line.len() + take > max {
            let message = format!("line longer than {max} bytes");
            return Err(io::Error::new(io::ErrorKind::InvalidData, message));
        }
        line.extend_from_slice(&available[..take]);
        reader.consume_unpin(take);
        if complete {
            return Ok(line.len());
        }
    }
}
// ANCHOR_END: read_line_limited

// ANCHOR: echo_lines
/// Sends back each line of one connection until end of file. A line that is too long gets
/// an error message instead, and ends the connection with that error.
async fn echo_lines(stream: &TcpStream, max: usize) -> io::Result<()> {
    let mut reader = BufReader::new(stream);
    let mut line = Vec::with_capacity(max);
    loop {
        match read_line_limited(&mut reader, &mut line, max).await {
            Ok(0) => return Ok(()),
            Ok(_) => stream.write_all(&line).await?,
            Err(error) => {
                stream
                    .write_all(format!("error: {error}\n").as_bytes())
                    .await?;
                return Err(error); // the task drops the stream: the client reads end of file
            }
        }
    }
}

/// Accepts connections until accepting fails; each gets a task that runs `echo_lines`.
async fn serve(listener: TcpListener) -> io::Result<()> {
    loop {
        let (stream, _peer) = listener.accept().await?;
        spawn(async move {
            let _ = echo_lines(&stream, MAX_LINE).await;
        });
    }
}
// ANCHOR_END: echo_lines

// ANCHOR: demo
/// Sends a short line, then one of 100 bytes, and returns what came back.
async fn client(server: SocketAddr) -> io::Result<Vec<String>> {
    let stream = TcpStream::connect(server).await?;
    let mut replies = BufReader::new(&stream).lines();
    let mut log = Vec::new();
    for line in ["hello\n".to_string(), format!("{}\n", "x".repeat(99))] {
        stream.write_all(line.as_bytes()).await?;
        let reply = replies.next().await.transpose()?;
        log.push(format!("sent {} bytes, got back: {reply:?}", line.len()));
    }
    let after = replies.next().await.transpose()?;
    log.push(format!("then: {after:?}"));
    Ok(log)
}

fn demo() -> io::Result<Vec<String>> {
    let runtime = Runtime::new()?;
    runtime.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let server = listener.local_addr()?;
        spawn(serve(listener));
        client(server).await
    })
}
// ANCHOR_END: demo

fn main() -> io::Result<()> {
    for line in demo()? {
        println!("{line}");
    }
    Ok(())
}

#[cfg(test)]
mod tests;
