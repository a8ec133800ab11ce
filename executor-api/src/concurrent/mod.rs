//! Python's `concurrent` package.

pub mod futures;
