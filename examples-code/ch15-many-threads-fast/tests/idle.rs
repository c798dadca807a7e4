//! A task that waits on a quiet connection leaves the executor asleep in `epoll_wait`.
//!
//! The connection is writable all along (its send buffer is empty). Had the runtime
//! registered it for reading *and* writing, level-triggered, every `epoll_wait` would return
//! at once to say "writable", and the executor would spin at 100 % of a CPU. It registers
//! with `EPOLLONESHOT` and arms only the direction a task waits for, so nothing is reported
//! until the data comes.

mod common;

use ch15_many_threads_fast::Runtime;
use ch15_many_threads_fast::net::TcpListener;
use common::{LIMIT, thread_cpu_time, within};
use std::future::Future;
use std::io::Write;
use std::pin::pin;
use std::task::Poll;
use std::thread;
use std::time::{Duration, Instant};

const QUIET: Duration = Duration::from_millis(300);

#[test]
#[cfg_attr(miri, ignore = "Miri supports no TCP sockets")]
fn a_read_on_a_quiet_connection_is_polled_twice_and_costs_no_cpu_while_it_waits() {
    let (polls, cpu, waited) = within(LIMIT, || {
        Runtime::new().unwrap().block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let mut client = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
            let (stream, _) = listener.accept().await.unwrap();
            let start = (Instant::now(), thread_cpu_time());
            let writer = thread::spawn(move || {
                thread::sleep(QUIET);
                client.write_all(b"at last").unwrap();
                client
            });
            let mut buf = [0; 16];
            let mut read = pin!(stream.read(&mut buf));
            let mut polls = 0;
            let n = std::future::poll_fn(|cx| {
                polls += 1;
                match read.as_mut().poll(cx) {
                    Poll::Ready(result) => Poll::Ready(result.unwrap()),
                    Poll::Pending => Poll::Pending,
                }
            })
            .await;
            assert_eq!(n, 7);
            let (waited, cpu) = (start.0.elapsed(), thread_cpu_time() - start.1);
            drop(writer.join().unwrap());
            (polls, cpu, waited)
        })
    });
    assert!(waited >= QUIET, "the read ended after {waited:?}");
    // Once, to find nothing and arm; once more, woken by the data. No spurious wakes.
    assert_eq!(polls, 2);
    // A spinning executor would use about QUIET of CPU; a sleeping one a few milliseconds.
    assert!(
        cpu < QUIET / 3,
        "the runtime's thread used {cpu:?} of CPU in {waited:?}"
    );
}
