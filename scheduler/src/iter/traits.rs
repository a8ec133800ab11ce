//! [`ParallelIterator`] (every parallel iterator: adapters and consumers)
//! and [`IndexedParallelIterator`] (those that know their length and can
//! be split at any index: `enumerate`, `zip`, `with_min_len`, in-place
//! `collect`).

use std::iter::{Product, Sum};

use super::collect::FromParallelIterator;
use super::enumerate::Enumerate;
use super::filter::{Filter, FilterMap};
use super::find::find_any;
use super::fold::Fold;
use super::for_each::for_each;
use super::into::IntoParallelIterator;
use super::map::Map;
use super::min_len::MinLen;
use super::plumbing::{Consumer, Producer};
use super::reduce::{product, reduce, reduce_with, sum};
use super::zip::Zip;

pub(crate) mod sealed {
    /// Keeps [`ParallelIterator`](super::ParallelIterator) to this
    /// crate's types: their producers yield exactly what they promise,
    /// which the in-place `collect` relies on.
    pub trait Sealed {}
}

/// A parallel iterator: its items are produced and consumed in pieces on
/// the current pool's workers (the global pool outside any pool). Adapters
/// (`map`, `filter`, ...) build a new iterator; consumers (`sum`,
/// `collect`, `for_each`, ...) run it. Closures must be `Sync + Send`,
/// since several workers call them at once.
///
/// ```
/// use pyrt_scheduler::prelude::*;
///
/// let v: Vec<u64> = (0..1000).collect();
/// let sum_of_even_squares: u64 = v.par_iter().filter(|&&x| x % 2 == 0).map(|&x| x * x).sum();
/// assert_eq!(sum_of_even_squares, v.iter().filter(|&&x| x % 2 == 0).map(|&x| x * x).sum());
/// ```
pub trait ParallelIterator: Sized + Send + sealed::Sealed {
    /// The items.
    type Item: Send;

    /// Runs the iterator into `consumer` (see [`plumbing`](super::plumbing)).
    ///
    /// ```
    /// use pyrt_scheduler::prelude::*;
    /// // `drive` is what every consumer calls; see `plumbing::Consumer` for one.
    /// assert_eq!((0..10u32).into_par_iter().count(), 10);
    /// ```
    fn drive<C: Consumer<Self::Item>>(self, consumer: C) -> C::Result;

    /// The exact number of items, if known without running (indexed
    /// iterators).
    ///
    /// ```
    /// use pyrt_scheduler::prelude::*;
    /// assert_eq!((0..10u32).into_par_iter().opt_len(), Some(10));
    /// assert_eq!((0..10u32).into_par_iter().filter(|x| x % 2 == 0).opt_len(), None);
    /// ```
    fn opt_len(&self) -> Option<usize> {
        None
    }

    /// Calls `f` on every item.
    ///
    /// ```
    /// use pyrt_scheduler::prelude::*;
    /// let v: Vec<u32> = (0..5u32).into_par_iter().map(|x| x * 10).collect();
    /// assert_eq!(v, [0, 10, 20, 30, 40]);
    /// ```
    fn map<F, R>(self, f: F) -> Map<Self, F>
    where
        F: Fn(Self::Item) -> R + Sync + Send,
        R: Send,
    {
        Map::new(self, f)
    }

    /// Keeps the items for which `predicate` is true.
    ///
    /// ```
    /// use pyrt_scheduler::prelude::*;
    /// let odd: Vec<u32> = (0..10u32).into_par_iter().filter(|x| x % 2 == 1).collect();
    /// assert_eq!(odd, [1, 3, 5, 7, 9]);
    /// ```
    fn filter<P>(self, predicate: P) -> Filter<Self, P>
    where
        P: Fn(&Self::Item) -> bool + Sync + Send,
    {
        Filter::new(self, predicate)
    }

