//! The multi-threaded scheduler: a run queue per worker with a LIFO slot in front of it, the
//! injector, stealing by at most half of the workers at once, a look at the injector and the
//! driver every 61 polls, and parking (in the driver or on a parker of the worker's own)
//! without lost wakeups. Generic over the items it schedules, the kind of run queue and the
//! driver, so that the loom models can run this very code with numbers and a stand-in driver;
//! the runtime runs it with tasks and mio.

use crate::idle::Idle;
use crate::inject::Injector;
use crate::park::{Driver, Parker, Slept, Unpark};
use crate::queue::{self, CAPACITY};
use crate::sync::{AtomicBool, AtomicU64, Ordering, TryLock};
use crate::trace::{self, Event, Queue};
use crossbeam_deque::Steal as CrossbeamSteal;
use std::sync::Arc;

/// What the scheduler schedules: a task in the runtime, a number in the loom models. The id
/// names it in traces.
pub trait Item: Send + 'static {
    fn id(&self) -> u64;
}

impl Item for u32 {
    fn id(&self) -> u64 {
        u64::from(*self)
    }
}

// ANCHOR: run_queue
/// A worker's own run queue, as its two ends: the owner's and the thieves'. Two
/// implementations: the book's ring (`queue.rs`) and `crossbeam-deque`'s.
pub trait RunQueue<T>: 'static {
    type Local: Send;
    type Stealer: Send + Sync;

    fn new() -> (Self::Local, Self::Stealer);
    /// Pushes at the back; a full queue sends half of itself to `overflow`.
    fn push(local: &mut Self::Local, item: T, overflow: &Injector<T>);
    /// The oldest item.
    fn pop(local: &mut Self::Local) -> Option<T>;
    fn len(local: &Self::Local) -> usize;
    /// How many items a batch from the injector may bring.
    fn room(local: &Self::Local) -> usize;
    fn push_batch(local: &mut Self::Local, items: impl ExactSizeIterator<Item = T>);
    /// Moves about half of `from` into `into`, and returns one of the items and how many it
    /// took in all.
    fn steal_half(from: &Self::Stealer, into: &mut Self::Local) -> Option<(T, usize)>;
    fn is_empty(from: &Self::Stealer) -> bool;
}
// ANCHOR_END: run_queue

/// The book's queue: the bounded lock-free ring of `queue.rs`.
pub struct Ring;

impl<T: Send + 'static> RunQueue<T> for Ring {
    type Local = queue::Local<T>;
    type Stealer = queue::Steal<T>;

    fn new() -> (Self::Local, Self::Stealer) {
        queue::new()
    }
    fn push(local: &mut Self::Local, item: T, overflow: &Injector<T>) {
        local.push(item, overflow);
    }
    fn pop(local: &mut Self::Local) -> Option<T> {
        local.pop()
    }
    fn len(local: &Self::Local) -> usize {
        local.len()
    }
    fn room(local: &Self::Local) -> usize {
        local.remaining().min(CAPACITY / 2)
    }
    fn push_batch(local: &mut Self::Local, items: impl ExactSizeIterator<Item = T>) {
        local.push_batch(items);
    }
    fn steal_half(from: &Self::Stealer, into: &mut Self::Local) -> Option<(T, usize)> {
        let before = into.len();
        let item = from.steal_into(into)?;
        Some((item, into.len() - before + 1))
    }
    fn is_empty(from: &Self::Stealer) -> bool {
        from.is_empty()
    }
}

/// `crossbeam-deque`'s `Worker` (FIFO) and `Stealer`: unbounded, lock-free (Chase-Lev).
pub struct Crossbeam;

