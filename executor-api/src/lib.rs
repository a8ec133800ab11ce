//! The Python-shaped face of the scheduler: what transpiled Python calls.
//!
//! One module per Python module:
//! [`concurrent::futures`], [`threading`], [`queue`], [`multiprocessing`],
//! [`asyncio`], [`sys`], [`atexit`]; plus [`channels`] for message passing,
//! and [`report`] for how exceptions nobody receives are reported (hooks and
//! loggers). A translated program's main body runs under [`run_main`],
//! which ends it the way CPython's interpreter does.
//!
//! Rules for the transpiler: a Python parameter with a default becomes an
//! `Option` parameter in Python's order; classes with many keyword options
//! also get a builder. Every Python exception is a [`PyException`] variant
//! whose `Display` is Python's message; its [`PyClass`] places it in
//! CPython's class tree, so `except Base:` is `e.is_instance_of(&Base)`.

#![deny(missing_docs)]

// The engine is published as `pyrt-scheduler`; inside this crate it is just
// `scheduler`, as in every other crate of the workspace.
extern crate pyrt_scheduler as scheduler;

pub mod asyncio;
pub mod atexit;
pub mod channels;
pub mod concurrent;
pub mod exceptions;
mod exit;
mod loom;
pub mod multiprocessing;
pub mod queue;
pub mod report;
pub mod sys;
pub mod threading;
mod unraisable;
mod waiting;

pub use exceptions::{IntoPyResult, PyClass, PyException, PyResult, SystemExitCode, UserClass};
pub use exit::run_main;

/// The README's Rust example, compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
