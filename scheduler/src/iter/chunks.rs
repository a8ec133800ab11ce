//! `par_chunks(n)` and `par_chunks_mut(n)`: [`Chunks`] and [`ChunksMut`],
//! whose items are sub-slices of `n` elements (the last one shorter), as
//! `slice::chunks`; each item is one position for the splitter.

use super::plumbing::{Consumer, Producer};
use super::splitter::bridge;
use super::traits::{sealed::Sealed, IndexedParallelIterator, ParallelIterator};

/// A parallel iterator over `&[T]` chunks of a slice.
///
/// ```
/// use pyrt_scheduler::prelude::*;
/// let v = [1, 2, 3, 4, 5];
/// let sums: Vec<i32> = v.par_chunks(2).map(|c| c.iter().sum()).collect();
/// assert_eq!(sums, [3, 7, 5]);
/// ```
#[derive(Debug)]
pub struct Chunks<'data, T> {
    slice: &'data [T],
    size: usize,
}

/// A parallel iterator over `&mut [T]` chunks of a slice.
///
/// ```
/// use pyrt_scheduler::prelude::*;
/// let mut v = [1, 2, 3, 4, 5];
/// v.par_chunks_mut(2).for_each(|c| c.reverse());
/// assert_eq!(v, [2, 1, 4, 3, 5]);
/// ```
#[derive(Debug)]
pub struct ChunksMut<'data, T> {
    slice: &'data mut [T],
    size: usize,
}

impl<'data, T> Chunks<'data, T> {
    pub(crate) fn new(slice: &'data [T], size: usize) -> Self {
        assert!(size != 0, "chunk size must be non-zero");
        Chunks { slice, size }
    }
}

impl<'data, T> ChunksMut<'data, T> {
    pub(crate) fn new(slice: &'data mut [T], size: usize) -> Self {
        assert!(size != 0, "chunk size must be non-zero");
        ChunksMut { slice, size }
    }
}

fn chunk_count(len: usize, size: usize) -> usize {
    len.div_ceil(size)
}

impl<T: Sync> Sealed for Chunks<'_, T> {}

impl<'data, T: Sync + 'data> ParallelIterator for Chunks<'data, T> {
    type Item = &'data [T];
    fn drive<C: Consumer<Self::Item>>(self, consumer: C) -> C::Result {
        bridge(self.into_producer(), consumer)
    }
    fn opt_len(&self) -> Option<usize> {
        Some(IndexedParallelIterator::len(self))
    }
}

impl<'data, T: Sync + 'data> IndexedParallelIterator for Chunks<'data, T> {
    type Producer = Self;
    fn len(&self) -> usize {
        chunk_count(self.slice.len(), self.size)
    }
    fn into_producer(self) -> Self {
        self
    }
}

/// [`Chunks`] is its own producer.
impl<'data, T: Sync + 'data> Producer for Chunks<'data, T> {
    type Item = &'data [T];
    type IntoIter = std::slice::Chunks<'data, T>;
    fn len(&self) -> usize {
        chunk_count(self.slice.len(), self.size)
    }
    fn split_at(self, index: usize) -> (Self, Self) {
        let at = (index * self.size).min(self.slice.len());
        let (a, b) = self.slice.split_at(at);
        (
            Chunks {
                slice: a,
                size: self.size,
            },
            Chunks {
                slice: b,
                size: self.size,
            },
        )
    }
    fn into_iter(self) -> Self::IntoIter {
        self.slice.chunks(self.size)
    }
}

impl<T: Send> Sealed for ChunksMut<'_, T> {}

impl<'data, T: Send + 'data> ParallelIterator for ChunksMut<'data, T> {
    type Item = &'data mut [T];
    fn drive<C: Consumer<Self::Item>>(self, consumer: C) -> C::Result {
        bridge(self.into_producer(), consumer)
    }
    fn opt_len(&self) -> Option<usize> {
        Some(IndexedParallelIterator::len(self))
    }
}

impl<'data, T: Send + 'data> IndexedParallelIterator for ChunksMut<'data, T> {
    type Producer = Self;
    fn len(&self) -> usize {
        chunk_count(self.slice.len(), self.size)
    }
    fn into_producer(self) -> Self {
        self
    }
}

/// [`ChunksMut`] is its own producer.
impl<'data, T: Send + 'data> Producer for ChunksMut<'data, T> {
    type Item = &'data mut [T];
    type IntoIter = std::slice::ChunksMut<'data, T>;
    fn len(&self) -> usize {
        chunk_count(self.slice.len(), self.size)
    }
    fn split_at(self, index: usize) -> (Self, Self) {
        let at = (index * self.size).min(self.slice.len());
        let (a, b) = self.slice.split_at_mut(at);
        (
            ChunksMut {
                slice: a,
                size: self.size,
            },
            ChunksMut {
                slice: b,
                size: self.size,
            },
        )
    }
    fn into_iter(self) -> Self::IntoIter {
        self.slice.chunks_mut(self.size)
    }
}
