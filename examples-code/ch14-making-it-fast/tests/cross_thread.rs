//! The parts of this chapter that chapter 9 did not have: the injector, the `sleeping` flag
//! with its one eventfd, and the look at the OS every 61 polls. None may lose a wake or
//! starve a task.

mod common;

use ch14_making_it_fast::net::{TcpListener, TcpStream};
use ch14_making_it_fast::{Runtime, spawn, yield_now};
use common::{LIMIT, within};
use futures::io::AsyncReadExt;
use std::future::poll_fn;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Poll, Waker};
use std::thread;
use std::time::Duration;

/// A value that a task waits for and a thread sets, with the task's latest waker.
#[derive(Default)]
struct Slot {
    value: AtomicU64,
    waker: Mutex<Option<Waker>>,
}

// ANCHOR: no_lost_wake
/// Four threads each wake a task 2,000 times (25 under Miri), every wake only after the task has seen the
/// previous one, with pauses of varied length between: some wakes land while the runtime
/// runs, some while it decides to sleep, some while it sleeps. A wake lost between the
/// runtime's last look at the injector and its `epoll_wait` would hang a task for ever.
#[test]
fn wakes_from_other_threads_at_every_moment_are_never_lost() {
    // Under Miri, which checks every access of the injector and the flags for data races,
    // fewer: it interprets each instruction.
    const WAKES: u64 = if cfg!(miri) { 25 } else { 2_000 };
    // Three times the usual limit: 8,000 wakes, each answered before the next, take half a
    // second here and may take twenty on a heavily loaded machine; a lost wake hangs for ever.
    within(LIMIT * 3, || {
        Runtime::new().unwrap().block_on(async {
            let mut handles = Vec::new();
            let mut threads = Vec::new();
            for t in 0..4u64 {
                let slot = Arc::new(Slot::default());
                // Nothing seen until the task's first poll, which leaves its first waker.
                let seen = Arc::new(AtomicU64::new(u64::MAX));
                let (task_slot, task_seen) = (Arc::clone(&slot), Arc::clone(&seen));
                handles.push(spawn(poll_fn(move |cx| {
                    *task_slot.waker.lock().unwrap() = Some(cx.waker().clone());
                    let value = task_slot.value.load(Ordering::Acquire);
                    task_seen.store(value, Ordering::Release);
                    if value == WAKES {
                        Poll::Ready(())
                    } else {
                        Poll::Pending
                    }
                })));
                threads.push(thread::spawn(move || {
                    for n in 1..=WAKES {
                        while seen.load(Ordering::Acquire) != n - 1 {
                            thread::yield_now();
                        }
                        // Pauses of 0 to 40 µs, different for each thread and each wake.
                        let pause = (n * (t + 3) * 7) % 41;
                        if pause > 20 {
                            thread::sleep(Duration::from_micros(pause));
                        } else {
                            for _ in 0..pause * 50 {
                                std::hint::spin_loop();
                            }
                        }
                        slot.value.store(n, Ordering::Release);
                        let waker = slot.waker.lock().unwrap().clone();
                        waker.expect("the task left its waker").wake();
                    }
                }));
            }
            for handle in handles {
                handle.await.unwrap();
            }
            for thread in threads {
                thread.join().unwrap();
            }
        })
    });
}
// ANCHOR_END: no_lost_wake

