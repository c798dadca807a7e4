//! Solutions to the exercises of chapter 11 of *Build Your Own Async Runtime*.
//!
//! Both exercises add to what the stage crate `ch11-mio` offers without changing it, so the
//! programs depend on it (`ch11-mio = { path = "../ch11-mio" }`) and use its public API only:
//! `net`, `time::timeout`, `time::sleep` and `spawn`. Each program carries its own copy of
//! `http_hello`'s server, changed as its exercise asks. Linux only.
//!
//! | program | exercise |
//! |---|---|
//! | `idle_timeout` | 11.1: an idle timeout: a keep-alive connection that stays silent is closed, and a request head that comes too slowly gets `408` |
//! | `graceful` | 11.2: a graceful shutdown: stop accepting, close the idle connections, let the requests in progress finish, give up on the rest after a grace period |
//!
//! Each folder holds the program (`main.rs`), its tests (`tests.rs`) and its output
//! (`output.txt`, written by `cargo xtask outputs`).
#![forbid(unsafe_code)]
