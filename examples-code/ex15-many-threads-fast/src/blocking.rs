//! The blocking pool: threads that run the closures of `spawn_blocking`, so that blocking
//! work (a file read, a DNS lookup, a long computation) never runs on the runtime's thread.
//!
//! The pool starts with no thread. A job goes to an idle thread if there is one, else to a new
//! thread if the pool is below its limit, else it waits in the queue for the next thread that
//! is free. A thread that has had nothing to do for the keep-alive time exits.

use crate::sync::lock_std as lock;
use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::Duration;

/// A closure for a pool thread: `spawn_blocking`'s, wrapped to catch a panic and send the
/// result to the `JoinHandle`.
pub(crate) type Job = Box<dyn FnOnce() + Send + 'static>;

// ANCHOR: pool
/// A bounded pool of threads, shared by the runtime and its threads.
pub(crate) struct Pool {
    shared: Mutex<Shared>,
    /// Where idle threads wait for a job, for at most `keep_alive`.
    condvar: Condvar,
    max_threads: usize,
    keep_alive: Duration,
}

/// The pool's state, under its lock.
struct Shared {
    /// Jobs that no thread has taken yet.
    queue: VecDeque<Job>,
    /// Threads alive, busy or idle.
    threads: usize,
    /// Threads waiting on the condvar that nobody has notified yet.
    idle: usize,
    /// Notifications sent and not yet taken by a thread: each is a job (or the shutdown)
    /// for one idle thread.
    notified: usize,
    /// Set when the runtime is dropped: no new jobs, and threads exit when the queue is empty.
    shutdown: bool,
}
// ANCHOR_END: pool

impl Pool {
    pub(crate) fn new(max_threads: usize, keep_alive: Duration) -> Pool {
        Pool {
            shared: Mutex::new(Shared {
                queue: VecDeque::new(),
                threads: 0,
                idle: 0,
                notified: 0,
                shutdown: false,
            }),
            condvar: Condvar::new(),
            max_threads,
            keep_alive,
        }
    }

    // ANCHOR: submit
    /// Queues `job`, and makes sure a thread will take it: an idle one, or a new one while
    /// the pool is below its limit. A full pool does not refuse the job: it waits in the
    /// queue until a thread is free.
    ///
    /// # Panics
    ///
    /// When the pool has no thread at all and the system refuses to start one.
    pub(crate) fn submit(self: &Arc<Self>, job: Job) {
        let mut shared = lock(&self.shared);
        if shared.shutdown {
            return; // the runtime is gone: the job is dropped, its handle says "cancelled"
        }
        shared.queue.push_back(job);
        if shared.idle > 0 {
            shared.idle -= 1;
            shared.notified += 1;
            self.condvar.notify_one();
        } else if shared.threads < self.max_threads {
            let pool = Arc::clone(self);
            let started = thread::Builder::new()
                .name("blocking".to_string())
                .spawn(move || pool.work());
            match started {
                Ok(_) => shared.threads += 1,
                // The job waits for a thread that is already busy, if there is one.
                Err(error) if shared.threads > 0 => drop(error),
                Err(error) => {
                    shared.queue.pop_back();
                    drop(shared);
                    panic!("cannot start a thread for `spawn_blocking`: {error}");
                }
            }
        }
    }
    // ANCHOR_END: submit

    // ANCHOR: work
    /// A pool thread's life: run the jobs of the queue, then wait for more, up to
    /// `keep_alive`; exit when that passes with nothing to do, or at shutdown.
    fn work(&self) {
        let mut shared = lock(&self.shared);
        loop {
            if let Some(job) = shared.queue.pop_front() {
                drop(shared);
                job(); // outside the lock; it catches its own panic
                shared = lock(&self.shared);
                continue;
            }
            if shared.shutdown {
                break;
            }
            shared.idle += 1;
            let (guard, waited) = self
                .condvar
                .wait_timeout(shared, self.keep_alive)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            shared = guard;
            if shared.notified > 0 {
                // `submit` (or `shutdown`) counted us out of `idle` already.
                shared.notified -= 1;
                continue;
            }
            shared.idle -= 1;
            if waited.timed_out() {
                break; // kept alive long enough, with nothing to do
            }
            // A spurious wake-up: look at the queue, and wait again.
        }
        shared.threads -= 1;
    }
    // ANCHOR_END: work

    /// Stops the pool when the runtime is dropped: jobs not started are dropped (their
    /// handles say "cancelled"), idle threads exit, busy threads exit after their job. It does
    /// not wait for them.
    pub(crate) fn shutdown(&self) {
        let queued = {
            let mut shared = lock(&self.shared);
            shared.shutdown = true;
            shared.notified += shared.idle;
            shared.idle = 0;
            std::mem::take(&mut shared.queue)
        };
        self.condvar.notify_all();
        drop(queued); // outside the lock: dropping a closure runs its captures' `Drop`
    }

    /// How many threads the pool has now, busy or idle.
    pub(crate) fn threads(&self) -> usize {
        lock(&self.shared).threads
    }

    /// How many threads wait for a job: the next job goes to one of them.
    pub(crate) fn idle_threads(&self) -> usize {
        lock(&self.shared).idle
    }
}
