use super::*;

const TEST_UNIT: Duration = Duration::from_millis(50);

/// The demo's unit in the tests: each race there is won by one unit, and a timer thread
/// that loses the CPU for less than a unit on a loaded machine must not change the winner.
const DEMO_UNIT: Duration = Duration::from_millis(500);

#[test]
fn the_timer_wins_against_a_slower_future_and_the_future_against_a_slower_timer() {
    assert_eq!(demo(DEMO_UNIT), [Err(Elapsed), Ok(2)]);
}

#[test]
fn a_timeout_returns_when_its_timer_fires_not_when_the_future_would() {
    let reactor = Reactor::new();
    let start = Instant::now();
    let result = block_on(timeout(
        Task::new(1, 40 * TEST_UNIT, &reactor),
        TEST_UNIT,
        2,
        &reactor,
    ));
    let elapsed = start.elapsed();
    assert_eq!(result, Err(Elapsed));
    assert!(elapsed >= TEST_UNIT, "{elapsed:?}");
    // Far from both: a loaded machine may be late by much, but not by 30 units.
    assert!(elapsed < 30 * TEST_UNIT, "{elapsed:?}");
}

#[test]
fn a_future_ready_at_once_beats_a_zero_timeout() {
    let reactor = Reactor::new();
    let result = block_on(timeout(async { 7 }, Duration::ZERO, 1, &reactor));
    assert_eq!(result, Ok(7));
}

#[test]
fn main_runs() {
    main();
}
