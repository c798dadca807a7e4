//! The external-wake round trip: a plain `std` thread wakes a task and parks until the
//! task's poll, which sees the wake, unparks it; 10,000 times. On chapter 12's runtime, on
//! chapter 15's, on chapter 15's with tokio's rule for the last searcher
//! (`Builder::always_wake_after_search`), and on tokio's multi-threaded runtime, all with two
//! workers, in seven rounds of runs taken in turn, each on a fresh runtime; then the same with
//! the whole process pinned to one CPU. Prints each round, the median and the range of the
//! ratio ours / tokio's, and where a round trip goes: per round trip, the `epoll_wait`s of
//! the runtime, its writes to the driver's eventfd, and its wakes of a worker's condvar.
// xtask: numbers-vary

use futures::task::AtomicWaker;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::Poll;
use std::thread;
use std::time::{Duration, Instant};

// ANCHOR: round_trip
/// What the waking thread and the task share.
struct Shared {
    /// The last wake sent, and the last one the task's poll saw.
    sent: AtomicU64,
    seen: AtomicU64,
    waker: AtomicWaker,
    thread: thread::Thread,
}

/// The task: each poll records the last wake it sees, and unparks the waking thread.
fn task(shared: Arc<Shared>, rounds: u64) -> impl Future<Output = ()> + Send + 'static {
    futures::future::poll_fn(move |cx| {
        shared.waker.register(cx.waker());
        let sent = shared.sent.load(Ordering::Acquire);
        if shared.seen.swap(sent, Ordering::AcqRel) != sent {
            shared.thread.unpark();
        }
        if sent == rounds {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    })
}

/// The waking thread's side: `rounds` wakes, each waited for. Returns the time per round trip.
fn wake_and_wait(shared: &Shared, rounds: u64) -> Duration {
    while shared.seen.load(Ordering::Acquire) != 0 {
        thread::park(); // the task's first poll
    }
    let start = Instant::now();
    for n in 1..=rounds {
        shared.sent.store(n, Ordering::Release);
        shared.waker.wake();
        while shared.seen.load(Ordering::Acquire) != n {
            thread::park();
        }
    }
    start.elapsed() / rounds as u32
}

fn shared() -> Arc<Shared> {
    Arc::new(Shared {
        sent: AtomicU64::new(0),
        seen: AtomicU64::new(u64::MAX),
        waker: AtomicWaker::new(),
        thread: thread::current(),
    })
}

/// What a runtime did per round trip: `epoll_wait`s, writes to the driver's eventfd (to
/// wake a worker asleep in `epoll_wait`), wakes of a worker asleep on its condvar.
#[derive(Clone, Copy, Debug, Default)]
struct Trip {
    epoll_waits: f64,
    eventfd_writes: f64,
    condvar_wakes: f64,
}

/// One run on this chapter's runtime, with tokio's rule for the last searcher or not.
fn ours(rounds: u64, tokio_rule: bool) -> (Duration, Trip) {
    let mut builder = ch15_many_threads_fast::Runtime::builder();
    builder.worker_threads(2);
    if tokio_rule {
        builder.always_wake_after_search();
    }
    let runtime = builder.build().expect("cannot start the runtime");
    let shared = shared();
    let task = runtime.spawn(task(Arc::clone(&shared), rounds));
    let per_round = wake_and_wait(&shared, rounds);
    futures::executor::block_on(task).expect("the task");
    let (counts, driver) = (runtime.handle().counts(), runtime.handle().driver_counts());
    let per = |n: u64| n as f64 / rounds as f64;
    let trip = Trip {
        epoll_waits: per(driver.turns),
        eventfd_writes: per(counts.unparks_driver),
        condvar_wakes: per(counts.unparks_condvar),
    };
    (per_round, trip)
}

/// One run on chapter 12's runtime.
fn chapter_12(rounds: u64) -> (Duration, Trip) {
    let runtime = ch12_work_stealing::Runtime::builder()
        .worker_threads(2)
        .build()
        .expect("cannot start chapter 12's runtime");
    let shared = shared();
    let task = runtime.spawn(task(Arc::clone(&shared), rounds));
    let per_round = wake_and_wait(&shared, rounds);
    futures::executor::block_on(task).expect("the task");
    let (counts, driver) = (runtime.handle().counts(), runtime.handle().driver_counts());
    let per = |n: u64| n as f64 / rounds as f64;
    let trip = Trip {
        epoll_waits: per(driver.turns),
        eventfd_writes: per(counts.driver_unparks),
        condvar_wakes: per(counts.unparks),
    };
    (per_round, trip)
}