    /// Maps every item to an `Option` and keeps the `Some` values.
    ///
    /// ```
    /// use pyrt_scheduler::prelude::*;
    /// let words = ["1", "x", "3"];
    /// let n: Vec<u32> = words.par_iter().filter_map(|w| w.parse().ok()).collect();
    /// assert_eq!(n, [1, 3]);
    /// ```
    fn filter_map<F, R>(self, f: F) -> FilterMap<Self, F>
    where
        F: Fn(Self::Item) -> Option<R> + Sync + Send,
        R: Send,
    {
        FilterMap::new(self, f)
    }

    /// Folds the items of each piece into an accumulator that starts as
    /// `identity()`; the result is a parallel iterator over the
    /// accumulators (one per piece, how many is up to the splitter), in
    /// order, typically ended by [`reduce`](Self::reduce).
    ///
    /// ```
    /// use pyrt_scheduler::prelude::*;
    /// let words = ["a", "bb", "ccc"];
    /// let total: usize = words
    ///     .par_iter()
    ///     .fold(|| 0, |n, w| n + w.len())
    ///     .reduce(|| 0, |a, b| a + b);
    /// assert_eq!(total, 6);
    /// ```
    fn fold<T, ID, F>(self, identity: ID, fold_op: F) -> Fold<Self, ID, F>
    where
        ID: Fn() -> T + Sync + Send,
        F: Fn(T, Self::Item) -> T + Sync + Send,
        T: Send,
    {
        Fold::new(self, identity, fold_op)
    }

    /// Calls `op` on every item.
    ///
    /// ```
    /// use std::sync::atomic::{AtomicU64, Ordering};
    /// use pyrt_scheduler::prelude::*;
    /// let total = AtomicU64::new(0);
    /// (1..=100u64).into_par_iter().for_each(|x| { total.fetch_add(x, Ordering::Relaxed); });
    /// assert_eq!(total.into_inner(), 5050);
    /// ```
    fn for_each<F>(self, op: F)
    where
        F: Fn(Self::Item) + Sync + Send,
    {
        for_each(self, op)
    }

    /// Combines every item with `op`, starting each piece from
    /// `identity()` (which must be neutral for `op`); `op` must be
    /// associative. Pieces are combined in order.
    ///
    /// ```
    /// use pyrt_scheduler::prelude::*;
    /// let s = (1..=4u32).into_par_iter().map(|x| x.to_string()).reduce(String::new, |a, b| a + &b);
    /// assert_eq!(s, "1234");
    /// ```
    fn reduce<ID, OP>(self, identity: ID, op: OP) -> Self::Item
    where
        ID: Fn() -> Self::Item + Sync + Send,
        OP: Fn(Self::Item, Self::Item) -> Self::Item + Sync + Send,
    {
        reduce(self, identity, op)
    }

    /// Combines every item with the associative `op`; `None` if there
    /// are no items.
    ///
    /// ```
    /// use pyrt_scheduler::prelude::*;
    /// assert_eq!((1..=4u32).into_par_iter().reduce_with(|a, b| a * b), Some(24));
    /// assert_eq!((0..0u32).into_par_iter().reduce_with(|a, b| a * b), None);
    /// ```
    fn reduce_with<OP>(self, op: OP) -> Option<Self::Item>
    where
        OP: Fn(Self::Item, Self::Item) -> Self::Item + Sync + Send,
    {
        reduce_with(self, op)
    }

    /// The sum of the items (as [`Iterator::sum`]; integer overflow
    /// behaves as there).
    ///
    /// ```
    /// use pyrt_scheduler::prelude::*;
    /// let s: u64 = (0..1_000_000u64).into_par_iter().map(|x| x * x).sum();
    /// assert_eq!(s, (0..1_000_000u64).map(|x| x * x).sum());
    /// ```
    fn sum<S>(self) -> S
    where
        S: Send + Sum<Self::Item> + Sum<S>,
    {
        sum(self)
    }

    /// The product of the items (as [`Iterator::product`]).
    ///
    /// ```
    /// use pyrt_scheduler::prelude::*;
    /// let p: u64 = (1..=10u64).into_par_iter().product();
    /// assert_eq!(p, 3_628_800);
    /// ```
    fn product<P>(self) -> P
    where
        P: Send + Product<Self::Item> + Product<P>,
    {
        product(self)
    }

