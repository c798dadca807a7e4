use super::*;

/// Few trials: a debug build, and a machine that may be busy (and fewer still under Miri,
/// which emulates the memory model: there, the trials check the harness, not the CPU). What
/// the tests assert is what must hold in every trial, not how often the allowed outcomes
/// happen.
const FEW: usize = if cfg!(miri) { 30 } else { 5_000 };

#[test]
fn every_trial_is_counted_once() {
    let counts = trials(relaxed, relaxed, (false, false), FEW);
    assert_eq!(counts.iter().flatten().sum::<usize>(), FEW);
}

#[test]
fn with_seqcst_on_both_sides_no_trial_has_both_reads_false() {
    for side in [seqcst as Side, seqcst_fence] {
        let counts = trials(side, side, (false, false), FEW);
        assert_eq!(counts[0][0], 0, "{counts:?}");
    }
}

#[test]
fn no_trial_loses_a_merged_wake_when_the_runtime_clears_with_a_swap() {
    let counts = trials(wake, run_with_swap, (false, true), FEW);
    assert_eq!(counts[1][0], 0, "{counts:?}");
}

#[test]
fn the_sides_read_what_a_lone_thread_would() {
    // One side alone, after the other has finished: each sees the other's write. The
    // outcome the chapter counts needs the two to overlap.
    let (x, y) = (AtomicBool::new(false), AtomicBool::new(false));
    assert!(!relaxed(&x, &y));
    assert!(relaxed(&y, &x));
    let (ready, scheduled) = (AtomicBool::new(false), AtomicBool::new(true));
    assert!(
        wake(&ready, &scheduled),
        "the task was scheduled: the wake queues nothing"
    );
    assert!(
        run_with_store(&scheduled, &ready),
        "the poll sees the event"
    );
}

#[test]
#[cfg(target_os = "linux")]
fn the_two_sides_are_pinned_to_two_cpus_when_there_are_two() {
    let (a, b) = (pin_probe(0), pin_probe(1));
    if thread::available_parallelism().map_or(1, |n| n.get()) >= 2 {
        assert!(a.is_some() && b.is_some() && a != b, "{a:?} {b:?}");
    }
}

#[test]
fn the_report_has_a_line_per_version() {
    let report = report(FEW / 10);
    print!("{report}");
    assert_eq!(report.lines().filter(|l| l.ends_with("%)")).count(), 6);
}
