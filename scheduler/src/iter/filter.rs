//! `filter(p)` and `filter_map(f)`: [`Filter`] and [`FilterMap`]. Not
//! indexed (how many items survive is known only after running), they
//! wrap the consumer: each folder filters its piece's items on the way in.

use std::ops::Range;

use super::plumbing::{Consumer, Folder};
use super::traits::{sealed::Sealed, ParallelIterator};

/// The iterator of [`ParallelIterator::filter`].
///
/// ```
/// use pyrt_scheduler::prelude::*;
/// let f: pyrt_scheduler::iter::Filter<_, _> = (0..10u8).into_par_iter().filter(|x| *x > 7);
/// assert_eq!(f.collect::<Vec<_>>(), [8, 9]);
/// ```
#[derive(Debug)]
pub struct Filter<I, P> {
    base: I,
    predicate: P,
}

/// The iterator of [`ParallelIterator::filter_map`].
///
/// ```
/// use pyrt_scheduler::prelude::*;
/// let f: pyrt_scheduler::iter::FilterMap<_, _> =
///     (0..10u8).into_par_iter().filter_map(|x| x.checked_sub(8));
/// assert_eq!(f.collect::<Vec<_>>(), [0, 1]);
/// ```
#[derive(Debug)]
pub struct FilterMap<I, F> {
    base: I,
    f: F,
}

impl<I, P> Filter<I, P> {
    pub(crate) fn new(base: I, predicate: P) -> Self {
        Filter { base, predicate }
    }
}

impl<I, F> FilterMap<I, F> {
    pub(crate) fn new(base: I, f: F) -> Self {
        FilterMap { base, f }
    }
}

impl<I, P> Sealed for Filter<I, P> {}
impl<I, F> Sealed for FilterMap<I, F> {}

impl<I, P> ParallelIterator for Filter<I, P>
where
    I: ParallelIterator,
    P: Fn(&I::Item) -> bool + Sync + Send,
{
    type Item = I::Item;
    fn drive<C: Consumer<I::Item>>(self, consumer: C) -> C::Result {
        let Filter { base, predicate } = self;
        base.drive(FilterConsumer {
            base: consumer,
            keep: KeepIf(&predicate),
        })
    }
}

impl<I, F, R> ParallelIterator for FilterMap<I, F>
where
    I: ParallelIterator,
    F: Fn(I::Item) -> Option<R> + Sync + Send,
    R: Send,
{
    type Item = R;
    fn drive<C: Consumer<R>>(self, consumer: C) -> C::Result {
        let FilterMap { base, f } = self;
        base.drive(FilterConsumer {
            base: consumer,
            keep: KeepSome(&f),
        })
    }
}

/// One step of either adapter: the item to pass on, if any.
trait Keep<T>: Copy + Sync {
    type Out;
    fn keep(self, x: T) -> Option<Self::Out>;
}

/// `filter`'s step: the item if the predicate holds.
struct KeepIf<'f, P>(&'f P);

/// `filter_map`'s step: whatever the closure returns.
struct KeepSome<'f, F>(&'f F);

impl<P> Clone for KeepIf<'_, P> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<P> Copy for KeepIf<'_, P> {}
impl<F> Clone for KeepSome<'_, F> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<F> Copy for KeepSome<'_, F> {}

impl<T, P: Fn(&T) -> bool + Sync> Keep<T> for KeepIf<'_, P> {
    type Out = T;
    #[inline]
    fn keep(self, x: T) -> Option<T> {
        if (self.0)(&x) {
            Some(x)
        } else {
            None
        }
    }
}

impl<T, R, F: Fn(T) -> Option<R> + Sync> Keep<T> for KeepSome<'_, F> {
    type Out = R;
    #[inline]
    fn keep(self, x: T) -> Option<R> {
        (self.0)(x)
    }
}

struct FilterConsumer<C, K> {
    base: C,
    keep: K,
}

impl<T, C, K> Consumer<T> for FilterConsumer<C, K>
where
    K: Keep<T>,
    C: Consumer<K::Out>,
{
    type Folder = FilterFolder<C::Folder, K>;
    type Result = C::Result;
    fn folder(&self, range: Range<usize>) -> Self::Folder {
        FilterFolder {
            base: self.base.folder(range),
            keep: self.keep,
        }
    }
    fn reduce(&self, left: C::Result, right: C::Result) -> C::Result {
        self.base.reduce(left, right)
    }
    fn full(&self) -> bool {
        self.base.full()
    }
}

struct FilterFolder<B, K> {
    base: B,
    keep: K,
}

impl<T, B, K> Folder<T> for FilterFolder<B, K>
where
    K: Keep<T>,
    B: Folder<K::Out>,
{
    type Result = B::Result;
    fn consume_iter<I: Iterator<Item = T>>(self, iter: I) -> Self {
        let keep = self.keep;
        FilterFolder {
            base: self
                .base
                .consume_iter(iter.filter_map(move |x| keep.keep(x))),
            keep,
        }
    }
    fn complete(self) -> B::Result {
        self.base.complete()
    }
}
