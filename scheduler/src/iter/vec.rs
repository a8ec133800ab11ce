//! `Vec<T>::into_par_iter()`: [`IntoIter`], which moves the items out of
//! the vector's buffer, each piece owning a range of it.
//!
//! The buffer is freed once every piece is gone (it is shared through an
//! `Arc`); a piece drops the items it did not yield, so after an early
//! stop or a panic every item is dropped exactly once.

use std::ops::Range;
use std::sync::Arc;

use super::into::IntoParallelIterator;
use super::plumbing::{Consumer, Producer};
use super::splitter::bridge;
use super::traits::{sealed::Sealed, IndexedParallelIterator, ParallelIterator};

/// A parallel iterator that moves the items out of a `Vec`.
///
/// ```
/// use pyrt_scheduler::prelude::*;
/// let it: pyrt_scheduler::iter::IntoIter<String> = vec!["a".to_string()].into_par_iter();
/// assert_eq!(it.map(|s| s.len()).sum::<usize>(), 1);
/// ```
#[derive(Debug)]
pub struct IntoIter<T> {
    vec: Vec<T>,
}

impl<T: Send> IntoParallelIterator for Vec<T> {
    type Iter = IntoIter<T>;
    type Item = T;
    fn into_par_iter(self) -> IntoIter<T> {
        IntoIter { vec: self }
    }
}

impl<T: Send> Sealed for IntoIter<T> {}

impl<T: Send> ParallelIterator for IntoIter<T> {
    type Item = T;
    fn drive<C: Consumer<T>>(self, consumer: C) -> C::Result {
        bridge(self.into_producer(), consumer)
    }
    fn opt_len(&self) -> Option<usize> {
        Some(self.vec.len())
    }
}

impl<T: Send> IndexedParallelIterator for IntoIter<T> {
    type Producer = VecProducer<T>;
    fn len(&self) -> usize {
        self.vec.len()
    }
    fn into_producer(self) -> VecProducer<T> {
        let mut vec = self.vec;
        let len = vec.len();
        let ptr = vec.as_mut_ptr();
        // SAFETY: the items 0..len now belong to the producer, which moves
        // each out (or drops it) once; the vector only frees the buffer.
        unsafe { vec.set_len(0) };
        VecProducer {
            buffer: Arc::new(Buffer { _vec: vec, ptr }),
            range: 0..len,
        }
    }
}

/// The allocation of the vector, freed when the last piece is dropped.
struct Buffer<T> {
    /// The emptied vector: dropping it frees the buffer and nothing else.
    _vec: Vec<T>,
    ptr: *mut T,
}

// SAFETY: the buffer's items are moved out by the one piece that owns
// their range (pieces' ranges are disjoint), so sharing the pointer between
// threads only ever sends `T`s, which `T: Send` allows.
unsafe impl<T: Send> Send for Buffer<T> {}
// SAFETY: as above; no two threads access one item.
unsafe impl<T: Send> Sync for Buffer<T> {}

/// The producer of [`IntoIter`]: the items at `range` of the vector's
/// buffer, owned (dropped with the producer unless yielded).
///
/// ```
/// use pyrt_scheduler::iter::plumbing::Producer;
/// use pyrt_scheduler::prelude::*;
/// let p = vec![1, 2, 3].into_par_iter().into_producer();
/// let (a, b) = p.split_at(2);
/// drop(a); // drops items 1 and 2
/// assert_eq!(b.into_iter().collect::<Vec<_>>(), [3]);
/// ```
pub struct VecProducer<T> {
    buffer: Arc<Buffer<T>>,
    range: Range<usize>,
}

impl<T> std::fmt::Debug for VecProducer<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VecProducer")
            .field("range", &self.range)
            .finish()
    }
}

impl<T: Send> Producer for VecProducer<T> {
    type Item = T;
    type IntoIter = VecItems<T>;
    fn len(&self) -> usize {
        self.range.len()
    }
    fn split_at(mut self, index: usize) -> (Self, Self) {
        let mid = self.range.start + index;
        assert!(mid <= self.range.end, "split index out of range");
        let hi = VecProducer {
            buffer: self.buffer.clone(),
            range: mid..self.range.end,
        };
        self.range.end = mid;
        (self, hi)
    }
    fn into_iter(mut self) -> VecItems<T> {
        let range = std::mem::replace(&mut self.range, 0..0);
        VecItems {
            buffer: self.buffer.clone(),
            range,
        }
    }
}

impl<T> Drop for VecProducer<T> {
    fn drop(&mut self) {
        drop_range(&self.buffer, self.range.clone());
    }
}

/// Drops the items at `range`, which the caller owns and gives up.
fn drop_range<T>(buffer: &Buffer<T>, range: Range<usize>) {
    // SAFETY: the range lies within the buffer's initialised items and is
    // owned by the caller (no one else reads or drops those items).
    unsafe {
        let items = std::ptr::slice_from_raw_parts_mut(buffer.ptr.add(range.start), range.len());
        std::ptr::drop_in_place(items);
    }
}

/// The sequential iterator of a [`VecProducer`] piece: moves its items out
/// in order and drops the ones not taken.
///
/// ```
/// use pyrt_scheduler::iter::plumbing::Producer;
/// use pyrt_scheduler::prelude::*;
/// let mut items = vec![1, 2].into_par_iter().into_producer().into_iter();
/// assert_eq!(items.next(), Some(1));
/// ```
pub struct VecItems<T> {
    buffer: Arc<Buffer<T>>,
    range: Range<usize>,
}

impl<T> std::fmt::Debug for VecItems<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VecItems")
            .field("range", &self.range)
            .finish()
    }
}

impl<T> Iterator for VecItems<T> {
    type Item = T;
    fn next(&mut self) -> Option<T> {
        let i = self.range.next()?;
        // SAFETY: item `i` is owned by this piece and read exactly once
        // (the range moved past it).
        Some(unsafe { self.buffer.ptr.add(i).read() })
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.range.size_hint()
    }
}

impl<T> ExactSizeIterator for VecItems<T> {}

impl<T> Drop for VecItems<T> {
    fn drop(&mut self) {
        drop_range(&self.buffer, self.range.clone());
    }
}
