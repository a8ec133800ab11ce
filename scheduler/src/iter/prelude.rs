//! `use pyrt_scheduler::prelude::*;` brings every parallel-iterator trait
//! into scope, as `rayon::prelude::*` does.
//!
//! ```
//! use pyrt_scheduler::prelude::*;
//! let mut v: Vec<u32> = (0..1000u32).into_par_iter().map(|x| 999 - x).collect();
//! v.par_sort_unstable();
//! assert_eq!(v.par_iter().sum::<u32>(), 999 * 1000 / 2);
//! ```

pub use super::collect::FromParallelIterator;
pub use super::into::{IntoParallelIterator, IntoParallelRefIterator, IntoParallelRefMutIterator};
pub use super::par_slice::{ParallelSlice, ParallelSliceMut};
pub use super::traits::{IndexedParallelIterator, ParallelIterator};
