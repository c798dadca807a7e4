use super::*;

/// Whichever owner drops last: loom ran the races every way.
const ANY_OWNER_LAST: [&str; 3] = ["0", "1", "2"];

#[test]
fn a_relaxed_decrement_frees_before_the_others_uses_are_visible() {
    assert_eq!(verdict(VERSIONS[0].1).failure.as_deref(), Some(FREED_EARLY));
}

#[test]
fn a_release_decrement_needs_the_acquire_on_the_last_owners_side() {
    assert_eq!(verdict(VERSIONS[1].1).failure.as_deref(), Some(FREED_EARLY));
}

#[test]
fn arcs_release_decrement_and_acquire_fence_pass_whoever_is_last() {
    let verdict = verdict(VERSIONS[2].1);
    assert!(verdict.passes_with(&ANY_OWNER_LAST), "{verdict:?}");
}

#[test]
fn an_acqrel_decrement_passes_too() {
    let verdict = verdict(VERSIONS[3].1);
    assert!(verdict.passes_with(&ANY_OWNER_LAST), "{verdict:?}");
}

#[test]
fn the_demo_runs() {
    main();
}
