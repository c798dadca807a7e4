//! End of file: once the peer has closed and its last bytes are read, `read` gives `Ok(0)`,
//! every time it is asked.

mod common;

use ch15_many_threads_fast::Runtime;
use ch15_many_threads_fast::net::TcpListener;
use common::{LIMIT, within};
use futures::io::AsyncReadExt;
use std::io::Write;
use std::thread;
use std::time::Duration;

#[test]
#[cfg_attr(miri, ignore = "Miri supports no TCP sockets")]
fn a_closed_peer_reads_as_its_last_bytes_then_ok_zero() {
    let reads = within(LIMIT, || {
        Runtime::new().unwrap().block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let peer = thread::spawn(move || {
                let mut client = std::net::TcpStream::connect(addr).unwrap();
                thread::sleep(Duration::from_millis(50)); // the reader waits first
                client.write_all(b"bye").unwrap();
            }); // dropped: closed, a normal end (FIN)
            let (stream, _) = listener.accept().await.unwrap();
            let mut all = Vec::new();
            (&stream).read_to_end(&mut all).await.unwrap();
            let mut buf = [0; 8];
            let again = [
                stream.read(&mut buf).await.unwrap(),
                stream.read(&mut buf).await.unwrap(),
            ];
            peer.join().unwrap();
            (all, again)
        })
    });
    assert_eq!(reads, (b"bye".to_vec(), [0, 0]));
}
