use super::*;

#[test]
fn the_measurements_run_and_give_positive_figures() {
    let runtime = Runtime::new().unwrap();
    assert!(spawn_cost(&runtime, 200, 50) > 0.0);
    assert!(wake_cost(&runtime, 1_000) > 0.0);
}

#[test]
fn main_runs() {
    main();
}
