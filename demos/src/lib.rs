//! Shared code of the demos: the workload every platform runs.

#![deny(missing_docs)]

pub mod workload;
