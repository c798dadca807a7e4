//! The harness: how big each case is, how often it runs, and what is reported.
//!
//! Each (runtime, case) pair runs in a process of its own ([`crate::Subject::run`] is called
//! by `main` in a child process), so no runtime inherits another's heap, threads or open files,
//! and the memory case starts from a fresh heap. Inside that process the case runs once
//! unmeasured (warm-up: page faults, lazy statics, the allocator's first arenas), then `runs`
//! times, each on a freshly built runtime; the figure reported is the median of the runs.

use serde_json::{Value, json};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// How many worker threads a multi-threaded runtime is built with, unless the run says
/// otherwise (`--workers`): this machine has two cores.
pub const DEFAULT_WORKERS: usize = 2;

static WORKERS: AtomicUsize = AtomicUsize::new(DEFAULT_WORKERS);

/// The worker threads the multi-threaded runtimes are built with in this process.
pub fn workers() -> usize {
    WORKERS.load(Ordering::Relaxed)
}

/// Sets [`workers`] for the runtimes built from now on in this process.
pub fn set_workers(workers: usize) {
    WORKERS.store(workers.max(1), Ordering::Relaxed);
}

/// The sizes of the cases. [`Sizes::FULL`] are the suite's; [`Sizes::SMOKE`] only prove that
/// every case runs on every runtime, in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sizes {
    pub spawn_tasks: usize,
    pub spawn_batch: usize,
    pub yields: usize,
    pub ping_pong_rounds: usize,
    pub timer_tasks: usize,
    pub timer_max: Duration,
    pub tcp_connections: usize,
    pub tcp_rounds: usize,
    pub ext_wakes: u64,
    pub idle_tasks: usize,
    /// Measured runs per case (after one warm-up run).
    pub runs: usize,
    pub warm_up: bool,
}

impl Sizes {
    // ANCHOR: sizes
    pub const FULL: Sizes = Sizes {
        spawn_tasks: 100_000,
        spawn_batch: 10_000,
        yields: 1_000_000,
        ping_pong_rounds: 200_000,
        timer_tasks: 10_000,
        timer_max: Duration::from_millis(50),
        tcp_connections: 100,
        tcp_rounds: 1_000,
        ext_wakes: 100_000,
        idle_tasks: 10_000,
        runs: 5,
        warm_up: true,
    };
    // ANCHOR_END: sizes

    pub const SMOKE: Sizes = Sizes {
        spawn_tasks: 2_000,
        spawn_batch: 500,
        yields: 10_000,
        ping_pong_rounds: 2_000,
        timer_tasks: 200,
        timer_max: Duration::from_millis(5),
        tcp_connections: 4,
        tcp_rounds: 50,
        ext_wakes: 500,
        idle_tasks: 500,
        runs: 1,
        warm_up: false,
    };
}

/// The cases, in the order the tables show them.
pub const CASES: &[&str] = &[
    "spawn_many",
    "yield_many",
    "ping_pong",
    "timers",
    "tcp_echo",
    "ext_wake",
    "memory",
];

/// What each case measures, as the charts title it.
pub fn title(case: &str) -> &'static str {
    match case {
        "spawn_many" => "spawn_many: time per spawned and awaited task",
        "yield_many" => "yield_many: time per self-wake (yield)",
        "ping_pong" => "ping_pong: time per round trip over two mpsc channels",
        "timers" => "timers: mean lateness of the sleeps",
        "tcp_echo" => "tcp_echo: time per 64-byte round trip",
        "ext_wake" => "ext_wake: time per wake from a plain std thread",
        "memory" => "memory: resident bytes per pending task",
        _ => "",
    }
}

impl Sizes {
    /// How big `case` is at these sizes, in words.
    pub fn describe(&self, case: &str) -> String {
        match case {
            "spawn_many" => format!(
                "{} tasks, awaited in batches of {}",
                self.spawn_tasks, self.spawn_batch
            ),
            "yield_many" => format!("{} yields by one task", self.yields),
            "ping_pong" => format!(
                "{} round trips over futures::channel::mpsc",
                self.ping_pong_rounds
            ),
            "timers" => format!(
                "{} tasks, each sleeps 0-{} ms (fixed seed)",
                self.timer_tasks,
                self.timer_max.as_millis()
            ),
            "tcp_echo" => format!(
                "{} connections x {} round trips of 64 bytes",
                self.tcp_connections, self.tcp_rounds
            ),
            "ext_wake" => format!("{} wakes from a std thread", self.ext_wakes),
            "memory" => format!("{} pending tasks", self.idle_tasks),
            _ => String::new(),
        }
    }
}

/// The median of some figures (the mean of the middle two for an even count).
pub fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    assert!(n > 0, "the median of nothing");
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

/// The `p`-th percentile (0..=100) of sorted samples, nearest rank.
pub fn percentile(sorted: &[u32], p: f64) -> u32 {
    assert!(!sorted.is_empty(), "a percentile of nothing");
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// What one case measured on one runtime: the figure of each run, in `unit` per `per`.
#[derive(Debug, Clone, PartialEq)]
pub struct Measured {
    pub unit: &'static str,
    pub per: &'static str,
    pub runs: Vec<f64>,
    /// Further figures of the case (p50/p99, total time), each the median over the runs.
    pub extra: Vec<(&'static str, f64)>,
}

impl Measured {
    pub fn median(&self) -> f64 {
        median(&self.runs)
    }

    pub fn to_json(&self) -> Value {
        let mut extra = serde_json::Map::new();
        for (name, value) in &self.extra {
            extra.insert((*name).into(), json!(round(*value)));
        }
        json!({
            "unit": self.unit,
            "per": self.per,
            "median": round(self.median()),
            "min": round(self.runs.iter().copied().fold(f64::INFINITY, f64::min)),
            "max": round(self.runs.iter().copied().fold(f64::NEG_INFINITY, f64::max)),
            "runs": self.runs.iter().map(|r| round(*r)).collect::<Vec<_>>(),
            "extra": extra,
        })
    }
}

/// Two decimals are more than any of these figures can claim.
fn round(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

/// Nanoseconds per operation.
pub fn per_op(elapsed: Duration, ops: usize) -> f64 {
    elapsed.as_nanos() as f64 / ops as f64
}

/// The resident set of this process in bytes (`/proc/self/statm`, second field, in pages).
pub fn resident_bytes() -> i64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: i64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|field| field.parse().ok())
        .unwrap_or(0);
    // SAFETY: sysconf has no preconditions; _SC_PAGESIZE is a valid name.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    pages * page as i64
}

/// Raises this process's soft limit on open files to the hard limit (chapters 6 to 9 need an
/// eventfd per live task). Returns the limit now in force.
pub fn raise_fd_limit() -> u64 {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `limit` is a valid, writable rlimit for getrlimit to fill in.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return 0;
    }
    limit.rlim_cur = limit.rlim_max;
    // SAFETY: `limit` is a valid rlimit; raising the soft limit up to the hard one is allowed.
    unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) };
    limit.rlim_cur
}

/// Pins this thread, and so every thread it creates from now on, to CPU 0: the effect of
/// `taskset -c 0` on the runtime under test.
pub fn pin_to_first_cpu() -> std::io::Result<()> {
    // SAFETY: an all-zero cpu_set_t is a valid, empty set.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    // SAFETY: CPU 0 is within the set's size.
    unsafe { libc::CPU_SET(0, &mut set) };
    // SAFETY: `set` is a valid cpu_set_t of the size we pass; pid 0 means this thread.
    let result = unsafe { libc::sched_setaffinity(0, std::mem::size_of_val(&set), &set) };
    if result == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}
