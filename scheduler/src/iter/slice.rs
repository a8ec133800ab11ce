//! Slices by reference: [`Iter`] (`par_iter()`) and [`IterMut`]
//! (`par_iter_mut()`), for `[T]`, `Vec<T>` and `[T; N]`.

use super::into::IntoParallelIterator;
use super::plumbing::{Consumer, Producer};
use super::splitter::bridge;
use super::traits::{sealed::Sealed, IndexedParallelIterator, ParallelIterator};

/// A parallel iterator over `&T` of a slice.
///
/// ```
/// use pyrt_scheduler::prelude::*;
/// let it: pyrt_scheduler::iter::Iter<'_, u8> = [1u8, 2].par_iter();
/// assert_eq!(it.map(|&x| x as u32).sum::<u32>(), 3);
/// ```
#[derive(Debug)]
pub struct Iter<'data, T> {
    slice: &'data [T],
}

/// A parallel iterator over `&mut T` of a slice.
///
/// ```
/// use pyrt_scheduler::prelude::*;
/// let mut v = [1, 2];
/// let it: pyrt_scheduler::iter::IterMut<'_, i32> = v.par_iter_mut();
/// it.for_each(|x| *x = -*x);
/// assert_eq!(v, [-1, -2]);
/// ```
#[derive(Debug)]
pub struct IterMut<'data, T> {
    slice: &'data mut [T],
}

/// The producer of [`Iter`]: a sub-slice.
///
/// ```
/// use pyrt_scheduler::iter::plumbing::Producer;
/// use pyrt_scheduler::prelude::*;
/// let p = [1, 2, 3].par_iter().into_producer();
/// assert_eq!(p.into_iter().count(), 3);
/// ```
#[derive(Debug)]
pub struct SliceProducer<'data, T> {
    slice: &'data [T],
}

/// The producer of [`IterMut`]: a mutable sub-slice.
///
/// ```
/// use pyrt_scheduler::iter::plumbing::Producer;
/// use pyrt_scheduler::prelude::*;
/// let mut v = [1, 2, 3];
/// let (a, b) = v.par_iter_mut().into_producer().split_at(1);
/// assert_eq!((a.len(), b.len()), (1, 2));
/// ```
#[derive(Debug)]
pub struct SliceMutProducer<'data, T> {
    slice: &'data mut [T],
}

impl<'data, T: Sync + 'data> IntoParallelIterator for &'data [T] {
    type Iter = Iter<'data, T>;
    type Item = &'data T;
    fn into_par_iter(self) -> Iter<'data, T> {
        Iter { slice: self }
    }
}

impl<'data, T: Sync + 'data> IntoParallelIterator for &'data Vec<T> {
    type Iter = Iter<'data, T>;
    type Item = &'data T;
    fn into_par_iter(self) -> Iter<'data, T> {
        Iter { slice: self }
    }
}

impl<'data, T: Sync + 'data, const N: usize> IntoParallelIterator for &'data [T; N] {
    type Iter = Iter<'data, T>;
    type Item = &'data T;
    fn into_par_iter(self) -> Iter<'data, T> {
        Iter { slice: self }
    }
}

impl<'data, T: Send + 'data> IntoParallelIterator for &'data mut [T] {
    type Iter = IterMut<'data, T>;
    type Item = &'data mut T;
    fn into_par_iter(self) -> IterMut<'data, T> {
        IterMut { slice: self }
    }
}

impl<'data, T: Send + 'data> IntoParallelIterator for &'data mut Vec<T> {
    type Iter = IterMut<'data, T>;
    type Item = &'data mut T;
    fn into_par_iter(self) -> IterMut<'data, T> {
        IterMut { slice: self }
    }
}

impl<'data, T: Send + 'data, const N: usize> IntoParallelIterator for &'data mut [T; N] {
    type Iter = IterMut<'data, T>;
    type Item = &'data mut T;
    fn into_par_iter(self) -> IterMut<'data, T> {
        IterMut { slice: self }
    }
}

impl<T: Sync> Sealed for Iter<'_, T> {}

impl<'data, T: Sync + 'data> ParallelIterator for Iter<'data, T> {
    type Item = &'data T;
    fn drive<C: Consumer<Self::Item>>(self, consumer: C) -> C::Result {
        bridge(self.into_producer(), consumer)
    }
    fn opt_len(&self) -> Option<usize> {
        Some(self.slice.len())
    }
}

impl<'data, T: Sync + 'data> IndexedParallelIterator for Iter<'data, T> {
    type Producer = SliceProducer<'data, T>;
    fn len(&self) -> usize {
        self.slice.len()
    }
    fn into_producer(self) -> Self::Producer {
        SliceProducer { slice: self.slice }
    }
}

impl<'data, T: Sync + 'data> Producer for SliceProducer<'data, T> {
    type Item = &'data T;
    type IntoIter = std::slice::Iter<'data, T>;
    fn len(&self) -> usize {
        self.slice.len()
    }
    fn split_at(self, index: usize) -> (Self, Self) {
        let (a, b) = self.slice.split_at(index);
        (SliceProducer { slice: a }, SliceProducer { slice: b })
    }
    fn into_iter(self) -> Self::IntoIter {
        self.slice.iter()
    }
}

impl<T: Send> Sealed for IterMut<'_, T> {}

impl<'data, T: Send + 'data> ParallelIterator for IterMut<'data, T> {
    type Item = &'data mut T;
    fn drive<C: Consumer<Self::Item>>(self, consumer: C) -> C::Result {
        bridge(self.into_producer(), consumer)
    }
    fn opt_len(&self) -> Option<usize> {
        Some(self.slice.len())
    }
}

impl<'data, T: Send + 'data> IndexedParallelIterator for IterMut<'data, T> {
    type Producer = SliceMutProducer<'data, T>;
    fn len(&self) -> usize {
        self.slice.len()
    }
    fn into_producer(self) -> Self::Producer {
        SliceMutProducer { slice: self.slice }
    }
}

impl<'data, T: Send + 'data> Producer for SliceMutProducer<'data, T> {
    type Item = &'data mut T;
    type IntoIter = std::slice::IterMut<'data, T>;
    fn len(&self) -> usize {
        self.slice.len()
    }
    fn split_at(self, index: usize) -> (Self, Self) {
        let (a, b) = self.slice.split_at_mut(index);
        (SliceMutProducer { slice: a }, SliceMutProducer { slice: b })
    }
    fn into_iter(self) -> Self::IntoIter {
        self.slice.iter_mut()
    }
}
