use super::*;
use std::io::{Read, Write};
use std::net::SocketAddr;
use std::sync::{Arc, Barrier};
use std::thread;

/// No test waits longer than this for an answer: a hang fails it instead.
const WATCHDOG: Duration = Duration::from_secs(20);

/// A runtime serving on a free port.
fn start() -> (Runtime, SocketAddr) {
    let runtime = Runtime::builder().worker_threads(2).build().unwrap();
    let listener = runtime.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
    let addr = listener.local_addr().unwrap();
    drop(runtime.spawn(serve(listener)));
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
            .expect("no answer before the watchdog")
        {
            0 => return None,
            n => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

const GET: &[u8] = b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";

#[test]
fn keep_alive_serves_several_requests_on_one_connection() {
    let (_runtime, addr) = start();
    let mut stream = connect(addr);
    let mut buf = Vec::new();
    for _ in 0..5 {
        stream.write_all(GET).unwrap();
        assert_eq!(
            answer(&mut stream, &mut buf),
            Some((200, "Hello, world!\n".to_string()))
        );
    }
    // Two requests in one write (pipelined): two answers, in order.
    stream
        .write_all(b"GET / HTTP/1.1\r\n\r\nGET /x HTTP/1.1\r\n\r\n")
        .unwrap();
    assert_eq!(answer(&mut stream, &mut buf).unwrap().0, 200);
    assert_eq!(answer(&mut stream, &mut buf).unwrap().0, 404);
}

#[test]
fn an_oversized_request_gets_431_and_a_clean_close() {
    let (_runtime, addr) = start();
    let mut stream = connect(addr);
    stream.write_all(&OVERSIZED).unwrap();
    let mut buf = Vec::new();
    assert_eq!(answer(&mut stream, &mut buf).unwrap().0, 431);
    // A clean close: end of file (`Ok(0)`), not a reset, although the server did not read
    // all 20 KiB.
    assert_eq!(answer(&mut stream, &mut buf), None);
}

#[test]
fn a_malformed_request_gets_400_and_the_connection_closes() {
    let (_runtime, addr) = start();
    for request in [
        b"HELLO\r\n\r\n".as_slice(),
        b"GET / HTTP/9\r\n\r\n",
        b"GET / HTTP/1.1\r\nno colon here\r\n\r\n",
        b"GET / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello",
    ] {
        let mut stream = connect(addr);
        stream.write_all(request).unwrap();
        let mut buf = Vec::new();
        assert_eq!(answer(&mut stream, &mut buf).unwrap().0, 400);
        assert_eq!(answer(&mut stream, &mut buf), None, "closed after the 400");
    }
}

#[test]
fn connection_close_and_http_1_0_close_after_the_answer() {
    let (_runtime, addr) = start();
    for request in [
        b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n".as_slice(),
        b"GET / HTTP/1.0\r\n\r\n",
    ] {
        let mut stream = connect(addr);
        stream.write_all(request).unwrap();
        let mut buf = Vec::new();
        assert_eq!(answer(&mut stream, &mut buf).unwrap().0, 200);
        assert_eq!(answer(&mut stream, &mut buf), None);
    }
}

#[test]
fn fifty_concurrent_connections_all_get_their_answers() {
    const CLIENTS: usize = 50;
    let (_runtime, addr) = start();
    let barrier = Arc::new(Barrier::new(CLIENTS));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let barrier = Arc::clone(&barrier);
            thread::spawn(move || {
                let mut stream = connect(addr);
                barrier.wait(); // all fifty are connected before anyone asks
                let mut buf = Vec::new();
                (0..3)
                    .map(|_| {
                        stream.write_all(GET).unwrap();
                        answer(&mut stream, &mut buf).unwrap()
                    })
                    .filter(|(status, _)| *status == 200)
                    .count()
            })
        })
        .collect();
    let ok: usize = clients.into_iter().map(|c| c.join().unwrap()).sum();
    assert_eq!(ok, CLIENTS * 3);
}

#[test]
fn the_demo_prints_its_answers() {
    assert_eq!(
        demo().unwrap(),
        [
            "three requests, one connection:",
            "  HTTP/1.1 200 OK | Hello, world!",
            "  HTTP/1.1 200 OK | Hello, world!",
            "  HTTP/1.1 200 OK | Hello, world!",
            "  end of file",
            "a missing page, then close:",
            "  HTTP/1.1 404 Not Found | not found",
            "  end of file",
            "a malformed request:",
            "  HTTP/1.1 400 Bad Request | bad request",
            "  end of file",
            "a 20 KiB header:",
            "  HTTP/1.1 431 Request Header Fields Too Large | request too large",
            "  end of file",
        ]
    );
}

#[test]
fn main_runs() {
    main().unwrap();
}
