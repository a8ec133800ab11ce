//! The two halves every parallel iterator is made of: a [`Producer`] (what
//! can be split: a slice, a range, a `Vec`'s elements, an adapter over one
//! of those) and a [`Consumer`] (what is made of the items: a sum, a
//! `Vec`, a search), joined by [`bridge`](super::bridge), the splitter.
//!
//! A producer is split at positions (`split_at`) and turned into a
//! sequential iterator for each piece it ends up as; a consumer makes one
//! [`Folder`] per piece, which takes the piece's items in order, and
//! combines the pieces' results with `reduce`, left before right, so the
//! result is in the input's order whatever ran where.

use std::ops::Range;

/// Something that can be split at a position into two independent halves
/// and, once small enough, iterated sequentially.
///
/// `len` counts positions; for an indexed iterator each position is one
/// item (a slice element, an integer of a range, a chunk of
/// [`par_chunks`](super::ParallelSlice::par_chunks)), and `into_iter`
/// yields exactly `len` items.
///
/// ```
/// use pyrt_scheduler::iter::plumbing::Producer;
/// use pyrt_scheduler::prelude::*;
///
/// let p = (0..10u32).into_par_iter().into_producer();
/// let (lo, hi) = p.split_at(4);
/// assert_eq!((lo.len(), hi.len()), (4, 6));
/// assert_eq!(hi.into_iter().collect::<Vec<_>>(), vec![4, 5, 6, 7, 8, 9]);
/// ```
pub trait Producer: Send + Sized {
    /// What the pieces yield.
    type Item;
    /// The sequential iterator over one piece.
    type IntoIter: Iterator<Item = Self::Item>;
    /// Number of positions left.
    fn len(&self) -> usize;
    /// Whether no position is left.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Splits into `0..index` and `index..len` (`index <= len`).
    fn split_at(self, index: usize) -> (Self, Self);
    /// The items of this piece, in order.
    fn into_iter(self) -> Self::IntoIter;
    /// The smallest piece worth running on its own
    /// ([`with_min_len`](super::IndexedParallelIterator::with_min_len)).
    fn min_len(&self) -> usize {
        1
    }
}

/// What is made of a parallel iterator's items: shared by every piece
/// (hence `Sync`), it makes a [`Folder`] per piece and combines results.
///
/// ```
/// use std::ops::Range;
/// use pyrt_scheduler::iter::plumbing::{Consumer, Folder};
/// use pyrt_scheduler::prelude::*;
///
/// /// Counts the items.
/// struct Count;
/// struct CountFolder(usize);
/// impl<T> Consumer<T> for Count {
///     type Folder = CountFolder;
///     type Result = usize;
///     fn folder(&self, _range: Range<usize>) -> CountFolder { CountFolder(0) }
///     fn reduce(&self, a: usize, b: usize) -> usize { a + b }
/// }
/// impl<T> Folder<T> for CountFolder {
///     type Result = usize;
///     fn consume_iter<I: Iterator<Item = T>>(self, iter: I) -> Self { CountFolder(self.0 + iter.count()) }
///     fn complete(self) -> usize { self.0 }
/// }
/// assert_eq!((0..1000u32).into_par_iter().drive(Count), 1000);
/// ```
pub trait Consumer<Item>: Sync {
    /// The per-piece state.
    type Folder: Folder<Item, Result = Self::Result>;
    /// What a piece (and the whole) results in.
    type Result: Send;
    /// A folder for the piece at positions `range` (for an indexed
    /// iterator, the items' indices; the folder may be completed before
    /// it saw the whole range, when the rest was split off).
    fn folder(&self, range: Range<usize>) -> Self::Folder;
    /// Combines the results of two adjacent pieces, `left` first.
    fn reduce(&self, left: Self::Result, right: Self::Result) -> Self::Result;
    /// Whether the result is known and the remaining items need not run
    /// (`find_any`, `any`, `all`); checked before every chunk.
    fn full(&self) -> bool {
        false
    }
}

/// The state of one piece: it takes the piece's items, a chunk at a time
/// and in order, then becomes a result. See [`Consumer`] for an example.
pub trait Folder<Item>: Sized {
    /// The piece's result.
    type Result;
    /// Takes the next items of the piece.
    fn consume_iter<I: Iterator<Item = Item>>(self, iter: I) -> Self;
    /// Ends the piece.
    fn complete(self) -> Self::Result;
}