    /// The smallest item, the first of equal ones (as [`Iterator::min`]).
    ///
    /// ```
    /// use pyrt_scheduler::prelude::*;
    /// assert_eq!([3, 1, 2].par_iter().min(), Some(&1));
    /// ```
    fn min(self) -> Option<Self::Item>
    where
        Self::Item: Ord,
    {
        self.reduce_with(|a, b| if b < a { b } else { a })
    }

    /// The largest item, the last of equal ones (as [`Iterator::max`]).
    ///
    /// ```
    /// use pyrt_scheduler::prelude::*;
    /// assert_eq!([3, 1, 2].par_iter().max(), Some(&3));
    /// ```
    fn max(self) -> Option<Self::Item>
    where
        Self::Item: Ord,
    {
        self.reduce_with(|a, b| if b >= a { b } else { a })
    }

    /// The item with the smallest `key`, the first of equal ones (as
    /// [`Iterator::min_by_key`]).
    ///
    /// ```
    /// use pyrt_scheduler::prelude::*;
    /// let words = ["ccc", "a", "bb", "b"];
    /// assert_eq!(words.par_iter().min_by_key(|w| w.len()), Some(&"a"));
    /// ```
    fn min_by_key<K, F>(self, key: F) -> Option<Self::Item>
    where
        K: Ord + Send,
        F: Fn(&Self::Item) -> K + Sync + Send,
    {
        let key = &key;
        self.map(move |x| (key(&x), x))
            .reduce_with(|a, b| if b.0 < a.0 { b } else { a })
            .map(|(_, x)| x)
    }

    /// The item with the largest `key`, the last of equal ones (as
    /// [`Iterator::max_by_key`]).
    ///
    /// ```
    /// use pyrt_scheduler::prelude::*;
    /// let words = ["ccc", "a", "bb", "ddd"];
    /// assert_eq!(words.par_iter().max_by_key(|w| w.len()), Some(&"ddd"));
    /// ```
    fn max_by_key<K, F>(self, key: F) -> Option<Self::Item>
    where
        K: Ord + Send,
        F: Fn(&Self::Item) -> K + Sync + Send,
    {
        let key = &key;
        self.map(move |x| (key(&x), x))
            .reduce_with(|a, b| if b.0 >= a.0 { b } else { a })
            .map(|(_, x)| x)
    }

    /// The number of items.
    ///
    /// ```
    /// use pyrt_scheduler::prelude::*;
    /// assert_eq!((0..10_000u32).into_par_iter().filter(|x| x % 3 == 0).count(), 3334);
    /// ```
    fn count(self) -> usize {
        self.map(|_| 1usize).sum()
    }

    /// Whether `predicate` is true for some item; stops early once one is
    /// found (items in flight on other workers still finish).
    ///
    /// ```
    /// use pyrt_scheduler::prelude::*;
    /// assert!((0..1_000_000u32).into_par_iter().any(|x| x == 10));
    /// assert!(!(0..100u32).into_par_iter().any(|x| x > 100));
    /// ```
    fn any<P>(self, predicate: P) -> bool
    where
        P: Fn(Self::Item) -> bool + Sync + Send,
    {
        self.map(predicate).find_any(|&b| b).is_some()
    }

    /// Whether `predicate` is true for every item; stops early at the
    /// first false one found.
    ///
    /// ```
    /// use pyrt_scheduler::prelude::*;
    /// assert!((0..100u32).into_par_iter().all(|x| x < 100));
    /// assert!(!(0..1_000_000u32).into_par_iter().all(|x| x != 10));
    /// ```
    fn all<P>(self, predicate: P) -> bool
    where
        P: Fn(Self::Item) -> bool + Sync + Send,
    {
        self.map(predicate).find_any(|&b| !b).is_none()
    }

