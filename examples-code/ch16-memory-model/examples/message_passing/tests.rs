use super::*;
use ch16_memory_model::message_passing::STALE;

#[test]
fn the_demo_finds_the_stale_read_only_without_release_and_acquire() {
    main();
    let verdicts = verdicts();
    assert_eq!(verdicts[0].1.failure.as_deref(), Some(STALE));
    assert_eq!(verdicts[1].1.failure, None);
}
