use super::*;
use std::cell::Cell;
use std::rc::Rc;
use std::thread::ThreadId;

/// The demo's unit, scaled down for the tests.
const TEST_UNIT: Duration = Duration::from_millis(100);

/// The demo's unit for the test of the overlap, which needs an upper bound: task 2 may be
/// late by up to one unit (a test thread that loses the CPU on a loaded machine) and still
/// pass, while timers one after the other fail it however fast the machine is.
const DEMO_UNIT: Duration = Duration::from_millis(500);

/// A timer that must not fire while a test still polls, or that must outlast a one-unit
/// timer: long enough that a thread which loses the CPU for a while on a loaded machine
/// cannot see it fire too soon.
const LONG: Duration = Duration::from_secs(1);

/// A waker that records every wake: how many, and from which thread.
#[derive(Default)]
struct Recorder {
    wakes: Mutex<Vec<ThreadId>>,
    condvar: Condvar,
}

impl Wake for Recorder {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.wakes.lock().unwrap().push(thread::current().id());
        self.condvar.notify_all();
    }
}

impl Recorder {
    fn new() -> (Arc<Recorder>, Waker) {
        let recorder = Arc::new(Recorder::default());
        let waker = Waker::from(Arc::clone(&recorder));
        (recorder, waker)
    }

    fn count(&self) -> usize {
        self.wakes.lock().unwrap().len()
    }

    /// Waits up to `limit` for `n` wakes in all; returns the threads they came from.
    fn wait_for(&self, n: usize, limit: Duration) -> Vec<ThreadId> {
        let wakes = self.wakes.lock().unwrap();
        let (wakes, _) = self
            .condvar
            .wait_timeout_while(wakes, limit, |w| w.len() < n)
            .unwrap();
        assert!(wakes.len() >= n, "{n} wakes expected, {} came", wakes.len());
        wakes.clone()
    }
}

/// Runs `f` on a thread of its own and returns its result, or panics after `limit`:
/// a future that is never woken fails the test instead of hanging it.
fn within<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (sender, receiver) = mpsc::channel();
    thread::spawn(move || {
        let _ = sender.send(f());
    });
    match receiver.recv_timeout(limit) {
        Ok(result) => result,
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("not finished after {limit:?}"),
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("the test's thread panicked"),
    }
}

fn poll(task: &mut Task, waker: &Waker) -> Poll<usize> {
    Pin::new(task).poll(&mut Context::from_waker(waker))
}

#[test]
fn main_runs() {
    within(Duration::from_secs(20), main);
}

#[test]
fn a_spawned_timer_runs_while_the_other_one_is_awaited() {
    let unit = DEMO_UNIT;
    let [(id1, time1), (id2, time2)] = within(20 * unit, move || demo(unit));
    assert_eq!((id1, id2), (1, 2));
    assert!(time1 >= unit, "task 1 at {time1:?}");
    assert!(time2 >= 2 * unit, "task 2 at {time2:?}");
    // The two-unit timer started at the spawn, before the one-unit timer: the two
    // overlap, and task 2 is done one unit after task 1, at 2 units. Had its timer started
    // only when task 1 was done, as in chapter 3, task 2 would come two units after it at
    // the least, at 1 + 2 units.
    assert!(
        time2 < time1 + 2 * unit,
        "task 1 at {time1:?}, task 2 at {time2:?}: the timers did not overlap"
    );
}

#[test]
fn a_task_is_pending_until_its_timer_fires_then_ready_with_its_id() {
    within(40 * LONG, || {
        let reactor = Reactor::new();
        let start = Instant::now();
        let mut task = Task::new(7, LONG, &reactor);
        let (recorder, waker) = Recorder::new();

        assert_eq!(poll(&mut task, &waker), Poll::Pending);
        assert!(task.registered);
        // Checked only while the timer cannot have fired yet.
        if start.elapsed() < LONG {
            assert_eq!(recorder.count(), 0, "woken before the timer fired");
        }

        recorder.wait_for(1, 20 * LONG);
        assert!(start.elapsed() >= LONG, "woken before the timer fired");
        assert_eq!(poll(&mut task, &waker), Poll::Ready(7));
        // Ready took the id off the readylist.
        assert!(!reactor.take_ready(7));
    });
}

