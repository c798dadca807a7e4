//! Solutions to the exercises of chapter 18 of *Build Your Own Async Runtime*.
//!
//! Neither exercise changes chapter 18's runtime: both build on its public API (the runtime,
//! `compat` and `hello`). So the programs depend on the stage crate
//! (`ch18-real-software = { path = "../ch18-real-software" }`). This library holds no code.
//! Linux only, like the stage crates.
//!
//! | program | exercise |
//! |---|---|
//! | `graceful` | 18.1: a graceful shutdown of the hyper server: no new connections, the requests in flight answered, idle connections closed at once, then a deadline |
//! | `tokio_compat` | 18.2: tokio's `AsyncRead`/`AsyncWrite` over any `futures::io` stream, and `tokio::io::copy` as an echo server on the book's runtime |
//!
//! Each folder holds the program (`main.rs`), its tests (`tests.rs`) and its output
//! (`output.txt`, written by `cargo xtask outputs`).
#![forbid(unsafe_code)]
