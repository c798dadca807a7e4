//! What a spawn, a yield and a wake cost on this chapter's runtime (two workers): spawned
//! from a task (onto its worker's queue) and from outside (through the injector), in
//! nanoseconds and in allocations. A global allocator counts the allocations of each
//! thread. Run it with `--release`: the figures of a debug build say little.
// xtask: numbers-vary

use ch15_many_threads_fast::{JoinHandle, Runtime, spawn, yield_now};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::time::Instant;

// ANCHOR: counting
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

// ANCHOR_END: counting

// ANCHOR: measure
/// What one operation cost.
#[derive(Debug, Clone, Copy)]
struct Cost {
    nanos: f64,
    allocations: f64,
}

/// Spawns `batch` trivial tasks, counting the allocations of the spawns alone (on this
/// thread; `handles` has room already), then awaits them. Returns the allocations.
async fn spawn_batch(handles: &mut Vec<JoinHandle<u64>>, batch: u64) -> u64 {
    let before = allocations();
    handles.extend((0..batch).map(|i| spawn(async move { i })));
    let spawned = allocations() - before;
    for (i, handle) in handles.drain(..).enumerate() {
        assert_eq!(handle.await.ok(), Some(i as u64));
    }
    spawned
}

/// `rounds` batches of `batch` spawns, awaited, from inside a task (the spawns go to the
/// worker's LIFO slot and queue) or from `block_on` (the injector). A first round warms the
/// runtime up (its queues and its task list grow to their size) and is not counted.
fn spawn_cost(runtime: &Runtime, from_a_task: bool, rounds: u64, batch: u64) -> Cost {
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

/// One task yields `yields` times: each yield is a wake during its own poll, a push to the
/// back of its worker's queue, a pop and a poll.
fn yield_cost(runtime: &Runtime, yields: u64) -> Cost {
    runtime.block_on(async move {
        spawn(async move {
            // The first wait lists the task (to be cancelled if the runtime goes first): an
            // allocation the first time a worker's list grows, not counted here.
            yield_now().await;
            let (thread, before) = (std::thread::current().id(), allocations());
            let start = Instant::now();
            for _ in 0..yields {
                yield_now().await;
            }
            let nanos = start.elapsed().as_nanos() as f64 / yields as f64;
            // The count is this thread's: it says nothing if a searching worker stole the
            // task meanwhile (a lone yielding task wakes no thief, but one may be searching).
            let allocations = if std::thread::current().id() == thread {
                (allocations() - before) as f64 / yields as f64
            } else {
                f64::NAN
            };
            Cost { nanos, allocations }
        })
        .await
        .expect("the yielding task")
    })
}
// ANCHOR_END: measure

/// The measurements of `main`, at these sizes (the tests use smaller ones).
fn measure(rounds: u64, batch: u64, yields: u64) -> [(&'static str, Cost); 3] {
    let runtime = Runtime::builder()
        .worker_threads(2)
        .build()
        .expect("cannot start the runtime");
    [
        (
            "spawn + run + await, from a task",
            spawn_cost(&runtime, true, rounds, batch),
        ),
        (
            "spawn + run + await, from block_on",
            spawn_cost(&runtime, false, rounds, batch),
        ),
        ("yield", yield_cost(&runtime, yields)),
    ]
}

fn main() {
    let build = if cfg!(debug_assertions) {
        "debug build: add --release for figures worth comparing"
    } else {
        "release build"
    };
    println!("2 workers, {build}");
    for (what, cost) in measure(200, 100, 1_000_000) {
        println!(
            "{what}: {:.0} ns and {:.2} allocations each",
            cost.nanos, cost.allocations
        );
    }
}

#[cfg(test)]
mod tests;
