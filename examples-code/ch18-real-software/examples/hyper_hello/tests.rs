//! hyper served and asked on the chapter's runtime, and the server under bad clients: slow
//! ones, ones that reset, heads too large or malformed, thousands at once, more than the
//! descriptor table holds. The server runs in this process on a runtime of two workers; the
//! bad clients are plain blocking `std` sockets on the test's thread.
//!
//! Every test that opens sockets holds `SERIAL`: they count this process's descriptors, so
//! they must not run beside each other.

use super::*;
use ch18_real_software::hello::{MAX_BODY, MAX_HEAD};
use std::io::{Read, Write};
use std::net::SocketAddr;
use std::os::fd::AsRawFd;
use std::process::Command;
use std::sync::{Mutex, MutexGuard};
use std::thread;
use std::time::Instant;

/// One test at a time (see the module's comment).
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    SERIAL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Long enough for anything here on a slow, busy machine.
const LIMIT: Duration = Duration::from_secs(30);

/// The open descriptors of this process.
fn fds() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

/// Waits until `condition` holds, checking every 10 ms; panics after `LIMIT`.
fn wait_until(what: &str, mut condition: impl FnMut() -> bool) {
    let start = Instant::now();
    while !condition() {
        assert!(start.elapsed() < LIMIT, "timed out waiting until {what}");
        thread::sleep(Duration::from_millis(10));
    }
}

/// A runtime of two workers serving `hello` with `header_read_timeout`, and its address.
fn server(header_read_timeout: Duration) -> (Runtime, SocketAddr) {
    let runtime = Runtime::builder().worker_threads(2).build().unwrap();
    let addr = runtime.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        spawn(serve(
            listener,
            hello::builder(compat::timer(), header_read_timeout),
        ));
        addr
    });
    (runtime, addr)
}

/// Sends `request` on a new blocking connection and reads until the server closes it or
/// resets it; returns what came.
fn raw_exchange(addr: SocketAddr, request: &[u8]) -> String {
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(LIMIT)).unwrap();
    stream.write_all(request).unwrap();
    let mut answer = Vec::new();
    let mut chunk = [0; 4096];
    loop {
        match stream.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => answer.extend_from_slice(&chunk[..n]),
            // The server may close with our bytes unread: a reset after its answer.
            Err(error) if error.kind() == io::ErrorKind::ConnectionReset => break,
            Err(error) => panic!("reading the answer: {error}"),
        }
    }
    String::from_utf8_lossy(&answer).into_owned()
}

/// One `GET /` with `Connection: close` on a new blocking connection: the whole answer.
fn get(addr: SocketAddr) -> String {
    raw_exchange(
        addr,
        b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
    )
}

fn assert_hello(answer: &str) {
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer:?}");
    assert!(answer.ends_with("\r\n\r\nHello, world!\n"), "{answer:?}");
}

/// Opens `n` connections to `addr`, in batches of 100, each batch accepted by the server
/// before the next is opened (this process's descriptors tell: one per end). The kernel's
/// accept queue holds 128 connections (the backlog `std`, mio and tokio ask for): a client
/// that opens connections faster than the server accepts them fills it, and then its next
/// `connect` waits a second for the retransmitted SYN.
fn connect_many(addr: SocketAddr, n: usize) -> Vec<std::net::TcpStream> {
    let before = fds();
    let mut streams = Vec::with_capacity(n);
    while streams.len() < n {
        for _ in 0..100.min(n - streams.len()) {
            streams.push(std::net::TcpStream::connect(addr).unwrap());
        }
        let open = streams.len();
        wait_until("the server has accepted every connection", || {
            fds() >= before + 2 * open
        });
    }
    streams
}

/// Sets `SO_LINGER` to "on, 0 seconds": closing the socket then sends a reset (RST), not an
/// end of stream (FIN).
fn reset_on_close(stream: &std::net::TcpStream) {
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: the fd is open (we borrow its owner); the pointer and length describe
    // `linger`, which the kernel only reads during the call.
    let result = unsafe {
        libc::setsockopt(
            stream.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            (&raw const linger).cast(),
            size_of::<libc::linger>() as libc::socklen_t,
        )
    };
    assert_eq!(result, 0, "{}", io::Error::last_os_error());
}

