use super::*;

#[test]
#[cfg_attr(miri, ignore = "tokio and mio under Miri: too slow")]
fn every_wake_is_seen_on_both_runtimes() {
    // `wake_and_wait` returns only once the task has seen each of the wakes in turn.
    assert!(chapter_12(200).0 > Duration::ZERO);
    assert!(ours(200, false).0 > Duration::ZERO);
    assert!(ours(200, true).0 > Duration::ZERO);
    assert!(tokio(200) > Duration::ZERO);
}

#[test]
fn the_ratios_are_summed_up_by_their_median_and_range() {
    assert_eq!(summary(vec![2.0, 1.5, 1.0]), (1.5, 1.0, 2.0));
    assert_eq!(summary(vec![1.0, 3.0]).0, 2.0, "the middle two, averaged");
}

#[test]
#[cfg_attr(miri, ignore = "tokio and mio under Miri: too slow")]
fn main_runs() {
    main();
}
