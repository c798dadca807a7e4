//! loom's verdicts on release sequences. Runs under a plain `cargo test` too.

use ch16_memory_model::release_sequence::{ALLOWED, STALE, fetch_add, load_then_store, model};
use ch16_memory_model::verdict::check;

#[test]
fn a_read_modify_write_in_the_middle_continues_the_release_sequence() {
    let verdict = check(|| model(fetch_add));
    assert!(verdict.passes_with(&ALLOWED), "{verdict:?}");
}

#[test]
fn loom_finds_the_stale_data_when_a_plain_store_ends_the_sequence() {
    let verdict = check(|| model(load_then_store));
    assert_eq!(verdict.failure.as_deref(), Some(STALE), "{verdict:?}");
}
