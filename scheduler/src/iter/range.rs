//! Integer ranges: `(a..b).into_par_iter()` and `(a..=b).into_par_iter()`
//! for every primitive integer type up to 64 bits. A range must have at
//! most `usize::MAX` items (on 32-bit targets such as wasm32, a longer
//! `u64` range panics with a message saying so).

use std::ops::{Range, RangeInclusive};

use super::into::IntoParallelIterator;
use super::plumbing::{Consumer, Producer};
use super::splitter::bridge;
use super::traits::{sealed::Sealed, IndexedParallelIterator, ParallelIterator};

/// A parallel iterator over an integer range.
///
/// ```
/// use pyrt_scheduler::prelude::*;
/// let it: pyrt_scheduler::iter::RangeIter<u64> = (0..100u64).into_par_iter();
/// assert_eq!(it.sum::<u64>(), 4950);
/// assert_eq!((1..=100u64).into_par_iter().sum::<u64>(), 5050);
/// ```
#[derive(Debug, Clone)]
pub struct RangeIter<T> {
    start: T,
    len: usize,
}

/// The producer of [`RangeIter`]: `len` integers from `start`.
///
/// ```
/// use pyrt_scheduler::iter::plumbing::Producer;
/// use pyrt_scheduler::prelude::*;
/// let (a, b) = (10..20i32).into_par_iter().into_producer().split_at(5);
/// assert_eq!(b.into_iter().next(), Some(15));
/// # drop(a);
/// ```
#[derive(Debug, Clone)]
pub struct RangeProducer<T> {
    start: T,
    len: usize,
}

fn too_long() -> ! {
    panic!("range too long for a parallel iterator on this platform (more than usize::MAX items)")
}

macro_rules! ranges {
    ($($t:ty),*) => {$(
        impl IntoParallelIterator for Range<$t> {
            type Iter = RangeIter<$t>;
            type Item = $t;
            fn into_par_iter(self) -> RangeIter<$t> {
                let len = if self.start < self.end {
                    let n = self.end as i128 - self.start as i128;
                    usize::try_from(n).unwrap_or_else(|_| too_long())
                } else {
                    0
                };
                RangeIter { start: self.start, len }
            }
        }

        impl IntoParallelIterator for RangeInclusive<$t> {
            type Iter = RangeIter<$t>;
            type Item = $t;
            fn into_par_iter(self) -> RangeIter<$t> {
                let (start, end) = self.into_inner();
                let len = if start <= end {
                    let n = end as i128 - start as i128 + 1;
                    usize::try_from(n).unwrap_or_else(|_| too_long())
                } else {
                    0
                };
                RangeIter { start, len }
            }
        }

        impl Sealed for RangeIter<$t> {}

        impl ParallelIterator for RangeIter<$t> {
            type Item = $t;
            fn drive<C: Consumer<$t>>(self, consumer: C) -> C::Result {
                bridge(self.into_producer(), consumer)
            }
            fn opt_len(&self) -> Option<usize> {
                Some(self.len)
            }
        }

        impl IndexedParallelIterator for RangeIter<$t> {
            type Producer = RangeProducer<$t>;
            fn len(&self) -> usize {
                self.len
            }
            fn into_producer(self) -> RangeProducer<$t> {
                RangeProducer { start: self.start, len: self.len }
            }
        }

        impl Producer for RangeProducer<$t> {
            type Item = $t;
            type IntoIter = std::iter::Chain<Range<$t>, std::option::IntoIter<$t>>;
            fn len(&self) -> usize {
                self.len
            }
            fn split_at(self, index: usize) -> (Self, Self) {
                assert!(index <= self.len, "split index out of range");
                // `index` items fit in the type (the range did), so the
                // sum stays within it.
                let mid = (self.start as i128 + index as i128) as $t;
                (
                    RangeProducer { start: self.start, len: index },
                    RangeProducer { start: mid, len: self.len - index },
                )
            }
            fn into_iter(self) -> Self::IntoIter {
                // `start..last` and then `last`: the piece may end at the
                // type's maximum, where an exclusive end does not exist.
                if self.len == 0 {
                    return (self.start..self.start).chain(None);
                }
                let last = (self.start as i128 + self.len as i128 - 1) as $t;
                (self.start..last).chain(Some(last))
            }
        }
    )*};
}

ranges!(u8, u16, u32, u64, usize, i8, i16, i32, i64, isize);
