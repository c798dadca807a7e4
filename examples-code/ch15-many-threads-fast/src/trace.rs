//! A recorder of what the scheduler does, and when: polls, wakes, pushes, steals, sleeps and
//! `epoll_wait`s, each with the time and the thread, written out in the Chrome Trace Event
//! format (open it in `chrome://tracing` or <https://ui.perfetto.dev>).
//!
//! It records only in a build with the Cargo feature `trace`
//! (`--features trace`). Without it, `record` and `name_thread` are empty functions that the
//! compiler removes, and the event they would have built is never built: the recorder costs
//! nothing. With it, each thread appends to a buffer of its own, between `start` and
//! `finish`.
//!
//! This module depends on `std` alone, not on the rest of the runtime, so that it can be
//! copied into any runtime of the book: call `record` where things happen.

use std::fmt::Write as _;
use std::time::Duration;

// ANCHOR: events
/// Which queue a task was pushed onto.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Queue {
    /// The back of the worker's own queue.
    Local,
    /// The worker's LIFO slot: it runs next.
    Lifo,
    /// The global queue.
    Injector,
}

/// Something that happened on a thread.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// A poll of `task` begins.
    PollStart { task: u64 },
    /// ... and ends.
    PollEnd { task: u64 },
    /// `task` is woken, by a worker of its runtime or by another thread.
    Wake { task: u64, from_worker: bool },
    /// `task` is pushed onto `queue`.
    Push { task: u64, queue: Queue },
    /// This thread took `count` tasks from worker `from`.
    Steal { from: u32, count: u32 },
    /// This thread wakes worker `worker`.
    Unpark { worker: u32 },
    /// This thread goes to sleep (in the driver, or on its parker)...
    Park,
    /// ... and is awake again.
    Unparked,
    /// An `epoll_wait` (through mio) that took `nanos` and returned `events` events.
    EpollWait { nanos: u64, events: u32 },
}

/// One event, when (nanoseconds since `start`) and where (the thread's number).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Record {
    pub nanos: u64,
    pub thread: u32,
    pub event: Event,
}
// ANCHOR_END: events

/// The task number a recording gives to `block_on`'s own future, which is not a task (chapter
/// 14's runtime records its polls; this chapter's does not).
pub const MAIN: u64 = u64::MAX;

/// Whether this build records (the `trace` feature).
pub const ENABLED: bool = cfg!(feature = "trace");

// ANCHOR: record
/// Records the event `event` builds, on this thread, if a recording is on. Without the
/// `trace` feature this does nothing, and `event` is never called.
#[inline(always)]
pub fn record(event: impl FnOnce() -> Event) {
    #[cfg(feature = "trace")]
    imp::record(event());
    #[cfg(not(feature = "trace"))]
    let _ = event;
}

/// Names this thread in the trace ("worker 0", "main"…).
#[inline(always)]
pub fn name_thread(name: impl FnOnce() -> String) {
    #[cfg(feature = "trace")]
    imp::name_thread(name());
    #[cfg(not(feature = "trace"))]
    let _ = name;
}
// ANCHOR_END: record

/// Starts a recording: clears every thread's buffer and sets the clock to zero.
pub fn start() {
    #[cfg(feature = "trace")]
    imp::start();
}

/// Ends the recording and returns what every thread recorded, in time order, with the
/// names of the threads (by number).
pub fn finish() -> Trace {
    #[cfg(feature = "trace")]
    return imp::finish();
    #[cfg(not(feature = "trace"))]
    Trace::default()
}

/// A finished recording.
#[derive(Clone, Debug, Default)]
pub struct Trace {
    pub records: Vec<Record>,
    /// `(number, name)` of every thread that recorded something.
    pub threads: Vec<(u32, String)>,
}

impl Trace {
    /// How many records satisfy `f`.
    pub fn count(&self, f: impl Fn(&Event) -> bool) -> usize {
        self.records.iter().filter(|r| f(&r.event)).count()
    }

    /// The name of thread `thread`.
    pub fn thread_name(&self, thread: u32) -> Option<&str> {
        self.threads
            .iter()
            .find(|(n, _)| *n == thread)
            .map(|(_, name)| name.as_str())
    }

