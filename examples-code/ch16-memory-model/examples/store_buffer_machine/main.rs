//! Why "interleave the operations any way you like" is the wrong picture: every execution of
//! the litmus tests on two small machines, simulated. The first runs the threads' operations
//! one at a time, in every interleaving. The second gives each thread a store buffer, as an
//! x86 core has: a write waits in its thread's buffer until the machine drains it to memory,
//! a read looks in its own buffer first, and a fence or a swap waits for the buffer to be
//! empty. No atomics, no threads: a search over every order of every step. `std` only.

use std::collections::{BTreeSet, VecDeque};

/// One operation of a litmus test's thread, on memory cells numbered from 0.
#[derive(Clone, Copy)]
enum Op {
    /// Write a value.
    Write(usize, u8),
    /// Read a cell: its value becomes part of the outcome.
    Read(usize),
    /// Wait until this thread's store buffer is empty (x86's `mfence`, or any locked
    /// instruction).
    Fence,
    /// Read the cell and write a value, as one step, with the buffer empty first (x86's
    /// `xchg`): its read becomes part of the outcome.
    Swap(usize, u8),
}

/// Where the machine is: each thread's next operation, its store buffer, memory, and what
/// the reads have returned so far.
#[derive(Clone)]
struct State {
    next: Vec<usize>,
    buffers: Vec<VecDeque<(usize, u8)>>,
    memory: Vec<u8>,
    reads: Vec<Vec<u8>>,
}

/// Every outcome (what each thread's reads returned, thread by thread) of `threads`,
/// starting from `memory`, with store buffers or without.
fn outcomes(threads: &[Vec<Op>], memory: &[u8], store_buffers: bool) -> BTreeSet<Vec<Vec<u8>>> {
    let start = State {
        next: vec![0; threads.len()],
        buffers: vec![VecDeque::new(); threads.len()],
        memory: memory.to_vec(),
        reads: vec![Vec::new(); threads.len()],
    };
    let mut found = BTreeSet::new();
    explore(threads, store_buffers, start, &mut found);
    found
}

/// Tries every step the machine can take from `state`, and records where each path ends.
fn explore(
    threads: &[Vec<Op>],
    store_buffers: bool,
    state: State,
    found: &mut BTreeSet<Vec<Vec<u8>>>,
) {
    let mut stepped = false;
    for t in 0..threads.len() {
        // The machine drains the oldest write of thread t's buffer to memory.
        if let Some(&(cell, value)) = state.buffers[t].front() {
            let mut next = state.clone();
            next.buffers[t].pop_front();
            next.memory[cell] = value;
            explore(threads, store_buffers, next, found);
            stepped = true;
        }
        // Thread t runs its next operation, if it can.
        let Some(&op) = threads[t].get(state.next[t]) else {
            continue;
        };
        let mut next = state.clone();
        match op {
            Op::Write(cell, value) if store_buffers => next.buffers[t].push_back((cell, value)),
            Op::Write(cell, value) => next.memory[cell] = value,
            Op::Read(cell) => {
                // The thread's own latest buffered write to the cell, else memory.
                let buffered = next.buffers[t].iter().rev().find(|(c, _)| *c == cell);
                let value = buffered.map_or(next.memory[cell], |&(_, v)| v);
                next.reads[t].push(value);
            }
            Op::Fence | Op::Swap(..) if !next.buffers[t].is_empty() => continue,
            Op::Fence => {}
            Op::Swap(cell, value) => {
                next.reads[t].push(next.memory[cell]);
                next.memory[cell] = value;
            }
        }
        next.next[t] += 1;
        explore(threads, store_buffers, next, found);
        stepped = true;
    }
    if !stepped {
        found.insert(state.reads); // every thread done, every buffer drained
    }
}

/// The outcomes, one per line's end: `[read, …] [read, …]`, thread by thread.
fn show(outcomes: &BTreeSet<Vec<Vec<u8>>>) -> String {
    let show_thread = |reads: &Vec<u8>| format!("{reads:?}").replace(' ', "");
    outcomes
        .iter()
        .map(|o| o.iter().map(show_thread).collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("  ")
}

/// A litmus test: its threads, and the memory they start from.
struct Litmus {
    name: &'static str,
    threads: Vec<Vec<Op>>,
    memory: Vec<u8>,
}

// ANCHOR: tests
/// The litmus tests of the chapter, as the machines see them.
fn litmus_tests() -> Vec<Litmus> {
    use Op::*;
    let (x, y) = (0, 1);
    let (data, flag) = (0, 1);
    let (scheduled, ready) = (0, 1);
    let litmus = |name, threads, memory| Litmus {
        name,
        threads,
        memory,
    };
    vec![
        litmus(
            "store buffering",
            vec![vec![Write(x, 1), Read(y)], vec![Write(y, 1), Read(x)]],
            vec![0, 0],
        ),
        litmus(
            "store buffering, fenced",
            vec![
                vec![Write(x, 1), Fence, Read(y)],
                vec![Write(y, 1), Fence, Read(x)],
            ],
            vec![0, 0],
        ),
        litmus(
            "message passing",
            vec![
                vec![Write(data, 42), Write(flag, 1)],
                vec![Read(flag), Read(data)],
            ],
            vec![0, 0],
        ),
        // The runtime clears `scheduled`, then polls (reads `ready`); the waker sets `ready`,
        // then swaps `scheduled`. Lost: [0] [1], the poll missed the event and the wake found
        // the task scheduled.
        litmus(
            "merged wake, clear by store",
            vec![
                vec![Write(scheduled, 0), Read(ready)],
                vec![Write(ready, 1), Swap(scheduled, 1)],
            ],
            vec![1, 0],
        ),
        litmus(
            "merged wake, clear by swap",
            vec![
                vec![Swap(scheduled, 0), Read(ready)],
                vec![Write(ready, 1), Swap(scheduled, 1)],
            ],
            vec![1, 0],
        ),
    ]
}

fn main() {
    println!("every outcome, as [reads of thread 1] [reads of thread 2]");
    for test in litmus_tests() {
        println!("{}:", test.name);
        let on = |store_buffers| show(&outcomes(&test.threads, &test.memory, store_buffers));
        println!("  one at a time:  {}", on(false));
        println!("  store buffers:  {}", on(true));
    }
}
// ANCHOR_END: tests

#[cfg(test)]
mod tests;