/// A task that yields for ever keeps the local run queue from ever being empty. A task woken
/// from another thread sits in the injector meanwhile; the look at the OS every 61 polls
/// takes it in, so it runs.
#[test]
#[cfg_attr(miri, ignore = "spins until another thread's wake is seen")]
fn a_task_woken_from_another_thread_runs_even_while_another_task_never_stops_yielding() {
    let done = within(LIMIT, || {
        Runtime::new().unwrap().block_on(async {
            let stop = Arc::new(AtomicBool::new(false));
            let busy_stop = Arc::clone(&stop);
            let yields = Arc::new(AtomicU64::new(0));
            let busy_yields = Arc::clone(&yields);
            let busy = spawn(async move {
                while !busy_stop.load(Ordering::Acquire) {
                    yield_now().await;
                    busy_yields.fetch_add(1, Ordering::Relaxed);
                }
                busy_yields.load(Ordering::Relaxed)
            });
            let (sender, receiver) = futures::channel::oneshot::channel::<&str>();
            let waiter = spawn(async move {
                let message = receiver.await.unwrap();
                stop.store(true, Ordering::Release);
                message
            });
            yield_now().await; // the waiter waits, the busy task spins
            thread::spawn(move || {
                // The wake comes once the busy task is well under way, however late this
                // thread gets the CPU.
                while yields.load(Ordering::Relaxed) <= 100 {
                    thread::sleep(Duration::from_millis(1));
                }
                sender.send("from another thread").unwrap();
            });
            let message = waiter.await.unwrap();
            let yields = busy.await.unwrap();
            (message, yields)
        })
    });
    assert_eq!(done.0, "from another thread");
    assert!(
        done.1 > 100,
        "the busy task ran meanwhile ({} yields)",
        done.1
    );
}

/// The same for a socket: while one task yields for ever, a read still completes, because
/// the runtime looks at `epoll` every 61 polls even when there is work.
#[test]
#[cfg_attr(miri, ignore = "Miri supports no TCP sockets")]
fn a_read_completes_even_while_another_task_never_stops_yielding() {
    let read = within(LIMIT, || {
        Runtime::new().unwrap().block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let stop = Arc::new(AtomicBool::new(false));
            let busy_stop = Arc::clone(&stop);
            let busy = spawn(async move {
                while !busy_stop.load(Ordering::Acquire) {
                    yield_now().await;
                }
            });
            let reader = spawn(async move {
                let (mut server, _) = listener.accept().await.unwrap();
                let mut buf = [0; 5];
                server.read_exact(&mut buf).await.unwrap();
                stop.store(true, Ordering::Release);
                buf
            });
            let client = TcpStream::connect(addr).await.unwrap();
            client.write_all(b"hello").await.unwrap();
            let buf = reader.await.unwrap();
            busy.await.unwrap();
            buf
        })
    });
    assert_eq!(&read, b"hello");
}

/// The main future counts as a poll too: if it yields for ever while the task it waits for
/// sleeps, the runtime must still look at its timers. (A first version counted only the
/// polls of spawned tasks, and this test hung.)
#[test]
#[cfg_attr(
    miri,
    ignore = "Miri's clock advances with the work it interprets, so the timing this test checks does not hold"
)]
fn a_main_future_that_never_stops_yielding_still_lets_a_timer_fire() {
    let yields = within(LIMIT, || {
        Runtime::new().unwrap().block_on(async {
            let done = Arc::new(AtomicBool::new(false));
            let sleeper_done = Arc::clone(&done);
            spawn(async move {
                ch14_making_it_fast::time::sleep(Duration::from_millis(5)).await;
                sleeper_done.store(true, Ordering::Release);
            });
            let mut yields = 0u64;
            while !done.load(Ordering::Acquire) {
                yield_now().await;
                yields += 1;
            }
            yields
        })
    });
    assert!(yields > 0);
}

/// A `JoinHandle` awaited on a plain thread while its task finishes on the runtime's: the
/// task's phase (its output) crosses threads through `complete` (`Release` in `finish`, `Acquire` in
/// `poll_join`), which Miri checks for data races when it runs this test.
#[test]
fn a_join_handle_awaited_on_another_thread_gets_the_output() {
    let outputs = within(LIMIT, || {
        Runtime::new().unwrap().block_on(async {
            let (release, wait) = futures::channel::oneshot::channel::<u64>();
            let handle = spawn(async move { vec![wait.await.unwrap(); 3] });
            yield_now().await; // the task waits for `release`
            let awaiting = thread::spawn(move || futures::executor::block_on(handle));
            release.send(7).unwrap();
            // The runtime runs the task while the thread waits for its output.
            while !awaiting.is_finished() {
                yield_now().await;
            }
            awaiting.join().unwrap()
        })
    });
    assert_eq!(outputs.unwrap(), vec![7, 7, 7]);
}