#[test]
#[cfg_attr(miri, ignore = "Miri cannot run epoll or sockets")]
fn main_asks_four_questions_and_prints_the_answers() {
    let _serial = serial();
    let lines = demo().unwrap();
    assert_eq!(
        lines,
        [
            "four requests, one connection:",
            "  GET /      -> 200 OK | Hello, world!",
            "  GET /      -> 200 OK | Hello, world!",
            "  POST /echo -> 200 OK | hyper on the book's runtime",
            "  GET /nope  -> 404 Not Found | not found",
        ]
    );
}

#[test]
#[cfg_attr(miri, ignore = "Miri cannot run epoll or sockets")]
fn hyper_serves_and_asks_on_many_threads_every_answer_checked() {
    let _serial = serial();
    let (runtime, addr) = server(HEADER_READ_TIMEOUT);
    let answered = runtime.block_on(async move {
        // 8 connections at once, each a task of its own asking 50 questions.
        let clients: Vec<_> = (0..8)
            .map(|_| {
                spawn(async move {
                    let mut sender = connect(addr).await.unwrap();
                    for _ in 0..50 {
                        let (status, body) = hello::ask(&mut sender, Method::GET, "/", b"")
                            .await
                            .unwrap();
                        assert_eq!(status, hyper::StatusCode::OK);
                        assert_eq!(&body[..], b"Hello, world!\n");
                    }
                    50
                })
            })
            .collect();
        let mut answered = 0;
        for client in clients {
            answered += client.await.unwrap();
        }
        answered
    });
    assert_eq!(answered, 400);
}

#[test]
#[cfg_attr(miri, ignore = "Miri cannot run epoll or sockets")]
fn a_body_over_the_bound_gets_413_and_one_within_it_comes_back() {
    let _serial = serial();
    let (runtime, addr) = server(HEADER_READ_TIMEOUT);
    runtime.block_on(async move {
        static FITS: [u8; MAX_BODY] = [b'a'; MAX_BODY];
        static TOO_LARGE: [u8; MAX_BODY + 1] = [b'a'; MAX_BODY + 1];
        let mut sender = connect(addr).await.unwrap();
        let (status, body) = hello::ask(&mut sender, Method::POST, "/echo", &FITS)
            .await
            .unwrap();
        assert_eq!(status, hyper::StatusCode::OK);
        assert_eq!(body.len(), MAX_BODY);
        let mut sender = connect(addr).await.unwrap();
        let (status, _) = hello::ask(&mut sender, Method::POST, "/echo", &TOO_LARGE)
            .await
            .unwrap();
        assert_eq!(status, hyper::StatusCode::PAYLOAD_TOO_LARGE);
    });
}

// ANCHOR: slow_clients
/// How many slow clients.
const SLOW_CLIENTS: usize = 1000;
/// A slow client's "second": it sends one byte of its head per tick (scaled down from one
/// second so that the test takes seconds).
const TICK: Duration = Duration::from_millis(100);
/// The server's header-read timeout in this test: 30 ticks.
const SLOW_TIMEOUT: Duration = Duration::from_secs(3);

#[test]
#[cfg_attr(miri, ignore = "Miri cannot run epoll or sockets")]
fn slow_clients_do_not_stop_others_and_are_closed_by_the_header_timeout() {
    let _serial = serial();
    let (runtime, addr) = server(SLOW_TIMEOUT);
    let before = fds();
    let head = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".repeat(10);
    let start = Instant::now();
    let mut slow: Vec<(std::net::TcpStream, Option<Instant>)> = connect_many(addr, SLOW_CLIENTS)
        .into_iter()
        .map(|stream| {
            stream.set_nonblocking(true).unwrap();
            (stream, None)
        })
        .collect();
    // Others are served while the slow ones hang: a hundred requests, each answered.
    let others = thread::spawn(move || {
        for _ in 0..100 {
            assert_hello(&get(addr));
        }
        Instant::now()
    });
    // One byte per client per tick, until the server has closed every slow connection.
    let mut sent = 0;
    while slow.iter().any(|(_, closed)| closed.is_none()) {
        assert!(
            start.elapsed() < SLOW_TIMEOUT + LIMIT,
            "slow clients left open"
        );
        for (stream, closed) in slow.iter_mut().filter(|(_, c)| c.is_none()) {
            let mut byte = [0];
            let ended = match (&*stream).read(&mut byte) {
                Ok(0) => true, // the server closed it
                Ok(_) => panic!("an answer to half a head"),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    (&*stream).write(&head[sent % head.len()..][..1]).is_err()
                }
                Err(_) => true, // reset
            };
            if ended {
                *closed = Some(Instant::now());
            }
        }
        sent += 1;
        thread::sleep(TICK);
    }
    let others_done = others.join().unwrap();
    let first_closed = slow.iter().filter_map(|(_, c)| *c).min().unwrap();
    // The others were all served before the header timeout closed any slow client.
    assert!(
        others_done < first_closed,
        "the others waited for the slow ones"
    );
    // No slow client was closed before the timeout counted from its connection.
    assert!(
        first_closed - start >= SLOW_TIMEOUT,
        "closed after {:?}",
        first_closed - start
    );
    assert!(sent >= 10, "each slow client sent {sent} bytes");
    drop(slow);
    wait_until("the server has closed every connection", || fds() <= before);
    assert_hello(&get(addr));
    drop(runtime);
}
// ANCHOR_END: slow_clients

