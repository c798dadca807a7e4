//! The adapters of `compat`, each alone: hyper's `Read` over a `futures::io` reader (with a
//! reader in memory, so that Miri checks the unsafe `advance`), `Write` and its shutdown, the
//! executor and the timer on the runtime.

use ch18_real_software::compat::{self, HyperExecutor, HyperIo, HyperTimer};
use ch18_real_software::net::{TcpListener, TcpStream};
use ch18_real_software::{Runtime, spawn};
use futures::io::{AsyncReadExt, Cursor};
use hyper::rt::{Executor, Read, ReadBuf, Timer, Write};
use std::future::poll_fn;
use std::mem::MaybeUninit;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

/// One `poll_read` of hyper's into a buffer of `capacity` uninitialized bytes.
fn read_once(io: &mut HyperIo<Cursor<&[u8]>>, capacity: usize) -> Vec<u8> {
    let mut memory = vec![MaybeUninit::<u8>::uninit(); capacity];
    let mut buf = ReadBuf::uninit(&mut memory);
    let mut cx = Context::from_waker(Waker::noop());
    match Pin::new(io).poll_read(&mut cx, buf.unfilled()) {
        Poll::Ready(Ok(())) => buf.filled().to_vec(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn hyper_reads_what_the_futures_reader_has_into_uninitialized_memory() {
    let mut io = HyperIo::new(Cursor::new(&b"hello, hyper"[..]));
    // A buffer smaller than what is there: it is filled, and the rest waits.
    assert_eq!(read_once(&mut io, 5), b"hello");
    assert_eq!(read_once(&mut io, 64), b", hyper");
    // End of file: nothing filled, which is how hyper's `Read` says it.
    assert_eq!(read_once(&mut io, 64), b"");
}

#[test]
#[cfg_attr(miri, ignore = "Miri cannot run epoll or sockets")]
fn hyper_writes_through_and_its_shutdown_is_an_end_of_file_for_the_peer() {
    let runtime = Runtime::builder().worker_threads(1).build().unwrap();
    runtime.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (mut server, _) = listener.accept().await.unwrap();
        let mut io = HyperIo::new(client);
        let written = poll_fn(|cx| Pin::new(&mut io).poll_write(cx, b"ping"))
            .await
            .unwrap();
        assert_eq!(written, 4);
        poll_fn(|cx| Pin::new(&mut io).poll_flush(cx))
            .await
            .unwrap();
        poll_fn(|cx| Pin::new(&mut io).poll_shutdown(cx))
            .await
            .unwrap();
        let mut got = Vec::new();
        server.read_to_end(&mut got).await.unwrap();
        assert_eq!(got, b"ping");
    });
}

#[test]
#[cfg_attr(miri, ignore = "Miri cannot run epoll or sockets")]
fn the_executor_runs_what_hyper_hands_it_as_a_task() {
    let runtime = Runtime::builder().worker_threads(2).build().unwrap();
    let (sender, receiver) = futures::channel::oneshot::channel();
    runtime.block_on(async {
        compat::executor().execute(async move {
            sender
                .send(std::thread::current().name().map(str::to_string))
                .unwrap();
        });
    });
    let ran_on = futures::executor::block_on(receiver).unwrap();
    // A task of the runtime runs on one of its workers, not on the caller's thread.
    assert_ne!(ran_on, std::thread::current().name().map(str::to_string));
    // Any spawn function will do: here one that counts.
    let count = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = count.clone();
    let executor = HyperExecutor::new(move |future| {
        counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        drop(future);
    });
    executor.execute(async {});
    executor.execute(async { 42 });
    assert_eq!(count.load(std::sync::atomic::Ordering::Relaxed), 2);
}

#[test]
#[cfg_attr(miri, ignore = "Miri cannot run epoll or timerfd")]
fn the_timer_sleeps_until_its_deadline_and_a_reset_moves_it() {
    let runtime = Runtime::builder().worker_threads(1).build().unwrap();
    runtime.block_on(async {
        let timer = compat::timer();
        let start = Instant::now();
        timer.sleep(Duration::from_millis(30)).await;
        assert!(start.elapsed() >= Duration::from_millis(30));
        // hyper moves a sleep's deadline with `reset` (its header timer does, per request).
        let mut sleep = timer.sleep_until(start + Duration::from_secs(3600));
        let later = Instant::now() + Duration::from_millis(20);
        timer.reset(&mut sleep, later);
        sleep.await;
        assert!(Instant::now() >= later);
        assert!(start.elapsed() < Duration::from_secs(60));
    });
    // The adapter takes any function from a deadline to a future: here one already over.
    let ready = HyperTimer::new(|_| std::future::ready(()));
    futures::executor::block_on(ready.sleep(Duration::from_secs(3600)));
}

#[test]
#[cfg_attr(miri, ignore = "Miri cannot run epoll or sockets")]
fn a_task_that_serves_one_connection_with_hyper_answers_hyper_s_client() {
    let runtime = Runtime::builder().worker_threads(2).build().unwrap();
    runtime.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        spawn(async move {
            let (stream, _) = listener.accept().await.unwrap();
            let builder =
                ch18_real_software::hello::builder(compat::timer(), Duration::from_secs(10));
            ch18_real_software::hello::serve_connection(&builder, compat::io(stream))
                .await
                .unwrap();
        });
        let stream = TcpStream::connect(addr).await.unwrap();
        let (mut sender, connection) = hyper::client::conn::http1::handshake(compat::io(stream))
            .await
            .unwrap();
        spawn(connection);
        let (status, body) =
            ch18_real_software::hello::ask(&mut sender, hyper::Method::GET, "/", b"")
                .await
                .unwrap();
        assert_eq!((status.as_u16(), &body[..]), (200, &b"Hello, world!\n"[..]));
    });
}
