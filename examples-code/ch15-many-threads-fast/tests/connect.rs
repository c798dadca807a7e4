//! `TcpStream::connect` is a non-blocking `connect`: `EINPROGRESS`, wait until the socket is
//! writable, then read `SO_ERROR` to learn how the handshake ended.

mod common;

use ch15_many_threads_fast::Runtime;
use ch15_many_threads_fast::net::{TcpListener, TcpStream};
use common::{LIMIT, within};
use std::io;

#[test]
#[cfg_attr(miri, ignore = "Miri supports no TCP sockets")]
fn connecting_where_nobody_listens_gives_connection_refused() {
    // A port that was free a moment ago: bind it, then close it.
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let result = within(LIMIT, move || {
        Runtime::new()
            .unwrap()
            .block_on(async move { TcpStream::connect(addr).await.map(|_| ()) })
    });
    let error = result.unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::ConnectionRefused, "{error}");
}

#[test]
#[cfg_attr(miri, ignore = "Miri supports no TCP sockets")]
fn a_connection_knows_both_ends_and_so_does_the_accepted_one() {
    let (client, server, listener) = within(LIMIT, || {
        Runtime::new().unwrap().block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let stream = TcpStream::connect(listener.local_addr().unwrap())
                .await
                .unwrap();
            let (accepted, peer) = listener.accept().await.unwrap();
            assert_eq!(peer, accepted.peer_addr().unwrap());
            let client = (stream.local_addr().unwrap(), stream.peer_addr().unwrap());
            let server = (
                accepted.local_addr().unwrap(),
                accepted.peer_addr().unwrap(),
            );
            (client, server, listener.local_addr().unwrap())
        })
    });
    assert_eq!(client.1, listener);
    assert_eq!(server, (client.1, client.0));
}

#[test]
#[cfg_attr(miri, ignore = "Miri supports no TCP sockets")]
fn a_host_name_resolves_and_an_empty_list_is_an_error() {
    let (named, none) = within(LIMIT, || {
        Runtime::new().unwrap().block_on(async {
            let listener = TcpListener::bind("localhost:0").await.unwrap();
            let port = listener.local_addr().unwrap().port();
            let named = TcpStream::connect(("localhost", port)).await.map(|_| ());
            let none: &[std::net::SocketAddr] = &[];
            let none = TcpStream::connect(none).await.map(|_| ());
            (named, none)
        })
    });
    named.unwrap();
    assert_eq!(none.unwrap_err().kind(), io::ErrorKind::InvalidInput);
}