impl<T: Send + 'static> RunQueue<T> for Crossbeam {
    type Local = crossbeam_deque::Worker<T>;
    type Stealer = crossbeam_deque::Stealer<T>;

    fn new() -> (Self::Local, Self::Stealer) {
        let worker = crossbeam_deque::Worker::new_fifo();
        let stealer = worker.stealer();
        (worker, stealer)
    }
    fn push(local: &mut Self::Local, item: T, _overflow: &Injector<T>) {
        local.push(item); // it grows: never full
    }
    fn pop(local: &mut Self::Local) -> Option<T> {
        local.pop()
    }
    fn len(local: &Self::Local) -> usize {
        local.len()
    }
    fn room(_local: &Self::Local) -> usize {
        CAPACITY / 2
    }
    fn push_batch(local: &mut Self::Local, items: impl ExactSizeIterator<Item = T>) {
        for item in items {
            local.push(item);
        }
    }
    fn steal_half(from: &Self::Stealer, into: &mut Self::Local) -> Option<(T, usize)> {
        let before = into.len();
        loop {
            match from.steal_batch_and_pop(into) {
                CrossbeamSteal::Success(item) => return Some((item, into.len() - before + 1)),
                CrossbeamSteal::Empty => return None,
                CrossbeamSteal::Retry => std::hint::spin_loop(),
            }
        }
    }
    fn is_empty(from: &Self::Stealer) -> bool {
        from.is_empty()
    }
}

// ANCHOR: config
/// How the scheduler behaves; `Builder` sets it.
#[derive(Clone, Copy, Debug)]
pub struct Config {
    pub workers: usize,
    /// A worker looks at the injector before its own queue every this many polls.
    pub global_queue_interval: u32,
    /// ... and at the driver (without sleeping) every this many polls.
    pub event_interval: u32,
    /// Whether a task woken by the running task runs next, in the LIFO slot.
    pub lifo_slot: bool,
    /// Whether the last searcher to find work wakes another worker even when it sees no
    /// other work (tokio's rule), instead of only when it does (this book's).
    pub always_wake_after_search: bool,
}

/// How many times in a row a worker runs the task of its LIFO slot before its queue gets a
/// turn: tokio's `MAX_LIFO_POLLS_PER_TICK`.
pub const MAX_LIFO_POLLS: u32 = 3;
// ANCHOR_END: config

impl Config {
    /// tokio's defaults for `workers` workers.
    pub fn new(workers: usize) -> Config {
        Config {
            workers,
            global_queue_interval: 61,
            event_interval: 61,
            lifo_slot: true,
            always_wake_after_search: false,
        }
    }
}

// ANCHOR: shared
/// What the workers share.
pub struct Shared<Q: RunQueue<T>, T, D> {
    pub injector: Injector<T>,
    /// For each worker, its queue seen from the thieves, and its bed.
    remotes: Box<[Remote<Q, T>]>,
    /// Who searches, who sleeps.
    idle: Idle,
    /// The book-keeping: one worker at a time holds it.
    driver: TryLock<D>,
    /// Gets the worker that sleeps in the driver out of it.
    driver_unpark: Box<dyn Unpark>,
    closed: AtomicBool,
    config: Config,
    counts: SharedCounts,
}

struct Remote<Q: RunQueue<T>, T> {
    steal: Q::Stealer,
    parker: Arc<Parker>,
    /// The worker's own counts, published from time to time (only it writes them).
    published: [AtomicU64; WORKER_COUNTS],
}

/// One worker's end: the LIFO slot and the owner's end of its queue, among others. Only
/// its thread touches it.
pub struct Core<Q: RunQueue<T>, T> {
    index: usize,
    /// The task woken last by the task being polled: it runs next.
    lifo: Option<T>,
    /// Cleared after `MAX_LIFO_POLLS` slot polls in a row, until the slot is empty again.
    lifo_enabled: bool,
    local: Q::Local,
    /// Polls left before the next look at the driver (counting down: cheaper than a
    /// modulo), and before the next look at the injector first.
    until_driver: u32,
    until_injector: u32,
    /// Looking for work to steal (and counted as such in `Idle`).
    is_searching: bool,
    /// Inside a task's poll: a task it wakes goes to the LIFO slot.
    in_poll: bool,
    /// Parking or looking at the driver: a push notifies nobody yet (the driver wakes tasks
    /// in batches; `should_notify_others` decides once it is done).
    parking: bool,
    /// A cheap random number, to pick the first victim of a steal.
    seed: u32,
    counts: WorkerCounts,
}
// ANCHOR_END: shared

