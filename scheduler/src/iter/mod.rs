//! Parallel iterators on the pool, shaped like rayon's so that porting is
//! a `use` change: `use pyrt_scheduler::prelude::*;` then `par_iter()`,
//! `par_iter_mut()`, `into_par_iter()` (`Vec`, integer ranges),
//! `par_chunks(n)`, `par_chunks_mut(n)`; adapters `map`, `filter`,
//! `filter_map`, `enumerate`, `zip`, `fold`, `with_min_len`; consumers
//! `for_each`, `reduce`, `sum`, `product`, `min`/`max` (and `_by_key`),
//! `count`, `any`/`all`/`find_any` (stopping early), `collect` (in order);
//! `par_sort`, `par_sort_unstable`, `par_sort_by_key` and friends on slices.
//!
//! They run on the current pool (inside [`ThreadPool::install`](crate::ThreadPool::install)
//! or a task) or, called from outside any pool, on the [global](crate::global)
//! one; on a pool without worker threads (`wasm32-wasip1`) they run
//! sequentially on the caller. A panic in a closure is resumed in the
//! caller after the other pieces have finished.
//!
//! | concept | file |
//! |---|---|
//! | producers, consumers, folders | `plumbing.rs` |
//! | the splitter (lazy binary splitting on `join`) | `splitter.rs` |
//! | the traits | `traits.rs` ([`ParallelIterator`], [`IndexedParallelIterator`]), `into.rs`, `par_slice.rs` |
//! | sources | `slice.rs`, `vec.rs`, `range.rs`, `chunks.rs` |
//! | adapters | `map.rs`, `filter.rs`, `enumerate.rs`, `zip.rs`, `min_len.rs`, `fold.rs` |
//! | consumers | `for_each.rs`, `reduce.rs`, `find.rs`, `collect.rs` |
//! | sorting | `sort/merge.rs` (stable), `sort/quick.rs` (unstable) |
//!
//! ```
//! use pyrt_scheduler::prelude::*;
//!
//! let pool = pyrt_scheduler::ThreadPool::new(2).unwrap();
//! let words = vec!["apple", "bob", "kayak", "level", "rust"];
//! let palindromes: Vec<&str> = pool.install(|| {
//!     words.par_iter().filter(|w| w.chars().eq(w.chars().rev())).map(|w| *w).collect()
//! });
//! assert_eq!(palindromes, ["bob", "kayak", "level"]);
//! ```

mod chunks;
mod collect;
mod enumerate;
mod filter;
mod find;
mod fold;
mod for_each;
mod into;
mod map;
mod min_len;
mod par_slice;
pub mod plumbing;
pub mod prelude;
mod range;
mod reduce;
mod slice;
mod sort;
pub(crate) mod splitter;
mod traits;
mod vec;
mod zip;

pub use chunks::{Chunks, ChunksMut};
pub use collect::FromParallelIterator;
pub use enumerate::{Enumerate, EnumerateProducer};
pub use filter::{Filter, FilterMap};
pub use fold::Fold;
pub use into::{IntoParallelIterator, IntoParallelRefIterator, IntoParallelRefMutIterator};
pub use map::{Map, MapIter, MapProducer};
pub use min_len::{MinLen, MinLenProducer};
pub use par_slice::{ParallelSlice, ParallelSliceMut};
pub use range::{RangeIter, RangeProducer};
pub use slice::{Iter, IterMut, SliceMutProducer, SliceProducer};
pub use splitter::bridge;
pub use traits::{IndexedParallelIterator, ParallelIterator};
pub use vec::{IntoIter, VecItems, VecProducer};
pub use zip::{Zip, ZipProducer};
