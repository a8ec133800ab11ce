//! `collect()`: [`FromParallelIterator`], implemented for `Vec<T>`.
//!
//! With a known length (an indexed iterator) the `Vec` is allocated once
//! and every folder writes its piece's items straight into their slots
//! (`Written` tracks the run each wrote, adjacent runs are merged, and a
//! run is dropped if a panic unwinds past it, so no item leaks or drops
//! twice). Without one (after `filter`), each piece collects into its own
//! `Vec` and the pieces are appended in order.

use std::collections::LinkedList;
use std::ops::Range;

use super::into::IntoParallelIterator;
use super::plumbing::{Consumer, Folder};
use super::traits::ParallelIterator;

/// A collection that can be built from a parallel iterator, keeping the
/// items' order.
///
/// ```
/// use pyrt_scheduler::prelude::*;
/// let v = Vec::from_par_iter((0..4u8).into_par_iter().map(|x| x * 2));
/// assert_eq!(v, [0, 2, 4, 6]);
/// ```
pub trait FromParallelIterator<T: Send>: Sized {
    /// Builds the collection.
    ///
    /// ```
    /// use pyrt_scheduler::prelude::*;
    /// let v: Vec<u8> = FromParallelIterator::from_par_iter(vec![3u8, 4]);
    /// assert_eq!(v, [3, 4]);
    /// ```
    fn from_par_iter<I: IntoParallelIterator<Item = T>>(iter: I) -> Self;
}

impl<T: Send> FromParallelIterator<T> for Vec<T> {
    fn from_par_iter<I: IntoParallelIterator<Item = T>>(iter: I) -> Self {
        let iter = iter.into_par_iter();
        match iter.opt_len() {
            Some(len) => collect_in_place(iter, len),
            None => collect_pieces(iter),
        }
    }
}

fn collect_in_place<I: ParallelIterator>(iter: I, len: usize) -> Vec<I::Item> {
    let mut vec: Vec<I::Item> = Vec::with_capacity(len);
    let target = vec.as_mut_ptr();
    let written = iter.drive(CollectConsumer { target, len });
    assert!(
        written.start == target && written.len == len,
        "a parallel collect expected {len} items in order, got {}",
        written.len
    );
    std::mem::forget(written);
    // SAFETY: `written` covered slots 0..len, each written once, and was
    // forgotten, so the vector now owns those items.
    unsafe { vec.set_len(len) };
    vec
}

/// Writes items into `target[..len]`; `Sync` though it holds a pointer
/// because each folder writes only its own range's slots.
struct CollectConsumer<T> {
    target: *mut T,
    len: usize,
}

// SAFETY: folders of disjoint ranges write disjoint slots; items move
// between threads, which `T: Send` allows.
unsafe impl<T: Send> Sync for CollectConsumer<T> {}

/// A run of `len` initialised slots at `start`, owned: dropped with it.
struct Written<T> {
    start: *mut T,
    len: usize,
}

// SAFETY: owns the `T`s of its run; sending it sends them.
unsafe impl<T: Send> Send for Written<T> {}

impl<T> Drop for Written<T> {
    fn drop(&mut self) {
        // SAFETY: the run's slots are initialised and owned by `self`.
        unsafe { std::ptr::drop_in_place(std::ptr::slice_from_raw_parts_mut(self.start, self.len)) }
    }
}

struct CollectFolder<T> {
    written: Written<T>,
    capacity: usize,
}

impl<T: Send> Consumer<T> for CollectConsumer<T> {
    type Folder = CollectFolder<T>;
    type Result = Written<T>;
    fn folder(&self, range: Range<usize>) -> CollectFolder<T> {
        assert!(
            range.start <= range.end && range.end <= self.len,
            "collect range out of bounds"
        );
        CollectFolder {
            // SAFETY: `range.start <= len`, within (or one past) the buffer.
            written: Written {
                start: unsafe { self.target.add(range.start) },
                len: 0,
            },
            capacity: range.len(),
        }
    }
    fn reduce(&self, left: Written<T>, right: Written<T>) -> Written<T> {
        // SAFETY: pointer arithmetic within the buffer (`left`'s run).
        if unsafe { left.start.add(left.len) } == right.start {
            let merged = Written {
                start: left.start,
                len: left.len + right.len,
            };
            std::mem::forget(left);
            std::mem::forget(right);
            merged
        } else {
            // Not adjacent: a piece stopped short (only after a panic);
            // drop the right run and let the length check report it.
            left
        }
    }
}

impl<T> Folder<T> for CollectFolder<T> {
    type Result = Written<T>;
    fn consume_iter<I: Iterator<Item = T>>(mut self, iter: I) -> Self {
        for item in iter {
            assert!(
                self.written.len < self.capacity,
                "too many items for a parallel collect"
            );
            // SAFETY: slot `written.len` of this folder's range is within
            // the buffer (checked above) and not yet written.
            unsafe { self.written.start.add(self.written.len).write(item) };
            self.written.len += 1;
        }
        self
    }
    fn complete(self) -> Written<T> {
        self.written
    }
}

fn collect_pieces<I: ParallelIterator>(iter: I) -> Vec<I::Item> {
    let mut pieces = iter.drive(Pieces);
    if pieces.len() == 1 {
        return pieces.pop_front().unwrap_or_default();
    }
    let total = pieces.iter().map(Vec::len).sum();
    let mut out = Vec::with_capacity(total);
    for piece in pieces {
        out.extend(piece);
    }
    out
}

/// Each piece into its own `Vec`, the pieces in a list in order.
struct Pieces;

struct PieceFolder<T>(Vec<T>);

impl<T: Send> Consumer<T> for Pieces {
    type Folder = PieceFolder<T>;
    type Result = LinkedList<Vec<T>>;
    fn folder(&self, _range: Range<usize>) -> PieceFolder<T> {
        PieceFolder(Vec::new())
    }
    fn reduce(
        &self,
        mut left: LinkedList<Vec<T>>,
        mut right: LinkedList<Vec<T>>,
    ) -> LinkedList<Vec<T>> {
        left.append(&mut right);
        left
    }
}

impl<T> Folder<T> for PieceFolder<T> {
    type Result = LinkedList<Vec<T>>;
    fn consume_iter<I: Iterator<Item = T>>(mut self, iter: I) -> Self {
        self.0.extend(iter);
        self
    }
    fn complete(self) -> LinkedList<Vec<T>> {
        let mut list = LinkedList::new();
        if !self.0.is_empty() {
            list.push_back(self.0);
        }
        list
    }
}
