//! Chapter 13 of *Build Your Own Async Runtime*: measuring.
//!
//! Not a stage: the benchmark suite that runs the book's runtimes (chapters 5 to 12) side by
//! side with tokio, smol and `futures::executor::LocalPool`, on the same seven cases, and
//! writes the figures as JSON for `cargo xtask charts` to draw.
//!
//! # Layout
//!
//! | module | idea |
//! |---|---|
//! | `subject` | the traits a runtime implements to be measured: `Exec` (build, `block_on`, `spawn`), `Timers`, `Net`; and `YieldNow` |
//! | `subjects` | the adapters: the book's stages (one line each in `book_stages!`), tokio, smol, futures |
//! | `cases` | the seven cases, each one generic function over the traits |
//! | `harness` | sizes, warm-up, runs, medians and percentiles, resident memory, the open-file limit, pinning |
//! | `machine` | what the figures were measured on: CPUs, kernel, compiler, date, load |
//!
//! `cargo run --release -p bench` runs the whole suite (see `src/main.rs` for the options);
//! `cargo xtask bench` runs it and redraws the charts.

pub mod cases;
pub mod harness;
pub mod machine;
pub mod subject;
pub mod subjects;

pub use harness::{CASES, Measured, Sizes};
pub use subject::{Exec, Net, Timers, YieldNow};

use harness::{per_op, percentile};

/// One runtime under test: its name, and a function per case it can run.
pub struct Subject {
    /// Short and stable, used on the command line and in the data (`ch06`, `tokio-ct`).
    pub key: &'static str,
    /// What the tables and charts call it.
    pub label: &'static str,
    /// Whether it runs tasks on more than one thread.
    pub multi_thread: bool,
    base: fn(&str, &Sizes) -> Measured,
    timers: Option<fn(&Sizes) -> Measured>,
    net: Option<fn(&Sizes) -> Measured>,
}

// ANCHOR: subject
impl Subject {
    /// A runtime that can run the cases that need only tasks: spawn, yield, channels, wakes
    /// from another thread, memory.
    pub fn new<R: Exec>(key: &'static str, label: &'static str, multi_thread: bool) -> Subject {
        Subject {
            key,
            label,
            multi_thread,
            base: base_case::<R>,
            timers: None,
            net: None,
        }
    }

    /// And the timer case.
    pub fn with_timers<R: Timers>(mut self) -> Subject {
        self.timers = Some(timers_case::<R>);
        self
    }

    /// And the TCP case.
    pub fn with_net<R: Net>(mut self) -> Subject {
        self.net = Some(tcp_case::<R>);
        self
    }
    // ANCHOR_END: subject

    /// Whether this runtime can run `case` ("n/a" in the tables if not).
    pub fn supports(&self, case: &str) -> bool {
        match case {
            "timers" => self.timers.is_some(),
            "tcp_echo" => self.net.is_some(),
            _ => CASES.contains(&case),
        }
    }

    /// Runs `case` (warm-up, then `sizes.runs` measured runs); `None` if not supported.
    pub fn run(&self, case: &str, sizes: &Sizes) -> Option<Measured> {
        if !self.supports(case) {
            return None;
        }
        Some(match case {
            "timers" => (self.timers?)(sizes),
            "tcp_echo" => (self.net?)(sizes),
            _ => (self.base)(case, sizes),
        })
    }
}

/// Every runtime the suite knows: the book's stages, then the yardsticks.
pub fn subjects() -> Vec<Subject> {
    let mut all = subjects::book::subjects();
    all.extend(subjects::others::subjects());
    all
}

/// The warm-up run (unless `sizes` says none), then `sizes.runs` runs, each on a runtime
/// built for it and dropped after it.
fn repeat<R: Exec, T>(sizes: &Sizes, mut one: impl FnMut(&R::Runtime) -> T) -> Vec<T> {
    let build = || R::build().expect("building the runtime");
    if sizes.warm_up {
        one(&build());
    }
    (0..sizes.runs).map(|_| one(&build())).collect()
}

