//! A peer that closes with `SO_LINGER` set to zero sends a reset (RST): a read that is
//! waiting at that moment ends with `ConnectionReset`, not a hang and not end of file.

mod common;

use ch15_many_threads_fast::Runtime;
use ch15_many_threads_fast::net::TcpListener;
use common::{LIMIT, reset_on_close, within};
use std::io::{self, Write};
use std::thread;
use std::time::Duration;

#[test]
#[cfg_attr(miri, ignore = "Miri supports no TCP sockets")]
fn a_reset_from_the_peer_ends_a_waiting_read_with_connection_reset() {
    let (first, second) = within(LIMIT, || {
        Runtime::new().unwrap().block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let peer = thread::spawn(move || {
                let mut client = std::net::TcpStream::connect(addr).unwrap();
                client.write_all(b"abc").unwrap();
                // Long enough for the reader to be waiting again, mid-conversation.
                thread::sleep(Duration::from_millis(100));
                reset_on_close(&client);
                drop(client); // RST
            });
            let (stream, _) = listener.accept().await.unwrap();
            let mut buf = [0; 16];
            let first = stream.read(&mut buf).await.map(|n| buf[..n].to_vec());
            let second = stream.read(&mut buf).await;
            peer.join().unwrap();
            (first, second)
        })
    });
    assert_eq!(first.unwrap(), b"abc");
    let error = second.unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::ConnectionReset, "{error}");
}
