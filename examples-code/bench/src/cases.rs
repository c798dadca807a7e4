//! The seven cases, each written once for every runtime. Each function is one measured run:
//! it builds nothing and times only what happens inside `block_on`.

use crate::{Exec, Net, Timers, YieldNow};
use futures::channel::mpsc;
use futures::task::AtomicWaker;
use futures::{StreamExt, future};
use std::hint::black_box;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::task::Poll;
use std::thread;
use std::time::{Duration, Instant};

// ANCHOR: spawn_many
/// Spawns `tasks` trivial tasks and awaits them all, `batch` at a time: chapters 6 to 9 give
/// every live task an eventfd, and the hard limit here is 20,000 open files.
pub fn spawn_many<R: Exec>(runtime: &R::Runtime, tasks: usize, batch: usize) -> Duration {
    R::block_on(runtime, async move {
        let start = Instant::now();
        let mut handles = Vec::with_capacity(batch);
        let mut left = tasks;
        while left > 0 {
            let now = left.min(batch);
            for i in 0..now {
                handles.push(R::spawn(async move { black_box(i) }));
            }
            for handle in handles.drain(..) {
                black_box(handle.await);
            }
            left -= now;
        }
        start.elapsed()
    })
}
// ANCHOR_END: spawn_many

// ANCHOR: yield_many
/// One task yields `yields` times: each time it wakes itself and returns `Pending`.
pub fn yield_many<R: Exec>(runtime: &R::Runtime, yields: usize) -> Duration {
    R::block_on(runtime, async move {
        let start = Instant::now();
        R::spawn(async move {
            for _ in 0..yields {
                YieldNow::default().await;
            }
        })
        .await;
        start.elapsed()
    })
}
// ANCHOR_END: yield_many

// ANCHOR: ping_pong
/// Two tasks bounce a number `rounds` times over two `futures::channel::mpsc` channels.
/// Returns the whole time and each round trip's, in nanoseconds.
pub fn ping_pong<R: Exec>(runtime: &R::Runtime, rounds: usize) -> (Duration, Vec<u32>) {
    R::block_on(runtime, async move {
        let (to_pong, mut pong_inbox) = mpsc::unbounded::<usize>();
        let (to_ping, mut ping_inbox) = mpsc::unbounded::<usize>();
        let pong = R::spawn(async move {
            while let Some(n) = pong_inbox.next().await {
                if to_ping.unbounded_send(n).is_err() {
                    break;
                }
            }
        });
        let ping = R::spawn(async move {
            let mut each = Vec::with_capacity(rounds);
            let start = Instant::now();
            for n in 0..rounds {
                let sent = Instant::now();
                to_pong.unbounded_send(n).expect("pong is alive");
                let back = ping_inbox.next().await.expect("pong answers");
                assert_eq!(back, n);
                each.push(sent.elapsed().as_nanos().min(u32::MAX as u128) as u32);
            }
            (start.elapsed(), each)
        });
        let result = ping.await;
        pong.await;
        result
    })
}
// ANCHOR_END: ping_pong

/// A fixed-seed xorshift generator: the same sleeps for every runtime, no dependency.
pub struct Xorshift(pub u64);

