//! Exercise 14.1: count the allocations of a spawn. A global allocator that wraps the system's
//! and counts the allocations of each thread; then trivial tasks, spawned and awaited in
//! batches on chapter 9's runtime and on chapter 14's, and a task that wakes itself, with the
//! allocations each one costs.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

// ANCHOR: counting
/// The system's allocator, counting the allocations that each thread makes.
pub struct Counting;

thread_local! {
    /// How many allocations this thread has made. A `const` thread-local of a `Cell` has no
    /// destructor to register, so reading it never allocates: it is safe to use inside the
    /// allocator itself.
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn count_one() {
    // `try_with`: while the thread ends, its count may be gone already; that is not counted.
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

    /// A block that grows or shrinks counts as one more allocation: it may move.
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count_one();
        // SAFETY: our caller keeps the contract of `realloc`: `ptr` came from this allocator,
        // that is from `System`, with `layout`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: our caller keeps the contract of `dealloc`: `ptr` came from `System` with
        // `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// How many allocations this thread has made so far. The difference of two readings is what
/// the code in between allocated, on this thread: tests running on other threads do not
/// disturb it.
pub fn allocations() -> usize {
    ALLOCATIONS.with(Cell::get)
}
// ANCHOR_END: counting

// ANCHOR: per_spawn
/// The same measurements for each stage: both keep the API of Part II (`Runtime`, `spawn`,
/// `JoinHandle`, `yield_now`), so one macro writes them for both.
macro_rules! count_on {
    ($stage:ident) => {
        pub mod $stage {
            use super::allocations;
            use ::$stage::{JoinHandle, Runtime, spawn, yield_now};

            /// Spawns `batch` trivial tasks, then awaits them all. `handles` has room for
            /// them already, so it allocates nothing.
            async fn spawn_and_await(handles: &mut Vec<JoinHandle<usize>>, batch: usize) {
                handles.extend((0..batch).map(|i| spawn(async move { i })));
                for (i, handle) in handles.drain(..).enumerate() {
                    assert_eq!(handle.await.ok(), Some(i), "a task gave no output");
                }
            }

            /// Allocations per task: `warm_up` batches of `batch` tasks are spawned and
            /// awaited first, uncounted, so that the runtime's queues and its list of tasks
            /// have grown already; then `batches` more are counted.
            pub fn per_spawn(batch: usize, warm_up: usize, batches: usize) -> f64 {
                let runtime = Runtime::new().expect("building the runtime");
                runtime.block_on(async move {
                    let mut handles = Vec::with_capacity(batch);
                    for _ in 0..warm_up {
                        spawn_and_await(&mut handles, batch).await;
                    }
                    let before = allocations();
                    for _ in 0..batches {
                        spawn_and_await(&mut handles, batch).await;
                    }
                    (allocations() - before) as f64 / (batch * batches) as f64
                })
            }

            /// Allocations per wake on the runtime's own thread: a task wakes itself
            /// (`yield_now`) `wakes` times, and counts what each wake and the poll after it
            /// cost the thread, the runtime's work in between included.
            pub fn per_wake(wakes: usize) -> f64 {
                let runtime = Runtime::new().expect("building the runtime");
                runtime.block_on(async move {
                    let task = spawn(async move {
                        yield_now().await; // once uncounted, to warm up
                        let before = allocations();
                        for _ in 0..wakes {
                            yield_now().await;
                        }
                        allocations() - before
                    });
                    let allocated = task.await.expect("the task gave no output");
                    allocated as f64 / wakes as f64
                })
            }
        }
    };
}

count_on!(ch09_blocking);
count_on!(ch14_making_it_fast);
// ANCHOR_END: per_spawn

/// The demo's batches: 1,000 tasks each, one to warm up, ten counted.
const BATCH: usize = 1_000;
const BATCHES: usize = 10;
const WAKES: usize = 10_000;

// ANCHOR: demo
fn main() {
    println!("allocations per task, spawned and awaited in batches of {BATCH}:");
    println!("                       first batch  {BATCHES} batches after it");
    let spawns = |stage: &str, per_spawn: fn(usize, usize, usize) -> f64| {
        let (cold, warm) = (per_spawn(BATCH, 0, 1), per_spawn(BATCH, 1, BATCHES));
        println!("{stage:<22} {cold:>11.3}  {warm:>18.3}");
    };
    spawns("ch09 blocking", ch09_blocking::per_spawn);
    spawns("ch14 making it fast", ch14_making_it_fast::per_spawn);
    println!("allocations per wake of a task by itself, with its poll ({WAKES} wakes):");
    let wakes = |stage: &str, per_wake: fn(usize) -> f64| {
        println!("{stage:<22} {:>11.3}", per_wake(WAKES));
    };
    wakes("ch09 blocking", ch09_blocking::per_wake);
    wakes("ch14 making it fast", ch14_making_it_fast::per_wake);
}
// ANCHOR_END: demo

#[cfg(test)]
mod tests;