/// What the worker loop needs from its thread: the runtime keeps the `Core` in a
/// thread-local, so that a wake during a poll reaches it; a loom model keeps it in a
/// `RefCell` of its own.
pub trait Context<Q: RunQueue<T>, T> {
    /// Lends the worker's core (never while a task runs: `run` takes no core).
    fn with_core<R>(&self, f: impl FnOnce(&mut Core<Q, T>) -> R) -> R;
    /// Runs `item`: a fresh budget when `first`, else (a task from the LIFO slot) the
    /// budget left by the task before it, less one. Returns it again when it woke itself
    /// during its run (a yield): the caller queues it at the back.
    fn run(&self, item: T, first: bool) -> Option<T>;
    /// Whether the budget of the task just run has units left.
    fn has_budget(&self) -> bool;
}

/// Counts kept by each worker, for the tests and the curious.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WorkerCounts {
    /// Tasks run (LIFO slot included).
    pub polls: u64,
    /// Of which from the LIFO slot.
    pub lifo_polls: u64,
    /// Times the cap stopped a run of LIFO polls.
    pub lifo_capped: u64,
    /// Successful steals, and the items they took.
    pub steals: u64,
    pub stolen: u64,
    /// Sleeps in the driver, and on the worker's own parker.
    pub driver_parks: u64,
    pub condvar_parks: u64,
    /// Looks at the driver without sleeping.
    pub driver_polls: u64,
    /// Times it became a searcher, and times it was refused (half the workers searched).
    pub searches: u64,
    pub searches_refused: u64,
}

const WORKER_COUNTS: usize = 10;

impl WorkerCounts {
    fn to_array(self) -> [u64; WORKER_COUNTS] {
        [
            self.polls,
            self.lifo_polls,
            self.lifo_capped,
            self.steals,
            self.stolen,
            self.driver_parks,
            self.condvar_parks,
            self.driver_polls,
            self.searches,
            self.searches_refused,
        ]
    }

    fn add(&mut self, a: [u64; WORKER_COUNTS]) {
        self.polls += a[0];
        self.lifo_polls += a[1];
        self.lifo_capped += a[2];
        self.steals += a[3];
        self.stolen += a[4];
        self.driver_parks += a[5];
        self.condvar_parks += a[6];
        self.driver_polls += a[7];
        self.searches += a[8];
        self.searches_refused += a[9];
    }
}

#[derive(Default)]
struct SharedCounts {
    notifies: AtomicU64,
    unparks_driver: AtomicU64,
    unparks_condvar: AtomicU64,
}

/// What the scheduler did so far, summed over the workers (each worker publishes its
/// counts when it parks and when it stops).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub workers: WorkerCounts,
    /// Pushes that picked a sleeping worker to wake.
    pub notifies: u64,
    /// ... whose wake was a write to the driver's eventfd,
    pub unparks_driver: u64,
    /// ... or a `notify_one` on the worker's condvar (the rest found it awake already).
    pub unparks_condvar: u64,
}

