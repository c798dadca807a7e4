use super::*;
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
fn every_datagram_comes_back_from_the_server() {
    assert_eq!(
        within(|| demo().unwrap()),
        [
            "client 0 got \"ping from client 0\" back from the server",
            "client 1 got \"ping from client 1\" back from the server",
            "client 2 got \"ping from client 2\" back from the server",
        ]
    );
}

#[test]
fn a_datagram_longer_than_the_buffer_is_cut_short() {
    let (len, text) = within(|| {
        Runtime::new().unwrap().block_on(async {
            let receiver = UdpSocket::bind("127.0.0.1:0").await.unwrap();
            let sender = UdpSocket::bind("127.0.0.1:0").await.unwrap();
            let to = receiver.local_addr().unwrap();
            sender.send_to(b"0123456789", to).await.unwrap();
            let mut buf = [0; 4];
            let (len, _) = receiver.recv_from(&mut buf).await.unwrap();
            (len, buf)
        })
    });
    assert_eq!((len, &text), (4, b"0123"));
}

#[test]
fn main_runs() {
    within(|| main().unwrap());
}