/// One run on tokio's multi-threaded runtime.
fn tokio(rounds: u64) -> Duration {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .expect("cannot start tokio");
    let shared = shared();
    let task = runtime.spawn(task(Arc::clone(&shared), rounds));
    let per_round = wake_and_wait(&shared, rounds);
    runtime.block_on(task).expect("the task");
    per_round
}
// ANCHOR_END: round_trip

/// One round: a run of chapter 12's, of ours, of ours with tokio's rule, of tokio's, in
/// microseconds, and what the book's runtimes did per round trip.
#[derive(Clone, Copy, Debug)]
struct Round {
    chapter_12: f64,
    ours: f64,
    tokio_rule: f64,
    tokio: f64,
    trips: [Trip; 3],
}

/// `count` rounds, the four runs of each taken in turn.
fn rounds(count: usize, trips: u64) -> Vec<Round> {
    let micros = |d: Duration| d.as_nanos() as f64 / 1000.0;
    (0..count)
        .map(|_| {
            let (before, trip_12) = chapter_12(trips);
            let (after, trip) = ours(trips, false);
            let (with_rule, trip_rule) = ours(trips, true);
            Round {
                chapter_12: micros(before),
                ours: micros(after),
                tokio_rule: micros(with_rule),
                tokio: micros(tokio(trips)),
                trips: [trip_12, trip, trip_rule],
            }
        })
        .collect()
}

/// The median, the smallest and the largest of some ratios.
fn summary(mut ratios: Vec<f64>) -> (f64, f64, f64) {
    ratios.sort_by(f64::total_cmp);
    let n = ratios.len();
    let median = if n % 2 == 1 {
        ratios[n / 2]
    } else {
        (ratios[n / 2 - 1] + ratios[n / 2]) / 2.0
    };
    (median, ratios[0], ratios[n - 1])
}

/// Pins this process (the threads made from now on) to CPU 0.
fn pin_to_cpu_0() -> std::io::Result<()> {
    // SAFETY: a zeroed cpu_set_t is an empty set; CPU_SET writes within it; the call reads
    // the set for the size given, and 0 names the calling thread, whose mask new threads
    // inherit.
    let result = unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(0, &mut set);
        libc::sched_setaffinity(0, size_of::<libc::cpu_set_t>(), &set)
    };
    if result == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

fn report(title: &str, rounds: &[Round]) {
    println!("{title}:");
    for r in rounds {
        println!(
            "  chapter 12 {:.1} µs, ours {:.1} µs, ours with tokio's searcher rule {:.1} µs, \
             tokio {:.1} µs",
            r.chapter_12, r.ours, r.tokio_rule, r.tokio
        );
    }
    for (name, ratios) in [
        (
            "ours / tokio",
            rounds.iter().map(|r| r.ours / r.tokio).collect(),
        ),
        (
            "ours with tokio's rule / tokio",
            rounds.iter().map(|r| r.tokio_rule / r.tokio).collect(),
        ),
    ] {
        let (median, low, high) = summary(ratios);
        println!("  ratio {name}: median {median:.2}, from {low:.2} to {high:.2}");
    }
    println!("  per round trip, median of the rounds: epoll_waits, eventfd writes, condvar wakes");
    for (i, name) in ["chapter 12", "ours", "ours with tokio's rule"]
        .into_iter()
        .enumerate()
    {
        let median =
            |f: fn(&Trip) -> f64| summary(rounds.iter().map(|r| f(&r.trips[i])).collect()).0;
        println!(
            "    {name:24} {:.2}, {:.2}, {:.2}",
            median(|t| t.epoll_waits),
            median(|t| t.eventfd_writes),
            median(|t| t.condvar_wakes)
        );
    }
}

fn main() {
    let build = if cfg!(debug_assertions) {
        "debug build: add --release for figures worth comparing"
    } else {
        "release build"
    };
    println!("2 workers each, 10000 round trips per run, {build}");
    report("all CPUs", &rounds(7, 10_000));
    match pin_to_cpu_0() {
        Ok(()) => report("pinned to CPU 0", &rounds(7, 10_000)),
        Err(error) => println!("cannot pin to CPU 0: {error}"),
    }
}

#[cfg(test)]
mod tests;
