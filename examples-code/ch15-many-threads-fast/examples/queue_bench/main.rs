//! Measures the two kinds of run queue of this chapter: the book's ring of 256 slots
//! (`src/queue.rs`, tokio's design) and `crossbeam-deque`'s `Worker`/`Stealer`. First the
//! queues alone: push and pop on one thread, then the same with a thief stealing half of the
//! queue all the while on another thread. Then four small programs on a two-worker runtime
//! with each kind, as tokio's own scheduler benchmarks do: many spawns, many yields,
//! ping-pong between pairs of tasks, a chain of spawns. Prints the time per operation, the
//! best of a few runs.
// xtask: numbers-vary

use ch15_many_threads_fast::inject::Injector;
use ch15_many_threads_fast::scheduler::{Crossbeam, Ring, RunQueue};
use ch15_many_threads_fast::{RunQueueKind, Runtime, spawn, yield_now};
use futures::StreamExt;
use futures::channel::mpsc;
use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant};

/// How many workers the runtimes have: this book's machine has two CPUs.
const WORKERS: usize = 2;
/// Each figure is the best of this many runs.
const RUNS: usize = 3;

/// The sizes of the benchmarks: `main` uses `FULL`, the tests a smaller one.
#[derive(Clone, Copy)]
struct Sizes {
    push_pop: u64,
    spawn_many: u64,
    yield_tasks: u64,
    yields: u64,
    pairs: u64,
    hops: u64,
    chain: u64,
}

const FULL: Sizes = Sizes {
    push_pop: 500_000,
    spawn_many: 50_000,
    yield_tasks: 100,
    yields: 500,
    pairs: 50,
    hops: 500,
    chain: 10_000,
};

// ANCHOR: push_pop
/// Push one item onto a worker's own queue and pop it again, `n` times, on one thread: the
/// cost of the queue itself, with nobody else touching it.
fn push_pop<Q: RunQueue<u64>>(n: u64) -> u64 {
    let (mut local, _stealer) = Q::new();
    let injector = Injector::new();
    let mut sum = 0;
    for i in 0..n {
        Q::push(&mut local, i, &injector);
        sum += Q::pop(&mut local).expect("just pushed");
    }
    sum
}

/// The same, in bursts of 64 pushes then 64 pops, while a thief on another thread steals
/// half of the queue as often as it can (and gives back nothing: it counts what it took).
/// Returns the sum of all items, the owner's and the thief's, and how many the thief took.
fn push_pop_stolen<Q: RunQueue<u64>>(n: u64) -> (u64, u64) {
    let (mut local, stealer) = Q::new();
    let injector = Injector::new();
    let stop = Arc::new(AtomicBool::new(false));
    let stolen = Arc::new(AtomicU64::new(0));
    let thief = thread::spawn({
        let (stop, stolen) = (Arc::clone(&stop), Arc::clone(&stolen));
        move || {
            let (mut mine, _) = Q::new();
            let (mut sum, mut count) = (0, 0);
            while !stop.load(Ordering::Relaxed) {
                if let Some((item, _)) = Q::steal_half(&stealer, &mut mine) {
                    sum += item;
                    count += 1;
                    while let Some(item) = Q::pop(&mut mine) {
                        sum += item;
                        count += 1;
                    }
                }
            }
            stolen.store(count, Ordering::Relaxed);
            sum
        }
    });
    let mut sum = 0;
    let mut i = 0;
    while i < n {
        let burst = 64.min(n - i);
        for _ in 0..burst {
            Q::push(&mut local, i, &injector);
            i += 1;
        }
        while let Some(item) = Q::pop(&mut local) {
            sum += item;
        }
    }
    stop.store(true, Ordering::Relaxed);
    sum += thief.join().expect("the thief");
    sum += injector.close().into_iter().sum::<u64>();
    (sum, stolen.load(Ordering::Relaxed))
}
// ANCHOR_END: push_pop

fn runtime(kind: RunQueueKind) -> Runtime {
    Runtime::builder()
        .worker_threads(WORKERS)
        .run_queues(kind)
        .build()
        .expect("cannot start the workers")
}

// ANCHOR: benchmarks
/// A task spawns `n` tasks (onto its own worker's queue) and awaits them all. Each
/// benchmark runs inside a task (`rt.spawn`), so that its wakes and spawns come from a worker.
async fn spawn_many(n: u64) {
    let tasks: Vec<_> = (0..n).map(|i| spawn(async move { black_box(i) })).collect();
    for task in tasks {
        task.await.unwrap();
    }
}

