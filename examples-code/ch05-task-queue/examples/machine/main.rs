//! What the pieces a runtime is built from cost on this machine: a push and a pop on an
//! in-process queue, a system call that does nothing, the eventfd and epoll calls of chapter
//! 6, a timerfd (chapter 8), and a wake that crosses to a thread asleep on another CPU
//! (chapter 10). Each figure is the median of several rounds of many calls, in a release
//! build. The book quotes these figures from this program's output and nowhere else.
// xtask: numbers-vary

use std::collections::VecDeque;
use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Instant;

/// Rounds per figure: the median of them is printed.
const ROUNDS: usize = 7;

// ANCHOR: per_call
/// Nanoseconds per call of `op`, the median of `ROUNDS` rounds of `calls` calls each.
fn per_call(calls: u32, mut op: impl FnMut()) -> f64 {
    let mut rounds: Vec<f64> = (0..ROUNDS)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..calls {
                op();
            }
            start.elapsed().as_nanos() as f64 / f64::from(calls)
        })
        .collect();
    rounds.sort_by(f64::total_cmp);
    rounds[ROUNDS / 2]
}
// ANCHOR_END: per_call

/// `Ok` of a system call's result, or the `errno` it set.
fn check(result: libc::c_int) -> io::Result<libc::c_int> {
    if result < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(result)
    }
}

/// A push and a pop on the kind of queue chapter 5's runtime has: a `VecDeque` behind a
/// `Mutex`, holding `Arc`s (the push clones one, the pop drops it).
fn queue_push_pop(calls: u32) -> f64 {
    let queue = Mutex::new(VecDeque::with_capacity(1));
    let task = Arc::new(0u64);
    per_call(calls, || {
        queue.lock().unwrap().push_back(Arc::clone(&task));
        drop(queue.lock().unwrap().pop_front());
    })
}

/// A system call that does nothing but enter the kernel and come back: `getppid`.
fn null_syscall(calls: u32) -> f64 {
    per_call(calls, || {
        // SAFETY: `getppid` takes no argument, touches no memory of ours and cannot fail.
        std::hint::black_box(unsafe { libc::syscall(libc::SYS_getppid) });
    })
}

/// An eventfd, closed on drop.
struct EventFd(libc::c_int);

impl EventFd {
    fn new() -> io::Result<EventFd> {
        // SAFETY: `eventfd` takes two integers and returns a new fd or -1.
        check(unsafe { libc::eventfd(0, libc::EFD_NONBLOCK | libc::EFD_CLOEXEC) }).map(EventFd)
    }

    /// Adds 1 to the counter: what a wake of chapter 6 does.
    fn write(&self) {
        let one = 1u64;
        // SAFETY: the buffer is 8 readable bytes, the size an eventfd write takes.
        let n = unsafe { libc::write(self.0, (&raw const one).cast(), 8) };
        assert_eq!(n, 8, "eventfd write failed");
    }

    /// Reads the counter back, which resets it: what chapter 6 does before a poll.
    fn read(&self) {
        let mut counter = 0u64;
        // SAFETY: the buffer is 8 writable bytes, the size an eventfd read takes.
        let n = unsafe { libc::read(self.0, (&raw mut counter).cast(), 8) };
        assert_eq!(n, 8, "eventfd read failed");
    }
}

impl Drop for EventFd {
    fn drop(&mut self) {
        // SAFETY: the fd is ours, open, and closed once, here.
        unsafe { libc::close(self.0) };
    }
}

/// An epoll instance, closed on drop.
struct Epoll(libc::c_int);

impl Epoll {
    fn new() -> io::Result<Epoll> {
        // SAFETY: `epoll_create1` takes a flag and returns a new fd or -1.
        check(unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) }).map(Epoll)
    }

    /// `epoll_ctl` with `op` for `fd` (the event is read for `ADD` only).
    fn ctl(&self, op: libc::c_int, fd: libc::c_int) -> io::Result<()> {
        let mut event = libc::epoll_event {
            events: libc::EPOLLIN as u32,
            u64: 0,
        };
        // SAFETY: both fds are open, and `event` is a valid `epoll_event` for the call.
        check(unsafe { libc::epoll_ctl(self.0, op, fd, &mut event) }).map(drop)
    }

    /// `epoll_wait` with a timeout of 0: a look that does not sleep.
    fn look(&self) -> usize {
        let mut events = [libc::epoll_event { events: 0, u64: 0 }; 8];
        // SAFETY: `events` has room for the 8 events the call may write.
        let n = unsafe { libc::epoll_wait(self.0, events.as_mut_ptr(), 8, 0) };
        usize::try_from(n).expect("epoll_wait failed")
    }
}

impl Drop for Epoll {
    fn drop(&mut self) {
        // SAFETY: the fd is ours, open, and closed once, here.
        unsafe { libc::close(self.0) };
    }
}

/// An eventfd's whole life as chapter 6 gives one to every task: created, added to the
/// epoll set, deleted from it, closed.
fn eventfd_life(epoll: &Epoll) -> io::Result<()> {
    let event = EventFd::new()?;
    epoll.ctl(libc::EPOLL_CTL_ADD, event.0)?;
    epoll.ctl(libc::EPOLL_CTL_DEL, event.0)?;
    Ok(())
}

