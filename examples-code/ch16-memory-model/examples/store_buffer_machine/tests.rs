use super::*;

/// The outcomes of the named litmus test, on one machine.
fn of(name: &str, store_buffers: bool) -> BTreeSet<Vec<Vec<u8>>> {
    let test = litmus_tests().into_iter().find(|t| t.name == name).unwrap();
    outcomes(&test.threads, &test.memory, store_buffers)
}

fn reads(a: &[u8], b: &[u8]) -> Vec<Vec<u8>> {
    vec![a.to_vec(), b.to_vec()]
}

#[test]
fn one_at_a_time_no_interleaving_has_both_reads_see_the_old_value() {
    let found = of("store buffering", false);
    assert_eq!(found.len(), 3, "{found:?}");
    assert!(!found.contains(&reads(&[0], &[0])));
}

#[test]
fn with_store_buffers_both_reads_can_see_the_old_value() {
    assert!(of("store buffering", true).contains(&reads(&[0], &[0])));
}

#[test]
fn a_fence_on_both_sides_takes_that_outcome_away() {
    let found = of("store buffering, fenced", true);
    assert!(!found.contains(&reads(&[0], &[0])), "{found:?}");
    assert_eq!(found, of("store buffering", false));
}

#[test]
fn store_buffers_keep_writes_in_order_so_message_passing_holds() {
    // The flag seen, the data not: impossible on this machine (and on x86), though the
    // language allows it for `Relaxed`.
    let found = of("message passing", true);
    assert!(!found.contains(&reads(&[], &[1, 0])), "{found:?}");
    assert_eq!(found, of("message passing", false));
}

#[test]
fn a_clear_by_store_loses_a_merged_wake_and_a_clear_by_swap_does_not() {
    // Lost: the poll read `ready` as 0 (the runtime's last read), and the wake's swap found
    // `scheduled` at 1 (the waker's only read).
    let lost = |found: BTreeSet<Vec<Vec<u8>>>| {
        found.iter().any(|o| o[0].last() == Some(&0) && o[1] == [1])
    };
    assert!(!lost(of("merged wake, clear by store", false)));
    assert!(lost(of("merged wake, clear by store", true)));
    assert!(!lost(of("merged wake, clear by swap", true)));
}

#[test]
fn the_demo_runs() {
    main();
}
