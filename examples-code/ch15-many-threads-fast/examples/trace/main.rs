//! Records what the scheduler does in four small programs and writes each as a Chrome Trace
//! Event file (open it at <https://ui.perfetto.dev> or in `chrome://tracing`): a ping-pong
//! pair with the LIFO slot and without it, a task that spawns busy tasks that the other
//! worker steals, and a plain thread that wakes a task and waits for its answer. Prints a
//! summary of each; given a directory, writes the four files there. Needs the `trace`
//! feature:
//!
//! ```text
//! cargo run --release -p ch15-many-threads-fast --features trace --example trace -- examples-code/ch15-many-threads-fast/traces
//! ```
// xtask: numbers-vary

use ch15_many_threads_fast::trace::{self, Event, Queue, Trace};
use ch15_many_threads_fast::{Runtime, spawn};
use futures::StreamExt;
use futures::channel::mpsc;
use futures::task::AtomicWaker;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::Poll;
use std::thread;
use std::time::{Duration, Instant};

// ANCHOR: record
/// Runs `work` on a fresh two-worker runtime (built as `configure` says) while recording,
/// once every worker sleeps; returns the trace.
fn record(
    configure: impl FnOnce(&mut ch15_many_threads_fast::Builder),
    work: impl FnOnce(&Runtime),
) -> Trace {
    let mut builder = Runtime::builder();
    builder.worker_threads(2);
    configure(&mut builder);
    let runtime = builder.build().expect("cannot build the runtime");
    while runtime.handle().idle_counts() != (0, 0) {
        thread::sleep(Duration::from_millis(1));
    }
    trace::start();
    work(&runtime);
    let trace = trace::finish();
    drop(runtime);
    trace
}
// ANCHOR_END: record

/// Two tasks that bounce a number `rounds` times over two channels.
fn ping_pong(runtime: &Runtime, rounds: usize) {
    runtime.block_on(async move {
        let (to_pong, mut pong_inbox) = mpsc::unbounded::<usize>();
        let (to_ping, mut ping_inbox) = mpsc::unbounded::<usize>();
        let pong = spawn(async move {
            while let Some(n) = pong_inbox.next().await {
                if to_ping.unbounded_send(n).is_err() {
                    break;
                }
            }
        });
        let ping = spawn(async move {
            for n in 0..rounds {
                to_pong.unbounded_send(n).expect("pong is alive");
                assert_eq!(ping_inbox.next().await, Some(n));
            }
        });
        ping.await.expect("ping");
        pong.await.expect("pong");
    });
}

/// One task spawns `tasks` tasks that each keep their worker busy for `busy`: they land on
/// its worker, and the other worker, woken by the spawns, steals half of them.
fn spawn_many(runtime: &Runtime, tasks: usize, busy: Duration) {
    runtime.block_on(async move {
        spawn(async move {
            let handles: Vec<_> = (0..tasks)
                .map(|_| {
                    spawn(async move {
                        let start = Instant::now();
                        while start.elapsed() < busy {
                            std::hint::spin_loop();
                        }
                    })
                })
                .collect();
            for handle in handles {
                handle.await.expect("a busy task");
            }
        })
        .await
        .expect("the spawner");
    });
}

/// A plain thread wakes a task `rounds` times and each time waits (parked) until the task's
/// poll has seen the wake and unparked it: the external-wake round trip.
fn ext_round_trip(runtime: &Runtime, rounds: u64) {
    struct Shared {
        sent: AtomicU64,
        seen: AtomicU64,
        waker: AtomicWaker,
        thread: thread::Thread,
    }
    let shared = Arc::new(Shared {
        sent: AtomicU64::new(0),
        seen: AtomicU64::new(0),
        waker: AtomicWaker::new(),
        thread: thread::current(),
    });
    let task_side = Arc::clone(&shared);
    let task = runtime.spawn(futures::future::poll_fn(move |cx| {
        task_side.waker.register(cx.waker());
        let sent = task_side.sent.load(Ordering::Acquire);
        task_side.seen.store(sent, Ordering::Release);
        task_side.thread.unpark();
        if sent == rounds {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }));
    trace::name_thread(|| "waking thread".to_string());
    for n in 1..=rounds {
        // Wait until the task has seen the previous wake (and every worker sleeps again).
        while shared.seen.load(Ordering::Acquire) != n - 1 {
            thread::park();
        }
        thread::sleep(Duration::from_micros(200));
        shared.sent.store(n, Ordering::Release);
        shared.waker.wake();
    }
    futures::executor::block_on(task).expect("the task");
}

/// What a trace holds, in a few counts.
fn summary(name: &str, trace: &Trace) -> String {
    let count = |f: &dyn Fn(&Event) -> bool| trace.count(f);
    // Both workers, always: a worker that recorded nothing is not among `trace.threads`.
    let polls_by_worker: Vec<String> = (0..2)
        .map(|i| {
            let name = format!("worker {i}");
            let polls = trace
                .records
                .iter()
                .filter(|r| matches!(r.event, Event::PollStart { .. }))
                .filter(|r| trace.threads.contains(&(r.thread, name.clone())))
                .count();
            format!("{name}: {polls}")
        })
        .collect();
    format!(
        "{name}: {} events; polls ({}); pushes to the LIFO slot {}, to a local queue {}, to \
         the injector {}; steals {}; parks {}; unparks {}; epoll_waits {}",
        trace.records.len(),
        polls_by_worker.join(", "),
        count(&|e| matches!(
            e,
            Event::Push {
                queue: Queue::Lifo,
                ..
            }
        )),
        count(&|e| matches!(
            e,
            Event::Push {
                queue: Queue::Local,
                ..
            }
        )),
        count(&|e| matches!(
            e,
            Event::Push {
                queue: Queue::Injector,
                ..
            }
        )),
        count(&|e| matches!(e, Event::Steal { .. })),
        count(&|e| matches!(e, Event::Park)),
        count(&|e| matches!(e, Event::Unpark { .. })),
        count(&|e| matches!(e, Event::EpollWait { .. })),
    )
}

/// Records the four traces; writes them into `dir` if given.
fn record_all(dir: Option<&Path>) -> Vec<(&'static str, Trace)> {
    let traces = vec![
        (
            "ping_pong_lifo",
            record(|_| {}, |runtime| ping_pong(runtime, 50)),
        ),
        (
            "ping_pong_no_lifo",
            record(
                |builder| {
                    builder.disable_lifo_slot();
                },
                |runtime| ping_pong(runtime, 50),
            ),
        ),
        (
            "spawn_many",
            record(
                |_| {},
                |runtime| spawn_many(runtime, 32, Duration::from_micros(50)),
            ),
        ),
        (
            "ext_round_trip",
            record(|_| {}, |runtime| ext_round_trip(runtime, 20)),
        ),
    ];
    if let Some(dir) = dir {
        std::fs::create_dir_all(dir).expect("cannot create the directory");
        for (name, trace) in &traces {
            let path = dir.join(format!("{name}.json"));
            std::fs::write(&path, trace.to_chrome_json()).expect("cannot write a trace");
        }
    }
    traces
}

fn main() {
    let dir = std::env::args().nth(1);
    for (name, trace) in record_all(dir.as_deref().map(Path::new)) {
        println!("{}", summary(name, &trace));
    }
    if let Some(dir) = dir {
        println!("wrote {dir}/{{ping_pong_lifo,ping_pong_no_lifo,spawn_many,ext_round_trip}}.json");
    }
}

#[cfg(test)]
mod tests;