/// `tasks` tasks yield `yields` times each: every yield is a wake and a push onto the
/// worker's own queue, and a pop.
async fn yield_many(tasks: u64, yields: u64) {
    let tasks: Vec<_> = (0..tasks)
        .map(|_| {
            spawn(async move {
                for _ in 0..yields {
                    yield_now().await;
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
}

/// `pairs` pairs of tasks send a message back and forth `hops` times: every hop wakes the
/// other task of the pair.
async fn ping_pong(pairs: u64, hops: u64) {
    let tasks: Vec<_> = (0..pairs)
        .map(|_| {
            let (to_pong, mut pings) = mpsc::unbounded::<u64>();
            let (to_ping, mut pongs) = mpsc::unbounded::<u64>();
            let pong = spawn(async move {
                while let Some(n) = pings.next().await {
                    to_ping.unbounded_send(n + 1).unwrap();
                }
            });
            spawn(async move {
                let mut n = 0;
                while n < hops {
                    to_pong.unbounded_send(n).unwrap();
                    n = pongs.next().await.unwrap() + 1;
                }
                drop(to_pong);
                pong.await.unwrap();
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
}

/// A task spawns a task, which spawns a task, … `n` deep; the last one's output comes back
/// up the chain through each handle.
fn chained_spawn(n: u64) -> futures::future::BoxFuture<'static, u64> {
    Box::pin(async move {
        if n == 0 {
            return 0;
        }
        spawn(chained_spawn(n - 1)).await.unwrap() + 1
    })
}
// ANCHOR_END: benchmarks

/// The best time per operation of `RUNS` runs of `run`, which does `ops` operations.
fn best(ops: u64, mut run: impl FnMut()) -> Duration {
    (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            run();
            start.elapsed() / ops as u32
        })
        .min()
        .unwrap()
}

/// A benchmark: its name, how many operations it does, and how to run it on a runtime.
type Benchmark<'a> = (&'static str, u64, &'a dyn Fn(&Runtime));

/// One line of the table: a benchmark on each kind of run queue, in `KINDS` order.
type Row = (&'static str, [Duration; 2]);

const KINDS: [RunQueueKind; 2] = [RunQueueKind::Ring, RunQueueKind::Crossbeam];

/// Runs every benchmark on both kinds of run queue.
fn measure(sizes: Sizes) -> Vec<Row> {
    let s = sizes;
    let mut rows: Vec<Row> = vec![
        (
            "push + pop, one thread (ns/item)",
            [
                best(s.push_pop, || {
                    black_box(push_pop::<Ring>(s.push_pop));
                }),
                best(s.push_pop, || {
                    black_box(push_pop::<Crossbeam>(s.push_pop));
                }),
            ],
        ),
        (
            "push + pop, a thief stealing (ns/item)",
            [
                best(s.push_pop, || {
                    black_box(push_pop_stolen::<Ring>(s.push_pop));
                }),
                best(s.push_pop, || {
                    black_box(push_pop_stolen::<Crossbeam>(s.push_pop));
                }),
            ],
        ),
    ];
    let benchmarks: [Benchmark; 4] = [
        ("spawn_many (ns/task)", s.spawn_many, &|rt| {
            rt.block_on(rt.spawn(spawn_many(s.spawn_many))).unwrap()
        }),
        ("yield_many (ns/yield)", s.yield_tasks * s.yields, &|rt| {
            rt.block_on(rt.spawn(yield_many(s.yield_tasks, s.yields)))
                .unwrap()
        }),
        ("ping_pong (ns/hop)", s.pairs * s.hops, &|rt| {
            rt.block_on(rt.spawn(ping_pong(s.pairs, s.hops))).unwrap()
        }),
        ("chained_spawn (ns/spawn)", s.chain, &|rt| {
            assert_eq!(
                rt.block_on(rt.spawn(chained_spawn(s.chain))).unwrap(),
                s.chain
            )
        }),
    ];
    for (name, ops, bench) in benchmarks {
        let times = KINDS.map(|kind| {
            let rt = runtime(kind);
            best(ops, || bench(&rt))
        });
        rows.push((name, times));
    }
    rows
}

// ANCHOR: main
fn main() {
    let build = if cfg!(debug_assertions) {
        "debug build: add --release for figures worth comparing"
    } else {
        "release build"
    };
    println!("{WORKERS} workers, best of {RUNS} runs, {build}");
    println!("{:<40} book's ring / crossbeam-deque", "");
    // Numbers unpadded, so that a run whose figures have more digits prints the same layout.
    for (name, times) in measure(FULL) {
        let [ring, crossbeam] = times.map(|t| t.as_nanos());
        println!("{name:<40} {ring} / {crossbeam}");
    }
}
// ANCHOR_END: main

#[cfg(test)]
mod tests;
