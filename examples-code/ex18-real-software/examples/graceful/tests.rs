use super::*;

#[test]
#[cfg_attr(miri, ignore = "Miri cannot run epoll or sockets")]
fn the_request_in_flight_is_answered_the_idle_connection_closes_and_new_ones_are_refused() {
    assert_eq!(
        demo().unwrap(),
        [
            "the idle connection: closed, 0 bytes more",
            "the request in flight: HTTP/1.1 200 OK | twice over, then closed",
            "connections left after the grace: 0",
            "a new connection: Err(ConnectionRefused)",
        ]
    );
}

#[test]
#[cfg_attr(miri, ignore = "Miri cannot run epoll or sockets")]
fn the_idle_connection_closes_before_the_request_in_flight_is_finished() {
    let runtime = Runtime::builder().worker_threads(2).build().unwrap();
    let (addr, stop, server) = start(&runtime, Duration::from_secs(10)).unwrap();
    let mut idle = std::net::TcpStream::connect(addr).unwrap();
    let mut busy = std::net::TcpStream::connect(addr).unwrap();
    busy.write_all(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nha")
        .unwrap();
    std::thread::sleep(Duration::from_millis(500)); // the server has read it
    stop.send(()).unwrap();
    // The idle one ends while the busy one's request is still half-sent.
    idle.set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    assert_eq!(read_to_close(&mut idle).unwrap(), "");
    busy.write_all(b"lf").unwrap();
    let answer = read_to_close(&mut busy).unwrap();
    assert!(
        answer.starts_with("HTTP/1.1 200 OK\r\n") && answer.ends_with("half"),
        "{answer:?}"
    );
    assert_eq!(runtime.block_on(server).unwrap(), 0);
}

#[test]
#[cfg_attr(miri, ignore = "Miri cannot run epoll or sockets")]
fn a_request_that_never_finishes_is_left_after_the_grace_and_the_server_returns() {
    let runtime = Runtime::builder().worker_threads(2).build().unwrap();
    let (addr, stop, server) = start(&runtime, Duration::from_millis(200)).unwrap();
    let mut stuck = std::net::TcpStream::connect(addr).unwrap();
    stuck
        .write_all(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nnever done")
        .unwrap();
    std::thread::sleep(Duration::from_millis(500)); // the server has read it
    stop.send(()).unwrap();
    assert_eq!(runtime.block_on(server).unwrap(), 1);
}
