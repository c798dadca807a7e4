use super::*;
use std::thread::ThreadId;

/// The demo's unit, scaled down for the tests.
const TEST_UNIT: Duration = Duration::from_millis(100);

/// A timer that must not fire while a test still polls: long enough that a test thread
/// which loses the CPU for a while on a loaded machine cannot see it fire too soon.
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
fn tasks_awaited_one_after_the_other_finish_at_one_and_three_units() {
    let [(id1, time1), (id2, time2)] = within(40 * TEST_UNIT, || demo(TEST_UNIT));
    assert_eq!((id1, id2), (1, 2));
    assert!(time1 >= TEST_UNIT, "task 1 at {time1:?}");
    // The second timer starts only when the second task is first polled, which is after
    // the first task is done: two whole units after it, so 1 + 2 units at the least. Two
    // timers that overlapped would finish one unit apart. No upper bound: a loaded machine
    // may run either task late.
    assert!(
        time2 >= time1 + 2 * TEST_UNIT,
        "task 1 at {time1:?}, task 2 at {time2:?}"
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
