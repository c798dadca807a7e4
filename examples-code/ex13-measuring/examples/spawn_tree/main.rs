//! Exercise 13.1: a case of tasks that spawn tasks. Every task of a tree spawns its children
//! and awaits them, so on a multi-threaded runtime the spawns come from the workers, where in
//! `spawn_many` they all come from the `block_on` thread. Written once over the suite's `Exec`
//! trait and run on three runtimes with the harness's rules: a warm-up run, then five runs,
//! each on a fresh runtime, and their median.
// xtask: numbers-vary

use bench::harness::median;
use bench::subjects::book::{ch10_workers, ch12_work_stealing};
use bench::subjects::others::TokioMultiThread;
use bench::{Exec, Measured};
use std::future::Future;
use std::hint::black_box;
use std::pin::Pin;
use std::time::{Duration, Instant};

// ANCHOR: spawn_tree
/// One task of the tree: below `depth` 0 it spawns `fanout` children, awaits them all, and
/// returns how many tasks its subtree ran, itself included. Boxed, because it spawns itself.
fn node<R: Exec>(depth: u32, fanout: usize) -> Pin<Box<dyn Future<Output = usize> + Send>> {
    Box::pin(async move {
        if depth == 0 {
            return black_box(1);
        }
        let children: Vec<_> = (0..fanout)
            .map(|_| R::spawn(node::<R>(depth - 1, fanout)))
            .collect();
        let mut ran = 1;
        for child in children {
            ran += child.await;
        }
        ran
    })
}

/// Spawns the root of a tree `depth` levels deep below it and awaits it. Returns the time
/// and how many tasks ran.
pub fn spawn_tree<R: Exec>(runtime: &R::Runtime, depth: u32, fanout: usize) -> (Duration, usize) {
    R::block_on(runtime, async move {
        let start = Instant::now();
        let ran = R::spawn(node::<R>(depth, fanout)).await;
        (start.elapsed(), ran)
    })
}
// ANCHOR_END: spawn_tree

/// How many tasks a tree has: 1 + fanout + fanout² + … + fanout^depth.
pub fn tree_size(depth: u32, fanout: usize) -> usize {
    (0..=depth).map(|level| fanout.pow(level)).sum()
}

// ANCHOR: measure
/// The harness's rules: a warm-up run, then `runs` runs, each on a runtime built for it;
/// the figure is nanoseconds per task.
pub fn measure<R: Exec>(depth: u32, fanout: usize, runs: usize) -> Measured {
    let tasks = tree_size(depth, fanout);
    let one = || {
        let runtime = R::build().expect("building the runtime");
        let (elapsed, ran) = spawn_tree::<R>(&runtime, depth, fanout);
        assert_eq!(ran, tasks, "a task of the tree did not run");
        elapsed.as_nanos() as f64 / tasks as f64
    };
    one();
    Measured {
        unit: "ns",
        per: "task",
        runs: (0..runs).map(|_| one()).collect(),
        extra: Vec::new(),
    }
}
// ANCHOR_END: measure

/// The demo's tree: 10 children per task, 4 levels below the root: 11,111 tasks.
const DEPTH: u32 = 4;
const FANOUT: usize = 10;
const RUNS: usize = 5;

fn report(label: &str, m: &Measured) {
    let min = m.runs.iter().copied().fold(f64::INFINITY, f64::min);
    let max = m.runs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    println!(
        "{label:<27} {:>6.0} ns per task (runs {min:.0} to {max:.0})",
        median(&m.runs)
    );
}

// ANCHOR: demo
fn main() {
    let tasks = tree_size(DEPTH, FANOUT);
    println!("spawn_tree: {tasks} tasks, {FANOUT} children each, median of {RUNS} runs:");
    report(
        "ch10 workers, shared queue",
        &measure::<ch10_workers>(DEPTH, FANOUT, RUNS),
    );
    report(
        "ch12 work stealing",
        &measure::<ch12_work_stealing>(DEPTH, FANOUT, RUNS),
    );
    report(
        "tokio multi_thread (2)",
        &measure::<TokioMultiThread>(DEPTH, FANOUT, RUNS),
    );
}
// ANCHOR_END: demo

#[cfg(test)]
mod tests;
