//! Records chapter 14's runtime at work (the `trace` feature): two tasks that yield, and a
//! task woken from a plain thread, while the runtime looks at the OS every 61 polls. Prints
//! what the recording holds; with `--write FILE`, writes it as Chrome Trace Event JSON, the
//! file chapter 14's timeline is drawn from (open it in <https://ui.perfetto.dev> too).
// xtask: numbers-vary

use ch14_making_it_fast::trace::{self, Event, Queue, Trace};
use ch14_making_it_fast::{Runtime, spawn, yield_now};
use futures::channel::oneshot;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// Yields of each of the two busy tasks.
const YIELDS: u32 = 150;

// ANCHOR: record
/// Runs the workload with the recorder on, and returns the recording: two tasks that each
/// work two microseconds and yield, `yields` times, and a third task that a plain thread
/// wakes while they are busy. The recorder is one per process, so recordings take turns (the
/// tests run several at once).
fn record(yields: u32) -> Trace {
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let runtime = Runtime::new().expect("cannot create the runtime");
    trace::start();
    runtime.block_on(async move {
        let (send, receive) = oneshot::channel();
        // A plain thread that spins (no system call, so the recording shows the runtime's
        // work alone) until the busy tasks have started, then a while more, then wakes the
        // third task: a wake from outside, while the runtime is busy.
        let started = Arc::new(AtomicBool::new(false));
        let waker = {
            let started = Arc::clone(&started);
            thread::spawn(move || {
                while !started.load(Ordering::Acquire) {
                    std::hint::spin_loop();
                }
                work_for(Duration::from_micros(u64::from(yields)));
                let _ = send.send(());
            })
        };
        let busy: Vec<_> = (0..2)
            .map(|_| {
                let started = Arc::clone(&started);
                spawn(async move {
                    started.store(true, Ordering::Release);
                    for _ in 0..yields {
                        work_for(Duration::from_micros(2));
                        yield_now().await;
                    }
                })
            })
            .collect();
        let woken = spawn(async move { receive.await.is_ok() });
        for task in busy {
            task.await.unwrap();
        }
        assert!(woken.await.unwrap(), "the woken task got its message");
        waker.join().unwrap();
    });
    trace::finish()
}

/// Keeps the CPU busy for `duration`, as a task with some work to do would.
fn work_for(duration: Duration) {
    let start = Instant::now();
    while start.elapsed() < duration {
        std::hint::spin_loop();
    }
}
// ANCHOR_END: record

fn main() {
    if !trace::ENABLED {
        eprintln!("this program records only with the `trace` feature: add `--features trace`");
        std::process::exit(2);
    }
    let trace = record(YIELDS);
    let polls = trace.count(|e| matches!(e, Event::PollStart { task } if *task != trace::MAIN));
    let looks = trace.count(|e| matches!(e, Event::EpollWait { .. }));
    let injected = trace.count(|e| {
        matches!(
            e,
            Event::Push {
                queue: Queue::Injector,
                ..
            }
        )
    });
    println!("{polls} polls of tasks, {looks} epoll_wait calls, {injected} push to the injector");
    if let Some(path) = std::env::args().skip_while(|a| a != "--write").nth(1) {
        std::fs::write(&path, trace.to_chrome_json()).expect("cannot write the trace");
        println!("written to {path}");
    }
}

#[cfg(test)]
mod tests;
