//! What the sockets do when the other end misbehaves: refused, closed, reset.

mod common;

use ch15_many_threads_fast::net::{TcpListener, TcpStream};
use ch15_many_threads_fast::{Runtime, spawn};
use common::{LIMIT, within};
use std::io::{self, Read, Write};
use std::thread;
use std::time::Duration;

#[test]
#[cfg_attr(miri, ignore = "Miri supports no TCP sockets")]
fn connecting_where_nobody_listens_gives_connection_refused() {
    // A port that was free a moment ago: bind it, then close it.
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let result = within(LIMIT, move || {
        Runtime::builder()
            .worker_threads(2)
            .build()
            .unwrap()
            .block_on(async move { TcpStream::connect(addr).await.map(|_| ()) })
    });
    let error = result.unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::ConnectionRefused, "{error}");
}

#[test]
#[cfg_attr(miri, ignore = "Miri supports no TCP sockets")]
fn a_read_after_the_peer_closes_is_end_of_file() {
    let (data, eof, again) = within(LIMIT, || {
        Runtime::builder()
            .worker_threads(2)
            .build()
            .unwrap()
            .block_on(async {
                let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
                let addr = listener.local_addr().unwrap();
                let peer = thread::spawn(move || {
                    let mut client = std::net::TcpStream::connect(addr).unwrap();
                    client.write_all(b"bye").unwrap();
                    // Closed while the reader waits.
                    thread::sleep(Duration::from_millis(50));
                });
                let (stream, _) = listener.accept().await.unwrap();
                let mut buf = [0; 16];
                let mut data = Vec::new();
                let eof = loop {
                    match stream.read(&mut buf).await.unwrap() {
                        0 => break 0,
                        n => data.extend_from_slice(&buf[..n]),
                    }
                };
                peer.join().unwrap();
                let again = stream.read(&mut buf).await.unwrap();
                (data, eof, again)
            })
    });
    assert_eq!(data, b"bye");
    assert_eq!(eof, 0, "end of file is Ok(0)");
    assert_eq!(again, 0, "and stays so");
}

#[test]
#[cfg_attr(miri, ignore = "Miri supports no TCP sockets")]
fn a_reset_from_the_peer_ends_a_waiting_read_with_an_error() {
    let (first, second) = within(LIMIT, || {
        Runtime::builder()
            .worker_threads(2)
            .build()
            .unwrap()
            .block_on(async {
                let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
                let addr = listener.local_addr().unwrap();
                let peer = thread::spawn(move || {
                    let mut client = std::net::TcpStream::connect(addr).unwrap();
                    client.write_all(b"abc").unwrap();
                    client.set_read_timeout(Some(LIMIT)).unwrap();
                    let mut buf = [0; 1];
                    client.read_exact(&mut buf).unwrap(); // the server's "x"...
                    // ...then waits until "unread" has arrived, without reading it.
                    assert!(client.peek(&mut buf).unwrap() > 0);
                    // Closing a socket with unread bytes makes the kernel send a reset.
                    drop(client);
                });
                let (stream, _) = listener.accept().await.unwrap();
                let mut buf = [0; 16];
                let first = stream.read(&mut buf).await.map(|n| buf[..n].to_vec());
                stream.write_all(b"x").await.unwrap();
                stream.write_all(b"unread").await.unwrap();
                let second = stream.read(&mut buf).await;
                peer.join().unwrap();
                (first, second)
            })
    });
    assert_eq!(first.unwrap(), b"abc");
    let error = second.unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::ConnectionReset, "{error}");
}

#[test]
#[cfg_attr(miri, ignore = "Miri supports no TCP sockets")]
fn a_panicking_task_does_not_take_its_socket_peer_or_worker_down() {
    let echoed = within(LIMIT, || {
        let runtime = Runtime::builder().worker_threads(1).build().unwrap();
        runtime.block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let failed = spawn(async move {
                let (_stream, _) = listener.accept().await.unwrap();
                panic!("the handler fails");
            });
            let stream = TcpStream::connect(addr).await.unwrap();
            assert!(failed.await.unwrap_err().is_panic());
            // The panic dropped the accepted socket: the client reads end of file...
            let mut buf = [0; 1];
            let eof = stream.read(&mut buf).await.unwrap();
            // ...and the one worker still runs tasks and does the book-keeping.
            let after = spawn(async {
                ch15_many_threads_fast::time::sleep(Duration::from_millis(5)).await;
                "still running"
            });
            (eof, after.await.unwrap())
        })
    });
    assert_eq!(echoed, (0, "still running"));
}
