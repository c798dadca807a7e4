//! What `futures::io::AsyncRead` costs hyper: its `poll_read` takes a `&mut [u8]`, which must
//! be initialized memory, while hyper lends the spare room of its read buffer, which may not
//! be. The adapter zeroes that room before each read. This program times a read of a small
//! request into hyper's first read buffer (8 KiB) both ways: zeroed first, and into memory
//! that is initialized already (what tokio's `ReadBuf` lets a reader skip). `std` and
//! `futures` only.
// xtask: numbers-vary
//
// `cargo run -p ch18-real-software --example zeroing --release`

use futures::io::{AsyncRead, Cursor};
use std::hint::black_box;
use std::mem::MaybeUninit;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use std::time::Instant;

/// hyper's first read buffer: `INIT_BUFFER_SIZE` in its `src/proto/h1/io.rs`.
const BUFFER: usize = 8 * 1024;
/// A request as `wrk` sends it.
const REQUEST: &[u8] = b"GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n";

// ANCHOR: zeroing
/// One read of `REQUEST` into `room`, as the `futures::io` adapter does it: every byte of
/// the room zeroed first (one `memset`), then a `&mut [u8]` over it.
fn read_zeroed(room: &mut [MaybeUninit<u8>]) -> usize {
    let mut reader = Cursor::new(REQUEST);
    // SAFETY: `write_bytes` writes `room.len()` zero bytes into memory that `room` owns.
    unsafe { room.as_mut_ptr().write_bytes(0, room.len()) };
    // SAFETY: every byte of `room` is now initialized, and `MaybeUninit<u8>` has the layout
    // of `u8`: the same memory, as a `&mut [u8]` for as long as `room` is borrowed.
    let bytes =
        unsafe { std::slice::from_raw_parts_mut(room.as_mut_ptr().cast::<u8>(), room.len()) };
    read(&mut reader, bytes)
}

/// The same read into memory that is initialized already: nothing to zero.
fn read_initialized(room: &mut [u8]) -> usize {
    let mut reader = Cursor::new(REQUEST);
    read(&mut reader, room)
}
// ANCHOR_END: zeroing

fn read(reader: &mut Cursor<&[u8]>, bytes: &mut [u8]) -> usize {
    let mut cx = Context::from_waker(Waker::noop());
    match Pin::new(reader).poll_read(&mut cx, bytes) {
        Poll::Ready(Ok(n)) => n,
        other => panic!("{other:?}"),
    }
}

/// Nanoseconds per read, each way, over `reads` reads; and the bytes each read got.
fn measure(reads: u32) -> (f64, f64, usize) {
    let mut uninit = vec![MaybeUninit::<u8>::uninit(); BUFFER];
    let mut init = vec![0u8; BUFFER];
    let mut got = 0;
    let start = Instant::now();
    for _ in 0..reads {
        got = black_box(read_zeroed(black_box(&mut uninit)));
    }
    let zeroed = start.elapsed().as_nanos() as f64 / f64::from(reads);
    let start = Instant::now();
    for _ in 0..reads {
        got = got.min(black_box(read_initialized(black_box(&mut init))));
    }
    let initialized = start.elapsed().as_nanos() as f64 / f64::from(reads);
    (zeroed, initialized, got)
}

fn main() {
    let reads = 1_000_000;
    let (zeroed, initialized, got) = measure(reads);
    println!(
        "a read of {got} bytes into an {} KiB buffer, {reads} times:",
        BUFFER / 1024
    );
    println!("  zeroing the buffer first (the futures::io adapter): {zeroed:.0} ns per read");
    println!("  into memory initialized already:                   {initialized:.0} ns per read");
}

#[cfg(test)]
mod tests;
