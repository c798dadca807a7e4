//! Store buffering under loom: each thread writes its own flag, then reads the other's, in
//! four versions. loom runs every execution of each and says whether both reads can see
//! `false`.

use ch16_memory_model::store_buffering::{
    Side, model, relaxed, release_acquire, seqcst, seqcst_fence,
};
use ch16_memory_model::verdict::{Verdict, check};

// ANCHOR: demo
fn verdicts() -> Vec<(&'static str, Verdict)> {
    let versions: [(&str, Side); 4] = [
        ("Relaxed", relaxed),
        ("Release/Acquire", release_acquire),
        ("SeqCst fence between", seqcst_fence),
        ("SeqCst store and load", seqcst),
    ];
    versions
        .into_iter()
        .map(|(name, side)| (name, check(move || model(side, side))))
        .collect()
}

fn main() {
    println!("store buffering, every execution loom can find:");
    for (name, verdict) in verdicts() {
        println!("{name:<22} {}", verdict.line());
    }
}
// ANCHOR_END: demo

#[cfg(test)]
mod tests;