fn measured(unit: &'static str, per: &'static str, runs: Vec<f64>) -> Measured {
    Measured {
        unit,
        per,
        runs,
        extra: Vec::new(),
    }
}

fn base_case<R: Exec>(case: &str, sizes: &Sizes) -> Measured {
    match case {
        "spawn_many" => measured(
            "ns",
            "task",
            repeat::<R, _>(sizes, |rt| {
                per_op(
                    cases::spawn_many::<R>(rt, sizes.spawn_tasks, sizes.spawn_batch),
                    sizes.spawn_tasks,
                )
            }),
        ),
        "yield_many" => measured(
            "ns",
            "wake",
            repeat::<R, _>(sizes, |rt| {
                per_op(cases::yield_many::<R>(rt, sizes.yields), sizes.yields)
            }),
        ),
        "ping_pong" => {
            let mut each_run = Vec::new();
            let runs = repeat::<R, _>(sizes, |rt| {
                let (total, each) = cases::ping_pong::<R>(rt, sizes.ping_pong_rounds);
                each_run.push(each);
                per_op(total, sizes.ping_pong_rounds)
            });
            // The percentiles are over every round trip of the measured runs, not the warm-up.
            let skip = each_run.len() - runs.len();
            let mut samples: Vec<u32> = each_run.into_iter().skip(skip).flatten().collect();
            samples.sort_unstable();
            let mut m = measured("ns", "round trip", runs);
            m.extra.push(("p50", f64::from(percentile(&samples, 50.0))));
            m.extra.push(("p99", f64::from(percentile(&samples, 99.0))));
            m
        }
        "ext_wake" => measured(
            "ns",
            "wake",
            repeat::<R, _>(sizes, |rt| {
                per_op(
                    cases::ext_wake::<R>(rt, sizes.ext_wakes),
                    sizes.ext_wakes as usize,
                )
            }),
        ),
        "memory" => {
            // One run in a fresh process: a warm-up would leave the heap grown, and the
            // second run would find its memory already resident.
            let rt = R::build().expect("building the runtime");
            let grown = cases::memory::<R>(&rt, sizes.idle_tasks);
            measured(
                "bytes",
                "task",
                vec![grown as f64 / sizes.idle_tasks as f64],
            )
        }
        other => panic!("no case `{other}`"),
    }
}

fn timers_case<R: Timers>(sizes: &Sizes) -> Measured {
    let mut totals = Vec::new();
    let mut p99s = Vec::new();
    let runs = repeat::<R, _>(sizes, |rt| {
        let (total, mut late) = cases::timers::<R>(rt, sizes.timer_tasks, sizes.timer_max);
        totals.push(total.as_nanos() as f64);
        late.sort_unstable();
        let ns: Vec<u32> = late
            .iter()
            .map(|d| d.as_nanos().min(u32::MAX as u128) as u32)
            .collect();
        p99s.push(f64::from(percentile(&ns, 99.0)));
        late.iter().map(|d| d.as_nanos() as f64).sum::<f64>() / late.len() as f64
    });
    // The warm-up's figures are not the suite's.
    let skip = totals.len() - runs.len();
    let mut m = measured("ns", "timer, mean lateness", runs);
    m.extra.push(("total", harness::median(&totals[skip..])));
    m.extra.push(("p99", harness::median(&p99s[skip..])));
    m
}

fn tcp_case<R: Net>(sizes: &Sizes) -> Measured {
    let trips = sizes.tcp_connections * sizes.tcp_rounds;
    measured(
        "ns",
        "round trip",
        repeat::<R, _>(sizes, |rt| {
            per_op(
                cases::tcp_echo::<R>(rt, sizes.tcp_connections, sizes.tcp_rounds),
                trips,
            )
        }),
    )
}