#[test]
#[cfg_attr(miri, ignore = "Miri cannot run epoll or sockets")]
fn resets_mid_request_and_mid_response_end_only_their_connection() {
    let _serial = serial();
    let (runtime, addr) = server(HEADER_READ_TIMEOUT);
    let before = fds();
    // Mid-request: half a head, then a reset; half a body, then a reset.
    for part in [
        &b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Half"[..],
        b"POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\nonly ten b",
    ] {
        let mut stream = std::net::TcpStream::connect(addr).unwrap();
        stream.write_all(part).unwrap();
        thread::sleep(Duration::from_millis(50)); // the server has read it
        reset_on_close(&stream);
        drop(stream);
    }
    // Mid-response: echo requests, never read, until the server can no longer write its
    // answers (so it stops reading and our writes would block); then read the start of an
    // answer, and reset.
    let stream = std::net::TcpStream::connect(addr).unwrap();
    stream.set_nonblocking(true).unwrap();
    let body = vec![b'x'; MAX_BODY];
    let request = [
        format!("POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {MAX_BODY}\r\n\r\n")
            .as_bytes(),
        &body,
    ]
    .concat();
    let mut written = 0usize;
    let mut stalls = 0;
    while stalls < 20 {
        assert!(written < 1 << 30, "the server never stopped reading");
        match (&stream).write(&request[written % request.len()..]) {
            Ok(n) => {
                written += n;
                stalls = 0;
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                stalls += 1;
                thread::sleep(Duration::from_millis(10));
            }
            Err(e) => panic!("{e}"),
        }
    }
    let mut start = [0; 17];
    stream.set_nonblocking(false).unwrap();
    (&stream).read_exact(&mut start).unwrap();
    assert_eq!(&start, b"HTTP/1.1 200 OK\r\n");
    reset_on_close(&stream);
    drop(stream);
    // The server serves on, and every connection's descriptor is closed.
    assert_hello(&get(addr));
    wait_until("the server has closed every connection", || fds() <= before);
    drop(runtime);
}

#[test]
#[cfg_attr(miri, ignore = "Miri cannot run epoll or sockets")]
fn a_head_over_the_bound_gets_431_and_a_malformed_one_400() {
    let _serial = serial();
    let (runtime, addr) = server(HEADER_READ_TIMEOUT);
    let before = fds();
    let mut huge = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ".to_vec();
    huge.resize(MAX_HEAD + 4096, b'a');
    let answer = raw_exchange(addr, &huge);
    assert!(
        answer.starts_with("HTTP/1.1 431 Request Header Fields Too Large\r\n"),
        "{answer:?}"
    );
    let answer = raw_exchange(addr, b"HELLO\r\n\r\n");
    assert!(
        answer.starts_with("HTTP/1.1 400 Bad Request\r\n"),
        "{answer:?}"
    );
    assert_hello(&get(addr));
    wait_until("the server has closed every connection", || fds() <= before);
    drop(runtime);
}

/// Connections open at once: 10,000 descriptors with the server's ends, half the hard limit
/// of 20,000 that this kind of machine has.
const CONNECTIONS: usize = 5000;

