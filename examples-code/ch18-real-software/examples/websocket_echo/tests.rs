use super::*;
use async_tungstenite::tungstenite::Error;

#[test]
#[cfg_attr(miri, ignore = "Miri cannot run epoll or sockets")]
fn main_sends_two_messages_and_gets_them_back() {
    assert_eq!(
        demo().unwrap(),
        [
            "handshake: 101 Switching Protocols",
            "sent \"hello\", got hello",
            "sent \"from the book's runtime\", got from the book's runtime",
        ]
    );
}

#[test]
#[cfg_attr(miri, ignore = "Miri cannot run epoll or sockets")]
fn many_clients_at_once_each_get_their_own_messages_back() {
    let runtime = Runtime::builder().worker_threads(2).build().unwrap();
    runtime.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        spawn(serve(listener));
        let clients: Vec<_> = (0..50)
            .map(|i| {
                spawn(async move {
                    let texts: Vec<String> =
                        (0..20).map(|j| format!("client {i} message {j}")).collect();
                    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
                    let lines = client(addr, &texts).await.unwrap();
                    for (line, text) in lines[1..].iter().zip(&texts) {
                        assert_eq!(line, &format!("sent {text:?}, got {text}"));
                    }
                    lines.len()
                })
            })
            .collect();
        for handle in clients {
            assert_eq!(handle.await.unwrap(), 21);
        }
    });
}

#[test]
#[cfg_attr(miri, ignore = "Miri cannot run epoll or sockets")]
fn a_message_over_the_bound_ends_the_connection_with_an_error() {
    let runtime = Runtime::builder().worker_threads(2).build().unwrap();
    runtime.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = spawn(async move {
            let (stream, _) = listener.accept().await.unwrap();
            echo(stream).await
        });
        let stream = TcpStream::connect(addr).await.unwrap();
        let (mut socket, _) = async_tungstenite::client_async(format!("ws://{addr}/"), stream)
            .await
            .unwrap();
        let too_large = "x".repeat(MAX_MESSAGE + 1);
        // The send may or may not see the server go; the server's side is what matters.
        let _ = socket.send(Message::text(too_large)).await;
        match server.await.unwrap() {
            Err(Error::Capacity(_)) => {}
            other => panic!("the server took a message over its bound: {other:?}"),
        }
    });
}
