//! `time::timeout`: timers and sockets in one runtime. A read that gets nothing gives up
//! with `Elapsed`; one whose data comes in time is not cut short.

mod common;

use ch15_many_threads_fast::Runtime;
use ch15_many_threads_fast::net::{TcpListener, TcpStream};
use ch15_many_threads_fast::time::{sleep, timeout};
use common::{LIMIT, within};
use std::io::{self, Write};
use std::time::{Duration, Instant};

const GIVE_UP: Duration = Duration::from_millis(50);

#[test]
#[cfg_attr(miri, ignore = "Miri supports no TCP sockets")]
fn a_read_that_gets_no_data_times_out_with_elapsed() {
    let (result, waited) = within(LIMIT, || {
        Runtime::new().unwrap().block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let stream = TcpStream::connect(listener.local_addr().unwrap())
                .await
                .unwrap();
            let (_quiet, _) = listener.accept().await.unwrap();
            let start = Instant::now();
            let mut buf = [0; 8];
            let result = timeout(GIVE_UP, stream.read(&mut buf)).await;
            (
                result.map_err(|elapsed| elapsed.to_string()),
                start.elapsed(),
            )
        })
    });
    assert_eq!(result.unwrap_err(), "deadline has elapsed");
    assert!(waited >= GIVE_UP, "gave up after {waited:?}");
    // In time: not at the next wake for another reason, which may never come (a loaded
    // machine may be late by a second or more, never by five).
    assert!(
        waited < Duration::from_secs(5),
        "gave up only after {waited:?}"
    );
}

#[test]
#[cfg_attr(miri, ignore = "Miri supports no TCP sockets")]
fn a_read_whose_data_comes_in_time_is_not_cut_short() {
    let read = within(LIMIT, || {
        Runtime::new().unwrap().block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let address = listener.local_addr().unwrap();
            // A plain std client on a thread of its own writes after 30 ms.
            let client = std::thread::spawn(move || {
                let mut client = std::net::TcpStream::connect(address).unwrap();
                std::thread::sleep(Duration::from_millis(30));
                client.write_all(b"in time").unwrap();
                client
            });
            let (stream, _) = listener.accept().await.unwrap();
            let mut buf = [0; 16];
            let read = timeout(Duration::from_secs(5), stream.read(&mut buf)).await;
            let _client = client.join().unwrap();
            let read = read.expect("timed out").unwrap();
            buf[..read].to_vec()
        })
    });
    assert_eq!(read, b"in time");
}

#[test]
fn a_future_that_is_ready_wins_even_when_the_time_is_up() {
    let result = Runtime::new()
        .unwrap()
        .block_on(timeout(Duration::ZERO, async { 7 }));
    assert_eq!(result, Ok(7));
}

#[test]
fn a_timed_out_future_is_dropped() {
    let dropped = within(LIMIT, || {
        Runtime::new().unwrap().block_on(async {
            struct Flag(std::sync::Arc<std::sync::atomic::AtomicBool>);
            impl Drop for Flag {
                fn drop(&mut self) {
                    self.0.store(true, std::sync::atomic::Ordering::SeqCst);
                }
            }
            let dropped = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
            let flag = Flag(std::sync::Arc::clone(&dropped));
            let slow = async move {
                let _flag = flag;
                sleep(Duration::from_secs(60)).await;
            };
            assert!(timeout(Duration::from_millis(10), slow).await.is_err());
            dropped.load(std::sync::atomic::Ordering::SeqCst)
        })
    });
    assert!(dropped);
}

#[test]
fn elapsed_is_an_io_error_of_kind_timed_out() {
    let elapsed = Runtime::new()
        .unwrap()
        .block_on(timeout(Duration::ZERO, std::future::pending::<()>()))
        .unwrap_err();
    let error = io::Error::from(elapsed);
    assert_eq!(error.kind(), io::ErrorKind::TimedOut);
    assert_eq!(error.to_string(), "deadline has elapsed");
}
