//! `par_sort_unstable`: a parallel quicksort.
//!
//! The slice is partitioned around a pivot (the median of three, or for
//! long slices Tukey's ninther, the median of three medians of three) with
//! a branchless Lomuto partition (every step one comparison and one swap,
//! no unpredictable branch; cf. Edelkamp & Weiß, "BlockQuicksort", 2016,
//! on why branch misses dominate partitioning). Then the two sides are
//! sorted in parallel through `join`; pieces of at most `SEQUENTIAL`
//! items go to `slice::sort_unstable_by` (the standard library's
//! pattern-defeating quicksort). As in pdqsort (Peters, 2021): a pivot
//! that turns out to be the smallest item makes a second partition that
//! sets all items equal to it aside (so many duplicates cost `O(n)`), and
//! after `log2(n)` badly unbalanced partitions the piece is handed to the
//! sequential sort, whose worst case is `O(n log n)`.
//!
//! Only swaps move items, so a panicking comparison leaves the slice a
//! permutation of its items.

use std::cmp::Ordering;

use crate::iter::splitter::on_pool;

/// Pieces up to this long are sorted sequentially.
const SEQUENTIAL: usize = 4096;

/// Sorts `v` by `compare`, unstably, in parallel.
pub(crate) fn quick_sort<T, F>(v: &mut [T], compare: &F)
where
    T: Send,
    F: Fn(&T, &T) -> Ordering + Sync,
{
    if v.len() <= SEQUENTIAL || std::mem::size_of::<T>() == 0 {
        v.sort_unstable_by(compare);
        return;
    }
    let limit = usize::BITS - v.len().leading_zeros();
    on_pool(|| sort(v, compare, limit));
}

fn sort<T, F>(mut v: &mut [T], compare: &F, mut limit: u32)
where
    T: Send,
    F: Fn(&T, &T) -> Ordering + Sync,
{
    let is_less = |a: &T, b: &T| compare(a, b) == Ordering::Less;
    loop {
        let len = v.len();
        if len <= SEQUENTIAL || limit == 0 {
            v.sort_unstable_by(compare);
            return;
        }
        let pivot = choose_pivot(v, &is_less);
        v.swap(0, pivot);
        let mut mid = partition(v, |x, p| is_less(x, p));
        if mid == 0 {
            // The pivot is the smallest item: set aside every item equal
            // to it (not greater), then sort the rest.
            mid = partition(v, |x, p| !is_less(p, x));
            if mid < len / 8 {
                limit -= 1;
            }
            v = &mut v[mid + 1..];
            continue;
        }
        if mid.min(len - mid) < len / 8 {
            limit -= 1;
        }
        let (left, rest) = v.split_at_mut(mid);
        let right = &mut rest[1..];
        crate::join(
            || sort(left, compare, limit),
            || sort(right, compare, limit),
        );
        return;
    }
}

/// Partitions `v[1..]` around the pivot `v[0]`: the items for which
/// `goes_left(item, pivot)` holds come first; then the pivot is swapped
/// in after them. Returns the pivot's new index.
fn partition<T>(v: &mut [T], goes_left: impl Fn(&T, &T) -> bool) -> usize {
    let (pivot, rest) = v.split_first_mut().expect("partition of an empty slice");
    let n = rest.len();
    let base = rest.as_mut_ptr();
    let mut left = 0;
    for i in 0..n {
        // SAFETY: `left <= i < n`, both within `rest`; `ptr::swap` allows
        // `left == i`. The pivot is outside `rest`, so `&*pivot` does not
        // alias the swapped items.
        unsafe {
            let item = base.add(i);
            let go = goes_left(&*item, pivot);
            std::ptr::swap(base.add(left), item);
            left += go as usize;
        }
    }
    v.swap(0, left);
    left
}

/// Index of a pivot: the median of three, or of three medians of three
/// for long slices.
fn choose_pivot<T>(v: &[T], is_less: &impl Fn(&T, &T) -> bool) -> usize {
    let len = v.len();
    let median = |a: usize, b: usize, c: usize| {
        let (x, y, z) = (&v[a], &v[b], &v[c]);
        if is_less(x, y) {
            if is_less(y, z) {
                b
            } else if is_less(x, z) {
                c
            } else {
                a
            }
        } else if is_less(x, z) {
            a
        } else if is_less(y, z) {
            c
        } else {
            b
        }
    };
    let (a, b, c) = (len / 4, len / 2, len / 4 * 3);
    if len < 64 {
        return median(a, b, c);
    }
    let step = len / 8;
    median(
        median(a - 1, a, a + 1),
        median(b - step / 2, b, b + step / 2),
        median(c - 1, c, c + 1),
    )
}
