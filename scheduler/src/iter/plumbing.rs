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
    ///
    /// ```
    /// use pyrt_scheduler::iter::plumbing::Producer;
    /// use pyrt_scheduler::prelude::*;
    /// assert_eq!((0..10u8).into_par_iter().into_producer().len(), 10);
    /// ```
    fn len(&self) -> usize;
    /// Whether no position is left.
    ///
    /// ```
    /// use pyrt_scheduler::iter::plumbing::Producer;
    /// use pyrt_scheduler::prelude::*;
    /// assert!((0..0u8).into_par_iter().into_producer().is_empty());
    /// ```
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Splits into `0..index` and `index..len` (`index <= len`).
    ///
    /// ```
    /// use pyrt_scheduler::iter::plumbing::Producer;
    /// use pyrt_scheduler::prelude::*;
    /// let (a, b) = (0..10u8).into_par_iter().into_producer().split_at(3);
    /// assert_eq!((a.len(), b.len()), (3, 7));
    /// ```
    fn split_at(self, index: usize) -> (Self, Self);
    /// The items of this piece, in order.
    ///
    /// ```
    /// use pyrt_scheduler::iter::plumbing::Producer;
    /// use pyrt_scheduler::prelude::*;
    /// let items: Vec<u8> = (0..3u8).into_par_iter().into_producer().into_iter().collect();
    /// assert_eq!(items, [0, 1, 2]);
    /// ```
    fn into_iter(self) -> Self::IntoIter;
    /// The smallest piece worth running on its own
    /// ([`with_min_len`](super::IndexedParallelIterator::with_min_len)).
    ///
    /// ```
    /// use pyrt_scheduler::iter::plumbing::Producer;
    /// use pyrt_scheduler::prelude::*;
    /// assert_eq!((0..9u8).into_par_iter().into_producer().min_len(), 1);
    /// ```
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
    ///
    /// ```
    /// use pyrt_scheduler::iter::plumbing::{Consumer, Folder};
    /// // A consumer that keeps each piece's range: see `Consumer`'s example for a whole one.
    /// struct Ranges;
    /// struct R(std::ops::Range<usize>);
    /// impl Consumer<u8> for Ranges {
    ///     type Folder = R;
    ///     type Result = usize;
    ///     fn folder(&self, range: std::ops::Range<usize>) -> R { R(range) }
    ///     fn reduce(&self, a: usize, b: usize) -> usize { a + b }
    /// }
    /// impl Folder<u8> for R {
    ///     type Result = usize;
    ///     fn consume_iter<I: Iterator<Item = u8>>(self, it: I) -> Self { it.for_each(drop); self }
    ///     fn complete(self) -> usize { self.0.len() }
    /// }
    /// assert_eq!(Ranges.folder(2..5).complete(), 3);
    /// ```
    fn folder(&self, range: Range<usize>) -> Self::Folder;
    /// Combines the results of two adjacent pieces, `left` first.
    ///
    /// ```
    /// use pyrt_scheduler::iter::plumbing::Consumer;
    /// struct Concat;
    /// struct F;
    /// impl pyrt_scheduler::iter::plumbing::Folder<char> for F {
    ///     type Result = String;
    ///     fn consume_iter<I: Iterator<Item = char>>(self, _: I) -> Self { self }
    ///     fn complete(self) -> String { String::new() }
    /// }
    /// impl Consumer<char> for Concat {
    ///     type Folder = F;
    ///     type Result = String;
    ///     fn folder(&self, _: std::ops::Range<usize>) -> F { F }
    ///     fn reduce(&self, a: String, b: String) -> String { a + &b }
    /// }
    /// assert_eq!(Concat.reduce("ab".into(), "c".into()), "abc");
    /// ```
    fn reduce(&self, left: Self::Result, right: Self::Result) -> Self::Result;
    /// Whether the result is known and the remaining items need not run
    /// (`find_any`, `any`, `all`); checked before every chunk.
    ///
    /// ```
    /// use pyrt_scheduler::prelude::*;
    /// // `find_any`'s consumer is full once a match is found: the rest is skipped.
    /// assert!((0..1_000_000u32).into_par_iter().any(|x| x == 0));
    /// ```
    fn full(&self) -> bool {
        false
    }
}

/// The state of one piece: it takes the piece's items, a chunk at a time
/// and in order, then becomes a result.
///
/// ```
/// use pyrt_scheduler::iter::plumbing::Folder;
/// struct Sum(u64);
/// impl Folder<u64> for Sum {
///     type Result = u64;
///     fn consume_iter<I: Iterator<Item = u64>>(self, it: I) -> Self { Sum(self.0 + it.sum::<u64>()) }
///     fn complete(self) -> u64 { self.0 }
/// }
/// assert_eq!(Sum(0).consume_iter(1..4).consume_iter(4..5).complete(), 10);
/// ```
pub trait Folder<Item>: Sized {
    /// The piece's result.
    type Result;
    /// Takes the next items of the piece (see the trait's example).
    ///
    /// ```
    /// use pyrt_scheduler::iter::plumbing::Folder;
    /// struct Count(usize);
    /// impl<T> Folder<T> for Count {
    ///     type Result = usize;
    ///     fn consume_iter<I: Iterator<Item = T>>(self, it: I) -> Self { Count(self.0 + it.count()) }
    ///     fn complete(self) -> usize { self.0 }
    /// }
    /// assert_eq!(Folder::<u8>::complete(Count(0).consume_iter(0..5u8)), 5);
    /// ```
    fn consume_iter<I: Iterator<Item = Item>>(self, iter: I) -> Self;
    /// Ends the piece, giving its result.
    ///
    /// ```
    /// use pyrt_scheduler::iter::plumbing::Folder;
    /// struct Last(Option<u8>);
    /// impl Folder<u8> for Last {
    ///     type Result = Option<u8>;
    ///     fn consume_iter<I: Iterator<Item = u8>>(self, it: I) -> Self { Last(it.last().or(self.0)) }
    ///     fn complete(self) -> Option<u8> { self.0 }
    /// }
    /// assert_eq!(Last(None).consume_iter([1, 2].into_iter()).complete(), Some(2));
    /// ```
    fn complete(self) -> Self::Result;
}
