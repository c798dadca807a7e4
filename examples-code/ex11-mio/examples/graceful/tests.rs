use super::*;
use std::io::{Read, Write};
use std::net::SocketAddr;
use std::sync::mpsc;
use std::thread;
use std::time::Instant;

/// No read waits longer than this: a connection the server never closes fails the test.
const WATCHDOG: Duration = Duration::from_secs(20);
/// The grace period of the test that waits for its end.
const GRACE_T: Duration = Duration::from_millis(400);
/// The grace period of the tests that must not wait for its end: long, so that a server
/// that returns before it did not wait for it, however busy the machine.
const LONG_GRACE: Duration = Duration::from_secs(10);
/// Long enough for the server to have read what a client sent, on a busy machine (a test
/// cannot see the server's reads; a server that has not read the bytes yet takes the
/// connection for an idle one, and the test fails).
const SETTLE: Duration = Duration::from_secs(1);
/// Generous: a loaded machine may be late, but not by seconds.
const LATE: Duration = Duration::from_secs(5);

/// A server on a free port, its stop, and a receiver for what `serve` returns.
struct Server {
    _runtime: Runtime,
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    drained: mpsc::Receiver<Drained>,
}

impl Server {
    fn start(grace: Duration) -> Server {
        let runtime = Runtime::builder().worker_threads(2).build().unwrap();
        let listener = runtime.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel();
        let (sender, drained) = mpsc::channel();
        drop(runtime.spawn(async move {
            let _ = sender.send(serve(listener, stopped.shared(), grace).await);
        }));
        Server {
            _runtime: runtime,
            addr,
            stop: Some(stop),
            drained,
        }
    }

    /// Tells the server to stop; returns an instant just before.
    fn stop(&mut self) -> Instant {
        let now = Instant::now();
        self.stop.take().unwrap().send(()).unwrap();
        now
    }

    /// What `serve` returned, waiting for it at most the watchdog's time.
    fn drained(&self) -> Drained {
        self.drained
            .recv_timeout(WATCHDOG)
            .expect("the server did not return")
    }
}

/// A blocking client from a plain thread, with the watchdog as its read timeout.
fn connect(addr: SocketAddr) -> std::net::TcpStream {
    let stream = std::net::TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(WATCHDOG)).unwrap();
    stream
}

/// Reads one answer: (status line, whole head); `None` at end of file.
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
                buf.drain(..end + 4 + length);
                return Some((status, head));
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
fn a_connection_between_requests_is_closed_at_once() {
    let mut server = Server::start(LONG_GRACE);
    let mut client = connect(server.addr);
    let mut buf = Vec::new();
    client.write_all(GET).unwrap();
    assert_eq!(answer(&mut client, &mut buf).unwrap().0, 200);
    let stopped = server.stop();
    assert_eq!(answer(&mut client, &mut buf), None, "end of file");
    assert!(
        stopped.elapsed() < LONG_GRACE,
        "closed at once, not at the deadline"
    );
    drop(client);
    let drained = server.drained();
    assert_eq!(
        drained,
        Drained {
            closed: 1,
            left_open: 0
        }
    );
    assert!(
        stopped.elapsed() < LONG_GRACE,
        "returned as soon as all had closed"
    );
}

#[test]
fn a_request_begun_before_the_stop_gets_its_answer_and_then_the_close() {
    let mut server = Server::start(LONG_GRACE);
    let mut client = connect(server.addr);
    client.write_all(&GET[..10]).unwrap();
    thread::sleep(SETTLE); // the server has read the first bytes
    server.stop();
    thread::sleep(SETTLE);
    client.write_all(&GET[10..]).unwrap();
    let mut buf = Vec::new();
    let (status, head) = answer(&mut client, &mut buf).unwrap();
    assert_eq!(status, 200);
    assert!(head.contains("Connection: close"), "{head}");
    assert_eq!(answer(&mut client, &mut buf), None);
    drop(client);
    assert_eq!(
        server.drained(),
        Drained {
            closed: 1,
            left_open: 0
        }
    );
}

#[test]
fn a_connection_that_does_not_finish_is_left_open_at_the_deadline() {
    let mut server = Server::start(GRACE_T);
    let mut client = connect(server.addr);
    client.write_all(&GET[..10]).unwrap(); // and never the rest
    thread::sleep(SETTLE);
    let stopped = server.stop();
    let drained = server.drained();
    let took = stopped.elapsed();
    assert_eq!(
        drained,
        Drained {
            closed: 0,
            left_open: 1
        }
    );
    assert!(
        took >= GRACE_T,
        "gave up after {took:?}, before the grace period"
    );
    assert!(took < GRACE_T + LATE, "gave up only after {took:?}");
}

#[test]
fn after_the_stop_new_connections_are_refused() {
    let mut server = Server::start(LONG_GRACE);
    server.stop();
    assert_eq!(
        server.drained(),
        Drained {
            closed: 0,
            left_open: 0
        }
    );
    let error = std::net::TcpStream::connect(server.addr).unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::ConnectionRefused);
}

#[test]
fn the_demo_prints_what_each_client_saw() {
    let (sender, receiver) = mpsc::channel();
    thread::spawn(move || sender.send(demo(GRACE).unwrap()));
    assert_eq!(
        receiver.recv_timeout(WATCHDOG).expect("the demo hung"),
        [
            "idle client, before the stop: HTTP/1.1 200 OK | Hello, world!",
            "idle client, after the stop: end of file: true",
            "busy client, after the stop: HTTP/1.1 200 OK | Hello, world!",
            "busy client: end of file",
            "server: Drained { closed: 2, left_open: 1 }",
            "a new client: Err(ConnectionRefused)",
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
