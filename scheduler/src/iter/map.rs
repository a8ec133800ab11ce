//! `map(f)`: [`Map`]. Run into a consumer, the closure is borrowed by the
//! consumer's folders (no allocation); as an indexed producer (under
//! `zip`, `enumerate`, `with_min_len`) its pieces share it through an
//! `Arc`.

use std::ops::Range;
use std::sync::Arc;

use super::plumbing::{Consumer, Folder, Producer};
use super::traits::{sealed::Sealed, IndexedParallelIterator, ParallelIterator};

/// The iterator of [`ParallelIterator::map`].
///
/// ```
/// use pyrt_scheduler::prelude::*;
/// let m: pyrt_scheduler::iter::Map<_, _> = [1, 2].par_iter().map(|x| x * 2);
/// assert_eq!(m.collect::<Vec<i32>>(), [2, 4]);
/// ```
#[derive(Debug)]
pub struct Map<I, F> {
    base: I,
    f: F,
}

impl<I, F> Map<I, F> {
    pub(crate) fn new(base: I, f: F) -> Self {
        Map { base, f }
    }
}

impl<I, F> Sealed for Map<I, F> {}

impl<I, F, R> ParallelIterator for Map<I, F>
where
    I: ParallelIterator,
    F: Fn(I::Item) -> R + Sync + Send,
    R: Send,
{
    type Item = R;
    fn drive<C: Consumer<R>>(self, consumer: C) -> C::Result {
        let Map { base, f } = self;
        base.drive(MapConsumer {
            base: consumer,
            f: &f,
        })
    }
    fn opt_len(&self) -> Option<usize> {
        self.base.opt_len()
    }
}

impl<I, F, R> IndexedParallelIterator for Map<I, F>
where
    I: IndexedParallelIterator,
    F: Fn(I::Item) -> R + Sync + Send,
    R: Send,
{
    type Producer = MapProducer<I::Producer, F>;
    fn len(&self) -> usize {
        self.base.len()
    }
    fn into_producer(self) -> Self::Producer {
        MapProducer {
            base: self.base.into_producer(),
            f: Arc::new(self.f),
        }
    }
}

struct MapConsumer<'f, C, F> {
    base: C,
    f: &'f F,
}

impl<'f, T, R, C, F> Consumer<T> for MapConsumer<'f, C, F>
where
    C: Consumer<R>,
    F: Fn(T) -> R + Sync,
{
    type Folder = MapFolder<'f, C::Folder, F>;
    type Result = C::Result;
    fn folder(&self, range: Range<usize>) -> Self::Folder {
        MapFolder {
            base: self.base.folder(range),
            f: self.f,
        }
    }
    fn reduce(&self, left: C::Result, right: C::Result) -> C::Result {
        self.base.reduce(left, right)
    }
    fn full(&self) -> bool {
        self.base.full()
    }
}

struct MapFolder<'f, B, F> {
    base: B,
    f: &'f F,
}

impl<T, R, B, F> Folder<T> for MapFolder<'_, B, F>
where
    B: Folder<R>,
    F: Fn(T) -> R,
{
    type Result = B::Result;
    fn consume_iter<I: Iterator<Item = T>>(self, iter: I) -> Self {
        MapFolder {
            base: self.base.consume_iter(iter.map(self.f)),
            f: self.f,
        }
    }
    fn complete(self) -> B::Result {
        self.base.complete()
    }
}

/// The producer of an indexed [`Map`].
///
/// ```
/// use pyrt_scheduler::iter::plumbing::Producer;
/// use pyrt_scheduler::prelude::*;
/// let p = [1, 2].par_iter().map(|x| x + 1).into_producer();
/// assert_eq!(p.into_iter().collect::<Vec<i32>>(), [2, 3]);
/// ```
pub struct MapProducer<P, F> {
    base: P,
    f: Arc<F>,
}

impl<P: std::fmt::Debug, F> std::fmt::Debug for MapProducer<P, F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MapProducer")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

impl<P, F, R> Producer for MapProducer<P, F>
where
    P: Producer,
    F: Fn(P::Item) -> R + Sync + Send,
{
    type Item = R;
    type IntoIter = MapIter<P::IntoIter, F>;
    fn len(&self) -> usize {
        self.base.len()
    }
    fn split_at(self, index: usize) -> (Self, Self) {
        let (a, b) = self.base.split_at(index);
        (
            MapProducer {
                base: a,
                f: self.f.clone(),
            },
            MapProducer { base: b, f: self.f },
        )
    }
    fn into_iter(self) -> Self::IntoIter {
        MapIter {
            iter: self.base.into_iter(),
            f: self.f,
        }
    }
    fn min_len(&self) -> usize {
        self.base.min_len()
    }
}

/// The sequential iterator of a [`MapProducer`] piece.
///
/// ```
/// use pyrt_scheduler::iter::plumbing::Producer;
/// use pyrt_scheduler::prelude::*;
/// let mut it = [1].par_iter().map(|x| x * 3).into_producer().into_iter();
/// assert_eq!(it.next(), Some(3));
/// ```
pub struct MapIter<I, F> {
    iter: I,
    f: Arc<F>,
}

impl<I: std::fmt::Debug, F> std::fmt::Debug for MapIter<I, F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MapIter")
            .field("iter", &self.iter)
            .finish_non_exhaustive()
    }
}

impl<I, F, R> Iterator for MapIter<I, F>
where
    I: Iterator,
    F: Fn(I::Item) -> R,
{
    type Item = R;
    fn next(&mut self) -> Option<R> {
        self.iter.next().map(&*self.f)
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.iter.size_hint()
    }
    fn fold<B, G>(self, init: B, mut g: G) -> B
    where
        G: FnMut(B, R) -> B,
    {
        let f = self.f;
        self.iter.fold(init, move |acc, x| g(acc, f(x)))
    }
}
