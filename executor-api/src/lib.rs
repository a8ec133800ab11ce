//! The Python-shaped face of the scheduler: what transpiled Python calls.
//!
//! One module per Python module:
//! [`concurrent::futures`], [`threading`], [`queue`], [`multiprocessing`],
//! [`asyncio`]; plus [`channels`] for message passing, and [`report`] for
//! how exceptions nobody receives are reported (hooks and loggers).
//!
//! Rules for the transpiler: a Python parameter with a default becomes an
//! `Option` parameter in Python's order; classes with many keyword options
//! also get a builder. Every Python exception is a [`PyException`] variant
//! whose `Display` is Python's message; its [`PyClass`] places it in
//! CPython's class tree, so `except Base:` is `e.is_instance_of(&Base)`.

#![deny(missing_docs)]

pub mod asyncio;
pub mod channels;
pub mod concurrent;
pub mod exceptions;
pub mod multiprocessing;
pub mod queue;
pub mod report;
pub mod threading;
mod waiting;

pub use exceptions::{IntoPyResult, PyClass, PyException, PyResult, SystemExitCode, UserClass};

/// The README's Rust example, compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
