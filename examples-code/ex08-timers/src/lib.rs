//! Solutions to the exercises of chapter 8 of *Build Your Own Async Runtime*.
//!
//! Both exercises add to what the stage crate `ch08-timers` offers without changing it, so
//! the programs depend on it (`ch08-timers = { path = "../ch08-timers" }`) and use its public
//! API only. The library holds one helper for exercise 8.2, `fd_limit`, which lowers the
//! process's limit on open files (the only `unsafe` code of the crate). Linux only.
//!
//! | program | exercise |
//! |---|---|
//! | `missed_ticks` | 8.1: an interval with tokio's three `MissedTickBehavior`s: `Burst`, `Delay`, `Skip` |
//! | `accept_pause` | 8.2: an accept loop that pauses 100 ms when the process is out of file descriptors, instead of stopping |
//!
//! Each folder holds the program (`main.rs`), its tests (`tests.rs`) and its output
//! (`output.txt`, written by `cargo xtask outputs`).

pub mod fd_limit {
    //! The soft limit on open files (`RLIMIT_NOFILE`), which is per process: a program that
    //! lowers it to fill its fd table should run in a process of its own.

    use std::io;

    /// Sets the soft limit on open files to `soft`; returns the old soft limit.
    pub fn set(soft: u64) -> io::Result<u64> {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: `limit` is a valid, writable rlimit for the call to fill in.
        if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
            return Err(io::Error::last_os_error());
        }
        let old = limit.rlim_cur;
        limit.rlim_cur = soft;
        // SAFETY: `limit` is a valid rlimit that the kernel only reads; lowering the soft
        // limit, or raising it up to the hard one, needs no privilege.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) } != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(old)
    }

    /// The limit that leaves exactly `free` fd numbers unused (`free` at least 1). A new fd
    /// takes the lowest unused number, and fails with `EMFILE` when that number is not below
    /// the limit.
    pub fn leaving(free: usize) -> io::Result<u64> {
        let open: Vec<u64> = std::fs::read_dir("/proc/self/fd")?
            .flatten()
            .filter_map(|entry| entry.file_name().to_str()?.parse().ok())
            .collect();
        Ok((0..).filter(|n| !open.contains(n)).nth(free - 1).unwrap() + 1)
    }
}
