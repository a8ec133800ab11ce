//! `with_min_len(n)`: [`MinLen`], which raises the splitter's chunk size
//! (its `grain`) to at least `n` items.

use super::plumbing::{Consumer, Producer};
use super::splitter::bridge;
use super::traits::{sealed::Sealed, IndexedParallelIterator, ParallelIterator};

/// The iterator of [`IndexedParallelIterator::with_min_len`].
///
/// ```
/// use pyrt_scheduler::prelude::*;
/// let m: pyrt_scheduler::iter::MinLen<_> = (0..100u32).into_par_iter().with_min_len(50);
/// assert_eq!(m.count(), 100);
/// ```
#[derive(Debug)]
pub struct MinLen<I> {
    base: I,
    min: usize,
}

impl<I> MinLen<I> {
    pub(crate) fn new(base: I, min: usize) -> Self {
        MinLen { base, min }
    }
}

impl<I> Sealed for MinLen<I> {}

impl<I: IndexedParallelIterator> ParallelIterator for MinLen<I> {
    type Item = I::Item;
    fn drive<C: Consumer<Self::Item>>(self, consumer: C) -> C::Result {
        bridge(self.into_producer(), consumer)
    }
    fn opt_len(&self) -> Option<usize> {
        Some(self.base.len())
    }
}

impl<I: IndexedParallelIterator> IndexedParallelIterator for MinLen<I> {
    type Producer = MinLenProducer<I::Producer>;
    fn len(&self) -> usize {
        self.base.len()
    }
    fn into_producer(self) -> Self::Producer {
        MinLenProducer {
            base: self.base.into_producer(),
            min: self.min,
        }
    }
}

/// The producer of [`MinLen`].
///
/// ```
/// use pyrt_scheduler::iter::plumbing::Producer;
/// use pyrt_scheduler::prelude::*;
/// assert_eq!((0..10u8).into_par_iter().with_min_len(4).into_producer().min_len(), 4);
/// ```
#[derive(Debug)]
pub struct MinLenProducer<P> {
    base: P,
    min: usize,
}

impl<P: Producer> Producer for MinLenProducer<P> {
    type Item = P::Item;
    type IntoIter = P::IntoIter;
    fn len(&self) -> usize {
        self.base.len()
    }
    fn split_at(self, index: usize) -> (Self, Self) {
        let (a, b) = self.base.split_at(index);
        (
            MinLenProducer {
                base: a,
                min: self.min,
            },
            MinLenProducer {
                base: b,
                min: self.min,
            },
        )
    }
    fn into_iter(self) -> P::IntoIter {
        self.base.into_iter()
    }
    fn min_len(&self) -> usize {
        self.base.min_len().max(self.min)
    }
}
