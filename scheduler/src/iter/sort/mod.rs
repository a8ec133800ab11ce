//! The parallel sorts behind [`ParallelSliceMut`](super::ParallelSliceMut):
//! a stable merge sort (`merge.rs`) and an unstable quicksort
//! (`quick.rs`), both forking with [`join`](crate::join) on the current
//! pool and sorting small pieces with the standard library's sequential
//! sorts.

mod merge;
mod quick;

pub(crate) use merge::merge_sort;
pub(crate) use quick::quick_sort;
