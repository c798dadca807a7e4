//! The runtime's three cross-thread handshakes, alone with their atomics: the task's
//! `scheduled` flag (a wake queues a task once), the `sleeping`/`injected` pair (a wake from
//! another thread ends the runtime's sleep) and `Done` (a task's output handed to its
//! `JoinHandle`, wherever that is awaited). The task and the runtime call these methods and
//! touch the atomics nowhere else, so `tests/loom_task.rs`, `tests/loom_sleep.rs` and
//! `tests/loom_join.rs` check the very code the runtime runs. Chapter 16 names the litmus
//! test each one is an instance of.
//!
//! Every write that may race with another thread's read-modify-write of the same atomic is
//! a read-modify-write too, even the few where the memory model would let a plain store do.
//! loom 0.7 lets a plain store fall between the read and the write of a concurrent
//! read-modify-write on the same atomic (tokio-rs/loom#254, still open), and then reports
//! lost wakes that cannot happen; with read-modify-writes only, its models of this module are
//! exact. On x86 a swap costs a few nanoseconds more than a store, and these run once per
//! sleep or per wake from outside. (`Done`'s `complete` is a plain store: it is written once,
//! and the other side only loads it.)

use crate::sync::{AtomicBool, AtomicWaker, Ordering, fence};
use std::task::Waker;

// ANCHOR: scheduled
/// Whether a task is in a run queue: set by the wake that queues it, cleared just before each
/// poll. A wake that finds it set queues nothing, so many wakes cost one queue entry.
pub struct Scheduled(AtomicBool);

impl Scheduled {
    /// A new task is scheduled: its first poll is its first trip through the run queue.
    pub fn new() -> Scheduled {
        Scheduled(AtomicBool::new(true))
    }

    /// A wake. Returns `true` when the caller must put the task in a run queue: it was not
    /// there. `Release`: what the waker did before (a message sent, a flag set) goes with
    /// the write, for the poll's swap below to take.
    pub fn wake(&self) -> bool {
        !self.0.swap(true, Ordering::AcqRel)
    }

    /// Just before a poll: from now on a wake queues the task again.
    ///
    /// A read-modify-write, not a store: a wake that found the flag set queued nothing, and
    /// the poll that follows is the only one that can see what that wake announced. The swap
    /// reads the value the latest wake wrote (a read-modify-write always reads the latest
    /// value), and `Acquire` makes the waker's earlier writes visible to the poll. A plain
    /// `store(false)` reads nothing: the poll could miss the event while the wake, merged
    /// into the pending one, queues nothing (store buffering; `tests/loom_task.rs`).
    pub fn clear_before_poll(&self) {
        self.0.swap(false, Ordering::AcqRel);
    }
}

impl Default for Scheduled {
    fn default() -> Scheduled {
        Scheduled::new()
    }
}
// ANCHOR_END: scheduled

// ANCHOR: sleep
/// What a waker on another thread and the runtime's thread tell each other about sleeping.
pub struct Sleep {
    /// Set when the injector gets a task: the runtime takes the injector's lock only when it
    /// is set.
    injected: AtomicBool,
    /// The main future (`block_on`'s) was woken and wants a poll.
    main_woken: AtomicBool,
    /// Set by the runtime's thread just before it may sleep in `epoll_wait`; the waker that
    /// clears it ends the sleep (writes the eventfd).
    sleeping: AtomicBool,
}

impl Sleep {
    /// Nobody sleeps, nothing is injected, no main future is woken.
    pub fn new() -> Sleep {
        Sleep {
            injected: AtomicBool::new(false),
            main_woken: AtomicBool::new(false),
            sleeping: AtomicBool::new(false),
        }
    }

    /// The waker's side, after it pushed a task on the injector: "there is a task", then
    /// "wake up if you sleep". Returns `true` when the caller must end the runtime's sleep
    /// (write the eventfd): it is the first waker since the runtime said it would sleep.
    pub fn injected_then_unpark(&self) -> bool {
        self.injected.swap(true, Ordering::Release);
        self.unpark()
    }

    /// The same for the main future: "the main future was woken", then "wake up".
    pub fn main_woken_then_unpark(&self) -> bool {
        self.main_woken.swap(true, Ordering::Release);
        self.unpark()
    }