impl Xorshift {
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

// ANCHOR: timers
/// `tasks` tasks each sleep a random 0..=`max` (fixed seed). Returns the time until the last
/// woke, and how late each one woke.
pub fn timers<R: Timers>(
    runtime: &R::Runtime,
    tasks: usize,
    max: Duration,
) -> (Duration, Vec<Duration>) {
    R::block_on(runtime, async move {
        let mut random = Xorshift(0x2545_f491_4f6c_dd1d);
        let start = Instant::now();
        let handles: Vec<_> = (0..tasks)
            .map(|_| {
                let sleep = Duration::from_micros(random.next_u64() % (max.as_micros() as u64 + 1));
                R::spawn(async move {
                    let asleep = Instant::now();
                    R::sleep(sleep).await;
                    asleep.elapsed().saturating_sub(sleep)
                })
            })
            .collect();
        let mut lateness = Vec::with_capacity(tasks);
        for handle in handles {
            lateness.push(handle.await);
        }
        (start.elapsed(), lateness)
    })
}
// ANCHOR_END: timers

// ANCHOR: tcp_echo
/// `connections` clients on 127.0.0.1 each make `rounds` round trips of 64 bytes through an
/// echo server, all on the same runtime. Returns the time from the first connect to the end.
pub fn tcp_echo<R: Net>(runtime: &R::Runtime, connections: usize, rounds: usize) -> Duration {
    R::block_on(runtime, async move {
        let listener = R::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .expect("bind");
        let addr = R::local_addr(&listener).expect("local_addr");
        let server = R::spawn(async move {
            let mut echoes = Vec::with_capacity(connections);
            for _ in 0..connections {
                let mut stream = R::accept(&listener).await.expect("accept");
                echoes.push(R::spawn(async move {
                    let mut buf = [0u8; 64];
                    for _ in 0..rounds {
                        R::read_exact(&mut stream, &mut buf).await.expect("read");
                        R::write_all(&mut stream, &buf).await.expect("write");
                    }
                }));
            }
            for echo in echoes {
                echo.await;
            }
        });
        let start = Instant::now();
        let clients: Vec<_> = (0..connections)
            .map(|client| {
                R::spawn(async move {
                    let mut stream = R::connect(addr).await.expect("connect");
                    let message = [client as u8; 64];
                    let mut buf = [0u8; 64];
                    for _ in 0..rounds {
                        R::write_all(&mut stream, &message).await.expect("write");
                        R::read_exact(&mut stream, &mut buf).await.expect("read");
                        assert_eq!(buf, message, "the echo is the message");
                    }
                })
            })
            .collect();
        for client in clients {
            client.await;
        }
        server.await;
        start.elapsed()
    })
}
// ANCHOR_END: tcp_echo

// ANCHOR: ext_wake
/// A plain `std` thread wakes a task `wakes` times. Each wake waits until the task has been
/// polled after the previous one, so every wake finds the runtime asleep and must wake it.
pub fn ext_wake<R: Exec>(runtime: &R::Runtime, wakes: u64) -> Duration {
    struct Shared {
        sent: AtomicU64,
        seen: AtomicU64,
        waker: AtomicWaker,
    }
    let shared = Arc::new(Shared {
        sent: AtomicU64::new(0),
        seen: AtomicU64::new(u64::MAX),
        waker: AtomicWaker::new(),
    });
    R::block_on(runtime, async move {
        let task_side = shared.clone();
        let task = R::spawn(future::poll_fn(move |cx| {
            task_side.waker.register(cx.waker());
            let sent = task_side.sent.load(Ordering::Acquire);
            task_side.seen.store(sent, Ordering::Release);
            if sent == wakes {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        }));
        let start = Instant::now();
        let waker_thread = thread::spawn(move || {
            for n in 1..=wakes {
                while shared.seen.load(Ordering::Acquire) != n - 1 {
                    thread::yield_now();
                }
                shared.sent.store(n, Ordering::Release);
                shared.waker.wake();
            }
        });
        task.await;
        let elapsed = start.elapsed();
        waker_thread.join().expect("the waking thread");
        elapsed
    })
}
// ANCHOR_END: ext_wake

// ANCHOR: memory
/// Spawns `tasks` tasks that stay pending and returns how much the resident set grew, in
/// bytes, once all of them have been polled once (their handles kept, as a program would).
pub fn memory<R: Exec>(runtime: &R::Runtime, tasks: usize) -> i64 {
    R::block_on(runtime, async move {
        let polled = Arc::new(AtomicUsize::new(0));
        let before = crate::harness::resident_bytes();
        let mut handles = Vec::with_capacity(tasks);
        for _ in 0..tasks {
            let polled = polled.clone();
            handles.push(R::spawn(async move {
                polled.fetch_add(1, Ordering::Relaxed);
                future::pending::<()>().await;
            }));
        }
        while polled.load(Ordering::Relaxed) < tasks {
            YieldNow::default().await;
        }
        let after = crate::harness::resident_bytes();
        black_box(&handles);
        after - before
    })
}
// ANCHOR_END: memory
