use super::*;

#[test]
fn wake_by_ref_releases_a_reference_it_does_not_own() {
    let thread = Arc::new(thread::current());
    let waker = thread_waker(Arc::clone(&thread));
    assert_eq!(Arc::strong_count(&thread), 2);

    waker.wake_by_ref();
    // One too few: the waker is still here, but its reference is gone.
    assert_eq!(Arc::strong_count(&thread), 1);

    // Never drop it: that would release the same reference a second time.
    mem::forget(waker);
    assert_eq!(Arc::strong_count(&thread), 1);
}

#[test]
fn each_wake_by_ref_loses_one_more() {
    let thread = Arc::new(thread::current());
    let waker = thread_waker(Arc::clone(&thread));
    // Two extra references of our own, so that two mistaken calls still free nothing.
    let spares = [Arc::clone(&thread), Arc::clone(&thread)];
    assert_eq!(Arc::strong_count(&thread), 4);

    waker.wake_by_ref();
    waker.wake_by_ref();
    assert_eq!(Arc::strong_count(&thread), 2);

    // Four owners believe in a count of 2: `thread`, the waker and both spares. Two of
    // them must never release theirs. Forget the waker and one spare; the other spare
    // can then be dropped like any `Arc`, and the count matches its owners again.
    let [spent, spare] = spares;
    mem::forget(waker);
    mem::forget(spent);
    drop(spare);
    assert_eq!(Arc::strong_count(&thread), 1);
}

#[test]
fn main_runs() {
    main();
}
