use super::*;

/// Wakes its waker `remaining` times, once per poll, then is ready.
struct Countdown {
    remaining: u32,
}

impl Future for Countdown {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.remaining == 0 {
            return Poll::Ready(());
        }
        self.remaining -= 1;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

#[test]
fn polls_asked_for_by_a_wake_are_not_spurious() {
    let report = block_on(Countdown { remaining: 3 });
    assert_eq!((report.polls, report.spurious), (4, 0));
}

#[test]
fn a_foreign_unpark_makes_a_spurious_poll() {
    let main_thread = thread::current();
    let stranger = thread::spawn(move || {
        thread::sleep(Duration::from_millis(20));
        main_thread.unpark();
    });
    let report = block_on(Delay {
        after: Duration::from_millis(300),
        done: None,
    });
    stranger.join().unwrap();
    assert_eq!(report.output, 42);
    // At least the stranger's unpark; `park` may add spurious returns of its own.
    assert!(report.spurious >= 1, "{report:?}");
    assert_eq!(report.polls, report.spurious + 2, "{report:?}");
}

#[test]
fn main_runs() {
    main();
}
