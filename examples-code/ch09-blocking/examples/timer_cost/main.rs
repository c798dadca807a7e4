//! What a timer costs with each of the chapter's designs: 1,000 sleeps of 1 to 50 ms at
//! once, in one task. Counts the runtime's system calls per timer (the counters of `sys`) and
//! measures how late each sleep ends.
// xtask: numbers-vary

use ch09_blocking::time::{self, timerfd};
use ch09_blocking::{Runtime, Syscalls, syscalls};
use futures::future::join_all;
use std::time::{Duration, Instant};

/// How many sleeps each design runs.
const TIMERS: usize = 1_000;

// ANCHOR: measure
#[derive(Clone, Copy, Debug, PartialEq)]
enum Design {
    /// `time::timerfd::sleep`: a timerfd per sleep, in the epoll set.
    Timerfd,
    /// `time::sleep`: an entry in the runtime's timer queue.
    Queue,
}

/// What one run of `TIMERS` sleeps cost.
struct Report {
    /// The runtime's system calls, all timers together.
    calls: Syscalls,
    /// How late each sleep ended (its end minus its deadline), sorted.
    late: Vec<Duration>,
    /// How many ended before their deadline (it must be none).
    early: usize,
}

fn measure(design: Design, durations: &[Duration]) -> Report {
    let runtime = Runtime::new().expect("cannot create the runtime");
    runtime.block_on(async {
        let before = syscalls();
        let sleeps = durations.iter().map(|&duration| async move {
            let deadline = Instant::now() + duration;
            match design {
                Design::Timerfd => timerfd::sleep(duration).await.expect("no fd left"),
                Design::Queue => time::sleep(duration).await,
            }
            Instant::now().checked_duration_since(deadline)
        });
        let ends = join_all(sleeps).await;
        let calls = syscalls() - before;
        let early = ends.iter().filter(|end| end.is_none()).count();
        let mut late: Vec<Duration> = ends.into_iter().flatten().collect();
        late.sort();
        Report { calls, late, early }
    })
}
// ANCHOR_END: measure

/// `count` pseudo-random durations from 1 to 50 ms (xorshift, the same every run).
fn durations(count: usize) -> Vec<Duration> {
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    (0..count)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            Duration::from_micros(1_000 + seed % 49_000)
        })
        .collect()
}

/// The report's lines: the calls per timer by kind, then the lateness. Every figure ends
/// its line, so that the lines keep their shape whatever the figures are.
fn table(timers: usize, design: &str, report: &Report) -> Vec<String> {
    let per = |calls: u64| format!("{:.2}", calls as f64 / timers as f64);
    let ms = |d: Duration| format!("{:.3} ms", d.as_secs_f64() * 1e3);
    let late = &report.late;
    let mean = late.iter().sum::<Duration>() / late.len().max(1) as u32;
    let calls = &report.calls;
    vec![
        format!("{design}:"),
        format!("  syscalls per timer: {}", per(calls.total())),
        format!("    timerfd_create: {}", per(calls.timerfd_create)),
        format!("    timerfd_settime: {}", per(calls.timerfd_settime)),
        format!("    epoll_ctl: {}", per(calls.epoll_ctl)),
        format!("    epoll_wait: {}", per(calls.epoll_wait)),
        format!("    read: {}", per(calls.read)),
        format!("    write: {}", per(calls.write)),
        format!("    close: {}", per(calls.close)),
        format!("  late, mean: {}", ms(mean)),
        format!("  late, p99: {}", ms(late[late.len() * 99 / 100])),
        format!("  late, max: {}", ms(late[late.len() - 1])),
        format!("  early: {}", report.early),
    ]
}

fn main() {
    let durations = durations(TIMERS);
    println!("{TIMERS} sleeps of 1 to 50 ms at once, in one task");
    let timerfd = measure(Design::Timerfd, &durations);
    let queue = measure(Design::Queue, &durations);
    let lines = table(TIMERS, "a timerfd per sleep", &timerfd)
        .into_iter()
        .chain(table(TIMERS, "the timer queue", &queue));
    for line in lines {
        println!("{line}");
    }
}

#[cfg(test)]
mod tests;
