use super::*;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// Runs `f` on a thread of its own and fails the test if it takes longer than 20 s: a
/// server that waits for a newline that never comes hangs instead of failing.
fn within<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (sender, receiver) = mpsc::channel();
    thread::spawn(move || {
        let _ = sender.send(f());
    });
    receiver
        .recv_timeout(Duration::from_secs(20))
        .expect("not finished in 20 s, or the test's thread panicked")
}

/// `read_line_limited` over bytes in memory (`&[u8]` is an `AsyncBufRead`): the lengths of
/// the lines, or the error that ended them.
fn lines_of(mut input: &[u8], max: usize) -> Vec<Result<usize, String>> {
    futures::executor::block_on(async {
        let mut line = Vec::new();
        let mut lengths = Vec::new();
        loop {
            match read_line_limited(&mut input, &mut line, max).await {
                Ok(0) => return lengths,
                Ok(n) => lengths.push(Ok(n)),
                Err(error) => {
                    assert!(line.len() <= max, "the buffer grew to {}", line.len());
                    lengths.push(Err(format!("{:?}: {error}", error.kind())));
                    return lengths;
                }
            }
        }
    })
}

#[test]
fn short_lines_come_back_and_a_long_one_gets_an_error_then_end_of_file() {
    assert_eq!(
        within(|| demo().unwrap()),
        [
            "sent 6 bytes, got back: Some(\"hello\")",
            "sent 100 bytes, got back: Some(\"error: line longer than 64 bytes\")",
            "then: None",
        ]
    );
}

#[test]
fn a_line_of_exactly_the_limit_is_taken_and_one_byte_more_is_not() {
    let mut input = [b'a'; 9].to_vec();
    input.push(b'\n'); // 10 bytes
    input.extend_from_slice(b"0123456789\n"); // 11 bytes
    assert_eq!(
        lines_of(&input, 10),
        [Ok(10), Err("InvalidData: line longer than 10 bytes".into())]
    );
}

#[test]
fn the_last_line_may_end_without_a_newline() {
    assert_eq!(lines_of(b"one\ntwo", 10), [Ok(4), Ok(3)]);
}

#[test]
fn a_client_that_never_sends_a_newline_gets_an_error_not_an_ever_growing_buffer() {
    // The client sends 1 MiB with no `\n` and keeps the connection open: no newline and no
    // end of file could end the server's read. Only the bound can.
    let error = within(|| {
        Runtime::new().unwrap().block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let server = listener.local_addr().unwrap();
            spawn(async move {
                let stream = TcpStream::connect(server).await.unwrap();
                let _ = stream.write_all(&vec![b'x'; 1 << 20]).await; // fails once closed
                std::future::pending::<()>().await; // never closes on its own
            });
            let (stream, _) = listener.accept().await.unwrap();
            echo_lines(&stream, MAX_LINE).await.unwrap_err()
        })
    });
    assert_eq!(error.kind(), io::ErrorKind::InvalidData);
    assert_eq!(error.to_string(), "line longer than 64 bytes");
}

#[test]
fn main_runs() {
    within(|| main().unwrap());
}
