//! A hundred connections at once, each sending 1 MiB of pseudo-random bytes through an echo
//! server on the same runtime while reading the echo back: every byte returns, in order.

mod common;

use ch15_many_threads_fast::net::{TcpListener, TcpStream};
use ch15_many_threads_fast::{Runtime, spawn};
use common::within;
use std::io;
use std::net::{Shutdown, SocketAddr};
use std::time::Duration;

const CONNECTIONS: u64 = 100;
const BYTES: usize = 1 << 20;

/// xorshift64: a small pseudo-random generator, enough to make bytes no buffer boundary
/// could line up with.
struct Rng(u64);

impl Rng {
    fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            chunk.copy_from_slice(&self.0.to_le_bytes()[..chunk.len()]);
        }
    }
}

/// FNV-1a, 64 bits: a checksum that changes when any byte changes or moves.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Fnv(u64);

impl Fnv {
    fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    fn update(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = (self.0 ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// Sends BYTES pseudo-random bytes (seeded by `seed`) and reads the echo back, at once.
/// Returns (checksum and length sent, checksum and length received).
async fn client(server: SocketAddr, seed: u64) -> io::Result<((Fnv, usize), (Fnv, usize))> {
    let stream = TcpStream::connect(server).await?;
    let send = async {
        let (mut rng, mut sum, mut chunk) = (Rng(seed), Fnv::new(), vec![0; 64 * 1024]);
        for _ in 0..BYTES / chunk.len() {
            rng.fill(&mut chunk);
            sum.update(&chunk);
            stream.write_all(&chunk).await?;
        }
        stream.shutdown(Shutdown::Write)?; // the server's copy ends, and closes its side
        io::Result::Ok((sum, BYTES))
    };
    let receive = async {
        let (mut sum, mut len, mut buf) = (Fnv::new(), 0, vec![0; 16 * 1024]);
        loop {
            match stream.read(&mut buf).await? {
                0 => return io::Result::Ok((sum, len)),
                n => {
                    sum.update(&buf[..n]);
                    len += n;
                }
            }
        }
    };
    // Both at once: a client that wrote everything before reading would fill the buffers
    // of both sockets and wait for ever, and so would the server.
    let (sent, received) = futures::join!(send, receive);
    Ok((sent?, received?))
}

#[test]
#[cfg_attr(miri, ignore = "Miri supports no TCP sockets")]
fn a_hundred_connections_each_echo_1_mib_and_get_every_byte_back() {
    let results = within(Duration::from_secs(180), || {
        Runtime::new().unwrap().block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let server = listener.local_addr().unwrap();
            spawn(async move {
                loop {
                    let (stream, _) = listener.accept().await.unwrap();
                    spawn(async move {
                        futures::io::copy(&stream, &mut &stream).await.unwrap();
                    });
                }
            });
            let clients: Vec<_> = (1..=CONNECTIONS)
                .map(|seed| spawn(client(server, seed)))
                .collect();
            let mut results = Vec::new();
            for handle in clients {
                results.push(handle.await.unwrap().unwrap());
            }
            results
        })
    });
    assert_eq!(results.len(), CONNECTIONS as usize);
    for (sent, received) in results {
        assert_eq!(sent.1, BYTES);
        assert_eq!(received, sent);
    }
}
