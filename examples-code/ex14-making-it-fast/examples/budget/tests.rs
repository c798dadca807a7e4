use super::*;
use futures::stream::{self, StreamExt};
use futures::task::{ArcWake, noop_waker_ref, waker};

/// Counts its wakes.
#[derive(Default)]
struct Wakes(AtomicUsize);

impl ArcWake for Wakes {
    fn wake_by_ref(arc_self: &Arc<Self>) {
        arc_self.0.fetch_add(1, Ordering::Relaxed);
    }
}

/// Polls `source` until it is not ready, at most `limit` times; returns how many items came.
fn ready_items<S: Stream + Unpin>(source: &mut S, cx: &mut Context<'_>, limit: usize) -> usize {
    let mut items = 0;
    while items < limit {
        match Pin::new(&mut *source).poll_next(cx) {
            Poll::Ready(Some(_)) => items += 1,
            Poll::Ready(None) | Poll::Pending => break,
        }
    }
    items
}

#[test]
fn outside_budgeted_the_adapter_limits_nothing() {
    let mut cx = Context::from_waker(noop_waker_ref());
    let mut source = Budgeted::new(stream::repeat(1_u8));
    assert_eq!(ready_items(&mut source, &mut cx, 10_000), 10_000);
}

#[test]
fn each_poll_of_a_budgeted_task_completes_128_operations_then_wakes_it() {
    let wakes = Arc::new(Wakes::default());
    let waker = waker(Arc::clone(&wakes));
    let mut cx = Context::from_waker(&waker);
    // A task that takes every item it can in each poll, and notes how many it got.
    let mut source = Budgeted::new(stream::repeat(1_u8));
    let mut per_poll = Vec::new();
    let mut task = Box::pin(budgeted(poll_fn(move |cx| {
        per_poll.push(ready_items(&mut source, cx, 10_000));
        if per_poll.len() < 3 {
            Poll::Pending
        } else {
            Poll::Ready(per_poll.clone())
        }
    })));
    assert!(task.as_mut().poll(&mut cx).is_pending());
    assert_eq!(
        wakes.0.load(Ordering::Relaxed),
        1,
        "the adapter woke its task"
    );
    assert!(task.as_mut().poll(&mut cx).is_pending());
    assert_eq!(
        task.as_mut().poll(&mut cx),
        Poll::Ready(vec![128, 128, 128])
    );
    assert_eq!(wakes.0.load(Ordering::Relaxed), 3);
    // And once the budgeted poll is over, nothing is limited again.
    let mut outside = Budgeted::new(stream::repeat(1_u8));
    assert_eq!(ready_items(&mut outside, &mut cx, 1_000), 1_000);
}

#[test]
fn an_operation_that_is_not_ready_spends_nothing() {
    let mut cx = Context::from_waker(noop_waker_ref());
    let mut task = Box::pin(budgeted(poll_fn(|cx| {
        let mut pending = Budgeted::new(stream::pending::<u8>());
        for _ in 0..1_000 {
            assert!(Pin::new(&mut pending).poll_next(cx).is_pending());
        }
        let mut ready = Budgeted::new(stream::repeat(1_u8));
        Poll::Ready(ready_items(&mut ready, cx, 10_000))
    })));
    assert_eq!(task.as_mut().poll(&mut cx), Poll::Ready(128));
}

const ITEMS: usize = 100_000;

/// Task A of the test: takes `ITEMS` items of a stream that is always ready.
async fn take_all<S: Stream<Item = u8> + Unpin>(mut source: S) {
    for _ in 0..ITEMS {
        assert_eq!(source.next().await, Some(1));
    }
}

#[test]
fn without_a_budget_a_task_that_is_always_ready_starves_the_other() {
    let always_ready = stream::repeat(1_u8);
    assert_eq!(turns_of_the_other_task(take_all(always_ready), false), 0);
    // The adapter alone, outside `budgeted`, changes nothing either.
    let adapted = Budgeted::new(stream::repeat(1_u8));
    assert_eq!(turns_of_the_other_task(take_all(adapted), false), 0);
}

#[test]
fn with_a_budget_the_other_task_runs_after_every_128_items() {
    let adapted = Budgeted::new(stream::repeat(1_u8));
    let turns = turns_of_the_other_task(take_all(adapted), true);
    // A takes 128 items per poll, so it needs 782 polls, and B runs between two of them.
    let polls = ITEMS.div_ceil(BUDGET as usize);
    assert_eq!(polls, 782);
    assert_eq!(turns, polls - 1);
}

#[test]
fn the_same_for_a_reader_that_is_always_ready() {
    let plain = || futures::io::repeat(7);
    assert_eq!(turns_of_the_other_task(read_all(plain(), ITEMS), false), 0);
    assert_eq!(
        turns_of_the_other_task(read_all(plain(), ITEMS), true),
        0,
        "a budget that no operation spends limits nothing"
    );
    let adapted = Budgeted::new(plain());
    assert_eq!(
        turns_of_the_other_task(read_all(adapted, ITEMS), true),
        ITEMS.div_ceil(BUDGET as usize) - 1
    );
}
