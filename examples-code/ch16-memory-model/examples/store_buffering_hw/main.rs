//! Store buffering on real threads and a real CPU: two threads, each writes its own flag and
//! reads the other's, a million times, in lockstep. How often do both reads see `false`? And
//! the merged wake of chapters 5 and 14, played the same way: how often does the poll miss the
//! event while the wake queues nothing? Release build, std and libc only.
// xtask: numbers-vary

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::*, fence};
use std::thread;

/// Trials per version.
const TRIALS: usize = 1_000_000;

// ANCHOR: sides
/// One side of a trial: operations on two fresh flags, `mine` and `theirs`; what it read.
type Side = fn(mine: &AtomicBool, theirs: &AtomicBool) -> bool;

fn relaxed(mine: &AtomicBool, theirs: &AtomicBool) -> bool {
    mine.store(true, Relaxed);
    theirs.load(Relaxed)
}

fn release_acquire(mine: &AtomicBool, theirs: &AtomicBool) -> bool {
    mine.store(true, Release);
    theirs.load(Acquire)
}

fn seqcst(mine: &AtomicBool, theirs: &AtomicBool) -> bool {
    mine.store(true, SeqCst);
    theirs.load(SeqCst)
}

fn seqcst_fence(mine: &AtomicBool, theirs: &AtomicBool) -> bool {
    mine.store(true, Relaxed);
    fence(SeqCst);
    theirs.load(Relaxed)
}
// ANCHOR_END: sides

// ANCHOR: merged_wake
/// The runtime's side of the merged wake: clear `scheduled` (a store), then poll (read
/// `ready`). `scheduled` starts `true`: the task is in the run queue.
fn run_with_store(scheduled: &AtomicBool, ready: &AtomicBool) -> bool {
    scheduled.store(false, Release);
    ready.load(Acquire)
}

/// The same, with the clear as a swap.
fn run_with_swap(scheduled: &AtomicBool, ready: &AtomicBool) -> bool {
    scheduled.swap(false, AcqRel);
    ready.load(Acquire)
}

/// The waker's side: the event, then the wake. Returns whether the wake found `scheduled`
/// set, and so queued nothing.
fn wake(ready: &AtomicBool, scheduled: &AtomicBool) -> bool {
    ready.store(true, Release);
    scheduled.swap(true, AcqRel)
}
// ANCHOR_END: merged_wake

// ANCHOR: trials
/// Runs `trials` trials of side `a` against side `b`, each side on a thread of its own, each
/// trial on two fresh flags, `x` and `y`, that start as `initial`. Side `a` gets `(x, y)`,
/// side `b` gets `(y, x)`. Returns how many trials ended with each pair of results
/// `(a's, b's)`, indexed `[a as usize][b as usize]`.
fn trials(a: Side, b: Side, initial: (bool, bool), trials: usize) -> [[usize; 2]; 2] {
    let flags = |value| -> Arc<Vec<AtomicBool>> {
        Arc::new((0..trials).map(|_| AtomicBool::new(value)).collect())
    };
    let (x, y) = (flags(initial.0), flags(initial.1));
    let arrived = Arc::new(AtomicUsize::new(0));
    // One thread per side, each pinned to a CPU of its own: side `a` to the first CPU this
    // program may use, side `b` to the second.
    let side =
        |n: usize, side: Side, mine: &Arc<Vec<AtomicBool>>, theirs: &Arc<Vec<AtomicBool>>| {
            let (mine, theirs, arrived) =
                (Arc::clone(mine), Arc::clone(theirs), Arc::clone(&arrived));
            thread::spawn(move || {
                pin(n);
                (0..trials)
                    .map(|i| {
                        start_together(&arrived, i);
                        side(&mine[i], &theirs[i])
                    })
                    .collect::<Vec<bool>>()
            })
        };
    let (side_a, side_b) = (side(0, a, &x, &y), side(1, b, &y, &x));
    let (seen_a, seen_b) = (side_a.join().unwrap(), side_b.join().unwrap());
    let mut counts = [[0; 2]; 2];
    for (a, b) in seen_a.into_iter().zip(seen_b) {
        counts[a as usize][b as usize] += 1;
    }
    counts
}

