use super::*;

const DEADLOCK: Option<&str> = Some("deadlock");

#[test]
fn loom_passes_the_handshake_with_a_fence_on_both_sides() {
    // And it ran both endings of the race: the runtime saw the task and did not sleep, or it
    // slept and the waker woke it.
    let verdict = verdict(FENCED, FENCED);
    assert!(verdict.passes_with(&["false", "true"]), "{verdict:?}");
}

#[test]
fn without_the_runtimes_fence_the_runtime_sleeps_for_ever() {
    assert_eq!(verdict(UNFENCED, FENCED).failure.as_deref(), DEADLOCK);
}

#[test]
fn without_the_wakers_fence_the_runtime_sleeps_for_ever() {
    assert_eq!(verdict(FENCED, UNFENCED).failure.as_deref(), DEADLOCK);
}

/// A false alarm: the language forbids this outcome for `SeqCst` accesses (one total order
/// of all four), but loom treats them as `AcqRel`.
#[test]
fn loom_cannot_check_the_version_with_seqcst_accesses() {
    assert_eq!(verdict(SEQCST, SEQCST).failure.as_deref(), DEADLOCK);
}

#[test]
fn the_demo_runs() {
    main();
}
