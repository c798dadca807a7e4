use super::*;
use std::cell::Cell;
use std::rc::Rc;

#[test]
fn is_ready_when_the_slower_of_the_two_is() {
    let both = join(
        Countdown {
            name: "a",
            remaining: 2,
        },
        Countdown {
            name: "b",
            remaining: 5,
        },
    );
    assert_eq!(run(both), (("a", "b"), 6));
}

/// A future that counts its polls and panics if polled after it was ready.
struct Strict {
    polls: Rc<Cell<u32>>,
    ready_at: u32,
}

impl Future for Strict {
    type Output = u32;

    fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<u32> {
        let polls = self.polls.get() + 1;
        assert!(polls <= self.ready_at, "polled again after Ready");
        self.polls.set(polls);
        if polls == self.ready_at {
            Poll::Ready(polls)
        } else {
            Poll::Pending
        }
    }
}

#[test]
fn a_finished_future_is_never_polled_again() {
    let (a, b) = (Rc::new(Cell::new(0)), Rc::new(Cell::new(0)));
    let both = join(
        Strict {
            polls: Rc::clone(&a),
            ready_at: 1,
        },
        Strict {
            polls: Rc::clone(&b),
            ready_at: 4,
        },
    );
    assert_eq!(run(both), ((1, 4), 4));
    assert_eq!((a.get(), b.get()), (1, 4));
}

#[test]
fn main_runs() {
    main();
}