    /// Some item for which `predicate` is true, not necessarily the first;
    /// stops early once one is found.
    ///
    /// ```
    /// use pyrt_scheduler::prelude::*;
    /// let found = (0..1_000_000u32).into_par_iter().find_any(|x| x % 1000 == 999);
    /// assert_eq!(found.map(|x| x % 1000), Some(999));
    /// ```
    fn find_any<P>(self, predicate: P) -> Option<Self::Item>
    where
        P: Fn(&Self::Item) -> bool + Sync + Send,
    {
        find_any(self, predicate)
    }

    /// Collects the items, in order, e.g. into a `Vec` (written in place
    /// when the length is known).
    ///
    /// ```
    /// use pyrt_scheduler::prelude::*;
    /// let v: Vec<String> = (0..3u32).into_par_iter().map(|i| i.to_string()).collect();
    /// assert_eq!(v, ["0", "1", "2"]);
    /// ```
    fn collect<C>(self) -> C
    where
        C: FromParallelIterator<Self::Item>,
    {
        C::from_par_iter(self)
    }
}

/// A parallel iterator with a known length that can be split at any
/// index: slices, `Vec`s, ranges, chunks, and `map`, `enumerate`, `zip`,
/// `with_min_len` over those.
///
/// ```
/// use pyrt_scheduler::prelude::*;
///
/// let a = [1, 2, 3];
/// let b = [10, 20, 30];
/// let dot: i32 = a.par_iter().zip(&b).map(|(x, y)| x * y).sum();
/// assert_eq!(dot, 140);
/// assert_eq!(a.par_iter().len(), 3);
/// ```
pub trait IndexedParallelIterator: ParallelIterator {
    /// The producer this iterator becomes.
    type Producer: Producer<Item = Self::Item>;

    /// The number of items.
    ///
    /// ```
    /// use pyrt_scheduler::prelude::*;
    /// assert_eq!((5..15u8).into_par_iter().len(), 10);
    /// ```
    fn len(&self) -> usize;

    /// Whether there are no items.
    ///
    /// ```
    /// use pyrt_scheduler::prelude::*;
    /// assert!((5..5u8).into_par_iter().is_empty());
    /// ```
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The producer behind the iterator (see
    /// [`plumbing::Producer`](super::plumbing::Producer)).
    ///
    /// ```
    /// use pyrt_scheduler::iter::plumbing::Producer;
    /// use pyrt_scheduler::prelude::*;
    /// assert_eq!([1, 2, 3].par_iter().into_producer().len(), 3);
    /// ```
    fn into_producer(self) -> Self::Producer;

    /// Pairs every item with its index.
    ///
    /// ```
    /// use pyrt_scheduler::prelude::*;
    /// let v: Vec<(usize, char)> = ['a', 'b'].par_iter().map(|&c| c).enumerate().collect();
    /// assert_eq!(v, [(0, 'a'), (1, 'b')]);
    /// ```
    fn enumerate(self) -> Enumerate<Self> {
        Enumerate::new(self)
    }

    /// Pairs the items of two indexed iterators, up to the shorter one's
    /// length.
    ///
    /// ```
    /// use pyrt_scheduler::prelude::*;
    /// let v: Vec<(u32, char)> = (0..5u32).into_par_iter().zip(vec!['x', 'y']).collect();
    /// assert_eq!(v, [(0, 'x'), (1, 'y')]);
    /// ```
    fn zip<Z>(self, other: Z) -> Zip<Self, Z::Iter>
    where
        Z: IntoParallelIterator,
        Z::Iter: IndexedParallelIterator,
    {
        Zip::new(self, other.into_par_iter())
    }

    /// Never splits pieces smaller than `min` items (for cheap items whose
    /// pieces would cost more to hand out than to run).
    ///
    /// ```
    /// use pyrt_scheduler::prelude::*;
    /// let s: u64 = (0..10_000u64).into_par_iter().with_min_len(1000).sum();
    /// assert_eq!(s, 49_995_000);
    /// ```
    fn with_min_len(self, min: usize) -> MinLen<Self> {
        MinLen::new(self, min)
    }
}