impl<Q: RunQueue<T>, T: Item, D: Driver> Shared<Q, T, D> {
    /// A scheduler for `config.workers` workers, and their cores, one per worker thread.
    pub fn new(
        config: Config,
        driver: D,
        driver_unpark: impl Unpark,
    ) -> (Arc<Self>, Vec<Core<Q, T>>) {
        assert!(config.workers > 0);
        assert!(config.global_queue_interval > 0 && config.event_interval > 0);
        let mut remotes = Vec::with_capacity(config.workers);
        let mut cores = Vec::with_capacity(config.workers);
        for index in 0..config.workers {
            let (local, steal) = Q::new();
            remotes.push(Remote {
                steal,
                parker: Arc::new(Parker::new()),
                published: Default::default(),
            });
            cores.push(Core {
                index,
                lifo: None,
                lifo_enabled: config.lifo_slot,
                local,
                until_driver: config.event_interval,
                until_injector: config.global_queue_interval,
                is_searching: false,
                in_poll: false,
                parking: false,
                seed: (index as u32).wrapping_mul(0x9E37_79B9) | 1,
                counts: WorkerCounts::default(),
            });
        }
        let shared = Arc::new(Shared {
            injector: Injector::new(),
            remotes: remotes.into_boxed_slice(),
            idle: Idle::new(config.workers),
            driver: TryLock::new(driver),
            driver_unpark: Box::new(driver_unpark),
            closed: AtomicBool::new(false),
            config,
            counts: SharedCounts::default(),
        });
        (shared, cores)
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    // ANCHOR: inject
    /// Queues `item` from outside the workers (or from a worker of another runtime), and
    /// wakes a sleeping worker if nobody is searching. One push; a system call only when a
    /// worker must be woken. Gives `item` back once the scheduler is closed.
    pub fn inject(&self, item: T) -> Result<(), T> {
        let id = if trace::ENABLED { item.id() } else { 0 };
        self.injector.push(item)?;
        trace::record(|| Event::Push {
            task: id,
            queue: Queue::Injector,
        });
        self.notify_parked();
        Ok(())
    }
    // ANCHOR_END: inject

    // ANCHOR: notify
    /// Wakes one sleeping worker, unless a worker is searching already or nobody sleeps.
    pub fn notify_parked(&self) {
        if let Some(index) = self.idle.worker_to_notify() {
            self.counts.notifies.fetch_add(1, Ordering::Relaxed);
            trace::record(|| Event::Unpark {
                worker: index as u32,
            });
            match self.remotes[index].parker.unpark(&*self.driver_unpark) {
                Slept::InDriver => self.counts.unparks_driver.fetch_add(1, Ordering::Relaxed),
                Slept::OnCondvar => self.counts.unparks_condvar.fetch_add(1, Ordering::Relaxed),
                Slept::NotAtAll => 0,
            };
        }
    }

    /// The last searcher is about to sleep: if any queue has work, wake someone (perhaps
    /// itself: it is on the sleepers' list already, and then its park returns at once).
    fn notify_if_work_pending(&self) {
        let pending = self
            .remotes
            .iter()
            .any(|remote| !Q::is_empty(&remote.steal))
            || !self.injector.is_empty();
        if pending {
            self.notify_parked();
        }
    }
    // ANCHOR_END: notify

    /// Tells the workers to stop after the poll they are in, refuses injections from now on,
    /// and wakes every sleeper. Returns what the injector held.
    pub fn close(&self) -> Vec<T> {
        self.closed.store(true, Ordering::SeqCst);
        let queued = self.injector.close();
        for remote in self.remotes.iter() {
            remote.parker.unpark(&*self.driver_unpark);
        }
        queued
    }

    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// The counts so far.
    pub fn counts(&self) -> Counts {
        let mut workers = WorkerCounts::default();
        for remote in self.remotes.iter() {
            workers.add(std::array::from_fn(|i| {
                remote.published[i].load(Ordering::Relaxed)
            }));
        }
        Counts {
            workers,
            notifies: self.counts.notifies.load(Ordering::Relaxed),
            unparks_driver: self.counts.unparks_driver.load(Ordering::Relaxed),
            unparks_condvar: self.counts.unparks_condvar.load(Ordering::Relaxed),
        }
    }

    /// How many workers search, and how many are not asleep.
    pub fn idle_counts(&self) -> (usize, usize) {
        self.idle.counts()
    }

    pub fn workers(&self) -> usize {
        self.config.workers
    }
}

impl<Q: RunQueue<T>, T: Item> Core<Q, T> {
    pub fn index(&self) -> usize {
        self.index
    }

