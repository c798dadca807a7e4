//! Chapter 18's harness: one hyper service, through the adapters of `ch18_real_software::
//! compat`, on chapter 14's runtime (one thread), chapter 15's (two workers), tokio (both
//! flavours) and smol; the book's hand-written `http_hello` on the book's two runtimes; and
//! a run of `wrk` against each, into the data the chapter's charts are drawn from.
//!
//! | module | what |
//! |---|---|
//! | `servers` | the servers, by key, each serving on 127.0.0.1 until its process is killed |
//! | `raw` | chapter 15's `http_hello`, generic over the runtime |
//! | `wrk` | running `wrk` and reading what it prints |
//! | `measure` | the rounds of the comparison, and the results file (the suite's format 2) |
//!
//! `cargo run --release -p http-bench -- serve ch14 8080` serves one of them;
//! `cargo run --release -p http-bench -- --rounds 7` measures them all (see `main.rs`).

pub mod measure;
pub mod raw;
pub mod servers;
pub mod wrk;
