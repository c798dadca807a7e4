use super::*;
use ex05_task_queue::spawn;
use std::future::{pending, poll_fn};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::task::{Poll, Waker};
use std::thread;
use std::time::Duration;

/// Runs `f` on a thread of its own and fails the test if it takes longer than 20 s.
fn within<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (sender, receiver) = mpsc::channel();
    thread::spawn(move || {
        let _ = sender.send(f());
    });
    receiver
        .recv_timeout(Duration::from_secs(20))
        .expect("not finished in 20 s, or the test's thread panicked")
}

#[test]
fn a_full_runtime_makes_jobs_wait_for_a_slot_and_runs_them_all() {
    // Each job is polled three times: jobs 2 and 4 wait those three turns for the two
    // jobs before them to finish, which frees both slots.
    assert_eq!(
        within(|| demo(2, 5)),
        [
            "job 0 spawned after waiting 0 turns",
            "job 1 spawned after waiting 0 turns",
            "job 2 spawned after waiting 3 turns",
            "job 3 spawned after waiting 0 turns",
            "job 4 spawned after waiting 3 turns",
            "total: 100",
        ]
    );
}

#[test]
fn try_spawn_gives_the_future_back_when_every_slot_is_taken() {
    let outcome = within(|| {
        Runtime::with_max_tasks(2).unwrap().block_on(async {
            let _first = try_spawn(pending::<u32>()).ok().unwrap();
            let _second = try_spawn(pending::<u32>()).ok().unwrap();
            let full = try_spawn(async { 7 })
                .err()
                .expect("a third task found room");
            // The future comes back unpolled, and still works.
            full.into_inner().await
        })
    });
    assert_eq!(outcome, 7);
}

#[test]
fn a_slot_frees_when_its_task_finishes() {
    let second = within(|| {
        Runtime::with_max_tasks(1).unwrap().block_on(async {
            let first = try_spawn(async { 1 }).ok().unwrap();
            assert!(try_spawn(async { 2 }).is_err());
            first.await.unwrap();
            try_spawn(async { 2 }).ok().unwrap().await.unwrap()
        })
    });
    assert_eq!(second, 2);
}

#[test]
fn spawn_on_a_full_runtime_panics_with_a_clear_message() {
    let message = within(|| {
        let runtime = Runtime::with_max_tasks(1).unwrap();
        let panic = catch_unwind(AssertUnwindSafe(|| {
            runtime.block_on(async {
                let _busy = spawn(pending::<()>());
                spawn(async {});
            })
        }))
        .expect_err("spawn on a full runtime returned");
        panic.downcast_ref::<&str>().unwrap().to_string()
    });
    assert!(message.contains("full runtime"), "{message}");
}

#[test]
fn wakes_of_finished_tasks_take_no_room_in_the_queue() {
    // Fifty tasks, one at a time, each leaving its waker behind and finishing. Then all
    // fifty stale wakers are woken at once. If a finished task could be queued again, fifty
    // entries would go into a queue with room for two: "run queue overflow".
    let spawned = within(|| {
        Runtime::with_max_tasks(1).unwrap().block_on(async {
            let wakers = Arc::new(Mutex::new(Vec::<Waker>::new()));
            for _ in 0..50 {
                let wakers = Arc::clone(&wakers);
                spawn(poll_fn(move |cx| {
                    wakers.lock().unwrap().push(cx.waker().clone());
                    Poll::Ready(())
                }))
                .await
                .unwrap();
            }
            for waker in wakers.lock().unwrap().drain(..) {
                waker.wake();
            }
            yield_now().await; // the main future goes on the queue too
            spawn(async { "still room" }).await.unwrap()
        })
    });
    assert_eq!(spawned, "still room");
}

#[test]
fn a_task_woken_during_its_last_poll_holds_its_slot_until_that_wake_is_taken() {
    // The task wakes itself and finishes in the same poll: its entry is on the queue after
    // it has finished. Were its slot free at once, a new task would join that entry, and
    // the main future's next wake would overflow the queue (room for two).
    let outcome = within(|| {
        Runtime::with_max_tasks(1).unwrap().block_on(async {
            let last = try_spawn(poll_fn(|cx| {
                cx.waker().wake_by_ref();
                Poll::Ready(())
            }))
            .ok()
            .unwrap();
            yield_now().await; // the task's only poll runs
            let refused = try_spawn(async {}).is_err();
            yield_now().await; // the stale entry is taken, and the slot frees
            let next = try_spawn(async { "spawned" }).ok().unwrap();
            yield_now().await;
            last.await.unwrap();
            (refused, next.await.unwrap())
        })
    });
    assert_eq!(outcome, (true, "spawned"));
}

#[test]
fn main_runs() {
    within(main);
}
