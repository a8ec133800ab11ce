//! Methods on slices (and so on `Vec`s and arrays): [`ParallelSlice`]
//! (`par_chunks`) and [`ParallelSliceMut`] (`par_chunks_mut` and the
//! parallel sorts of `sort/`).

use std::cmp::Ordering;

use super::chunks::{Chunks, ChunksMut};
use super::sort::{merge_sort, quick_sort};

/// Parallel methods of `&[T]`.
///
/// ```
/// use pyrt_scheduler::prelude::*;
/// let v: Vec<u32> = (0..10).collect();
/// assert_eq!(v.par_chunks(4).count(), 3);
/// ```
pub trait ParallelSlice<T: Sync> {
    /// The slice.
    ///
    /// ```
    /// use pyrt_scheduler::prelude::*;
    /// assert_eq!([1, 2].as_parallel_slice().len(), 2);
    /// ```
    fn as_parallel_slice(&self) -> &[T];

    /// A parallel iterator over `size`-element chunks (the last one may
    /// be shorter). Panics if `size` is 0, as `slice::chunks` does.
    ///
    /// ```
    /// use pyrt_scheduler::prelude::*;
    /// let max_of_chunk_sums = [1, 5, 2, 2, 9].par_chunks(2).map(|c| c.iter().sum::<i32>()).max();
    /// assert_eq!(max_of_chunk_sums, Some(9));
    /// ```
    fn par_chunks(&self, size: usize) -> Chunks<'_, T> {
        Chunks::new(self.as_parallel_slice(), size)
    }
}

impl<T: Sync> ParallelSlice<T> for [T] {
    fn as_parallel_slice(&self) -> &[T] {
        self
    }
}

/// Parallel methods of `&mut [T]`: mutable chunks and sorting. The sorts
/// run on the current pool (the global one outside any pool); a panic in
/// a comparison is resumed after the other halves finished, leaving the
/// slice a permutation of its items.
///
/// ```
/// use pyrt_scheduler::prelude::*;
/// let mut v = vec![5, 3, 1, 4, 2];
/// v.par_sort();
/// assert_eq!(v, [1, 2, 3, 4, 5]);
/// ```
pub trait ParallelSliceMut<T: Send> {
    /// The slice.
    ///
    /// ```
    /// use pyrt_scheduler::prelude::*;
    /// let mut v = [1, 2];
    /// v.as_parallel_slice_mut()[0] = 5;
    /// assert_eq!(v, [5, 2]);
    /// ```
    fn as_parallel_slice_mut(&mut self) -> &mut [T];

    /// A parallel iterator over mutable `size`-element chunks. Panics if
    /// `size` is 0.
    ///
    /// ```
    /// use pyrt_scheduler::prelude::*;
    /// let mut v = [0u8; 10];
    /// v.par_chunks_mut(3).enumerate().for_each(|(i, c)| c.fill(i as u8));
    /// assert_eq!(v, [0, 0, 0, 1, 1, 1, 2, 2, 2, 3]);
    /// ```
    fn par_chunks_mut(&mut self, size: usize) -> ChunksMut<'_, T> {
        ChunksMut::new(self.as_parallel_slice_mut(), size)
    }

    /// Sorts stably (a parallel merge sort; equal items keep their order).
    ///
    /// ```
    /// use pyrt_scheduler::prelude::*;
    /// let mut v: Vec<String> = ["b", "c", "a"].iter().map(|s| s.to_string()).collect();
    /// v.par_sort();
    /// assert_eq!(v, ["a", "b", "c"]);
    /// ```
    fn par_sort(&mut self)
    where
        T: Ord,
    {
        merge_sort(self.as_parallel_slice_mut(), &T::cmp);
    }

    /// Sorts stably by `compare`.
    ///
    /// ```
    /// use pyrt_scheduler::prelude::*;
    /// let mut v = [1, 3, 2];
    /// v.par_sort_by(|a, b| b.cmp(a));
    /// assert_eq!(v, [3, 2, 1]);
    /// ```
    fn par_sort_by<F>(&mut self, compare: F)
    where
        F: Fn(&T, &T) -> Ordering + Sync,
    {
        merge_sort(self.as_parallel_slice_mut(), &compare);
    }

    /// Sorts stably by the key `f` gives each item.
    ///
    /// ```
    /// use pyrt_scheduler::prelude::*;
    /// let mut v = [(2, 'a'), (1, 'b'), (2, 'c'), (1, 'd')];
    /// v.par_sort_by_key(|p| p.0);
    /// assert_eq!(v, [(1, 'b'), (1, 'd'), (2, 'a'), (2, 'c')]);
    /// ```
    fn par_sort_by_key<K, F>(&mut self, f: F)
    where
        K: Ord,
        F: Fn(&T) -> K + Sync,
    {
        merge_sort(self.as_parallel_slice_mut(), &|a: &T, b: &T| {
            f(a).cmp(&f(b))
        });
    }

    /// Sorts, not keeping the order of equal items (a parallel quicksort:
    /// faster, in place).
    ///
    /// ```
    /// use pyrt_scheduler::prelude::*;
    /// let mut v: Vec<u64> = (0..100_000).rev().collect();
    /// v.par_sort_unstable();
    /// assert!(v.windows(2).all(|w| w[0] <= w[1]));
    /// ```
    fn par_sort_unstable(&mut self)
    where
        T: Ord,
    {
        quick_sort(self.as_parallel_slice_mut(), &T::cmp);
    }

    /// Sorts by `compare`, not keeping the order of equal items.
    ///
    /// ```
    /// use pyrt_scheduler::prelude::*;
    /// let mut v = [1, 3, 2];
    /// v.par_sort_unstable_by(|a, b| b.cmp(a));
    /// assert_eq!(v, [3, 2, 1]);
    /// ```
    fn par_sort_unstable_by<F>(&mut self, compare: F)
    where
        F: Fn(&T, &T) -> Ordering + Sync,
    {
        quick_sort(self.as_parallel_slice_mut(), &compare);
    }

    /// Sorts by the key `f` gives each item, not keeping the order of
    /// equal items.
    ///
    /// ```
    /// use pyrt_scheduler::prelude::*;
    /// let mut v = [-3i32, 1, -2];
    /// v.par_sort_unstable_by_key(|x| x.abs());
    /// assert_eq!(v, [1, -2, -3]);
    /// ```
    fn par_sort_unstable_by_key<K, F>(&mut self, f: F)
    where
        K: Ord,
        F: Fn(&T) -> K + Sync,
    {
        quick_sort(self.as_parallel_slice_mut(), &|a: &T, b: &T| {
            f(a).cmp(&f(b))
        });
    }
}

impl<T: Send> ParallelSliceMut<T> for [T] {
    fn as_parallel_slice_mut(&mut self) -> &mut [T] {
        self
    }
}