    /// Marks the start and the end of a task's poll: the tasks it wakes go to the LIFO slot.
    pub fn set_in_poll(&mut self, in_poll: bool) {
        self.in_poll = in_poll;
    }

    /// Whether this worker has a task of its own to run.
    pub fn has_tasks(&self) -> bool {
        self.lifo.is_some() || Q::len(&self.local) > 0
    }

    // ANCHOR: schedule_local
    /// Queues a task woken (or spawned) on this worker. During a poll, it goes to the LIFO
    /// slot and runs next, and the task it displaces goes to the back of the queue; otherwise
    /// (the slot capped or off, a wake from the driver) to the back. A task in the queue that
    /// waits behind another gets a sleeping worker woken to steal it.
    pub fn schedule<D: Driver>(&mut self, shared: &Shared<Q, T, D>, item: T) {
        if !self.in_poll {
            return self.push_back(shared, item);
        }
        if !self.lifo_enabled {
            // The slot is capped for now (it is on in the config): this task would have
            // taken it, and its worker runs it right after the poll, as it would the slot's.
            // It wakes nobody unless other tasks wait too: a thief woken for it would only
            // split a ping-pong pair across CPUs, every fourth message.
            let running = !shared.config.lifo_slot;
            return self.push_back_waiting_behind(shared, item, running);
        }
        let id = if trace::ENABLED { item.id() } else { 0 };
        trace::record(|| Event::Push {
            task: id,
            queue: Queue::Lifo,
        });
        if let Some(previous) = self.lifo.replace(item) {
            self.push_back(shared, previous);
        }
        // A task alone in the slot wakes nobody: nobody can steal it.
    }

    /// Pushes at the back of this worker's queue (a yield goes here, never to the slot), and
    /// wakes a sleeper if the task waits behind another: during a poll, behind the task
    /// polled; after it (a yield), behind a task queued before it.
    pub fn push_back<D: Driver>(&mut self, shared: &Shared<Q, T, D>, item: T) {
        let running = self.in_poll;
        self.push_back_waiting_behind(shared, item, running);
    }

    fn push_back_waiting_behind<D: Driver>(
        &mut self,
        shared: &Shared<Q, T, D>,
        item: T,
        running: bool,
    ) {
        let id = if trace::ENABLED { item.id() } else { 0 };
        Q::push(&mut self.local, item, &shared.injector);
        trace::record(|| Event::Push {
            task: id,
            queue: Queue::Local,
        });
        if !self.parking && self.should_notify_others(running) {
            shared.notify_parked();
        }
    }
    // ANCHOR_END: schedule_local

    // ANCHOR: should_notify
    /// Whether a task of this worker's waits behind another (behind the one `running`, if
    /// any, or behind the one it runs next): then a sleeping worker should come and steal it,
    /// or it would wait for as long as that task takes. A yielding task alone in the queue
    /// runs next, and wakes nobody. A searching worker wakes nobody here: when it stops
    /// searching, it looks at every queue (`transition_from_searching`).
    fn should_notify_others(&self, running: bool) -> bool {
        let waiting = usize::from(self.lifo.is_some()) + Q::len(&self.local);
        !self.is_searching && waiting > usize::from(!running)
    }
    // ANCHOR_END: should_notify