#[test]
fn polling_again_before_the_timer_fires_does_not_start_a_second_timer() {
    within(40 * LONG, || {
        let reactor = Reactor::new();
        let mut task = Task::new(1, LONG, &reactor);
        let (recorder, waker) = Recorder::new();

        assert_eq!(poll(&mut task, &waker), Poll::Pending);
        assert_eq!(poll(&mut task, &waker), Poll::Pending);
        assert_eq!(poll(&mut task, &waker), Poll::Pending);

        recorder.wait_for(1, 20 * LONG);
        // Long enough for a second timer of the same length to fire too.
        thread::sleep(2 * TEST_UNIT);
        assert_eq!(recorder.count(), 1, "one timer, one wake");
        assert_eq!(poll(&mut task, &waker), Poll::Ready(1));
        assert!(!reactor.take_ready(1), "the id was on the readylist twice");
    });
}

#[test]
fn a_task_polled_with_a_new_waker_still_wakes_the_old_one() {
    within(40 * LONG, || {
        let reactor = Reactor::new();
        let mut task = Task::new(1, LONG, &reactor);
        let (first, first_waker) = Recorder::new();
        let (second, second_waker) = Recorder::new();

        assert_eq!(poll(&mut task, &first_waker), Poll::Pending);
        // The most recent poll comes with another waker: `Future::poll` says this is the
        // one to wake. The task does not even look at it.
        assert_eq!(poll(&mut task, &second_waker), Poll::Pending);

        first.wait_for(1, 20 * LONG);
        thread::sleep(2 * TEST_UNIT);
        assert_eq!(second.count(), 0, "the newest waker was woken");
        // The task is ready, but the only one told so is the stale waker.
        assert_eq!(poll(&mut task, &second_waker), Poll::Ready(1));
    });
}

#[test]
fn each_timer_wakes_from_a_thread_of_its_own() {
    within(40 * TEST_UNIT, || {
        let reactor = Reactor::new();
        let (recorder, waker) = Recorder::new();
        let mut tasks = [
            Task::new(1, TEST_UNIT, &reactor),
            Task::new(2, TEST_UNIT, &reactor),
        ];
        for task in &mut tasks {
            assert_eq!(poll(task, &waker), Poll::Pending);
        }

        let threads = recorder.wait_for(2, 20 * TEST_UNIT);
        assert_ne!(
            threads[0], threads[1],
            "two timers woke from the same thread"
        );
        assert!(!threads.contains(&thread::current().id()));
    });
}

#[test]
fn code_after_an_await_runs_on_the_block_on_thread_not_the_waking_one() {
    let (after_await, block_on_thread) = within(40 * TEST_UNIT, || {
        let reactor = Reactor::new();
        let task = Task::new(1, TEST_UNIT, &reactor);
        let after_await = block_on(async {
            task.await;
            thread::current().id()
        });
        (after_await, thread::current().id())
    });
    // The sleeper thread only called `wake`: the body went on in the next poll.
    assert_eq!(after_await, block_on_thread);
}

#[test]
fn dropping_the_reactor_returns_only_after_its_timers_have_fired() {
    within(40 * TEST_UNIT, || {
        let start = Instant::now();
        let reactor = Reactor::new();
        let mut task = Task::new(1, 2 * TEST_UNIT, &reactor);
        let (recorder, waker) = Recorder::new();
        assert_eq!(poll(&mut task, &waker), Poll::Pending);

        // The task holds the last other `Arc`: the reactor is dropped with it.
        drop(task);
        drop(reactor);

        // No waiting here: the sleeper thread has already run to its end.
        assert_eq!(
            recorder.count(),
            1,
            "drop returned before the sleeper thread finished"
        );
        assert!(start.elapsed() >= 2 * TEST_UNIT);
    });
}

#[test]
fn spawn_runs_the_future_up_to_its_first_pending_at_once() {
    within(40 * TEST_UNIT, || {
        let reactor = Reactor::new();
        let task = Task::new(1, TEST_UNIT, &reactor);
        let started = Rc::new(Cell::new(false));
        let id = block_on(async {
            let handle = spawn({
                let started = Rc::clone(&started);
                async move {
                    started.set(true);
                    task.await
                }
            });
            // Nobody has awaited the handle yet: `spawn` itself polled the future.
            assert!(started.get());
            assert!(matches!(handle, Spawned::Running(_)));
            handle.await
        });
        assert_eq!(id, 1);
    });
}