    /// On the runtime's own thread (a wake from inside a poll, or the first poll of
    /// `block_on`), nobody sleeps: the flag alone, no eventfd. A swap like the others, since
    /// a waker on another thread may set it at the same time.
    pub fn main_woken_here(&self) {
        self.main_woken.swap(true, Ordering::Release);
    }

    /// Dekker's pattern, the waker's half: my store (`injected` or `main_woken`), a `SeqCst`
    /// fence, then a look at the other side's flag. The swap makes the look a claim: of many
    /// wakers during one sleep, only the first finds `true`, and only it writes.
    fn unpark(&self) -> bool {
        fence(Ordering::SeqCst);
        self.sleeping.swap(false, Ordering::Relaxed)
    }

    /// The runtime's half, when it has nothing to run: "I may sleep", a `SeqCst` fence, then
    /// one last look for work. Returns `true` when it may sleep: no task was injected and the
    /// main future was not woken. Then a waker that comes later finds `sleeping` set.
    pub fn may_sleep(&self) -> bool {
        self.sleeping.swap(true, Ordering::Relaxed);
        fence(Ordering::SeqCst);
        !self.injected.load(Ordering::Relaxed) && !self.main_woken.load(Ordering::Relaxed)
    }

    /// The runtime's thread is back from `epoll_wait`: no waker needs to write any more.
    pub fn awake(&self) {
        self.sleeping.swap(false, Ordering::Relaxed);
    }

    /// Whether a task was injected since the last call: then the caller takes the
    /// injector's lock (which hands the tasks over) and drains it.
    pub fn take_injected(&self) -> bool {
        // The plain load first: the runtime asks every time its local queue is empty, and
        // most times nothing was injected, so most times no read-modify-write is paid.
        self.injected.load(Ordering::Relaxed) && self.injected.swap(false, Ordering::AcqRel)
    }

    /// Whether the main future was woken since its last poll; clears the flag, with a
    /// read-modify-write for the reason `Scheduled::clear_before_poll` gives.
    pub fn take_main_woken(&self) -> bool {
        // The plain load first: most turns of the loop find it clear, and skip the swap.
        self.main_woken.load(Ordering::Relaxed) && self.main_woken.swap(false, Ordering::AcqRel)
    }

    /// Whether the main future was woken (a look, nothing cleared).
    pub fn main_is_woken(&self) -> bool {
        self.main_woken.load(Ordering::Acquire)
    }
}

impl Default for Sleep {
    fn default() -> Sleep {
        Sleep::new()
    }
}
// ANCHOR_END: sleep

// ANCHOR: done
/// A task's output handed to its `JoinHandle`, once: `complete`, set when the output is
/// written, and the waker of the task that awaits the handle, if one does.
pub struct Done {
    complete: AtomicBool,
    waker: AtomicWaker,
}

impl Done {
    /// Not complete, nobody waiting.
    pub fn new() -> Done {
        Done {
            complete: AtomicBool::new(false),
            waker: AtomicWaker::new(),
        }
    }

    /// The task's side, on the runtime's thread, after the last write of the output: the
    /// flag, whose `Release` publishes the output with it (message passing), then a wake of
    /// whoever registered. A store: the flag is written once, and by this thread only.
    pub fn set_then_wake(&self) {
        self.complete.store(true, Ordering::Release);
        self.waker.wake();
    }

    /// Whether the task is over, asked by the runtime's own thread, the only one that sets
    /// the flag: it reads its own write, so `Relaxed` is enough.
    pub fn is_set_here(&self) -> bool {
        self.complete.load(Ordering::Relaxed)
    }

    /// The handle's side: register the waker, then look. Returns `true` when the output is
    /// there, and then its writes are visible (`Acquire` takes what `set_then_wake`
    /// released). When it returns `false`, a later `set_then_wake` finds this waker. The two
    /// sides meet in the store-buffering shape (each writes, then reads what the other
    /// wrote), and `AtomicWaker` resolves it with read-modify-writes on one word: `register`
    /// and `wake` are ordered, and whichever comes second sees the first.
    pub fn register_then_look(&self, waker: &Waker) -> bool {
        self.waker.register(waker);
        self.complete.load(Ordering::Acquire)
    }
}

impl Default for Done {
    fn default() -> Done {
        Done::new()
    }
}
// ANCHOR_END: done
