//! Message passing under loom: a sender writes data, then raises a flag; the receiver that
//! sees the flag reads the data. loom runs every execution and says whether it can read the
//! data's old value.

use ch16_memory_model::message_passing::{RELAXED, RELEASE_ACQUIRE, model};
use ch16_memory_model::verdict::{Verdict, check};
use std::sync::atomic::Ordering;

fn verdicts() -> Vec<(&'static str, Verdict)> {
    let versions: [(&str, (Ordering, Ordering)); 2] = [
        ("Relaxed flag", RELAXED),
        ("Release write, Acquire read", RELEASE_ACQUIRE),
    ];
    versions
        .into_iter()
        .map(|(name, (raise, look))| (name, check(move || model(raise, look))))
        .collect()
}

fn main() {
    println!("message passing, every execution loom can find:");
    for (name, verdict) in verdicts() {
        println!("{name:<28} {}", verdict.line());
    }
}

#[cfg(test)]
mod tests;
