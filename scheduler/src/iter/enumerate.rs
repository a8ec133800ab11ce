//! `enumerate()`: [`Enumerate`], whose producer knows the index of its
//! first item.

use super::plumbing::{Consumer, Producer};
use super::splitter::bridge;
use super::traits::{sealed::Sealed, IndexedParallelIterator, ParallelIterator};

/// The iterator of [`IndexedParallelIterator::enumerate`].
///
/// ```
/// use pyrt_scheduler::prelude::*;
/// let e: pyrt_scheduler::iter::Enumerate<_> = ['a', 'b'].par_iter().enumerate();
/// assert_eq!(e.map(|(i, _)| i).sum::<usize>(), 1);
/// ```
#[derive(Debug)]
pub struct Enumerate<I> {
    base: I,
}

impl<I> Enumerate<I> {
    pub(crate) fn new(base: I) -> Self {
        Enumerate { base }
    }
}

impl<I> Sealed for Enumerate<I> {}

impl<I: IndexedParallelIterator> ParallelIterator for Enumerate<I> {
    type Item = (usize, I::Item);
    fn drive<C: Consumer<Self::Item>>(self, consumer: C) -> C::Result {
        bridge(self.into_producer(), consumer)
    }
    fn opt_len(&self) -> Option<usize> {
        Some(self.base.len())
    }
}

impl<I: IndexedParallelIterator> IndexedParallelIterator for Enumerate<I> {
    type Producer = EnumerateProducer<I::Producer>;
    fn len(&self) -> usize {
        self.base.len()
    }
    fn into_producer(self) -> Self::Producer {
        EnumerateProducer {
            base: self.base.into_producer(),
            offset: 0,
        }
    }
}

/// The producer of [`Enumerate`]: a piece and the index of its first item.
///
/// ```
/// use pyrt_scheduler::iter::plumbing::Producer;
/// use pyrt_scheduler::prelude::*;
/// let (_, hi) = ['a', 'b', 'c'].par_iter().enumerate().into_producer().split_at(2);
/// assert_eq!(hi.into_iter().next(), Some((2, &'c')));
/// ```
#[derive(Debug)]
pub struct EnumerateProducer<P> {
    base: P,
    offset: usize,
}

impl<P: Producer> Producer for EnumerateProducer<P> {
    type Item = (usize, P::Item);
    type IntoIter = std::iter::Zip<std::ops::Range<usize>, P::IntoIter>;
    fn len(&self) -> usize {
        self.base.len()
    }
    fn split_at(self, index: usize) -> (Self, Self) {
        let (a, b) = self.base.split_at(index);
        (
            EnumerateProducer {
                base: a,
                offset: self.offset,
            },
            EnumerateProducer {
                base: b,
                offset: self.offset + index,
            },
        )
    }
    fn into_iter(self) -> Self::IntoIter {
        let end = self.offset + self.base.len();
        (self.offset..end).zip(self.base.into_iter())
    }
    fn min_len(&self) -> usize {
        self.base.min_len()
    }
}
