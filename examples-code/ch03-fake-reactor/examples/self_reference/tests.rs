use super::*;

#[test]
fn pointer_is_right_before_the_move() {
    let value = SelfRef::new(1);
    value.point_at_self();
    assert!(value.points_at_own_value());
}

#[test]
fn pointer_is_stale_after_a_move_into_a_box() {
    let value = SelfRef::new(1);
    value.point_at_self();
    let old_address: *const u64 = &value.value;

    let moved = Box::new(value);
    assert!(!moved.points_at_own_value());
    assert_eq!(moved.ptr.get(), old_address);
}

#[test]
fn pointer_is_stale_after_a_move_into_a_vec() {
    let value = SelfRef::new(1);
    value.point_at_self();

    let mut vec = vec![SelfRef::new(0)];
    vec.push(value);
    assert!(!vec[1].points_at_own_value());
}

#[test]
fn main_runs() {
    main();
}
