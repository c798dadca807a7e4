//! Who is awake: how many workers are *searching* (looking for work to steal) and how many
//! are *unparked* (not asleep), in one atomic word, and the list of the sleeping ones behind
//! a lock. It decides whom a push wakes, if anyone: tokio's `Idle`
//! (`runtime/scheduler/multi_thread/idle.rs`), and the design of tokio's 2019 article
//! "Making the Tokio scheduler 10x faster", section "Throttle stealing".

use crate::sync::{AtomicUsize, Mutex, Ordering, lock};

// ANCHOR: idle
/// The searching count in the low 16 bits, the unparked count above.
const UNPARKED_SHIFT: usize = 16;
const SEARCHING_MASK: usize = (1 << UNPARKED_SHIFT) - 1;
const ONE_UNPARKED: usize = 1 << UNPARKED_SHIFT;

pub struct Idle {
    /// `searching | unparked << 16`. Read by every push (is anybody looking already?),
    /// changed by workers when they start or stop searching, park or wake.
    state: AtomicUsize,
    /// The sleeping workers, by index, the last to sleep last.
    sleepers: Mutex<Vec<usize>>,
    workers: usize,
}
// ANCHOR_END: idle

#[derive(Clone, Copy, Debug)]
struct Counts(usize);

impl Counts {
    fn searching(self) -> usize {
        self.0 & SEARCHING_MASK
    }
    fn unparked(self) -> usize {
        self.0 >> UNPARKED_SHIFT
    }
}

impl Idle {
    /// Every worker starts unparked, none searching.
    pub fn new(workers: usize) -> Idle {
        assert!(workers > 0 && workers < SEARCHING_MASK);
        Idle {
            state: AtomicUsize::new(workers << UNPARKED_SHIFT),
            sleepers: Mutex::new(Vec::with_capacity(workers)),
            workers,
        }
    }

    // ANCHOR: worker_to_notify
    /// After a push: the worker to wake, if any. Nobody, when a worker is searching already
    /// (it will find the work, and if it finds some it wakes another: see
    /// `transition_worker_from_searching`), or when nobody sleeps. The one woken is counted
    /// unparked and searching at once, under the lock, so that two pushes wake two workers.
    pub fn worker_to_notify(&self) -> Option<usize> {
        if !self.should_wake() {
            return None;
        }
        let mut sleepers = lock(&self.sleepers);
        if !self.should_wake() {
            return None;
        }
        self.state.fetch_add(1 | ONE_UNPARKED, Ordering::SeqCst);
        let worker = sleepers.pop();
        debug_assert!(
            worker.is_some(),
            "fewer unparked than workers, yet nobody sleeps"
        );
        worker
    }

    /// A read of the counts that is a read-modify-write (`fetch_add(0)`): it takes its place
    /// in the chain of changes to the word, after the pusher's push, so that a worker whose
    /// own change comes later in that chain sees the push (see `transition_worker_to_parked`).
    fn should_wake(&self) -> bool {
        let counts = Counts(self.state.fetch_add(0, Ordering::SeqCst));
        counts.searching() == 0 && counts.unparked() < self.workers
    }
    // ANCHOR_END: worker_to_notify

    // ANCHOR: searching
    /// A worker with nothing to do wants to steal. Allowed unless half the workers or more
    /// are searching already: more thieves would only fight over the same queues. (Two may
    /// pass this check at once; the limit is a throttle, not a promise.)
    pub fn transition_worker_to_searching(&self) -> bool {
        let counts = Counts(self.state.load(Ordering::SeqCst));
        if 2 * counts.searching() >= self.workers {
            return false;
        }
        self.state.fetch_add(1, Ordering::SeqCst);
        true
    }

    /// A searching worker found work and is about to run it. Returns `true` when it was the
    /// last searcher: the caller must wake another worker, so that someone goes on looking
    /// (a push that came meanwhile saw a searcher and woke nobody).
    pub fn transition_worker_from_searching(&self) -> bool {
        let before = Counts(self.state.fetch_sub(1, Ordering::SeqCst));
        before.searching() == 1
    }
    // ANCHOR_END: searching

    // ANCHOR: parked
    /// A worker goes to sleep: it joins the sleepers and leaves the unparked (and the
    /// searching, if it searched). Returns `true` when it leaves nobody searching: it must
    /// then look at every queue once more before it sleeps. A push reads this word with a
    /// read-modify-write too, so the two are ordered: if the push's comes first, this one
    /// reads what follows it and the look sees the push; if this one comes first, the push
    /// sees one unparked worker fewer, and wakes someone if nobody searches. tokio looks
    /// only when the last *searcher* parks; a worker that did not search then sleeps without
    /// a look, and a push that saw it awake a moment before is left to the others
    /// (`tests/loom_park.rs` shows it stranded when the other worker's task blocks).
    pub fn transition_worker_to_parked(&self, worker: usize, is_searching: bool) -> bool {
        let mut sleepers = lock(&self.sleepers);
        let decrement = ONE_UNPARKED + usize::from(is_searching);
        let before = Counts(self.state.fetch_sub(decrement, Ordering::SeqCst));
        sleepers.push(worker);
        before.searching() == usize::from(is_searching)
    }
    // ANCHOR_END: parked

    /// A sleeping worker woke with work of its own (the driver gave it some): take it off
    /// the sleepers. Returns `true` if it was still on the list (nobody had woken it).
    pub fn unpark_worker_by_id(&self, worker: usize) -> bool {
        let mut sleepers = lock(&self.sleepers);
        let Some(at) = sleepers.iter().position(|&w| w == worker) else {
            return false;
        };
        sleepers.swap_remove(at);
        self.state.fetch_add(ONE_UNPARKED, Ordering::SeqCst);
        true
    }

    /// Whether `worker` is on the sleepers' list: a worker that wakes without being taken
    /// off it (a spurious wake, a timer in the driver) goes back to sleep.
    pub fn is_parked(&self, worker: usize) -> bool {
        lock(&self.sleepers).contains(&worker)
    }

    /// How many workers search and how many are unparked, now.
    pub fn counts(&self) -> (usize, usize) {
        let counts = Counts(self.state.load(Ordering::SeqCst));
        (counts.searching(), counts.unparked())
    }
}
