use super::*;
use std::io::{Read, Write};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::Instant;

/// No read waits longer than this: a connection the server never closes fails the test.
const WATCHDOG: Duration = Duration::from_secs(20);
/// The tests' idle timeout: a second, so that a client thread the loaded machine lets sleep
/// 100 ms longer than asked still asks within it.
const IDLE_T: Duration = Duration::from_secs(1);
/// Generous: a loaded machine may be late, but not by seconds.
const LATE: Duration = Duration::from_secs(5);

/// A runtime serving on a free port with an idle timeout of `IDLE_T`.
fn start() -> (Runtime, SocketAddr) {
    let runtime = Runtime::builder().worker_threads(2).build().unwrap();
    let listener = runtime.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
    let addr = listener.local_addr().unwrap();
    drop(runtime.spawn(serve(listener, IDLE_T)));
    (runtime, addr)
}

/// A blocking client from a plain thread, with the watchdog as its read timeout.
fn connect(addr: SocketAddr) -> std::net::TcpStream {
    let stream = std::net::TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(WATCHDOG)).unwrap();
    stream
}

/// Reads one answer: (status code, body); `None` at end of file.
fn answer(stream: &mut std::net::TcpStream, buf: &mut Vec<u8>) -> Option<(u16, String)> {
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8(buf[..end].to_vec()).unwrap();
            let length: usize = head
                .lines()
                .find_map(|line| line.strip_prefix("Content-Length: "))
                .unwrap()
                .parse()
                .unwrap();
            if buf.len() >= end + 4 + length {
                let status = head[9..12].parse().unwrap();
                let body = String::from_utf8(buf[end + 4..end + 4 + length].to_vec()).unwrap();
                buf.drain(..end + 4 + length);
                return Some((status, body));
            }
        }
        let mut chunk = [0; 4096];
        match stream
            .read(&mut chunk)
            .expect("the server neither answered nor closed before the watchdog")
        {
            0 => return None,
            n => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

const GET: &[u8] = b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";

#[test]
fn a_silent_connection_is_closed_after_the_idle_time() {
    let (_runtime, addr) = start();
    let mut stream = connect(addr);
    let connected = Instant::now();
    assert_eq!(
        answer(&mut stream, &mut Vec::new()),
        None,
        "end of file, no answer"
    );
    let took = connected.elapsed();
    assert!(
        took >= IDLE_T,
        "closed after {took:?}, before the idle time"
    );
    assert!(took < IDLE_T + LATE, "closed only after {took:?}");
}

#[test]
fn the_idle_time_counts_from_the_last_answer() {
    let (_runtime, addr) = start();
    let mut stream = connect(addr);
    let mut buf = Vec::new();
    // Quiet for most of the idle time before the request: the request resets the clock.
    thread::sleep(IDLE_T * 2 / 3);
    let asked = Instant::now();
    stream.write_all(GET).unwrap();
    assert_eq!(answer(&mut stream, &mut buf).unwrap().0, 200);
    assert_eq!(answer(&mut stream, &mut buf), None);
    // The server's clock starts after its answer, so after the request was sent.
    let took = asked.elapsed();
    assert!(took >= IDLE_T, "closed {took:?} after the request");
    assert!(
        took < IDLE_T + LATE,
        "closed only {took:?} after the request"
    );
}

#[test]
fn a_client_that_asks_within_the_idle_time_keeps_its_connection() {
    let (_runtime, addr) = start();
    let mut stream = connect(addr);
    let mut buf = Vec::new();
    // Five requests, half an idle time apart: 2.5 idle times on one connection.
    for _ in 0..5 {
        stream.write_all(GET).unwrap();
        assert_eq!(answer(&mut stream, &mut buf).unwrap().0, 200);
        thread::sleep(IDLE_T / 2);
    }
    stream.write_all(GET).unwrap();
    assert_eq!(answer(&mut stream, &mut buf).unwrap().0, 200);
}

#[test]
fn a_head_that_trickles_in_gets_408_at_its_deadline() {
    let (_runtime, addr) = start();
    // The server's clock starts when it has accepted, so after this.
    let connecting = Instant::now();
    let mut stream = connect(addr);
    let mut writer = stream.try_clone().unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let stop_writing = Arc::clone(&stop);
    // One byte every sixth of the idle time: the connection is never quiet for long, but
    // the whole head would take 20 idle times.
    let mut head = b"GET / HTTP/1.1\r\nX-Slow: ".to_vec();
    head.resize(120 - 4, b'a');
    head.extend_from_slice(b"\r\n\r\n");
    let trickle = thread::spawn(move || {
        for byte in &head {
            if stop_writing.load(Ordering::Relaxed) || writer.write_all(&[*byte]).is_err() {
                return;
            }
            thread::sleep(IDLE_T / 6);
        }
    });
    let mut buf = Vec::new();
    let status = answer(&mut stream, &mut buf).unwrap().0;
    let took = connecting.elapsed();
    stop.store(true, Ordering::Relaxed);
    trickle.join().unwrap();
    assert_eq!(
        status, 408,
        "a timeout per read would have waited for the whole head"
    );
    assert!(took >= IDLE_T, "408 after {took:?}, before the idle time");
    assert!(took < IDLE_T + LATE, "408 only after {took:?}");
}

#[test]
fn the_demo_prints_its_answers() {
    let (sender, receiver) = mpsc::channel();
    // Twice the demo's own idle time: its requests come half an idle time apart, and a
    // loaded machine may make them late by more than `IDLE`'s half.
    thread::spawn(move || sender.send(demo(IDLE * 2).unwrap()));
    assert_eq!(
        receiver.recv_timeout(WATCHDOG).expect("the demo hung"),
        [
            "two requests, then silence:",
            "  HTTP/1.1 200 OK | Hello, world!",
            "  HTTP/1.1 200 OK | Hello, world!",
            "  closed by the server",
            "a connection that never says a word:",
            "  closed by the server",
            "a head that trickles in:",
            "  HTTP/1.1 408 Request Timeout | request timeout",
            "  closed by the server",
        ]
    );
}

#[test]
fn main_runs() {
    let (sender, receiver) = mpsc::channel();
    thread::spawn(move || sender.send(main().map_err(|e| e.to_string())));
    let result = receiver.recv_timeout(WATCHDOG).expect("main hung");
    result.unwrap();
}
