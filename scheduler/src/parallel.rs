//! Parallel loops and maps with lazy binary splitting.
//!
//! The splitting rule is *Lazy Binary Splitting* (Tzannes, Caragea, Barua,
//! Vishkin, "Lazy Binary Splitting: A Run-Time Adaptive Work-Stealing
//! Scheduler", PPoPP 2010). A worker processes its range a small chunk at a
//! time; before each chunk it looks at its own deque, and only if the deque
//! is empty (no thief has anything to take from it) does it split the rest
//! of its range in half and push the upper half as a task. Splitting thus
//! happens only when work is being stolen, and it keeps happening *inside*
//! an expensive range: when the costly items of a skewed input all sit in one
//! half, the worker owning them keeps handing out halves of what remains, so
//! the other workers keep getting work until the very end. The splitter
//! itself lives in `iter/splitter.rs` (it drives the parallel iterators
//! too); `for_each_range` is that splitter with one item per chunk.

use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::iter::plumbing::{Consumer, Folder, Producer};
use crate::iter::splitter::bridge_with_grain;
use crate::loom::{lock, Mutex};
use crate::map_error::MapError;

/// Runs `body` over disjoint sub-ranges covering `0..len`, in parallel on the
/// current pool (or the global pool, called from outside). `min_chunk` is the
/// smallest number of indices handed to `body` at once (`None`: automatic).
///
/// This is the parallel iterators' splitter (`iter/splitter.rs`) with one
/// item per chunk: the chunk's range.
///
/// ```
/// use std::sync::atomic::{AtomicU64, Ordering};
/// let sum = AtomicU64::new(0);
/// pyrt_scheduler::for_each_range(1000, Some(64), |range| {
///     let part: u64 = range.map(|i| i as u64).sum();
///     sum.fetch_add(part, Ordering::Relaxed);
/// });
/// assert_eq!(sum.into_inner(), 999 * 1000 / 2);
/// ```
pub fn for_each_range<F>(len: usize, min_chunk: Option<usize>, body: F)
where
    F: Fn(Range<usize>) + Sync,
{
    if len == 0 {
        return;
    }
    bridge_with_grain(Ranges(0..len), Body(&body), min_chunk);
}

/// The positions of a range, each chunk the splitter takes being one item:
/// its own sub-range.
struct Ranges(Range<usize>);

impl Producer for Ranges {
    type Item = Range<usize>;
    type IntoIter = std::iter::Once<Range<usize>>;
    fn len(&self) -> usize {
        self.0.len()
    }
    fn split_at(self, index: usize) -> (Self, Self) {
        let mid = self.0.start + index;
        (Ranges(self.0.start..mid), Ranges(mid..self.0.end))
    }
    fn into_iter(self) -> Self::IntoIter {
        std::iter::once(self.0)
    }
}

/// Calls the loop's body on every chunk's range.
struct Body<'f, F>(&'f F);

impl<'f, F: Fn(Range<usize>) + Sync> Consumer<Range<usize>> for Body<'f, F> {
    type Folder = Body<'f, F>;
    type Result = ();
    fn folder(&self, _range: Range<usize>) -> Self::Folder {
        Body(self.0)
    }
    fn reduce(&self, _: (), _: ()) {}
}

impl<F: Fn(Range<usize>)> Folder<Range<usize>> for Body<'_, F> {
    type Result = ();
    fn consume_iter<I: Iterator<Item = Range<usize>>>(self, iter: I) -> Self {
        iter.for_each(self.0);
        self
    }
    fn complete(self) {}
}

/// A raw pointer that may be shared between the tasks of one parallel loop,
/// each of which touches a disjoint set of indices.
struct SharedPtr<T>(*mut T);

impl<T> Clone for SharedPtr<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for SharedPtr<T> {}

// SAFETY: used only by `try_map_vec`, whose tasks access disjoint indices and
// finish before the pointee is freed.
unsafe impl<T: Send> Send for SharedPtr<T> {}
// SAFETY: as above.
unsafe impl<T: Send> Sync for SharedPtr<T> {}

impl<T> SharedPtr<T> {
    fn at(self, i: usize) -> *mut T {
        // SAFETY: callers pass indices below the length of the allocation.
        unsafe { self.0.add(i) }
    }
}

/// Maps `f` over `items` in parallel, keeping order. The first error by
/// index (among the items processed before the failure was noticed) is
/// returned with its index, as a [`MapError`]; the other results are
/// dropped.
///
/// ```
/// let ok = pyrt_scheduler::try_map_vec(vec![1, 2, 3], None, |x| Ok::<_, String>(x * 10));
/// assert_eq!(ok, Ok(vec![10, 20, 30]));
/// let err = pyrt_scheduler::try_map_vec(vec![1, 2, 3], None, |x| if x == 2 { Err("two") } else { Ok(x) });
/// let e = err.unwrap_err();
/// assert_eq!((e.index, e.error), (1, "two"));
/// ```
pub fn try_map_vec<T, R, E, F>(
    items: Vec<T>,
    min_chunk: Option<usize>,
    f: F,
) -> Result<Vec<R>, MapError<E>>
where
    T: Send,
    R: Send,
    E: Send,
    F: Fn(T) -> Result<R, E> + Sync,
{
    map_vec_fallible(items, min_chunk, f, true).map_err(MapError::from)
}