    /// The trace as Chrome Trace Event JSON: one row per thread; polls, sleeps and
    /// `epoll_wait`s as spans, the rest as instant events. A span the recording cut (begun
    /// before `start`, or not ended at `finish`) is dropped at its start or closed at the
    /// recording's end, so that every begin has its end.
    pub fn to_chrome_json(&self) -> String {
        let mut out = String::from("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n");
        let mut first = true;
        let mut push = |line: String| {
            if !first {
                out.push_str(",\n");
            }
            first = false;
            out.push_str(&line);
        };
        for (thread, name) in &self.threads {
            push(format!(
                "{{\"ph\":\"M\",\"pid\":1,\"tid\":{thread},\"name\":\"thread_name\",\
                 \"args\":{{\"name\":\"{}\"}}}}",
                escape(name)
            ));
            push(format!(
                "{{\"ph\":\"M\",\"pid\":1,\"tid\":{thread},\"name\":\"thread_sort_index\",\
                 \"args\":{{\"sort_index\":{thread}}}}}"
            ));
        }
        // The spans open on each thread, innermost last.
        let mut open: Vec<(u32, Vec<String>)> = Vec::new();
        let end = self.records.iter().map(|r| r.nanos).max().unwrap_or(0);
        for record in &self.records {
            let ts = micros(record.nanos);
            let tid = record.thread;
            let at = match open.iter().position(|(t, _)| *t == tid) {
                Some(at) => at,
                None => {
                    open.push((tid, Vec::new()));
                    open.len() - 1
                }
            };
            let spans = &mut open[at].1;
            let (begin, name) = match record.event {
                Event::PollStart { task } => (Some(true), poll_name(task)),
                Event::PollEnd { task } => (Some(false), poll_name(task)),
                Event::Park => (Some(true), "park".to_string()),
                Event::Unparked => (Some(false), "park".to_string()),
                _ => (None, String::new()),
            };
            match begin {
                Some(true) => {
                    push(span('B', &name, ts, tid, ""));
                    spans.push(name);
                    continue;
                }
                Some(false) => {
                    // An end whose begin came before the recording started: dropped.
                    if spans.last() == Some(&name) {
                        spans.pop();
                        push(span('E', &name, ts, tid, ""));
                    }
                    continue;
                }
                None => {}
            }
            let line = match record.event {
                Event::PollStart { .. } | Event::PollEnd { .. } | Event::Park | Event::Unparked => {
                    unreachable!("spans are written above")
                }
                Event::EpollWait { nanos, events } => format!(
                    "{{\"ph\":\"X\",\"pid\":1,\"tid\":{tid},\"name\":\"epoll_wait\",\
                     \"ts\":{},\"dur\":{},\"args\":{{\"events\":{events}}}}}",
                    micros(record.nanos.saturating_sub(nanos)),
                    // A wait that began before the recording is cut at its start, as the
                    // spans are.
                    micros(nanos.min(record.nanos))
                ),
                Event::Wake { task, from_worker } => instant(
                    "wake",
                    ts,
                    tid,
                    &format!("\"task\":{task},\"from_worker\":{from_worker}"),
                ),
                Event::Push { task, queue } => instant(
                    match queue {
                        Queue::Local => "push local",
                        Queue::Lifo => "push LIFO slot",
                        Queue::Injector => "push injector",
                    },
                    ts,
                    tid,
                    &format!("\"task\":{task}"),
                ),
                Event::Steal { from, count } => instant(
                    "steal",
                    ts,
                    tid,
                    &format!("\"from\":{from},\"count\":{count}"),
                ),
                Event::Unpark { worker } => {
                    instant("unpark", ts, tid, &format!("\"worker\":{worker}"))
                }
            };
            push(line);
        }
        // Spans still open when the recording ended: closed there.
        for (tid, spans) in open {
            for name in spans.iter().rev() {
                push(span('E', name, micros(end), tid, ""));
            }
        }
        out.push_str("\n]}\n");
        out
    }
}

/// A poll's name in the trace: `poll 3` for task 3, `poll main` for `block_on`'s future.
fn poll_name(task: u64) -> String {
    if task == MAIN {
        "poll main".to_string()
    } else {
        format!("poll {task}")
    }
}

/// Nanoseconds as the microseconds Chrome's format counts in, with three decimals.
fn micros(nanos: u64) -> String {
    format!("{}.{:03}", nanos / 1000, nanos % 1000)
}

