//! Release sequences under loom: a sender writes data and sets a counter to 1 (`Release`), a
//! middle thread adds one, and a receiver that reads 2 (`Acquire`) reads the data. loom runs
//! every execution, with the middle thread's addition done two ways.

use ch16_memory_model::release_sequence::{Bump, fetch_add, load_then_store, model};
use ch16_memory_model::verdict::{Verdict, check};

fn verdicts() -> Vec<(&'static str, Verdict)> {
    let versions: [(&str, Bump); 2] = [
        ("fetch_add(1, Relaxed)", fetch_add),
        ("load, then store(+1)", load_then_store),
    ];
    versions
        .into_iter()
        .map(|(name, bump)| (name, check(move || model(bump))))
        .collect()
}

fn main() {
    println!("a release sequence, every execution loom can find:");
    for (name, verdict) in verdicts() {
        println!("{name:<22} {}", verdict.line());
    }
}

#[cfg(test)]
mod tests;
