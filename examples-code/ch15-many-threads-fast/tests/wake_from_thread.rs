//! A task waiting to read is woken when the data arrives, whoever sends it: here a plain
//! `std` client on another thread, after a delay.

mod common;

use ch15_many_threads_fast::Runtime;
use ch15_many_threads_fast::net::TcpListener;
use common::{LIMIT, within};
use std::io::Write;
use std::thread;
use std::time::{Duration, Instant};

const DELAY: Duration = Duration::from_millis(150);

#[test]
#[cfg_attr(miri, ignore = "Miri supports no TCP sockets")]
fn a_task_waiting_to_read_is_woken_by_data_from_another_threads_client() {
    let (data, waited) = within(LIMIT, || {
        Runtime::new().unwrap().block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let (connected, ready) = std::sync::mpsc::channel();
            let sender = thread::spawn(move || {
                let mut client = std::net::TcpStream::connect(addr).unwrap();
                ready.recv().unwrap();
                thread::sleep(DELAY);
                client.write_all(b"from another thread").unwrap();
                client
            });
            let (stream, _) = listener.accept().await.unwrap();
            let start = Instant::now();
            connected.send(()).unwrap();
            let mut buf = [0; 64];
            let n = ch15_many_threads_fast::spawn(async move {
                let n = stream.read(&mut buf).await.unwrap();
                buf[..n].to_vec()
            })
            .await
            .unwrap();
            let waited = start.elapsed();
            drop(sender.join().unwrap());
            (n, waited)
        })
    });
    assert_eq!(data, b"from another thread");
    assert!(
        waited >= DELAY,
        "woken after {waited:?}, before the data was sent"
    );
}
