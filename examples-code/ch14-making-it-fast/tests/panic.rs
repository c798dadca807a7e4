//! A task that panics gives `JoinError::is_panic`; the runtime and the other tasks go on.

mod common;

use ch14_making_it_fast::{Runtime, spawn, yield_now};
use common::{LIMIT, within};

#[test]
fn a_panicking_task_gives_a_join_error_and_the_others_go_on() {
    let (panicked, other, after) = within(LIMIT, || {
        let runtime = Runtime::new().unwrap();
        runtime.block_on(async {
            let other = spawn(async {
                yield_now().await;
                7
            });
            let panicked = spawn(async {
                yield_now().await;
                panic!("boom");
            });
            let panicked: Result<(), _> = panicked.await;
            let other = other.await;
            // The runtime still spawns and runs tasks after the panic.
            let after = spawn(async { 8 }).await;
            (panicked, other, after)
        })
    });
    let error = panicked.unwrap_err();
    assert!(error.is_panic() && !error.is_cancelled());
    assert_eq!(error.to_string(), "task panicked: boom");
    assert_eq!(*error.into_panic().downcast::<&str>().unwrap(), "boom");
    assert_eq!(other.unwrap(), 7);
    assert_eq!(after.unwrap(), 8);
}
