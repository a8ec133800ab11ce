//! `par_sort`: a stable parallel merge sort.
//!
//! The slice is halved recursively; the halves are sorted in parallel
//! through `join` (pieces of at most `SEQUENTIAL` items by the standard
//! library's stable `slice::sort_by`), copied into a scratch buffer of the
//! same length, and merged back in parallel: the longer run is cut at its
//! middle item, the other run at that item's position found by binary
//! search (lower or upper bound, so that equal items from the left run
//! still come first), and the two sub-merges run through `join` until they
//! are small (the parallel merge of Cormen et al., *Introduction to
//! Algorithms*, 3rd ed., ch. 27.3). Halves already in order are not merged.
//!
//! Merging copies items bitwise from the buffer into the slice; if a
//! comparison panics, a guard copies the whole buffer back over the piece
//! being merged, so the slice again holds every item exactly once.

use std::cmp::Ordering;
use std::mem::MaybeUninit;

use crate::iter::splitter::on_pool;

/// Pieces up to this long are sorted, and merges up to this long run,
/// sequentially.
const SEQUENTIAL: usize = 4096;

/// Sorts `v` by `compare`, stably, in parallel.
pub(crate) fn merge_sort<T, F>(v: &mut [T], compare: &F)
where
    T: Send,
    F: Fn(&T, &T) -> Ordering + Sync,
{
    if v.len() <= SEQUENTIAL || std::mem::size_of::<T>() == 0 {
        v.sort_by(compare);
        return;
    }
    let mut buffer: Vec<MaybeUninit<T>> = Vec::with_capacity(v.len());
    let scratch = Ptr(buffer.as_mut_ptr().cast::<T>());
    on_pool(|| sort(v, scratch, compare));
    // `buffer` has length 0: dropping it frees the memory, no item.
}

/// A pointer into the slice or the scratch buffer that a `join` half may
/// carry: every half touches a range of its own.
struct Ptr<T>(*mut T);

impl<T> Clone for Ptr<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Ptr<T> {}
// SAFETY: the halves of a `join` use disjoint ranges behind the pointer,
// and a parent uses its range only before or after its halves run, so
// items only move between threads (`T: Send`).
unsafe impl<T: Send> Send for Ptr<T> {}
// SAFETY: as above.
unsafe impl<T: Send> Sync for Ptr<T> {}

impl<T> Ptr<T> {
    /// SAFETY: the caller keeps `i` within the allocation.
    unsafe fn add(self, i: usize) -> Ptr<T> {
        // SAFETY: see the function's contract.
        Ptr(unsafe { self.0.add(i) })
    }
}

/// Sorts `v`, using `scratch[..v.len()]` as scratch space.
fn sort<T, F>(v: &mut [T], scratch: Ptr<T>, compare: &F)
where
    T: Send,
    F: Fn(&T, &T) -> Ordering + Sync,
{
    let len = v.len();
    if len <= SEQUENTIAL {
        v.sort_by(compare);
        return;
    }
    let mid = len / 2;
    {
        let (left, right) = v.split_at_mut(mid);
        // SAFETY: `mid < len`: within this piece's scratch range.
        let right_scratch = unsafe { scratch.add(mid) };
        crate::join(
            || sort(left, scratch, compare),
            || sort(right, right_scratch, compare),
        );
    }
    if compare(&v[mid], &v[mid - 1]) != Ordering::Less {
        return; // already in order: the right half starts no lower
    }
    let dst = Ptr(v.as_mut_ptr());
    // SAFETY: the scratch range `..len` is this piece's and holds no live
    // item; after the copy it holds each item of `v` once, and `v`'s slots
    // are treated as uninitialised until the merge (or the guard) has
    // written every one of them again.
    unsafe { std::ptr::copy_nonoverlapping(dst.0, scratch.0, len) };
    let guard = Restore {
        from: scratch,
        to: dst,
        len,
    };
    // SAFETY: the two runs are `scratch[..mid]` and `scratch[mid..len]`,
    // the destination `v`, `len` slots.
    unsafe { merge(scratch, mid, scratch.add(mid), len - mid, dst, compare) };
    std::mem::forget(guard);
}

/// On unwinding out of a merge, copies the scratch copy back over the
/// piece: the slice again holds each of its items once.
struct Restore<T> {
    from: Ptr<T>,
    to: Ptr<T>,
    len: usize,
}