#[test]
fn a_future_ready_at_once_keeps_its_output_for_the_handle() {
    let handle = spawn(async { 42 });
    assert!(matches!(handle, Spawned::Finished(Some(42))));
    // Ready at once, without a poll of the future: this `block_on` cannot hang.
    assert_eq!(block_on(handle), 42);
}

/// Runs `f` on a thread of its own; returns whether it finished within `limit`. A thread
/// that does not finish stays blocked until the test process exits.
fn finishes_within(limit: Duration, f: impl FnOnce() + Send + 'static) -> bool {
    let (sender, receiver) = mpsc::channel();
    thread::spawn(move || {
        f();
        let _ = sender.send(());
    });
    receiver.recv_timeout(limit).is_ok()
}

#[test]
fn a_future_spawned_outside_block_on_never_wakes_block_on() {
    let finished = finishes_within(2 * LONG, || {
        let reactor = Reactor::new();
        // No `block_on` runs on this thread yet: the first poll, and so the timer, get a
        // waker that does nothing.
        let handle = spawn(Task::new(1, LONG, &reactor));
        // This polls the task again, with block_on's waker. The task does not register
        // again, its timer wakes the no-op waker, and this `block_on` sleeps for ever.
        block_on(handle);
    });
    assert!(!finished, "block_on was woken");
}

#[test]
fn a_spawned_future_wakes_the_block_on_that_spawned_it_not_the_one_awaiting_it() {
    let finished = finishes_within(2 * LONG, || {
        let reactor = Reactor::new();
        let task = Task::new(1, LONG, &reactor);
        // The first `block_on` spawns and returns at once: its parker gets the wake.
        let mut handle = None;
        block_on(async { handle = Some(spawn(task)) });
        block_on(handle.unwrap());
    });
    assert!(!finished, "the second block_on was woken");
}

#[test]
fn a_spawned_future_runs_its_code_only_when_its_handle_is_polled() {
    let finished_at = within(40 * LONG, || {
        let start = Instant::now();
        let reactor = Reactor::new();
        let timer = Task::new(1, TEST_UNIT, &reactor);
        let wait = Task::new(2, LONG, &reactor);
        block_on(async {
            let handle = spawn(async move {
                timer.await;
                start.elapsed()
            });
            wait.await;
            // The one-unit timer fired long before the ten-unit wait: its id still waits on
            // the readylist, because nothing has polled the spawned future since.
            assert!(reactor.readylist.lock().unwrap().contains(&1));
            handle.await
        })
    });
    // The code after `timer.await` ran when `handle` was awaited, after `wait`.
    assert!(
        finished_at >= LONG,
        "spawned future finished at {finished_at:?}"
    );
}

#[test]
fn a_spawned_future_that_is_never_awaited_never_finishes() {
    let (finished, timer_fired) = within(40 * LONG, || {
        let reactor = Reactor::new();
        let timer = Task::new(1, TEST_UNIT, &reactor);
        let wait = Task::new(2, LONG, &reactor);
        let finished = Rc::new(Cell::new(false));
        block_on(async {
            let _handle = spawn({
                let finished = Rc::clone(&finished);
                async move {
                    timer.await;
                    finished.set(true);
                }
            });
            wait.await;
        });
        (finished.get(), reactor.take_ready(1))
    });
    assert!(timer_fired, "the spawned future's timer did not fire");
    assert!(
        !finished,
        "the spawned future ran to its end without being awaited"
    );
}

#[test]
fn spawned_futures_take_turns_on_the_thread_that_awaits_them() {
    let (elapsed, ran_on, caller) = within(40 * TEST_UNIT, || {
        let start = Instant::now();
        let reactor = Reactor::new();
        // A timer, then two units of blocking work (standing in for computation).
        let job = |id| {
            let timer = Task::new(id, TEST_UNIT, &reactor);
            async move {
                timer.await;
                thread::sleep(2 * TEST_UNIT);
                thread::current().id()
            }
        };
        let (job1, job2) = (job(1), job(2));
        block_on(async {
            let handle1 = spawn(job1);
            let handle2 = spawn(job2);
            let ran_on = [handle1.await, handle2.await];
            (start.elapsed(), ran_on, thread::current().id())
        })
    });
    assert_eq!(
        ran_on,
        [caller, caller],
        "a spawned future ran on another thread"
    );
    // The timers overlap (both fire at 1 unit), the work does not: 1 + 2 + 2 units.
    assert!(elapsed >= 5 * TEST_UNIT, "done after {elapsed:?}");
}
