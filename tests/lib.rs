//! Book-level tests live in `tests/tests/`.
