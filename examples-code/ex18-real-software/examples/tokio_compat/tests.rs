use super::*;

#[test]
#[cfg_attr(miri, ignore = "Miri cannot run epoll or sockets")]
fn main_echoes_two_lines() {
    assert_eq!(
        demo().unwrap(),
        [
            "sent \"tokio's traits\", got \"tokio's traits\"",
            "sent \"on the book's runtime\", got \"on the book's runtime\"",
        ]
    );
}

#[test]
#[cfg_attr(miri, ignore = "Miri cannot run epoll or sockets")]
fn a_megabyte_comes_back_whole_and_copy_counts_every_byte() {
    let runtime = Runtime::builder().worker_threads(2).build().unwrap();
    runtime.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = spawn(async move {
            let (stream, _) = listener.accept().await.unwrap();
            tokio::io::copy(&mut TokioCompat(&stream), &mut TokioCompat(&stream)).await
        });
        let data: Vec<u8> = (0..1 << 20).map(|i| (i % 251) as u8).collect();
        let client = TcpStream::connect(addr).await.unwrap();
        // Write and read at once: a megabyte does not fit in the sockets' buffers.
        let (mut write_half, mut read_half) = (&client, &client);
        let writer = async {
            write_half.write_all(&data).await.unwrap();
            write_half.close().await.unwrap();
        };
        let reader = async {
            let mut echoed = Vec::new();
            read_half.read_to_end(&mut echoed).await.unwrap();
            echoed
        };
        let ((), echoed) = futures::join!(writer, reader);
        assert!(echoed == data, "the echo differs");
        assert_eq!(server.await.unwrap().unwrap(), 1 << 20);
    });
}

#[test]
fn a_read_fills_tokio_s_buffer_and_zeroes_it_only_once() {
    // tokio's `ReadBuf` over uninitialized memory, read twice from an in-memory reader.
    let mut memory = [std::mem::MaybeUninit::<u8>::uninit(); 16];
    let mut buf = tokio::io::ReadBuf::uninit(&mut memory);
    let mut reader = TokioCompat(futures::io::Cursor::new(&b"abcdef"[..]));
    let mut cx = Context::from_waker(std::task::Waker::noop());
    for _ in 0..2 {
        let read = tokio::io::AsyncRead::poll_read(Pin::new(&mut reader), &mut cx, &mut buf);
        assert!(matches!(read, Poll::Ready(Ok(()))));
    }
    assert_eq!(buf.filled(), b"abcdef");
    // After the first read, the whole buffer counts as initialized: the second read (which
    // found the end of the data) zeroed nothing.
    assert_eq!(buf.initialized().len(), 16);
}