/// A timerfd's whole life as chapter 8 gives one to every sleep: created, armed for one
/// second from now (it never fires here), closed.
fn timerfd_life() -> io::Result<()> {
    // SAFETY: `timerfd_create` takes a clock id and flags and returns a new fd or -1.
    let fd = check(unsafe {
        libc::timerfd_create(
            libc::CLOCK_MONOTONIC,
            libc::TFD_NONBLOCK | libc::TFD_CLOEXEC,
        )
    })?;
    let when = libc::itimerspec {
        it_interval: libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        },
        it_value: libc::timespec {
            tv_sec: 1,
            tv_nsec: 0,
        },
    };
    // SAFETY: `fd` is the timerfd just made; `when` is a valid `itimerspec`, and the old
    // value is not asked for (null).
    let armed = check(unsafe { libc::timerfd_settime(fd, 0, &when, std::ptr::null_mut()) });
    // SAFETY: the fd is ours, open, and closed once, here.
    unsafe { libc::close(fd) };
    armed.map(drop)
}

/// Pins the calling thread to `cpu`. Returns whether it could.
fn pin_to(cpu: usize) -> bool {
    // SAFETY: `cpu_set_t` is a plain bit set, valid when zeroed.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    // SAFETY: `cpu` is below `CPU_SETSIZE` (callers pass 0 or 1).
    unsafe { libc::CPU_SET(cpu, &mut set) };
    let size = std::mem::size_of::<libc::cpu_set_t>();
    // SAFETY: `set` is a valid `cpu_set_t` of `size` bytes; pid 0 is the calling thread.
    unsafe { libc::sched_setaffinity(0, size, &set) == 0 }
}

/// Microseconds for one wake of a thread asleep in `park`, to the moment it runs: half of a
/// round trip in which each of two threads wakes the other and then sleeps. `cpus` are the
/// CPUs the two threads are pinned to: two different ones, or the same one twice. `None`
/// when a thread cannot be pinned there.
fn wake_one_way(trips: u32, cpus: (usize, usize)) -> Option<f64> {
    let ball = Arc::new([AtomicBool::new(false), AtomicBool::new(false)]);
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let me = thread::current();
    let other = {
        let ball = Arc::clone(&ball);
        thread::spawn(move || {
            let pinned = pin_to(cpus.1);
            let _ = ready_tx.send((pinned, thread::current()));
            if !pinned {
                return;
            }
            for _ in 0..trips {
                // Wait for the ball (spurious unparks are possible: loop on the flag).
                while !ball[1].swap(false, Ordering::Acquire) {
                    thread::park();
                }
                ball[0].store(true, Ordering::Release);
                me.unpark();
            }
        })
    };
    let (pinned, other_thread) = ready_rx.recv().unwrap();
    let result = (pinned && pin_to(cpus.0)).then(|| {
        let start = Instant::now();
        for _ in 0..trips {
            ball[1].store(true, Ordering::Release);
            other_thread.unpark();
            while !ball[0].swap(false, Ordering::Acquire) {
                thread::park();
            }
        }
        start.elapsed().as_nanos() as f64 / f64::from(trips) / 2.0 / 1000.0
    });
    other.join().unwrap();
    // Unpinned again, for whatever the program does next.
    let all = thread::available_parallelism().map_or(1, usize::from);
    // SAFETY: as in `pin_to`, with every CPU below `all` set.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    for cpu in 0..all.min(libc::CPU_SETSIZE as usize) {
        // SAFETY: `cpu` is below `CPU_SETSIZE`.
        unsafe { libc::CPU_SET(cpu, &mut set) };
    }
    // SAFETY: `set` is a valid `cpu_set_t`; pid 0 is the calling thread.
    unsafe { libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set) };
    result
}

fn main() {
    let epoll = Epoll::new().expect("cannot create an epoll instance");
    let event = EventFd::new().expect("cannot create an eventfd");
    println!("What the pieces cost on this machine (each the median of {ROUNDS} rounds):");
    let queue = queue_push_pop(1_000_000);
    println!("  push + pop on a Mutex<VecDeque>, with an Arc clone:       {queue:6.0} ns");
    let null = null_syscall(200_000);
    println!("  a system call that does nothing (getppid):                {null:6.0} ns");
    let write = per_call(200_000, || event.write());
    println!("  eventfd write:                                            {write:6.0} ns");
    let write_read = per_call(200_000, || {
        event.write();
        event.read();
    });
    println!("  eventfd write, then read back:                            {write_read:6.0} ns");
    let look = per_call(200_000, || {
        std::hint::black_box(epoll.look());
    });
    println!("  epoll_wait with nothing ready, timeout 0:                 {look:6.0} ns");
    let life = per_call(20_000, || eventfd_life(&epoll).expect("eventfd life")) / 1000.0;
    println!("  an eventfd's life (create, epoll add and delete, close):  {life:6.1} µs");
    let timer = per_call(20_000, || timerfd_life().expect("timerfd life")) / 1000.0;
    println!("  a timerfd's life (create, arm, close):                    {timer:6.1} µs");
    match wake_one_way(2_000, (0, 1)) {
        Some(us) => {
            println!("  a wake to a thread asleep on the other CPU, one way:      {us:6.1} µs")
        }
        None => println!("  a wake to a thread asleep on the other CPU: only one CPU here"),
    }
    if let Some(us) = wake_one_way(2_000, (0, 0)) {
        println!("  a wake to a thread asleep on the same CPU, one way:       {us:6.1} µs");
    }
}

#[cfg(test)]
mod tests;
