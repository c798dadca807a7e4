//! The merged wake under loom: a waker announces an event and wakes a task that is already
//! scheduled, while the runtime clears `scheduled` and polls. loom runs every execution, with
//! the clear done by a store and by a swap.

use ch16_memory_model::merged_wake::{Clear, clear_with_store, clear_with_swap, model};
use ch16_memory_model::verdict::{Verdict, check};

fn verdicts() -> Vec<(&'static str, Verdict)> {
    let versions: [(&str, Clear); 2] = [
        ("store(false, Release)", clear_with_store),
        ("swap(false, AcqRel)", clear_with_swap),
    ];
    versions
        .into_iter()
        .map(|(name, clear)| (name, check(move || model(clear))))
        .collect()
}

fn main() {
    println!("a wake merged into a pending one, every execution loom can find:");
    for (name, verdict) in verdicts() {
        println!("clear with {name:<22} {}", verdict.line());
    }
}

#[cfg(test)]
mod tests;
