use super::*;

#[test]
fn a_run_far_above_or_below_the_median_is_an_outlier() {
    // Median 100: 151 is above 1.5 times it, 66 below it divided by 1.5.
    assert_eq!(outliers(&[100.0, 151.0, 66.0, 99.0, 101.0], 1.5), [1, 2]);
    // 150 and 67 are within the factor.
    assert_eq!(
        outliers(&[100.0, 150.0, 67.0, 99.0, 101.0], 1.5),
        [] as [usize; 0]
    );
    assert_eq!(
        kept(&[100.0, 151.0, 66.0, 99.0, 101.0], 1.5),
        [100.0, 99.0, 101.0]
    );
}

#[test]
fn one_slow_run_in_five_is_flagged_and_the_median_does_not_move() {
    // Chapter 10's yields: one run of 291 ns among four of about 130.
    assert_eq!(outliers(&YIELD_CH10, FACTOR), [2]);
    // The median is a run of the typical four; the mean is pulled a quarter above it.
    assert_eq!(median(&YIELD_CH10), 132.19);
    let mean = YIELD_CH10.iter().sum::<f64>() / 5.0;
    assert!(mean > 1.2 * median(&YIELD_CH10), "{mean}");
    // tokio's outside wakes, unpinned: runs from 2.9 to 12.8 µs, and only the two in the
    // middle are within the factor of their median.
    assert_eq!(outliers(&EXT_WAKE_TOKIO_CT, FACTOR), [0, 1, 4]);
    assert_eq!(
        outliers(&EXT_WAKE_TOKIO_CT_PINNED, FACTOR),
        [] as [usize; 0]
    );
}

#[test]
fn rows_whose_kept_runs_do_not_overlap_are_told_apart_with_the_ratio_of_medians() {
    let fast = row([10.0, 11.0, 12.0, 11.0, 10.5]);
    let slow = row([20.0, 21.0, 22.0, 21.0, 20.5]);
    assert_eq!(compare(&fast, &slow), Verdict::FirstFaster(21.0 / 11.0));
    assert_eq!(compare(&slow, &fast), Verdict::SecondFaster(21.0 / 11.0));
    // Two runs as slow as `slow`'s fastest, within the factor of their median: kept, and
    // the ranges overlap.
    let touching = row([14.0, 15.0, 16.0, 20.5, 21.0]);
    assert_eq!(outliers(&touching.runs, FACTOR), [] as [usize; 0]);
    assert_eq!(compare(&touching, &slow), Verdict::Overlap);
}

#[test]
fn an_outlier_neither_hides_nor_fakes_a_difference() {
    // The ranges of all runs overlap (1,857 ns is tokio-mt's slowest run), but without the
    // outliers every spawn of tokio-mt was faster than every spawn of chapter 10.
    assert_eq!(outliers(&SPAWN_TOKIO_MT, FACTOR), [1]);
    assert_eq!(outliers(&SPAWN_CH10, FACTOR), [4]);
    assert!(matches!(
        compare(&row(SPAWN_CH10), &row(SPAWN_TOKIO_MT)),
        Verdict::SecondFaster(_)
    ));
    // Chapter 10 and tokio-ct yield at the same speed: even without chapter 10's slow run,
    // the runs overlap.
    assert_eq!(
        compare(&row(YIELD_CH10), &row(YIELD_TOKIO_CT)),
        Verdict::Overlap
    );
    assert!(matches!(
        compare(&row(YIELD_CH05), &row(YIELD_TOKIO_CT)),
        Verdict::SecondFaster(_)
    ));
}
