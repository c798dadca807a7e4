use super::*;
use futures::io::AsyncReadExt;
use std::time::Duration;

/// Runs `f` on a thread of its own and fails the test if it takes longer than 30 s.
fn within<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = sender.send(f());
    });
    receiver
        .recv_timeout(Duration::from_secs(30))
        .expect("not finished in 30 s, or the test's thread panicked")
}

#[test]
fn every_line_comes_back_to_the_client_that_sent_it() {
    let log = within(|| demo().unwrap());
    assert_eq!(
        log,
        [
            "echoed: client 0, line 0",
            "echoed: client 0, line 1",
            "echoed: client 1, line 0",
            "echoed: client 1, line 1",
            "echoed: client 2, line 0",
            "echoed: client 2, line 1",
        ]
    );
}

#[test]
fn fifty_clients_at_once_all_get_their_lines_back() {
    let results = within(|| {
        Runtime::new().unwrap().block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let server = listener.local_addr().unwrap();
            spawn(serve(listener));
            let clients: Vec<_> = (0..50).map(|id| spawn(client(server, id))).collect();
            let mut results = Vec::new();
            for handle in clients {
                results.push(handle.await.unwrap().unwrap());
            }
            results
        })
    });
    for (id, lines) in results.iter().enumerate() {
        assert_eq!(
            lines,
            &[
                format!("client {id}, line 0"),
                format!("client {id}, line 1")
            ]
        );
    }
}

#[test]
fn the_echo_ends_when_the_client_shuts_down_its_writing_half() {
    let back = within(|| {
        Runtime::new().unwrap().block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let server = listener.local_addr().unwrap();
            spawn(serve(listener));
            let stream = TcpStream::connect(server).await.unwrap();
            stream
                .write_all(b"no newline, then end of file")
                .await
                .unwrap();
            stream.shutdown(std::net::Shutdown::Write).unwrap();
            // `copy` sees end of file, returns, and its task drops the stream: we see ours.
            let mut back = Vec::new();
            (&stream).read_to_end(&mut back).await.unwrap();
            back
        })
    });
    assert_eq!(back, b"no newline, then end of file");
}

#[test]
fn main_runs() {
    within(|| main().unwrap());
}