fn span(phase: char, name: &str, ts: String, tid: u32, _args: &str) -> String {
    format!("{{\"ph\":\"{phase}\",\"pid\":1,\"tid\":{tid},\"name\":\"{name}\",\"ts\":{ts}}}")
}

fn instant(name: &str, ts: String, tid: u32, args: &str) -> String {
    format!(
        "{{\"ph\":\"i\",\"s\":\"t\",\"pid\":1,\"tid\":{tid},\"name\":\"{name}\",\"ts\":{ts},\
         \"args\":{{{args}}}}}"
    )
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// A span's length, for callers that time something themselves (`epoll_wait`).
pub fn nanos(duration: Duration) -> u64 {
    u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX)
}

#[cfg(feature = "trace")]
mod imp {
    use super::{Event, Record, Trace};
    use std::cell::RefCell;
    use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
    use std::sync::{Arc, Mutex, OnceLock};
    use std::time::Instant;

    /// A thread's buffer. The thread appends under its own lock, which nobody else takes
    /// until `finish`: uncontended, a few nanoseconds.
    struct Buffer {
        thread: u32,
        name: Mutex<Option<String>>,
        records: Mutex<Vec<Record>>,
    }

    /// Recording on or off.
    static ON: AtomicBool = AtomicBool::new(false);
    /// The process's clock: records count nanoseconds from here...
    static BASE: OnceLock<Instant> = OnceLock::new();
    /// ... and `finish` moves them to count from the `start` of the recording.
    static START: AtomicU64 = AtomicU64::new(0);
    /// Every thread's buffer.
    static BUFFERS: Mutex<Vec<Arc<Buffer>>> = Mutex::new(Vec::new());
    static NEXT_THREAD: AtomicU32 = AtomicU32::new(0);

    thread_local! {
        static MINE: RefCell<Option<Arc<Buffer>>> = const { RefCell::new(None) };
    }

    fn now() -> u64 {
        super::nanos(BASE.get_or_init(Instant::now).elapsed())
    }

    /// This thread's buffer, made and registered at its first use.
    fn with_mine<R>(f: impl FnOnce(&Buffer) -> R) -> Option<R> {
        MINE.try_with(|mine| {
            let mut mine = mine.borrow_mut();
            let buffer = mine.get_or_insert_with(|| {
                let buffer = Arc::new(Buffer {
                    thread: NEXT_THREAD.fetch_add(1, Ordering::Relaxed),
                    name: Mutex::new(None),
                    records: Mutex::new(Vec::with_capacity(4096)),
                });
                BUFFERS.lock().unwrap().push(Arc::clone(&buffer));
                buffer
            });
            f(buffer)
        })
        .ok()
    }

    pub(super) fn record(event: Event) {
        if !ON.load(Ordering::Relaxed) {
            return;
        }
        let nanos = now();
        with_mine(|buffer| {
            buffer.records.lock().unwrap().push(Record {
                nanos,
                thread: buffer.thread,
                event,
            });
        });
    }

    pub(super) fn name_thread(name: String) {
        with_mine(|buffer| *buffer.name.lock().unwrap() = Some(name));
    }

    pub(super) fn start() {
        for buffer in BUFFERS.lock().unwrap().iter() {
            buffer.records.lock().unwrap().clear();
        }
        START.store(now(), Ordering::SeqCst);
        ON.store(true, Ordering::SeqCst);
    }

