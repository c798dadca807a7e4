//! loom's verdicts on store buffering (SB), every execution of each version. loom is a plain
//! dependency of this crate, so `cargo test -p ch16-memory-model --test loom_store_buffering`
//! runs them; the `loom` step of `cargo xtask test` runs them again in release.

use ch16_memory_model::store_buffering::{
    ALLOWED_WITH_SEQCST, BOTH_MISSED, model, relaxed, release_acquire, seqcst, seqcst_fence,
};
use ch16_memory_model::verdict::check;

#[test]
fn loom_finds_both_loads_reading_false_with_relaxed() {
    let verdict = check(|| model(relaxed, relaxed));
    assert_eq!(verdict.failure.as_deref(), Some(BOTH_MISSED), "{verdict:?}");
}

#[test]
fn release_and_acquire_do_not_stop_store_buffering() {
    let verdict = check(|| model(release_acquire, release_acquire));
    assert_eq!(verdict.failure.as_deref(), Some(BOTH_MISSED), "{verdict:?}");
}

#[test]
fn a_seqcst_fence_on_both_sides_forbids_both_missing() {
    let verdict = check(|| model(seqcst_fence, seqcst_fence));
    // Passes, and loom saw every outcome that is allowed: it did explore the races.
    assert!(verdict.passes_with(&ALLOWED_WITH_SEQCST), "{verdict:?}");
}

#[test]
fn a_seqcst_fence_on_one_side_only_is_not_enough() {
    let verdict = check(|| model(seqcst_fence, relaxed));
    assert_eq!(verdict.failure.as_deref(), Some(BOTH_MISSED), "{verdict:?}");
    let verdict = check(|| model(relaxed, seqcst_fence));
    assert_eq!(verdict.failure.as_deref(), Some(BOTH_MISSED), "{verdict:?}");
}

/// A false alarm, and the reason to write handshakes with fences: loom treats a `SeqCst`
/// load or store as `AcqRel` (its README, "Unsupported features"), so it reports an outcome
/// that the language forbids for `SeqCst` accesses. If loom is ever taught `SeqCst` accesses,
/// this test fails: then the chapter's sentence about it must change.
#[test]
fn loom_reports_a_false_alarm_for_seqcst_accesses() {
    let verdict = check(|| model(seqcst, seqcst));
    assert_eq!(verdict.failure.as_deref(), Some(BOTH_MISSED), "{verdict:?}");
}
