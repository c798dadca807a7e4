//! hyper's problem in miniature, with `std` and `futures` only. A library reads through a
//! trait of its own whose buffer is memory that may be uninitialized (as hyper's `Read` and
//! its `ReadBufCursor`); the runtime's stream implements the standard
//! `futures::io::AsyncRead`, which reads into a `&mut [u8]`. An adapter joins the two: it
//! zeroes the library's memory, lets the stream read into it, and says how much came.
//!
//! `cargo run -p ch18-real-software --example adapter`

use futures::io::AsyncRead;
use std::io;
use std::mem::MaybeUninit;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

// ANCHOR: library
/// The library's buffer: memory it lends, perhaps never written, and how much is filled.
pub struct LibBuf<'a> {
    memory: &'a mut [MaybeUninit<u8>],
    filled: usize,
}

/// The library's own read trait, like `hyper::rt::Read`.
pub trait LibRead {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut LibBuf<'_>,
    ) -> Poll<io::Result<()>>;
}

/// The library's work: read a request head (up to the blank line), 16 bytes of fresh memory
/// at a time; returns the head and how many reads it took.
pub fn read_head<R: LibRead + Unpin>(reader: &mut R) -> io::Result<(String, usize)> {
    let mut head = Vec::new();
    let mut reads = 0;
    let mut cx = Context::from_waker(Waker::noop());
    while !head.ends_with(b"\r\n\r\n") {
        let mut memory = [MaybeUninit::<u8>::uninit(); 16];
        let mut buf = LibBuf {
            memory: &mut memory,
            filled: 0,
        };
        match Pin::new(&mut *reader).poll_read(&mut cx, &mut buf) {
            Poll::Ready(Ok(())) if buf.filled == 0 => break, // end of file
            Poll::Ready(Ok(())) => {}
            Poll::Ready(Err(error)) => return Err(error),
            Poll::Pending => unreachable!("an in-memory stream is always ready"),
        }
        reads += 1;
        let filled = buf.filled;
        // SAFETY: the reader says (through `filled`) that it initialized that many bytes.
        let bytes = unsafe { &*(&raw const memory[..filled] as *const [u8]) };
        head.extend_from_slice(bytes);
    }
    Ok((String::from_utf8_lossy(&head).into_owned(), reads))
}
// ANCHOR_END: library

// ANCHOR: adapter
/// A `futures::io` stream as the library's reader; counts the bytes it had to zero.
pub struct Adapter<T> {
    stream: T,
    zeroed: usize,
}

impl<T: AsyncRead + Unpin> LibRead for Adapter<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut LibBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let room = &mut buf.memory[buf.filled..];
        // A `&mut [u8]` must be initialized memory: zero it first.
        for byte in room.iter_mut() {
            byte.write(0);
        }
        self.zeroed += room.len();
        // SAFETY: every byte of `room` was just written, and `MaybeUninit<u8>` has the layout
        // of `u8`.
        let bytes = unsafe { &mut *(room as *mut [MaybeUninit<u8>] as *mut [u8]) };
        let n = match Pin::new(&mut self.stream).poll_read(cx, bytes) {
            Poll::Ready(Ok(n)) => n,
            Poll::Ready(Err(error)) => return Poll::Ready(Err(error)),
            Poll::Pending => return Poll::Pending,
        };
        buf.filled += n;
        Poll::Ready(Ok(()))
    }
}
// ANCHOR_END: adapter

// ANCHOR: main
fn main() -> io::Result<()> {
    // The runtime's side: any `futures::io::AsyncRead`; here one in memory.
    let stream = futures::io::Cursor::new(&b"GET / HTTP/1.1\r\nHost: example\r\n\r\n"[..]);
    let mut adapter = Adapter { stream, zeroed: 0 };
    let (head, reads) = read_head(&mut adapter)?;
    println!(
        "the library read {} bytes in {reads} reads: {head:?}",
        head.len()
    );
    println!(
        "the adapter zeroed {} bytes before the stream wrote them",
        adapter.zeroed
    );
    Ok(())
}
// ANCHOR_END: main

#[cfg(test)]
mod tests;
