//! hyper, through `ch18_real_software::compat`, on every runtime of the comparison: each
//! server in a process of its own (this crate's binary, `serve KEY 0`), asked by hyper's
//! client on chapter 14's one-thread runtime and by `curl`, every answer checked. Speed is
//! never looked at.

use ch14_making_it_fast::net::TcpStream;
use ch14_making_it_fast::{Runtime, spawn};
use ch18_real_software::compat::HyperIo;
use ch18_real_software::hello;
use http_bench::servers::SERVERS;
use hyper::{Method, StatusCode};
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};

/// A server of this crate in a child process, killed on drop.
struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Server {
    fn start(key: &str) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_http-bench"))
            .args(["serve", key, "0"])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line
            .trim()
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("{key}: {line:?}"))
            .parse()
            .unwrap();
        Server { child, addr }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Asks `requests` `GET /` over `connections` connections at once with hyper's client on
/// chapter 14's runtime; returns how many answers were "200 Hello, world!".
fn ask_with_hyper(addr: SocketAddr, connections: usize, requests: usize) -> usize {
    let runtime = Runtime::new().unwrap();
    runtime.block_on(async move {
        let clients: Vec<_> = (0..connections)
            .map(|_| {
                spawn(async move {
                    let stream = TcpStream::connect(addr).await.unwrap();
                    let (mut sender, connection) =
                        hyper::client::conn::http1::handshake(HyperIo::new(stream))
                            .await
                            .unwrap();
                    spawn(connection);
                    let mut good = 0;
                    for _ in 0..requests / connections {
                        let (status, body) = hello::ask(&mut sender, Method::GET, "/", b"")
                            .await
                            .unwrap();
                        if status == StatusCode::OK && &body[..] == b"Hello, world!\n" {
                            good += 1;
                        }
                    }
                    good
                })
            })
            .collect();
        let mut good = 0;
        for client in clients {
            good += client.await.unwrap();
        }
        good
    })
}

#[test]
#[cfg_attr(miri, ignore = "Miri cannot run epoll or sockets")]
fn hyper_is_served_and_asked_on_chapter_14s_one_thread_runtime() {
    let server = Server::start("ch14");
    assert_eq!(ask_with_hyper(server.addr, 4, 200), 200);
    // The echo and the missing page, on chapter 14's runtime too.
    let runtime = Runtime::new().unwrap();
    runtime.block_on(async {
        let stream = TcpStream::connect(server.addr).await.unwrap();
        let (mut sender, connection) = hyper::client::conn::http1::handshake(HyperIo::new(stream))
            .await
            .unwrap();
        spawn(connection);
        let echo = hello::ask(&mut sender, Method::POST, "/echo", b"one thread")
            .await
            .unwrap();
        assert_eq!((echo.0, &echo.1[..]), (StatusCode::OK, &b"one thread"[..]));
        let missing = hello::ask(&mut sender, Method::GET, "/nope", b"")
            .await
            .unwrap();
        assert_eq!(missing.0, StatusCode::NOT_FOUND);
    });
}

/// `curl` with `count` URLs: one process, one connection kept alive; each answer's body
/// and then its status on a line.
fn ask_with_curl(addr: SocketAddr, count: usize) -> Option<String> {
    let url = format!("http://{addr}/");
    let out = Command::new("curl")
        .args(["--silent", "--show-error", "--write-out", "%{http_code}\\n"])
        .args(std::iter::repeat_n(url.as_str(), count))
        .output()
        .ok()?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8(out.stdout).unwrap())
}

#[test]
#[cfg_attr(miri, ignore = "Miri cannot run epoll or sockets")]
fn every_server_answers_hyper_s_client_and_curl_every_answer_checked() {
    let curl = Command::new("curl").arg("--version").output().is_ok();
    if !curl {
        eprintln!("curl is not installed: the curl half of this test is skipped");
    }
    for server in SERVERS {
        let process = Server::start(server.key);
        assert_eq!(
            ask_with_hyper(process.addr, 4, 200),
            200,
            "{}: hyper's client",
            server.key
        );
        if curl {
            let answers = ask_with_curl(process.addr, 100).unwrap();
            assert_eq!(
                answers,
                "Hello, world!\n200\n".repeat(100),
                "{}: curl",
                server.key
            );
        }
    }
}
