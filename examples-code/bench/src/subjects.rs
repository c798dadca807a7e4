//! The runtimes under test.

pub mod book;
pub mod others;
