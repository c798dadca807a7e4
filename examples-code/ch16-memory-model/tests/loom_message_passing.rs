//! loom's verdicts on message passing (MP). Runs under a plain `cargo test` too.

use ch16_memory_model::message_passing::{ALLOWED, RELAXED, RELEASE_ACQUIRE, STALE, model};
use ch16_memory_model::verdict::check;
use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};

#[test]
fn loom_finds_the_flag_without_the_data_with_relaxed() {
    let (raise, look) = RELAXED;
    let verdict = check(move || model(raise, look));
    assert_eq!(verdict.failure.as_deref(), Some(STALE), "{verdict:?}");
}

#[test]
fn a_release_write_read_by_an_acquire_read_carries_the_data() {
    let (raise, look) = RELEASE_ACQUIRE;
    let verdict = check(move || model(raise, look));
    assert!(verdict.passes_with(&ALLOWED), "{verdict:?}");
}

#[test]
fn release_alone_or_acquire_alone_is_not_enough() {
    for (raise, look) in [(Release, Relaxed), (Relaxed, Acquire)] {
        let verdict = check(move || model(raise, look));
        assert_eq!(
            verdict.failure.as_deref(),
            Some(STALE),
            "{raise:?}/{look:?}: {verdict:?}"
        );
    }
}
