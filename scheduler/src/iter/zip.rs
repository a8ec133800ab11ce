//! `zip(other)`: [`Zip`], two indexed iterators split at the same indices.

use super::plumbing::{Consumer, Producer};
use super::splitter::bridge;
use super::traits::{sealed::Sealed, IndexedParallelIterator, ParallelIterator};

/// The iterator of [`IndexedParallelIterator::zip`]: pairs, as many as
/// the shorter side has items (the longer side's extra items are dropped
/// unused).
///
/// ```
/// use pyrt_scheduler::prelude::*;
/// let z: pyrt_scheduler::iter::Zip<_, _> = [1, 2, 3].par_iter().zip([4, 5].par_iter());
/// assert_eq!(z.map(|(a, b)| a * b).sum::<i32>(), 14);
/// ```
#[derive(Debug)]
pub struct Zip<A, B> {
    a: A,
    b: B,
}

impl<A, B> Zip<A, B> {
    pub(crate) fn new(a: A, b: B) -> Self {
        Zip { a, b }
    }
}

impl<A, B> Sealed for Zip<A, B> {}

impl<A, B> ParallelIterator for Zip<A, B>
where
    A: IndexedParallelIterator,
    B: IndexedParallelIterator,
{
    type Item = (A::Item, B::Item);
    fn drive<C: Consumer<Self::Item>>(self, consumer: C) -> C::Result {
        bridge(self.into_producer(), consumer)
    }
    fn opt_len(&self) -> Option<usize> {
        Some(self.len())
    }
}

impl<A, B> IndexedParallelIterator for Zip<A, B>
where
    A: IndexedParallelIterator,
    B: IndexedParallelIterator,
{
    type Producer = ZipProducer<A::Producer, B::Producer>;
    fn len(&self) -> usize {
        self.a.len().min(self.b.len())
    }
    fn into_producer(self) -> Self::Producer {
        let n = self.len();
        let (a, _) = self.a.into_producer().split_at(n);
        let (b, _) = self.b.into_producer().split_at(n);
        ZipProducer { a, b }
    }
}

/// The producer of [`Zip`]: two pieces of the same length.
///
/// ```
/// use pyrt_scheduler::iter::plumbing::Producer;
/// use pyrt_scheduler::prelude::*;
/// let p = [1, 2].par_iter().zip(['a', 'b', 'c'].par_iter()).into_producer();
/// assert_eq!(p.len(), 2);
/// ```
#[derive(Debug)]
pub struct ZipProducer<A, B> {
    a: A,
    b: B,
}

impl<A: Producer, B: Producer> Producer for ZipProducer<A, B> {
    type Item = (A::Item, B::Item);
    type IntoIter = std::iter::Zip<A::IntoIter, B::IntoIter>;
    fn len(&self) -> usize {
        self.a.len().min(self.b.len())
    }
    fn split_at(self, index: usize) -> (Self, Self) {
        let (a1, a2) = self.a.split_at(index);
        let (b1, b2) = self.b.split_at(index);
        (ZipProducer { a: a1, b: b1 }, ZipProducer { a: a2, b: b2 })
    }
    fn into_iter(self) -> Self::IntoIter {
        self.a.into_iter().zip(self.b.into_iter())
    }
    fn min_len(&self) -> usize {
        self.a.min_len().max(self.b.min_len())
    }
}
