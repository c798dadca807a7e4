//! loom's verdicts on the merged wake: the protocol of the `scheduled` flag of chapters 5 and
//! 14. Runs under a plain `cargo test` too.

use ch16_memory_model::merged_wake::{ALLOWED, LOST, clear_with_store, clear_with_swap, model};
use ch16_memory_model::verdict::check;

#[test]
fn loom_finds_the_lost_wake_when_the_runtime_clears_with_a_store() {
    let verdict = check(|| model(clear_with_store));
    assert_eq!(verdict.failure.as_deref(), Some(LOST), "{verdict:?}");
}

#[test]
fn a_runtime_that_clears_with_a_swap_never_loses_a_merged_wake() {
    let verdict = check(|| model(clear_with_swap));
    assert!(verdict.passes_with(&ALLOWED), "{verdict:?}");
}
