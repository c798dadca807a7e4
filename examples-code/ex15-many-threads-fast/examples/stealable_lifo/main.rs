//! Exercise 15.2: a LIFO slot that other workers may take (`Builder::stealable_lifo_slot`),
//! against chapter 15's, which only its own worker runs. First what it fixes: a task spawns a
//! child and then blocks its worker; in an owner-only slot the child waits for the block to
//! end, in a stealable one the other worker takes it. Then what it costs: a ping-pong pair on
//! two workers, whose every message now puts a task in a slot that a sleeping worker is woken
//! to steal.
// xtask: numbers-vary

use ex15_many_threads_fast::{Runtime, spawn};
use futures::StreamExt;
use futures::channel::mpsc;
use std::sync::mpsc as std_mpsc;
use std::time::{Duration, Instant};

/// A two-worker runtime, with chapter 15's slot or a stealable one.
fn runtime(stealable: bool) -> Runtime {
    let mut builder = Runtime::builder();
    builder.worker_threads(2);
    if stealable {
        builder.stealable_lifo_slot();
    }
    builder.build().expect("cannot start the runtime")
}

// ANCHOR: blocked_parent
/// A task spawns a child, then blocks its worker until the child has run, or for `limit`
/// at most. Returns how long the child took to run, if it ran while its parent blocked.
fn child_while_parent_blocks(runtime: &Runtime, limit: Duration) -> Option<Duration> {
    runtime.block_on(async move {
        let parent = spawn(async move {
            let (ran, has_run) = std_mpsc::channel();
            let start = Instant::now();
            // Spawned during the parent's poll: the child goes into the LIFO slot.
            let child = spawn(async move {
                let _ = ran.send(start.elapsed());
            });
            // Blocks the worker, as a task that computes or calls a blocking API does.
            let waited = has_run.recv_timeout(limit).ok();
            child.await.expect("the child");
            waited
        });
        parent.await.expect("the parent")
    })
}
// ANCHOR_END: blocked_parent

// ANCHOR: wakes
/// Once the other worker sleeps, a task spawns a child (into the LIFO slot). Returns how
/// many sleeping workers the spawn woke.
fn wakes_for_a_child(runtime: &Runtime) -> u64 {
    let handle = runtime.handle().clone();
    runtime.block_on(async move {
        spawn(async move {
            // Only this task's worker is awake, and nobody searches.
            while handle.idle_counts() != (0, 1) {
                std::thread::sleep(Duration::from_millis(1));
            }
            let before = handle.counts().notifies;
            let child = spawn(async {});
            let woken = handle.counts().notifies - before;
            child.await.expect("the child");
            woken
        })
        .await
        .expect("the parent")
    })
}
// ANCHOR_END: wakes

/// `rounds` round trips between two tasks. Returns the time per round trip.
fn ping_pong(runtime: &Runtime, rounds: u32) -> Duration {
    runtime.block_on(async move {
        let (to_pong, mut pong_inbox) = mpsc::unbounded::<u32>();
        let (to_ping, mut ping_inbox) = mpsc::unbounded::<u32>();
        let pong = spawn(async move {
            while let Some(n) = pong_inbox.next().await {
                if to_ping.unbounded_send(n).is_err() {
                    break;
                }
            }
        });
        let ping = spawn(async move {
            let start = Instant::now();
            for n in 0..rounds {
                to_pong.unbounded_send(n).expect("pong is alive");
                assert_eq!(ping_inbox.next().await, Some(n));
            }
            start.elapsed() / rounds
        });
        let per_round = ping.await.expect("ping");
        pong.await.expect("pong");
        per_round
    })
}

/// What the runtime did during one run of round trips: the time per round trip, and per
/// round trip the wakes of a sleeping worker and the tasks stolen.
#[derive(Debug, Clone, Copy)]
struct PingPong {
    per_round: Duration,
    notifies: f64,
    stolen: f64,
}

/// One run of `rounds` round trips on a fresh runtime.
fn measure(stealable: bool, rounds: u32) -> PingPong {
    let runtime = runtime(stealable);
    let handle = runtime.handle().clone();
    let per_round = ping_pong(&runtime, rounds);
    drop(runtime); // the workers publish their counts as they stop
    let counts = handle.counts();
    let trips = f64::from(rounds);
    PingPong {
        per_round,
        notifies: counts.notifies as f64 / trips,
        stolen: counts.workers.stolen as f64 / trips,
    }
}

/// The middle value (the upper one of an even count).
fn median<T: Copy + PartialOrd>(values: impl Iterator<Item = T>) -> T {
    let mut values: Vec<T> = values.collect();
    values.sort_by(|a, b| a.partial_cmp(b).expect("comparable"));
    values[values.len() / 2]
}

fn main() {
    println!("a task spawns a child, then blocks its worker until the child has run:");
    // The owner-only slot's child never runs, so its limit is the time this line takes; the
    // stealable slot's returns as soon as the woken worker runs the child, however late.
    for (name, stealable, limit) in [
        ("owner-only slot", false, Duration::from_millis(500)),
        ("stealable slot", true, Duration::from_secs(10)),
    ] {
        match child_while_parent_blocks(&runtime(stealable), limit) {
            Some(after) => println!("  {name:16} the child ran after {} µs", after.as_micros()),
            None => println!("  {name:16} the child did not run in {limit:?} of blocking"),
        }
    }
    println!("a task spawns a child while the other worker sleeps: workers woken");
    for (name, stealable) in [("owner-only slot", false), ("stealable slot", true)] {
        println!("  {name:16} {}", wakes_for_a_child(&runtime(stealable)));
    }
    // Paired runs, one of each slot after the other, so that a machine that gets busier or
    // quieter during the runs shifts both sides of a pair alike.
    let (rounds, pairs) = (20_000, 7);
    println!("ping-pong on two workers, {rounds} round trips, {pairs} paired runs (medians):");
    let runs: Vec<[PingPong; 2]> = (0..pairs)
        .map(|_| [measure(false, rounds), measure(true, rounds)])
        .collect();
    for (side, name) in ["owner-only slot", "stealable slot"]
        .into_iter()
        .enumerate()
    {
        println!(
            "  {name:16} {:>5} ns per round trip, {:.3} wakes of a sleeping worker and {:.3} \
             tasks stolen per round trip",
            median(runs.iter().map(|pair| pair[side].per_round)).as_nanos(),
            median(runs.iter().map(|pair| pair[side].notifies)),
            median(runs.iter().map(|pair| pair[side].stolen)),
        );
    }
    let ratios: Vec<f64> = runs
        .iter()
        .map(|[owner, stealable]| stealable.per_round.as_secs_f64() / owner.per_round.as_secs_f64())
        .collect();
    let (least, most) = ratios
        .iter()
        .fold((f64::INFINITY, 0.0_f64), |(l, m), &r| (l.min(r), m.max(r)));
    println!(
        "  stealable / owner-only, per pair: median {:.2}, from {least:.2} to {most:.2}",
        median(ratios.iter().copied())
    );
}

#[cfg(test)]
mod tests;