impl<T> Drop for Restore<T> {
    fn drop(&mut self) {
        // SAFETY: `from[..len]` holds the piece's items (the merge only
        // copied them out bitwise); by the time this runs every half of the
        // merge has finished (`join` resumes a panic after both halves).
        unsafe { std::ptr::copy_nonoverlapping(self.from.0, self.to.0, self.len) };
    }
}

/// Merges the sorted runs `a[..na]` and `b[..nb]` into `dst[..na + nb]`,
/// stably (ties go to `a`).
///
/// SAFETY: the caller gives two initialised runs and `na + nb` writable
/// slots that overlap neither.
unsafe fn merge<T, F>(a: Ptr<T>, na: usize, b: Ptr<T>, nb: usize, dst: Ptr<T>, compare: &F)
where
    T: Send,
    F: Fn(&T, &T) -> Ordering + Sync,
{
    if na + nb <= SEQUENTIAL || na == 0 || nb == 0 {
        // SAFETY: the function's contract.
        unsafe { merge_sequential(a, na, b, nb, dst, compare) };
        return;
    }
    // SAFETY (the `item` calls): every index is `< na` into `a` or
    // `< nb` into `b`.
    let (ia, ib) = if na >= nb {
        // Cut `a` at its middle item; `b`'s items less than it go first.
        let ia = na / 2;
        let pivot = unsafe { item(a, ia) };
        let ib = partition_point(nb, |j| {
            compare(unsafe { item(b, j) }, pivot) == Ordering::Less
        });
        (ia, ib)
    } else {
        // Cut `b` at its middle item; `a`'s items not greater than it go
        // first (ties from `a` before `b`'s).
        let ib = nb / 2;
        let pivot = unsafe { item(b, ib) };
        let ia = partition_point(na, |i| {
            compare(unsafe { item(a, i) }, pivot) != Ordering::Greater
        });
        (ia, ib)
    };
    // SAFETY: `ia <= na`, `ib <= nb`: the four runs and two destinations
    // split the caller's ranges.
    let (a2, b2, dst2) = unsafe { (a.add(ia), b.add(ib), dst.add(ia + ib)) };
    crate::join(
        // SAFETY: the first halves of both runs into the first `ia + ib`
        // slots.
        || unsafe { merge(a, ia, b, ib, dst, compare) },
        // SAFETY: the rest into the rest.
        || unsafe { merge(a2, na - ia, b2, nb - ib, dst2, compare) },
    );
}

/// The item at `p + i`.
///
/// SAFETY: the caller keeps `i` within an initialised run that nobody
/// writes while the reference lives.
unsafe fn item<'a, T>(p: Ptr<T>, i: usize) -> &'a T {
    // SAFETY: see the function's contract.
    unsafe { &*p.0.add(i) }
}

/// The first index in `0..n` for which `below(i)` is false, assuming it
/// is true up to some index and false after (for an inconsistent
/// comparison, some index in `0..=n`).
fn partition_point(n: usize, below: impl Fn(usize) -> bool) -> usize {
    let (mut lo, mut hi) = (0, n);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if below(mid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

/// The sequential merge: each item of `a` and `b` copied once.
///
/// SAFETY: as [`merge`].
unsafe fn merge_sequential<T, F>(
    a: Ptr<T>,
    na: usize,
    b: Ptr<T>,
    nb: usize,
    dst: Ptr<T>,
    compare: &F,
) where
    F: Fn(&T, &T) -> Ordering,
{
    let (mut i, mut j, mut k) = (0, 0, 0);
    // SAFETY (whole body): `i < na`, `j < nb`, `k = i + j < na + nb`
    // whenever an item is read or written.
    unsafe {
        while i < na && j < nb {
            let (x, y) = (a.0.add(i), b.0.add(j));
            if compare(&*y, &*x) == Ordering::Less {
                std::ptr::copy_nonoverlapping(y, dst.0.add(k), 1);
                j += 1;
            } else {
                std::ptr::copy_nonoverlapping(x, dst.0.add(k), 1);
                i += 1;
            }
            k += 1;
        }
        std::ptr::copy_nonoverlapping(a.0.add(i), dst.0.add(k), na - i);
        std::ptr::copy_nonoverlapping(b.0.add(j), dst.0.add(k + na - i), nb - j);
    }
}
