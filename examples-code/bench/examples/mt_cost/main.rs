//! What a spawn and a yield cost on chapter 15's runtime and on chapter 12's, the
//! "before" (two workers each): spawned from a task (onto its worker's queue) and from
//! outside (through the injector), in nanoseconds and in allocations. A global allocator counts the allocations of each
//! thread. Run it with `--release`: the figures of a debug build say little.
// xtask: numbers-vary

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

/// The system's allocator, counting the allocations that each thread makes.
struct Counting;

thread_local! {
    /// How many allocations this thread has made (a `const` thread-local of a `Cell`: reading
    /// it never allocates, so the allocator may use it).
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

fn count_one() {
    let _ = ALLOCATIONS.try_with(|count| count.set(count.get() + 1));
}

// SAFETY: every method hands its arguments unchanged to `System`, which keeps the contract of
// `GlobalAlloc`, and returns what `System` returned; counting neither allocates nor unwinds.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count_one();
        // SAFETY: our caller keeps the contract of `alloc`, which is `System::alloc`'s.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count_one();
        // SAFETY: as for `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count_one();
        // SAFETY: our caller keeps the contract of `realloc`: `ptr` came from `System` with
        // `layout`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: our caller keeps the contract of `dealloc`.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// This thread's allocations so far.
fn allocations() -> u64 {
    ALLOCATIONS.with(Cell::get)
}

// ANCHOR: measure
/// What one operation cost.
#[derive(Debug, Clone, Copy)]
struct Cost {
    nanos: f64,
    allocations: f64,
}

/// Wakes its own task and returns `Pending` once: the same yield on both runtimes.
#[derive(Default)]
struct YieldNow {
    yielded: bool,
}

impl Future for YieldNow {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            return Poll::Ready(());
        }
        self.yielded = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

/// The same measurements for a runtime with the API of Part II: this chapter's (`ch15`) and
/// chapter 12's (`ch12`), the "before".
macro_rules! costs {
    ($name:ident, $krate:ident) => {
        mod $name {
            use super::*;
            use $krate::{JoinHandle, Runtime, spawn};

            pub fn runtime(workers: usize) -> Runtime {
                Runtime::builder()
                    .worker_threads(workers)
                    .build()
                    .expect("cannot start the runtime")
            }

            /// Spawns `batch` trivial tasks, counting the allocations of the spawns alone (on
            /// this thread; `handles` has room already), then awaits them.
            async fn spawn_batch(handles: &mut Vec<JoinHandle<u64>>, batch: u64) -> u64 {
                let before = allocations();
                handles.extend((0..batch).map(|i| spawn(async move { i })));
                let spawned = allocations() - before;
                for (i, handle) in handles.drain(..).enumerate() {
                    assert_eq!(handle.await.ok(), Some(i as u64));
                }
                spawned
            }

            /// `rounds` batches of `batch` spawns, awaited, from inside a task (the spawns go
            /// to the worker's own queue) or from `block_on` (the injector). A first round
            /// warms the runtime up (its queues and lists grow to their size), not counted.
            pub fn spawn_cost(
                runtime: &Runtime,
                from_a_task: bool,
                rounds: u64,
                batch: u64,
            ) -> Cost {
                let work = async move {
                    let mut handles = Vec::with_capacity(batch as usize);
                    spawn_batch(&mut handles, batch).await;
                    let start = Instant::now();
                    let mut spawned = 0;
                    for _ in 0..rounds {
                        spawned += spawn_batch(&mut handles, batch).await;
                    }
                    let count = (rounds * batch) as f64;
                    Cost {
                        nanos: start.elapsed().as_nanos() as f64 / count,
                        allocations: spawned as f64 / count,
                    }
                };
                if from_a_task {
                    runtime
                        .block_on(runtime.spawn(work))
                        .expect("the spawning task")
                } else {
                    runtime.block_on(work)
                }
            }

            /// One task yields `yields` times: each yield is a wake during its own poll, a
            /// push onto its worker's queue, a pop and a poll. Timed first; then the same
            /// yields again for the allocations, counted over the yields that began and ended
            /// on one thread (a thief may take the task between two yields, and such a yield's
            /// allocations are split between two threads' counts). Not a number only if no
            /// yield stayed on its thread (and `main` says so).
            pub fn yield_cost(runtime: &Runtime, yields: u64) -> Cost {
                runtime.block_on(async move {
                    spawn(async move {
                        // The first wait may grow a list of waiting tasks: not counted.
                        YieldNow::default().await;
                        let start = Instant::now();
                        for _ in 0..yields {
                            YieldNow::default().await;
                        }
                        let nanos = start.elapsed().as_nanos() as f64 / yields as f64;
                        let (mut counted, mut allocated) = (0_u64, 0_u64);
                        let mut last = (std::thread::current().id(), allocations());
                        for _ in 0..yields {
                            YieldNow::default().await;
                            let now = (std::thread::current().id(), allocations());
                            if now.0 == last.0 {
                                counted += 1;
                                allocated += now.1 - last.1;
                            }
                            last = now;
                        }
                        Cost {
                            nanos,
                            allocations: allocated as f64 / counted as f64,
                        }
                    })
                    .await
                    .expect("the yielding task")
                })
            }
        }
    };
}

costs!(ch15, ch15_many_threads_fast);
costs!(ch12, ch12_work_stealing);
// ANCHOR_END: measure

/// The measurements of `main` for one runtime, at these sizes (the tests use smaller ones).
macro_rules! measure {
    ($name:ident, $rounds:expr, $batch:expr, $yields:expr) => {{
        let runtime = $name::runtime(2);
        [
            (
                "spawn + run + await, from a task",
                $name::spawn_cost(&runtime, true, $rounds, $batch),
            ),
            (
                "spawn + run + await, from block_on",
                $name::spawn_cost(&runtime, false, $rounds, $batch),
            ),
            ("yield", $name::yield_cost(&runtime, $yields)),
        ]
    }};
}

fn main() {
    let build = if cfg!(debug_assertions) {
        "debug build: add --release for figures worth comparing"
    } else {
        "release build"
    };
    println!("2 workers, {build}");
    let (rounds, batch, yields) = (200, 100, 1_000_000);
    for (runtime, costs) in [
        ("chapter 12", measure!(ch12, rounds, batch, yields)),
        ("chapter 15", measure!(ch15, rounds, batch, yields)),
    ] {
        println!("{runtime}:");
        for (what, cost) in costs {
            if cost.allocations.is_nan() {
                println!(
                    "  {what}: {:.0} ns each (allocations not counted: the task moved at every yield)",
                    cost.nanos
                );
            } else {
                println!(
                    "  {what}: {:.0} ns and {:.2} allocations each",
                    cost.nanos, cost.allocations
                );
            }
        }
    }
}

#[cfg(test)]
mod tests;