    // ANCHOR: next_task
    /// The next task of this worker's own: every `global_queue_interval` polls the injector
    /// first (or a worker whose queue never empties would starve it), then the LIFO slot,
    /// its queue, and a batch of the injector: its share, `len / workers + 1`, at most half
    /// a queue.
    pub fn next_task<D: Driver>(&mut self, shared: &Shared<Q, T, D>) -> Option<T> {
        self.until_injector -= 1;
        if self.until_injector == 0 {
            self.until_injector = shared.config.global_queue_interval;
            if let Some(item) = shared.injector.pop() {
                return Some(item);
            }
        }
        if let Some(item) = self.lifo.take().or_else(|| Q::pop(&mut self.local)) {
            return Some(item);
        }
        if shared.injector.is_empty() {
            return None;
        }
        let share = shared.injector.len() / shared.config.workers + 1;
        let count = share.min(Q::room(&self.local)).max(1);
        let local = &mut self.local;
        let first = shared
            .injector
            .pop_batch(count, |batch| {
                let first = batch.next();
                Q::push_batch(local, batch);
                first
            })
            .flatten();
        // The rest of the batch waits behind `first`: like any push, it may need a thief.
        if first.is_some() && self.should_notify_others(true) {
            shared.notify_parked();
        }
        first
    }
    // ANCHOR_END: next_task

    // ANCHOR: steal
    /// Nothing of its own: become a searcher (unless half the workers search already) and
    /// take half of another worker's queue, trying each once from a random one; last, the
    /// injector again.
    pub fn steal_work<D: Driver>(&mut self, shared: &Shared<Q, T, D>) -> Option<T> {
        if !self.is_searching {
            self.is_searching = shared.idle.transition_worker_to_searching();
            if !self.is_searching {
                self.counts.searches_refused += 1;
                return None;
            }
            self.counts.searches += 1;
        }
        let count = shared.remotes.len();
        self.seed ^= self.seed << 13;
        self.seed ^= self.seed >> 17;
        self.seed ^= self.seed << 5;
        let start = self.seed as usize % count;
        for offset in 0..count {
            let victim = (start + offset) % count;
            if victim == self.index {
                continue;
            }
            if let Some((item, taken)) =
                Q::steal_half(&shared.remotes[victim].steal, &mut self.local)
            {
                self.counts.steals += 1;
                self.counts.stolen += taken as u64;
                trace::record(|| Event::Steal {
                    from: victim as u32,
                    count: taken as u32,
                });
                return Some(item);
            }
        }
        shared.injector.pop()
    }

    /// About to run a task it found: no longer searching. A push made while it searched saw
    /// a searcher and woke nobody; so the last searcher looks at every queue once (the same
    /// look as the last searcher going to sleep) and wakes a worker if it sees work. tokio's
    /// last searcher wakes one whether or not there is work; this one does not, and a wake
    /// from outside that finds every worker asleep costs one unpark, not two.
    pub fn transition_from_searching<D: Driver>(&mut self, shared: &Shared<Q, T, D>) {
        if !self.is_searching {
            return;
        }
        self.is_searching = false;
        if shared.idle.transition_worker_from_searching() {
            if shared.config.always_wake_after_search {
                shared.notify_parked();
            } else {
                shared.notify_if_work_pending();
            }
        }
    }
    // ANCHOR_END: steal

    // ANCHOR: parked
    /// About to sleep: nothing of its own, so join the sleepers. A worker that leaves
    /// nobody searching takes a last look at every queue (see
    /// `Idle::transition_worker_to_parked`). Returns `false` when it has work after all.
    pub fn transition_to_parked<D: Driver>(&mut self, shared: &Shared<Q, T, D>) -> bool {
        if self.has_tasks() {
            return false;
        }
        let last = shared
            .idle
            .transition_worker_to_parked(self.index, self.is_searching);
        self.is_searching = false;
        if last {
            shared.notify_if_work_pending();
        }
        true
    }

    /// Back from a sleep: awake if it has work of its own (the driver woke tasks here:
    /// leave the sleepers' list) or if a push took it off the list (it then searches);
    /// else it was woken by a timer or spuriously, and sleeps again.
    pub fn transition_from_parked<D: Driver>(&mut self, shared: &Shared<Q, T, D>) -> bool {
        if self.has_tasks() {
            self.is_searching = !shared.idle.unpark_worker_by_id(self.index);
            return true;
        }
        if shared.idle.is_parked(self.index) {
            return false;
        }
        self.is_searching = true;
        true
    }
    // ANCHOR_END: parked

