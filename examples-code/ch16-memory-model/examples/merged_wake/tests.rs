use super::*;
use ch16_memory_model::merged_wake::LOST;

#[test]
fn the_demo_loses_the_wake_with_a_store_and_not_with_a_swap() {
    main();
    let verdicts = verdicts();
    assert_eq!(verdicts[0].1.failure.as_deref(), Some(LOST));
    assert_eq!(verdicts[1].1.failure, None);
}
