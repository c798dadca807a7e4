use super::*;
use std::cell::Cell;

const TEST_UNIT: Duration = Duration::from_millis(50);

/// The demo's unit in the tests: its three tasks finish one unit apart, and a thread that
/// loses the CPU for less than a unit on a loaded machine must not change their order.
const DEMO_UNIT: Duration = Duration::from_millis(500);

#[test]
fn a_detached_task_finishes_while_block_on_awaits_something_else() {
    let done = demo(DEMO_UNIT);
    let ids: Vec<usize> = done.iter().map(|(id, _)| *id).collect();
    // Task 2 was spawned and its handle dropped at once: it still ran, at two units, before
    // task 3 (at three units) let `block_on` return.
    assert_eq!(ids, [1, 2, 3]);
    let (_, at) = done[1];
    assert!(at >= 2 * DEMO_UNIT, "{at:?}");
}

/// Sets its flag when dropped.
struct DropFlag(Rc<Cell<bool>>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.set(true);
    }
}

#[test]
fn detached_tasks_still_running_when_block_on_returns_are_dropped() {
    let reactor = Reactor::new();
    let (finished, dropped) = (Rc::new(Cell::new(false)), Rc::new(Cell::new(false)));
    let long = {
        let (reactor, finished, flag) = (
            Arc::clone(&reactor),
            Rc::clone(&finished),
            DropFlag(Rc::clone(&dropped)),
        );
        async move {
            let _flag = flag;
            // Twenty units: far beyond the end of `block_on`, even on a loaded machine.
            Task::new(1, 20 * TEST_UNIT, &reactor).await;
            finished.set(true);
        }
    };
    block_on(async {
        drop(spawn(long));
        Task::new(2, TEST_UNIT, &reactor).await;
    });
    assert!(dropped.get(), "the detached task outlived block_on");
    assert!(!finished.get());
    DETACHED.with_borrow(|detached| assert!(detached.is_empty()));
}

#[test]
fn awaiting_a_handle_to_the_end_then_dropping_it_detaches_nothing() {
    let reactor = Reactor::new();
    let value = block_on(async {
        let handle = spawn({
            let reactor = Arc::clone(&reactor);
            async move { Task::new(1, TEST_UNIT, &reactor).await }
        });
        let mut handle = pin!(handle);
        let value = handle.as_mut().await;
        DETACHED.with_borrow(|detached| assert!(detached.is_empty()));
        value
    });
    assert_eq!(value, 1);
}

#[test]
fn a_handle_dropped_outside_block_on_drops_its_future() {
    let dropped = Rc::new(Cell::new(false));
    let flag = DropFlag(Rc::clone(&dropped));
    let handle = spawn(async move {
        let _flag = flag;
        std::future::pending::<()>().await;
    });
    drop(handle);
    assert!(dropped.get());
    DETACHED.with_borrow(|detached| assert!(detached.is_empty()));
}

#[test]
fn main_runs() {
    main();
}