    /// Publishes this worker's counts.
    fn publish<D: Driver>(&self, shared: &Shared<Q, T, D>) {
        let remote = &shared.remotes[self.index];
        for (slot, value) in remote.published.iter().zip(self.counts.to_array()) {
            slot.store(value, Ordering::Relaxed);
        }
    }

    /// Everything still queued here: at shutdown.
    pub fn drain(&mut self) -> Vec<T> {
        let mut items: Vec<T> = self.lifo.take().into_iter().collect();
        while let Some(item) = Q::pop(&mut self.local) {
            items.push(item);
        }
        items
    }

    pub fn counts(&self) -> WorkerCounts {
        self.counts
    }
}

// ANCHOR: worker_loop
/// What a worker does next.
enum Step<T> {
    Run(T),
    LookAtDriver,
    Park,
}

impl<Q: RunQueue<T>, T: Item> Core<Q, T> {
    /// Every `event_interval` polls a look at the driver; else the next task of its own, or
    /// a steal; nothing anywhere, a sleep.
    fn next_step<D: Driver>(&mut self, shared: &Shared<Q, T, D>) -> Step<T> {
        if self.until_driver == 0 {
            self.until_driver = shared.config.event_interval;
            return Step::LookAtDriver;
        }
        self.until_driver -= 1;
        let found = self.next_task(shared).or_else(|| self.steal_work(shared));
        match found {
            Some(item) => {
                self.transition_from_searching(shared);
                self.in_poll = true;
                self.counts.polls += 1;
                Step::Run(item)
            }
            None => Step::Park,
        }
    }

