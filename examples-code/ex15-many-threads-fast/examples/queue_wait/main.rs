//! Exercise 15.1: how long does a woken task wait before it runs? Read it from a trace of
//! chapter 15's recorder (`--features trace`): for every poll, count the polls that the
//! worker made between the task's push onto a queue and that poll. One worker runs a
//! ping-pong pair beside eight tasks that yield in a loop, with the LIFO slot and without.
//! The counts are the same in every run: with one worker, and every task spawned before any
//! runs, the order of the polls does not depend on timing.

use ex15_many_threads_fast::trace::{self, Event, Trace};
use ex15_many_threads_fast::{Runtime, spawn, yield_now};
use futures::StreamExt;
use futures::channel::mpsc;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// Tasks that yield in a loop beside the pair.
const YIELDERS: usize = 8;

// ANCHOR: record
/// On one worker, a task spawns `YIELDERS` tasks that yield until the pair is done, then a
/// ping-pong pair of `rounds` round trips. Returns the trace and the ids of the pair's two
/// tasks.
fn record(lifo: bool, rounds: u32) -> (Trace, [u64; 2]) {
    let mut builder = Runtime::builder();
    builder.worker_threads(1);
    if !lifo {
        builder.disable_lifo_slot();
    }
    let runtime = builder.build().expect("cannot start the runtime");
    // The recorder is one per process: one recording at a time (tests run side by side).
    static RECORDING: Mutex<()> = Mutex::new(());
    let _recording = RECORDING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    trace::start();
    runtime.block_on(async move {
        // All spawned in one poll of one task: none runs before the others exist.
        let parent = spawn(async move {
            let done = Arc::new(AtomicBool::new(false));
            let yielders: Vec<_> = (0..YIELDERS)
                .map(|_| {
                    let done = Arc::clone(&done);
                    spawn(async move {
                        while !done.load(Ordering::Relaxed) {
                            yield_now().await;
                        }
                    })
                })
                .collect();
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
                for n in 0..rounds {
                    to_pong.unbounded_send(n).expect("pong is alive");
                    assert_eq!(ping_inbox.next().await, Some(n));
                }
                done.store(true, Ordering::Relaxed);
            });
            (yielders, pong, ping)
        });
        let (yielders, pong, ping) = parent.await.expect("the parent");
        ping.await.expect("ping");
        pong.await.expect("pong");
        for task in yielders {
            task.await.expect("a yielder");
        }
    });
    let trace = trace::finish();
    drop(runtime);
    // The tasks in the order of their first push: the parent, then its children in the
    // order it spawned them. The pair is the last two.
    let mut spawned: Vec<u64> = Vec::new();
    for record in &trace.records {
        if let Event::Push { task, .. } = record.event {
            if !spawned.contains(&task) {
                spawned.push(task);
            }
        }
    }
    assert_eq!(
        spawned.len(),
        1 + YIELDERS + 2,
        "the parent and its children"
    );
    (trace, [spawned[1 + YIELDERS], spawned[YIELDERS + 2]])
}
// ANCHOR_END: record

// ANCHOR: waits
/// For each poll in the trace, the polls made between the task's last push and this poll:
/// its wait in the queue, counted in polls (on one worker, the polls of that worker).
/// Returns the waits of the pair's polls and of the other tasks' polls.
fn waits(trace: &Trace, pair: [u64; 2]) -> (Vec<u64>, Vec<u64>) {
    // Polls started so far, and for each queued task, that count when it was pushed.
    let mut polls = 0;
    let mut pushed: HashMap<u64, u64> = HashMap::new();
    let (mut of_pair, mut of_others) = (Vec::new(), Vec::new());
    for record in &trace.records {
        match record.event {
            Event::Push { task, .. } => {
                pushed.insert(task, polls);
            }
            Event::PollStart { task } => {
                if let Some(at) = pushed.remove(&task) {
                    if pair.contains(&task) {
                        of_pair.push(polls - at);
                    } else {
                        of_others.push(polls - at);
                    }
                }
                polls += 1;
            }
            _ => {}
        }
    }
    (of_pair, of_others)
}
// ANCHOR_END: waits

/// The mean of `waits`, and the share of them that are zero (the task ran next).
fn summary(waits: &[u64]) -> (f64, f64) {
    let n = waits.len() as f64;
    let mean = waits.iter().sum::<u64>() as f64 / n;
    let next = waits.iter().filter(|&&w| w == 0).count() as f64 / n;
    (mean, next)
}

fn main() {
    let rounds = 1_000;
    println!(
        "one worker, a ping-pong pair ({rounds} round trips) beside {YIELDERS} tasks that yield:"
    );
    println!("polls between a task's push and its poll (mean; share that ran next)");
    for (name, lifo) in [("with the LIFO slot", true), ("without it", false)] {
        let (trace, pair) = record(lifo, rounds);
        let (of_pair, of_others) = waits(&trace, pair);
        let (pair_mean, pair_next) = summary(&of_pair);
        let (others_mean, others_next) = summary(&of_others);
        println!(
            "  {name:18} the pair {pair_mean:5.2} ({:3.0} %), the yielders {others_mean:5.2} \
             ({:3.0} %)",
            pair_next * 100.0,
            others_next * 100.0
        );
    }
}

#[cfg(test)]
mod tests;
