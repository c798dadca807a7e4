use super::*;
use std::io::Write;
use std::sync::mpsc;
use std::time::Instant;

/// Runs `f` on a thread of its own and fails the test if it takes longer than 20 s: a read
/// without a working timeout hangs instead of failing.
fn within<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (sender, receiver) = mpsc::channel();
    thread::spawn(move || {
        let _ = sender.send(f());
    });
    receiver
        .recv_timeout(Duration::from_secs(20))
        .expect("not finished in 20 s, or the test's thread panicked")
}

const LIMIT: Duration = Duration::from_millis(200);

/// Generous: a loaded machine may be late, but not by seconds.
const LATE: Duration = Duration::from_secs(5);

#[test]
fn the_demo_times_out_then_reads_on_the_same_connection() {
    assert_eq!(
        within(|| demo(Duration::from_millis(50)).unwrap()),
        [
            "read, nothing sent, 1-unit limit: Err(Elapsed)",
            "read after the peer wrote, 10-unit limit: Ok(5)",
            "the bytes: \"hello\"",
        ]
    );
}

#[test]
fn a_read_on_a_quiet_connection_times_out_at_the_limit() {
    let (result, took) = within(|| {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        Runtime::new().unwrap().block_on(async {
            let client = TcpStream::connect(addr).await.unwrap();
            let _quiet_peer = listener.accept().unwrap();
            let mut buf = [0; 8];
            let start = Instant::now();
            let result = timeout(LIMIT, client.read(&mut buf))
                .await
                .map(|r| r.unwrap());
            (result, start.elapsed())
        })
    });
    assert_eq!(result, Err(Elapsed));
    assert!(took >= LIMIT, "gave up after {took:?}, before the limit");
    assert!(took < LIMIT + LATE, "gave up only after {took:?}");
}

#[test]
fn data_that_comes_in_time_wins_and_the_read_does_not_wait_for_the_limit() {
    let (result, took) = within(|| {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let writer = thread::spawn(move || {
            let (mut peer, _) = listener.accept().unwrap();
            thread::sleep(Duration::from_millis(50));
            peer.write_all(b"in time").unwrap();
            peer // kept open until joined
        });
        let outcome = Runtime::new().unwrap().block_on(async {
            let client = TcpStream::connect(addr).await.unwrap();
            let mut buf = [0; 16];
            let start = Instant::now();
            let result = timeout(Duration::from_secs(10), client.read(&mut buf)).await;
            (result.map(|r| buf[..r.unwrap()].to_vec()), start.elapsed())
        });
        drop(writer.join().unwrap());
        outcome
    });
    assert_eq!(result, Ok(b"in time".to_vec()));
    assert!(took < Duration::from_secs(10), "{took:?}");
}

#[test]
fn when_both_are_ready_the_output_wins() {
    let result = within(|| {
        Runtime::new()
            .unwrap()
            .block_on(timeout(Duration::ZERO, async { "ready" }))
    });
    assert_eq!(result, Ok("ready"));
}

#[test]
fn main_runs() {
    within(|| main().unwrap());
}
