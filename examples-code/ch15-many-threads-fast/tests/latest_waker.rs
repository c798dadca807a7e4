//! The reactor keeps one waker per socket and direction: the latest. A future polled again
//! with another waker (moved to another task, say) must be woken through the new one (the
//! stale-waker lesson of chapter 3). Polled again with the same waker, it is not cloned again.

mod common;

use ch15_many_threads_fast::Runtime;
use ch15_many_threads_fast::net::TcpListener;
use common::{LIMIT, within};
use futures::io::AsyncRead;
use std::future::poll_fn;
use std::io::Write;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, RawWaker, RawWakerVTable, Wake, Waker};

/// A waker that counts its wakes, then wakes `then` (the main future, so it notices).
struct Counting {
    wakes: AtomicUsize,
    then: Waker,
}

impl Wake for Counting {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.wakes.fetch_add(1, Ordering::SeqCst);
        self.then.wake_by_ref();
    }
}

#[test]
#[cfg_attr(miri, ignore = "Miri supports no TCP sockets")]
fn only_the_waker_of_the_latest_poll_is_woken() {
    let (first, latest) = within(LIMIT, || {
        Runtime::new().unwrap().block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let mut client = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
            let (stream, _) = listener.accept().await.unwrap();
            let main = poll_fn(|cx| Poll::Ready(cx.waker().clone())).await;
            let counting = || {
                Arc::new(Counting {
                    wakes: AtomicUsize::new(0),
                    then: main.clone(),
                })
            };
            let (first, latest) = (counting(), counting());
            let mut buf = [0; 8];
            for waker in [&first, &latest] {
                let waker = Waker::from(Arc::clone(waker));
                let mut cx = Context::from_waker(&waker);
                let poll = Pin::new(&mut &stream).poll_read(&mut cx, &mut buf);
                assert!(poll.is_pending(), "nothing was sent yet");
            }
            client.write_all(b"x").unwrap();
            // Wait (woken through `latest`, which wakes us) until some waker was woken.
            poll_fn(|_| {
                let woken =
                    first.wakes.load(Ordering::SeqCst) + latest.wakes.load(Ordering::SeqCst);
                if woken > 0 {
                    Poll::Ready(())
                } else {
                    Poll::Pending
                }
            })
            .await;
            (
                first.wakes.load(Ordering::SeqCst),
                latest.wakes.load(Ordering::SeqCst),
            )
        })
    });
    assert_eq!((first, latest), (0, 1));
}

/// A waker that counts how often it is cloned.
static CLONES: AtomicUsize = AtomicUsize::new(0);

static VTABLE: RawWakerVTable = RawWakerVTable::new(
    |data| {
        CLONES.fetch_add(1, Ordering::SeqCst);
        RawWaker::new(data, &VTABLE)
    },
    |_| {},
    |_| {},
    |_| {},
);

#[test]
#[cfg_attr(miri, ignore = "Miri supports no TCP sockets")]
fn polling_again_with_the_same_waker_does_not_clone_it_again() {
    let clones = within(LIMIT, || {
        Runtime::new().unwrap().block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let _client = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
            let (stream, _) = listener.accept().await.unwrap();
            // SAFETY: the vtable's functions never touch the data pointer (null), and
            // `clone` returns a RawWaker with the same vtable: the RawWaker contract holds.
            let waker = unsafe { Waker::from_raw(RawWaker::new(std::ptr::null(), &VTABLE)) };
            let mut cx = Context::from_waker(&waker);
            let mut buf = [0; 8];
            let before = CLONES.load(Ordering::SeqCst);
            for _ in 0..10 {
                let poll = Pin::new(&mut &stream).poll_read(&mut cx, &mut buf);
                assert!(poll.is_pending());
            }
            CLONES.load(Ordering::SeqCst) - before
        })
    });
    assert_eq!(
        clones, 1,
        "one clone kept by the reactor, then `will_wake` says it is the same"
    );
}