    /// After a run: queue the task at the back if it yielded, then take the task in the LIFO
    /// slot, unless the budget is spent (then it goes to the back too). The third LIFO poll
    /// in a row turns the slot off until it is empty again.
    fn after_run<D: Driver>(
        &mut self,
        shared: &Shared<Q, T, D>,
        yielded: Option<T>,
        lifo_polls: &mut u32,
        has_budget: bool,
    ) -> Option<T> {
        self.in_poll = false;
        if let Some(item) = yielded {
            self.push_back(shared, item);
        }
        let Some(item) = self.lifo.take() else {
            self.lifo_enabled = shared.config.lifo_slot;
            return None;
        };
        if !has_budget {
            self.push_back(shared, item);
            self.lifo_enabled = shared.config.lifo_slot;
            return None;
        }
        *lifo_polls += 1;
        if *lifo_polls >= MAX_LIFO_POLLS && self.lifo_enabled {
            // The third in a row: its wakes go to the back of the queue, until the slot is
            // empty again (tokio's cap, PR #5712).
            self.lifo_enabled = false;
            self.counts.lifo_capped += 1;
        }
        self.in_poll = true;
        self.counts.polls += 1;
        self.counts.lifo_polls += 1;
        Some(item)
    }
}

/// A worker's life: until the scheduler closes, (1) every `event_interval` polls a look at
/// the driver; (2) the next task of its own, else a steal; run it, then the tasks it puts in
/// the LIFO slot, three in a row at most; (3) nothing anywhere: sleep.
pub fn run_worker<Q, T, D, C>(shared: &Shared<Q, T, D>, cx: &C, index: usize)
where
    Q: RunQueue<T>,
    T: Item,
    D: Driver,
    C: Context<Q, T>,
{
    let parker = Arc::clone(&shared.remotes[index].parker);
    while !shared.is_closed() {
        match cx.with_core(|core| core.next_step(shared)) {
            Step::Run(item) => run_task(shared, cx, item),
            Step::LookAtDriver => look_at_driver(shared, cx, &parker),
            Step::Park => park(shared, cx, &parker),
        }
    }
    cx.with_core(|core| core.publish(shared));
}

/// Runs `item`, then what it left in the LIFO slot, as long as the cap and the budget allow.
fn run_task<Q, T, D, C>(shared: &Shared<Q, T, D>, cx: &C, item: T)
where
    Q: RunQueue<T>,
    T: Item,
    D: Driver,
    C: Context<Q, T>,
{
    let mut yielded = cx.run(item, true);
    let mut lifo_polls = 0;
    while let Some(item) = cx
        .with_core(|core| core.after_run(shared, yielded.take(), &mut lifo_polls, cx.has_budget()))
    {
        yielded = cx.run(item, false);
    }
}

/// The look at the driver every `event_interval` polls, without sleeping (if no other worker
/// has the driver). The tasks it wakes go to the back of this worker's queue.
fn look_at_driver<Q, T, D, C>(shared: &Shared<Q, T, D>, cx: &C, parker: &Parker)
where
    Q: RunQueue<T>,
    T: Item,
    D: Driver,
    C: Context<Q, T>,
{
    cx.with_core(|core| core.parking = true);
    let polled = parker.poll_driver(&shared.driver);
    cx.with_core(|core| {
        core.parking = false;
        if polled {
            core.counts.driver_polls += 1;
        }
        if core.should_notify_others(false) {
            shared.notify_parked();
        }
    });
}

/// Nothing anywhere: sleep until a push wakes this worker or the driver gives it work.
fn park<Q, T, D, C>(shared: &Shared<Q, T, D>, cx: &C, parker: &Parker)
where
    Q: RunQueue<T>,
    T: Item,
    D: Driver,
    C: Context<Q, T>,
{
    if !cx.with_core(|core| core.transition_to_parked(shared)) {
        return;
    }
    cx.with_core(|core| core.publish(shared));
    loop {
        if shared.is_closed() {
            return;
        }
        cx.with_core(|core| core.parking = true);
        trace::record(|| Event::Park);
        let slept = parker.park(&shared.driver);
        trace::record(|| Event::Unparked);
        let awake = cx.with_core(|core| {
            core.parking = false;
            match slept {
                Slept::InDriver => core.counts.driver_parks += 1,
                Slept::OnCondvar => core.counts.condvar_parks += 1,
                Slept::NotAtAll => {}
            }
            core.transition_from_parked(shared)
        });
        if awake {
            break;
        }
    }
    cx.with_core(|core| {
        if core.should_notify_others(false) {
            shared.notify_parked();
        }
    });
}
// ANCHOR_END: worker_loop

// ANCHOR: standalone
/// A worker's `Context` without a runtime: the core in a `RefCell`, and a closure that
/// "runs" an item (it may push items onto the core, as a task's wakes would). The loom models
/// and the scheduler's own tests run `run_worker` with it, on numbers.
pub struct Standalone<Q: RunQueue<T>, T> {
    core: std::cell::RefCell<Core<Q, T>>,
    #[allow(clippy::type_complexity)]
    run: std::cell::RefCell<Box<dyn FnMut(T, &std::cell::RefCell<Core<Q, T>>)>>,
}

impl<Q: RunQueue<T>, T: Item> Standalone<Q, T> {
    pub fn new(
        core: Core<Q, T>,
        run: impl FnMut(T, &std::cell::RefCell<Core<Q, T>>) + 'static,
    ) -> Self {
        Standalone {
            core: std::cell::RefCell::new(core),
            run: std::cell::RefCell::new(Box::new(run)),
        }
    }

    /// The core back, once the loop is over.
    pub fn into_core(self) -> Core<Q, T> {
        self.core.into_inner()
    }
}

impl<Q: RunQueue<T>, T: Item> Context<Q, T> for Standalone<Q, T> {
    fn with_core<R>(&self, f: impl FnOnce(&mut Core<Q, T>) -> R) -> R {
        f(&mut self.core.borrow_mut())
    }

    fn run(&self, item: T, _first: bool) -> Option<T> {
        (self.run.borrow_mut())(item, &self.core);
        None
    }

    fn has_budget(&self) -> bool {
        true
    }
}
// ANCHOR_END: standalone