/// A barrier for two threads, one per trial: each arrives, then spins until the other has
/// arrived too. The last to arrive goes on at once, the first as soon as it sees the count
/// change, so the two sides of trial `i` run at nearly the same moment.
fn start_together(arrived: &AtomicUsize, i: usize) {
    arrived.fetch_add(1, AcqRel);
    let mut spins = 0u32;
    while arrived.load(Acquire) < 2 * (i + 1) {
        spins += 1;
        if spins % 1_000 == 0 {
            thread::yield_now(); // the other thread may not be running: a busy machine
        } else {
            std::hint::spin_loop();
        }
    }
}
// ANCHOR_END: trials

/// Pins this thread to the `n`th CPU it may run on (a new thread may run where the thread
/// that spawned it may, and the main thread is never pinned), so that the two sides of each
/// trial run on two different CPUs. Returns that CPU, or `None` if there are not two CPUs to
/// pin to.
#[cfg(target_os = "linux")]
fn pin(n: usize) -> Option<usize> {
    // SAFETY: a `cpu_set_t` is a plain bit mask: all zeros is a valid, empty set.
    let mut allowed: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    let size = std::mem::size_of::<libc::cpu_set_t>();
    // SAFETY: `allowed` is a valid `cpu_set_t` of `size` bytes that the call fills in; pid 0
    // is the calling thread.
    if unsafe { libc::sched_getaffinity(0, size, &mut allowed) } != 0 {
        return None;
    }
    // SAFETY: `CPU_ISSET` reads the bit of a CPU below `CPU_SETSIZE` in a valid set.
    let cpus: Vec<usize> = (0..libc::CPU_SETSIZE as usize)
        .filter(|&cpu| unsafe { libc::CPU_ISSET(cpu, &allowed) })
        .collect();
    if cpus.len() < 2 {
        return None;
    }
    let cpu = cpus[n];
    // SAFETY: as above, an all-zeros `cpu_set_t` is a valid empty set.
    let mut one: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    // SAFETY: `cpu` is below `CPU_SETSIZE` (it came from the loop above).
    unsafe { libc::CPU_SET(cpu, &mut one) };
    // SAFETY: `one` is a valid `cpu_set_t` of `size` bytes; pid 0 is the calling thread.
    (unsafe { libc::sched_setaffinity(0, size, &one) } == 0).then_some(cpu)
}

/// Elsewhere, the threads run where the OS puts them.
#[cfg(not(target_os = "linux"))]
fn pin(_: usize) -> Option<usize> {
    None
}

/// The whole report, for `n` trials of each version.
fn report(n: usize) -> String {
    let mut out = String::new();
    let pinned = match (pin_probe(0), pin_probe(1)) {
        (Some(a), Some(b)) => format!("threads pinned to CPUs {a} and {b}"),
        _ => "threads not pinned".to_string(),
    };
    out += &format!("{}, {pinned}, {n} trials of each\n", std::env::consts::ARCH);
    out += "\nstore buffering: both reads see false\n";
    let versions: [(&str, Side); 4] = [
        ("Relaxed", relaxed),
        ("Release store, Acquire load", release_acquire),
        ("SeqCst store and load", seqcst),
        ("SeqCst fence between", seqcst_fence),
    ];
    for (name, side) in versions {
        let both_false = trials(side, side, (false, false), n)[0][0];
        out += &format!("  {name:<34} {}\n", share(both_false, n));
    }
    out += "\nmerged wake: the poll misses the event, the wake queues nothing\n";
    let versions: [(&str, Side); 2] = [
        ("runtime clears with store(false)", run_with_store),
        ("runtime clears with swap(false)", run_with_swap),
    ];
    for (name, run) in versions {
        // Side a is the waker (x = ready, y = scheduled), side b the runtime.
        let lost = trials(wake, run, (false, true), n)[1][0];
        out += &format!("  {name:<34} {}\n", share(lost, n));
    }
    out
}

fn share(count: usize, n: usize) -> String {
    format!("{count:>8} ({:.3}%)", 100.0 * count as f64 / n as f64)
}

/// The CPU `pin(n)` chooses, asked from a thread of its own (pinning this one would pin every
/// thread it spawns after).
fn pin_probe(n: usize) -> Option<usize> {
    thread::spawn(move || pin(n)).join().unwrap()
}

fn main() {
    print!("{}", report(TRIALS));
}

#[cfg(test)]
mod tests;
