//! Measures the three kinds of run queue: the book's `Mutex<VecDeque>`s, `crossbeam-deque`,
//! and chapter 10's one shared queue. First the queue alone (push and pop on one thread),
//! then four small programs on a two-worker runtime, as tokio's own scheduler benchmarks do:
//! many spawns, many yields, ping-pong between pairs of tasks, a chain of spawns.
//! Prints the time per operation, the best of a few runs.
// xtask: numbers-vary

use ch12_work_stealing::run_queue::{BookQueues, CrossbeamQueues, OneQueue, RunQueues};
use ch12_work_stealing::{RunQueueKind, Runtime, spawn, yield_now};
use futures::StreamExt;
use futures::channel::mpsc;
use std::hint::black_box;
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
/// Push one item on a worker's own queue and pop it again, `n` times, on one thread: the
/// cost of the queue itself, with nobody else touching it. Chapter 10's design has no queue
/// of its own: its push goes to the injector, and its pop comes from there.
fn push_pop<Q: RunQueues<u64>>(n: u64) -> u64 {
    let (mut local, _stealer) = Q::new_local();
    let injector = Q::new_injector();
    let mut sum = 0;
    for i in 0..n {
        if let Err(item) = Q::push(&mut local, i) {
            Q::inject(&injector, item);
        }
        let item = Q::pop(&mut local).or_else(|| Q::take_batch(&injector, &mut local, 1));
        sum += item.unwrap();
    }
    sum
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
type Row = (&'static str, [Duration; 3]);

const KINDS: [RunQueueKind; 3] = [
    RunQueueKind::OneQueue,
    RunQueueKind::Book,
    RunQueueKind::Crossbeam,
];

/// Runs every benchmark on every kind of run queue.
fn measure(sizes: Sizes) -> Vec<Row> {
    let s = sizes;
    let mut rows: Vec<Row> = vec![(
        "push + pop, one thread (ns/item)",
        [
            best(s.push_pop, || {
                black_box(push_pop::<OneQueue>(s.push_pop));
            }),
            best(s.push_pop, || {
                black_box(push_pop::<BookQueues>(s.push_pop));
            }),
            best(s.push_pop, || {
                black_box(push_pop::<CrossbeamQueues>(s.push_pop));
            }),
        ],
    )];
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
    println!("{:<34} one queue / book / crossbeam", "");
    // Numbers unpadded, so that a run whose figures have more digits prints the same layout.
    for (name, times) in measure(FULL) {
        let [one, book, crossbeam] = times.map(|t| t.as_nanos());
        println!("{name:<34} {one} / {book} / {crossbeam}");
    }
}
// ANCHOR_END: main

#[cfg(test)]
mod tests;
