//! Writing to a connection the peer has closed fails with an `io::Error`; it never raises
//! `SIGPIPE`, whose default action kills the process. Rust programs start with `SIGPIPE`
//! ignored, but a library cannot count on that (a Rust library called from C, a program built
//! with `-Zon-broken-pipe=kill`), so these tests put the default action back, in a child
//! process, and write.

mod common;

use ch15_many_threads_fast::Runtime;
use ch15_many_threads_fast::net::{TcpListener, TcpStream};
use common::{LIMIT, is_child, run_in_child, within};
use futures::io::AsyncWriteExt;
use std::io::{self, IoSlice, Write};
use std::os::unix::process::ExitStatusExt;

/// Puts back the default action of `SIGPIPE`: terminate the process.
fn sigpipe_kills() {
    // SAFETY: SIG_DFL is a valid disposition for SIGPIPE; no handler code is installed.
    let old = unsafe { libc::signal(libc::SIGPIPE, libc::SIG_DFL) };
    assert_ne!(old, libc::SIG_ERR);
}

/// Writes `chunk` until the write fails (the first write after the peer's close is
/// accepted, and answered with a reset); gives up after 1,000 writes.
async fn write_until_error(stream: &TcpStream, vectored: bool) -> io::Error {
    let chunk = [7u8; 1024];
    for _ in 0..1_000 {
        let result = if vectored {
            // futures' write_vectored: our AsyncWrite has no poll_write_vectored of its own,
            // so this goes through poll_write, a `send` with MSG_NOSIGNAL.
            let mut writer = stream;
            writer.write_vectored(&[IoSlice::new(&chunk)]).await
        } else {
            stream.write(&chunk).await
        };
        if let Err(error) = result {
            return error;
        }
    }
    panic!("1,000 writes to a closed peer all succeeded");
}

const TEST: &str = "writing_to_a_closed_peer_is_an_error_not_a_sigpipe";

#[test]
#[cfg_attr(miri, ignore = "Miri cannot spawn a child process")]
fn writing_to_a_closed_peer_is_an_error_not_a_sigpipe() {
    if !is_child(TEST) {
        let status = run_in_child(TEST);
        assert!(status.success(), "the child process failed: {status}");
        return;
    }
    sigpipe_kills();
    let errors = within(LIMIT, || {
        Runtime::new().unwrap().block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let mut errors = Vec::new();
            for vectored in [false, true] {
                let stream = TcpStream::connect(addr).await.unwrap();
                let (accepted, _) = listener.accept().await.unwrap();
                drop(accepted); // the peer closes
                errors.push(write_until_error(&stream, vectored).await);
            }
            errors
        })
    });
    for error in errors {
        assert!(
            matches!(
                error.kind(),
                io::ErrorKind::BrokenPipe | io::ErrorKind::ConnectionReset
            ),
            "{error}"
        );
    }
}

const STD_TEST: &str = "std_write_vectored_to_a_closed_peer_is_killed_by_sigpipe";

/// Why the runtime does not forward `poll_write_vectored` to `std`: std's `write` sends with
/// `MSG_NOSIGNAL`, but its `write_vectored` is a plain `writev`, which raises `SIGPIPE`.
#[test]
#[cfg_attr(miri, ignore = "Miri cannot spawn a child process")]
fn std_write_vectored_to_a_closed_peer_is_killed_by_sigpipe() {
    if !is_child(STD_TEST) {
        let status = run_in_child(STD_TEST);
        assert_eq!(status.signal(), Some(libc::SIGPIPE), "{status}");
        return;
    }
    sigpipe_kills();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let mut client = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    drop(listener.accept().unwrap()); // the peer closes
    let chunk = [7u8; 1024];
    for _ in 0..1_000 {
        // Only the first one can succeed; the second raises SIGPIPE and ends the process.
        let _ = client.write_vectored(&[IoSlice::new(&chunk)]);
    }
    // Not reached when SIGPIPE kills the process: the parent then sees the signal.
}
