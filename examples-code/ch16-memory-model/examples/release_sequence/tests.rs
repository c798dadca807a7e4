use super::*;
use ch16_memory_model::release_sequence::STALE;

#[test]
fn the_demo_passes_the_read_modify_write_and_fails_the_store() {
    main();
    let verdicts = verdicts();
    assert_eq!(verdicts[0].1.failure, None);
    assert_eq!(verdicts[1].1.failure.as_deref(), Some(STALE));
}
