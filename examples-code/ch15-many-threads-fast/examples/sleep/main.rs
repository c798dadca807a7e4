//! The timers of the runtime: three tasks that sleep, an interval, and a read with a
//! timeout. Prints what happens, in the order it happens.

use ch15_many_threads_fast::net::{TcpListener, TcpStream};
use ch15_many_threads_fast::time::{interval, sleep, timeout};
use ch15_many_threads_fast::{Runtime, spawn};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The demo's time unit.
const UNIT: Duration = Duration::from_millis(100);

// ANCHOR: sleepers
/// Three tasks that sleep 3, 1 and 2 units; returns the order in which they woke.
async fn sleepers(unit: Duration) -> Vec<String> {
    let woke = Arc::new(Mutex::new(Vec::new()));
    let tasks: Vec<_> = [("a", 3), ("b", 1), ("c", 2)]
        .into_iter()
        .map(|(name, units)| {
            let woke = Arc::clone(&woke);
            // The deadline is taken here, before the spawn, not at the task's first poll:
            // the three first polls may run on different workers, at different times.
            let sleep = sleep(unit * units);
            spawn(async move {
                sleep.await;
                let plural = if units == 1 { "" } else { "s" };
                let line = format!("task {name} woke after {units} unit{plural}");
                woke.lock().unwrap().push(line);
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    Arc::into_inner(woke).unwrap().into_inner().unwrap()
}
// ANCHOR_END: sleepers

// ANCHOR: ticks
/// Four ticks of an interval of one unit: when each was due, in units after the first.
async fn ticks(unit: Duration) -> String {
    let mut ticker = interval(unit);
    let first = ticker.tick().await; // at once
    let mut due = Vec::new();
    for _ in 0..3 {
        let tick = ticker.tick().await;
        due.push((tick - first).as_nanos() / unit.as_nanos());
    }
    format!("interval ticks due at units 0, {due:?} after the first")
}
// ANCHOR_END: ticks

// ANCHOR: read_timeout
/// A read that waits for a peer who says nothing: it gives up after one unit.
async fn read_with_timeout(unit: Duration) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let stream = TcpStream::connect(listener.local_addr().unwrap())
        .await
        .unwrap();
    let (_quiet_peer, _) = listener.accept().await.unwrap();
    let start = Instant::now();
    let mut buf = [0; 16];
    match timeout(unit, stream.read(&mut buf)).await {
        Ok(read) => format!("read {read:?}"),
        Err(elapsed) => format!(
            "read gave up: {elapsed}, after at least one unit: {}",
            start.elapsed() >= unit
        ),
    }
}
// ANCHOR_END: read_timeout

fn demo(unit: Duration) -> Vec<String> {
    let runtime = Runtime::new().expect("cannot create the runtime");
    runtime.block_on(async {
        let mut lines = sleepers(unit).await;
        lines.push(ticks(unit).await);
        lines.push(read_with_timeout(unit).await);
        lines
    })
}

fn main() {
    for line in demo(UNIT) {
        println!("{line}");
    }
}

#[cfg(test)]
mod tests;