/// Like [`try_map_vec`], but every item is run even after one failed (as
/// `multiprocessing.Pool.map` runs them all); the error returned is the
/// first one to happen, with its index.
///
/// ```
/// let r = pyrt_scheduler::try_map_vec_all((0..100u32).collect(), None, |x| {
///     if x % 10 == 3 { Err(x) } else { Ok(x * 2) }
/// });
/// let e = r.unwrap_err();
/// assert_eq!(e.index as u32, e.error);
/// ```
pub fn try_map_vec_all<T, R, E, F>(
    items: Vec<T>,
    min_chunk: Option<usize>,
    f: F,
) -> Result<Vec<R>, MapError<E>>
where
    T: Send,
    R: Send,
    E: Send,
    F: Fn(T) -> Result<R, E> + Sync,
{
    map_vec_fallible(items, min_chunk, f, false).map_err(MapError::from)
}

/// The two above: `stop` says whether an error ends the map (the first
/// error by index is kept) or not (the first to happen is kept).
fn map_vec_fallible<T, R, E, F>(
    items: Vec<T>,
    min_chunk: Option<usize>,
    f: F,
    stop: bool,
) -> Result<Vec<R>, (usize, E)>
where
    T: Send,
    R: Send,
    E: Send,
    F: Fn(T) -> Result<R, E> + Sync,
{
    let len = items.len();
    let mut items = std::mem::ManuallyDrop::new(items);
    let src = SharedPtr(items.as_mut_ptr());
    let src_cap = items.capacity();
    // When an output fits exactly where its input was, results are written
    // in place (as std's in-place `collect` does): no second buffer to
    // allocate and fault in. Slot `i` is read (as `T`) before it is written
    // (as `R`), by the one thread that owns index `i`.
    let in_place = std::mem::size_of::<T>() == std::mem::size_of::<R>()
        && std::mem::align_of::<T>() == std::mem::align_of::<R>();
    let mut out: Vec<R> = Vec::with_capacity(if in_place { 0 } else { len });
    let dst = if in_place {
        SharedPtr(src.0 as *mut R)
    } else {
        SharedPtr(out.as_mut_ptr())
    };
    // Ranges whose inputs were consumed and outputs written, and items whose
    // input was consumed by a failing call; needed to clean up after errors.
    let written: Mutex<Vec<Range<usize>>> = Mutex::new(Vec::new());
    let error: Mutex<Option<(usize, E)>> = Mutex::new(None);
    let failed_items: Mutex<Vec<usize>> = Mutex::new(Vec::new());
    let failed = AtomicBool::new(false);

    for_each_range(len, min_chunk, |range| {
        if stop && failed.load(Ordering::Relaxed) {
            return;
        }
        // Outputs `segment..i` of this range are written.
        let mut segment = range.start;
        for i in range.clone() {
            // SAFETY: each index is read once (ranges are disjoint) and the
            // input vector no longer drops its elements (ManuallyDrop).
            let item = unsafe { src.at(i).read() };
            match f(item) {
                // SAFETY: `out` has capacity `len`; each slot written once.
                Ok(v) => unsafe { dst.at(i).write(v) },
                Err(e) => {
                    failed.store(true, Ordering::Relaxed);
                    {
                        let mut err = lock(&error);
                        let keep = match err.as_ref() {
                            None => true,
                            Some((j, _)) => stop && i < *j,
                        };
                        if keep {
                            *err = Some((i, e));
                        }
                    }
                    lock(&failed_items).push(i);
                    lock(&written).push(segment..i);
                    if stop {
                        return;
                    }
                    segment = i + 1;
                }
            }
        }
        lock(&written).push(segment..range.end);
    });

    let error: Option<(usize, E)> = into_inner(error);
    let written: Vec<Range<usize>> = into_inner(written);
    let failed_items: Vec<usize> = into_inner(failed_items);
    match error {
        None if in_place => {
            // SAFETY: every slot 0..len now holds an `R`, written once; the
            // buffer was allocated for `src_cap` `T`s, the same layout as
            // `src_cap` `R`s (equal size and alignment).
            Ok(unsafe { Vec::from_raw_parts(dst.0, len, src_cap) })
        }
        None => {
            // SAFETY: every index 0..len was written exactly once.
            unsafe { out.set_len(len) };
            // SAFETY: all inputs were moved out; free the buffer only.
            drop(unsafe { Vec::from_raw_parts(src.0, 0, src_cap) });
            Ok(out)
        }
        Some(err) => {
            let mut consumed = vec![false; len];
            for &i in &failed_items {
                consumed[i] = true;
            }
            for r in &written {
                for i in r.clone() {
                    consumed[i] = true;
                    // SAFETY: outputs of recorded ranges were written once.
                    unsafe { dst.at(i).drop_in_place() };
                }
            }
            for (i, was_consumed) in consumed.iter().enumerate() {
                if !was_consumed {
                    // SAFETY: index i was never read; drop the input in place.
                    unsafe { src.at(i).drop_in_place() };
                }
            }
            // SAFETY: every input was moved out or dropped above, and every
            // output dropped (in place or in `out`, which frees its own
            // empty buffer): free the input buffer only.
            drop(unsafe { Vec::from_raw_parts(src.0, 0, src_cap) });
            Err(err)
        }
    }
}

fn into_inner<T>(m: Mutex<T>) -> T {
    m.into_inner().unwrap_or_else(|p| p.into_inner())
}

/// Maps `f` over `items` in parallel, keeping order.
///
/// ```
/// let squares = pyrt_scheduler::map_vec((0..1000u64).collect(), None, |x| x * x);
/// assert_eq!(squares[999], 999 * 999);
/// ```
pub fn map_vec<T, R, F>(items: Vec<T>, min_chunk: Option<usize>, f: F) -> Vec<R>
where
    T: Send,
    R: Send,
    F: Fn(T) -> R + Sync,
{
    match try_map_vec(items, min_chunk, |x| {
        Ok::<R, std::convert::Infallible>(f(x))
    }) {
        Ok(v) => v,
        Err(MapError { error: never, .. }) => match never {},
    }
}