#[test]
#[cfg_attr(miri, ignore = "Miri cannot run epoll or sockets")]
fn five_thousand_connections_at_once_are_all_served() {
    let _serial = serial();
    let limit = fd_limit();
    if limit < 2 * CONNECTIONS as u64 + 100 {
        eprintln!("skipped: the fd limit is {limit}, below what {CONNECTIONS} connections need");
        return;
    }
    let (runtime, addr) = server(HEADER_READ_TIMEOUT);
    let before = fds();
    let request = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    let mut streams = connect_many(addr, CONNECTIONS);
    for stream in &mut streams {
        stream.write_all(request).unwrap();
    }
    // Every answer, read while all 5,000 connections are open (hyper keeps them alive).
    for stream in &mut streams {
        stream.set_read_timeout(Some(LIMIT)).unwrap();
        let mut answer = Vec::new();
        let mut chunk = [0; 512];
        while !answer.ends_with(b"Hello, world!\n") {
            let n = stream.read(&mut chunk).unwrap();
            assert!(n > 0, "closed before answering");
            answer.extend_from_slice(&chunk[..n]);
        }
        assert!(answer.starts_with(b"HTTP/1.1 200 OK\r\n"));
    }
    assert!(fds() >= before + 2 * CONNECTIONS, "not all open at once");
    drop(streams);
    wait_until("the server has closed every connection", || fds() <= before);
    drop(runtime);
}

/// The soft limit on open files.
fn fd_limit() -> u64 {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `limit` is a valid, writable rlimit for the call to fill in.
    let got = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) };
    assert_eq!(got, 0, "{}", io::Error::last_os_error());
    limit.rlim_cur
}

/// Sets the soft limit on open files.
fn set_fd_limit(soft: u64) {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `limit` is a valid, writable rlimit for the call to fill in.
    let got = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) };
    assert_eq!(got, 0, "{}", io::Error::last_os_error());
    limit.rlim_cur = soft;
    // SAFETY: `limit` is a valid rlimit; a soft limit at most the hard one needs no privilege.
    let set = unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) };
    assert_eq!(set, 0, "{}", io::Error::last_os_error());
}

/// The environment variable that tells the test binary it runs as a child.
const CHILD: &str = "CH18_CHILD_TEST";

// ANCHOR: emfile
/// Descriptors left free when the table is made nearly full.
const FREE: u64 = 16;

#[test]
#[cfg_attr(miri, ignore = "Miri cannot spawn a child process")]
fn past_the_fd_limit_accept_errors_are_survived_and_serving_resumes() {
    const TEST: &str = "tests::past_the_fd_limit_accept_errors_are_survived_and_serving_resumes";
    // The fd limit is the whole process's: the test runs again, alone, in a child.
    if std::env::var_os(CHILD).is_none() {
        let _serial = serial();
        let status = Command::new(std::env::current_exe().unwrap())
            .args([TEST, "--exact", "--nocapture", "--test-threads=1"])
            .env(CHILD, TEST)
            .status()
            .unwrap();
        assert!(status.success(), "the child process failed: {status}");
        return;
    }
    let (runtime, addr) = server(HEADER_READ_TIMEOUT);
    let old = fd_limit();
    set_fd_limit(fds() as u64 + FREE);
    // Fill the table with clients, each sending a request: the first are accepted and
    // answered; then the server's `accept` fails with EMFILE, and the rest wait in the
    // listener's queue; then our own `socket()` fails too.
    let request = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    let mut clients = Vec::new();
    let full = loop {
        assert!(
            clients.len() < 2 * FREE as usize,
            "the table does not fill up"
        );
        match std::net::TcpStream::connect(addr) {
            Ok(mut client) => {
                client.write_all(request).unwrap();
                clients.push(client);
            }
            Err(error) => break error,
        }
    };
    assert_eq!(full.raw_os_error(), Some(libc::EMFILE), "{full}");
    // Each accepted connection holds a descriptor on the server's side: with `FREE` in
    // all, more than half of them our clients', some clients cannot have been accepted.
    assert!(clients.len() as u64 > FREE / 2, "{} clients", clients.len());
    thread::sleep(Duration::from_millis(200)); // the server retries, and fails, a while
    // Descriptors come back: every client that waited is answered.
    set_fd_limit(old);
    for client in &mut clients {
        client.set_read_timeout(Some(LIMIT)).unwrap();
        let mut answer = String::new();
        client.read_to_string(&mut answer).unwrap();
        assert_hello(&answer);
    }
    assert_hello(&get(addr));
    drop(runtime);
}
// ANCHOR_END: emfile