    pub(super) fn finish() -> Trace {
        ON.store(false, Ordering::SeqCst);
        let start = START.load(Ordering::SeqCst);
        let mut trace = Trace::default();
        for buffer in BUFFERS.lock().unwrap().iter() {
            let records = std::mem::take(&mut *buffer.records.lock().unwrap());
            let name = buffer.name.lock().unwrap().clone();
            if records.is_empty() {
                continue; // a thread of an earlier recording, or one that did nothing
            }
            trace.threads.push((
                buffer.thread,
                name.unwrap_or_else(|| format!("thread {}", buffer.thread)),
            ));
            trace.records.extend(
                records
                    .into_iter()
                    .filter(|r| r.nanos >= start)
                    .map(|mut r| {
                        r.nanos -= start;
                        r
                    }),
            );
        }
        trace.records.sort_by_key(|record| record.nanos);
        trace.threads.sort();
        trace
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chrome_json_has_a_row_per_thread_spans_and_instants() {
        let trace = Trace {
            records: vec![
                Record {
                    nanos: 1_000,
                    thread: 0,
                    event: Event::PollStart { task: 7 },
                },
                Record {
                    nanos: 1_500,
                    thread: 0,
                    event: Event::Push {
                        task: 8,
                        queue: Queue::Lifo,
                    },
                },
                Record {
                    nanos: 2_250,
                    thread: 0,
                    event: Event::PollEnd { task: 7 },
                },
                Record {
                    nanos: 9_000,
                    thread: 1,
                    event: Event::EpollWait {
                        nanos: 4_000,
                        events: 2,
                    },
                },
            ],
            threads: vec![(0, "worker 0".into()), (1, "worker \"1\"".into())],
        };
        let json = trace.to_chrome_json();
        assert!(json.starts_with("{\"displayTimeUnit\":\"ns\",\"traceEvents\":["));
        assert!(json.contains("\"name\":\"thread_name\",\"args\":{\"name\":\"worker 0\"}"));
        assert!(json.contains("worker \\\"1\\\""), "names are escaped");
        assert!(
            json.contains("{\"ph\":\"B\",\"pid\":1,\"tid\":0,\"name\":\"poll 7\",\"ts\":1.000}")
        );
        assert!(
            json.contains("{\"ph\":\"E\",\"pid\":1,\"tid\":0,\"name\":\"poll 7\",\"ts\":2.250}")
        );
        assert!(json.contains("\"name\":\"push LIFO slot\",\"ts\":1.500,\"args\":{\"task\":8}"));
        assert!(
            json.contains("\"name\":\"epoll_wait\",\"ts\":5.000,\"dur\":4.000"),
            "a span that ends at 9 µs and lasted 4 starts at 5"
        );
        assert_eq!(
            json.matches("\"ph\"").count(),
            4 + 4,
            "four records, two rows of metadata"
        );
        assert_eq!(trace.count(|e| matches!(e, Event::PollStart { .. })), 1);
    }

    #[test]
    fn a_span_cut_by_the_recording_is_closed_at_its_end_or_dropped() {
        let record = |nanos, event| Record {
            nanos,
            thread: 0,
            event,
        };
        let trace = Trace {
            records: vec![
                // Unparked before any Park: the sleep began before the recording.
                record(1_000, Event::Unparked),
                record(2_000, Event::PollStart { task: 7 }),
                record(3_000, Event::PollEnd { task: 7 }),
                // A sleep the recording's end cuts.
                record(4_000, Event::Park),
            ],
            threads: vec![(0, "worker 0".to_string())],
        };
        let json = trace.to_chrome_json();
        assert_eq!(json.matches("\"ph\":\"B\"").count(), 2);
        assert_eq!(json.matches("\"ph\":\"E\"").count(), 2);
        assert!(json.contains("{\"ph\":\"E\",\"pid\":1,\"tid\":0,\"name\":\"park\",\"ts\":4.000}"));
    }

    #[test]
    #[cfg(not(feature = "trace"))]
    fn without_the_feature_nothing_is_recorded_and_the_event_is_never_built() {
        start();
        record(|| panic!("the event is built only when recording"));
        name_thread(|| panic!("nor is the name"));
        assert!(finish().records.is_empty());
    }

    #[test]
    #[cfg(feature = "trace")]
    fn with_the_feature_each_thread_records_into_its_own_buffer() {
        start();
        record(|| Event::Park);
        std::thread::spawn(|| {
            name_thread(|| "helper".into());
            record(|| Event::Steal { from: 0, count: 3 });
        })
        .join()
        .unwrap();
        record(|| Event::Unparked);
        let trace = finish();
        let mine: Vec<_> = trace
            .records
            .iter()
            .filter(|r| matches!(r.event, Event::Park | Event::Unparked))
            .collect();
        assert_eq!(mine.len(), 2);
        assert_eq!(mine[0].thread, mine[1].thread);
        let steal = trace
            .records
            .iter()
            .find(|r| matches!(r.event, Event::Steal { .. }))
            .unwrap();
        assert_ne!(steal.thread, mine[0].thread);
        assert_eq!(trace.thread_name(steal.thread), Some("helper"));
        assert!(trace.records.windows(2).all(|w| w[0].nanos <= w[1].nanos));
        record(|| Event::Park);
        assert!(finish().records.is_empty(), "nothing after `finish`");
    }
}
