//! mio is edge-triggered: it reports a socket when it *turns* ready, once. The reactor keeps
//! the readiness bit until a call says `WouldBlock`, so a read that leaves bytes behind is
//! followed by a read that gets them, with no new event.

mod common;

use ch15_many_threads_fast::net::{TcpListener, TcpStream};
use ch15_many_threads_fast::{Runtime, spawn, yield_now};
use common::{LIMIT, within};
use mio::{Events, Interest, Poll, Token};
use std::io::{Read, Write};
use std::time::Duration;

// ANCHOR: mio_edge
#[test]
#[cfg_attr(miri, ignore = "Miri supports no TCP sockets")]
fn mio_reports_new_bytes_once_not_the_bytes_left_behind() {
    let mut poll = Poll::new().unwrap();
    let mut events = Events::with_capacity(8);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let mut client = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let (server, _) = listener.accept().unwrap();
    server.set_nonblocking(true).unwrap();
    let mut server = mio::net::TcpStream::from_std(server);
    poll.registry()
        .register(&mut server, Token(0), Interest::READABLE)
        .unwrap();
    let mut readable = |poll: &mut Poll| {
        poll.poll(&mut events, Some(Duration::from_millis(100)))
            .unwrap();
        events.iter().any(|event| event.is_readable())
    };
    client.write_all(&[7; 100]).unwrap();
    assert!(readable(&mut poll), "100 bytes arrive: an edge");
    let mut buf = [0; 10];
    assert_eq!(server.read(&mut buf).unwrap(), 10);
    // 90 bytes are still there, but the socket did not *turn* readable: no event.
    assert!(
        !readable(&mut poll),
        "no new edge for the bytes left behind"
    );
    let mut rest = [0; 200];
    assert_eq!(server.read(&mut rest).unwrap(), 90);
    client.write_all(&[8; 5]).unwrap();
    assert!(readable(&mut poll), "new bytes: a new edge");
}
// ANCHOR_END: mio_edge

// ANCHOR: partial_reads
#[test]
#[cfg_attr(miri, ignore = "Miri supports no TCP sockets")]
fn reads_that_leave_bytes_behind_still_get_the_rest() {
    let got = within(LIMIT, || {
        let runtime = Runtime::builder().worker_threads(2).build().unwrap();
        runtime.block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            // The client sends 1,000 bytes once, then waits: no new edge will ever come.
            let client = spawn(async move {
                let stream = TcpStream::connect(addr).await.unwrap();
                stream.write_all(&[1; 1_000]).await.unwrap();
                let mut buf = [0; 1];
                stream.read(&mut buf).await.unwrap() // until the server closes
            });
            let (stream, _) = listener.accept().await.unwrap();
            let mut total = 0;
            while total < 1_000 {
                // Ten bytes a time, with other tasks' turns in between.
                let mut buf = [0; 10];
                total += stream.read(&mut buf).await.unwrap();
                yield_now().await;
            }
            drop(stream);
            assert_eq!(client.await.unwrap(), 0, "the client reads the close");
            total
        })
    });
    assert_eq!(got, 1_000);
}
// ANCHOR_END: partial_reads

#[test]
#[cfg_attr(miri, ignore = "Miri supports no TCP sockets")]
fn a_large_write_waits_for_room_and_everything_arrives() {
    const SIZE: usize = 8 << 20; // far more than the socket buffers hold
    let received = within(LIMIT, || {
        let runtime = Runtime::builder().worker_threads(2).build().unwrap();
        runtime.block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let writer = spawn(async move {
                let stream = TcpStream::connect(addr).await.unwrap();
                stream.write_all(&vec![3; SIZE]).await.unwrap();
            });
            let (stream, _) = listener.accept().await.unwrap();
            let mut buf = vec![0; 64 << 10];
            let mut total = 0;
            loop {
                match stream.read(&mut buf).await.unwrap() {
                    0 => break,
                    n => total += n,
                }
            }
            writer.await.unwrap();
            total
        })
    });
    assert_eq!(received, SIZE);
}

#[test]
#[cfg_attr(miri, ignore = "Miri supports no TCP sockets")]
fn a_listener_accepts_every_connection_of_a_burst() {
    let accepted = within(LIMIT, || {
        let runtime = Runtime::builder().worker_threads(2).build().unwrap();
        runtime.block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            // Twenty connections land in the accept queue at once: one edge for all of them.
            let clients: Vec<_> = (0..20)
                .map(|_| std::net::TcpStream::connect(addr).unwrap())
                .collect();
            for _ in 0..20 {
                drop(listener.accept().await.unwrap());
            }
            drop(clients);
            20
        })
    });
    assert_eq!(accepted, 20);
}
