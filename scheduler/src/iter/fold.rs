//! `fold(identity, f)`: [`Fold`], whose items are the accumulators of the
//! pieces the splitter made; each folder carries its accumulator across
//! its chunks and hands it on when its piece ends.

use std::ops::Range;

use super::plumbing::{Consumer, Folder};
use super::traits::{sealed::Sealed, ParallelIterator};

/// The iterator of [`ParallelIterator::fold`].
///
/// ```
/// use pyrt_scheduler::prelude::*;
/// let f: pyrt_scheduler::iter::Fold<_, _, _> = (0..100u32).into_par_iter().fold(|| 0u32, |a, x| a + x);
/// assert_eq!(f.sum::<u32>(), 4950);
/// ```
#[derive(Debug)]
pub struct Fold<I, ID, F> {
    base: I,
    identity: ID,
    fold_op: F,
}

impl<I, ID, F> Fold<I, ID, F> {
    pub(crate) fn new(base: I, identity: ID, fold_op: F) -> Self {
        Fold {
            base,
            identity,
            fold_op,
        }
    }
}

impl<I, ID, F> Sealed for Fold<I, ID, F> {}

impl<I, ID, F, T> ParallelIterator for Fold<I, ID, F>
where
    I: ParallelIterator,
    ID: Fn() -> T + Sync + Send,
    F: Fn(T, I::Item) -> T + Sync + Send,
    T: Send,
{
    type Item = T;
    fn drive<C: Consumer<T>>(self, consumer: C) -> C::Result {
        let Fold {
            base,
            identity,
            fold_op,
        } = self;
        base.drive(FoldConsumer {
            base: consumer,
            identity: &identity,
            fold_op: &fold_op,
        })
    }
}

struct FoldConsumer<'f, C, ID, F> {
    base: C,
    identity: &'f ID,
    fold_op: &'f F,
}

impl<'f, T, A, C, ID, F> Consumer<T> for FoldConsumer<'f, C, ID, F>
where
    C: Consumer<A>,
    ID: Fn() -> A + Sync,
    F: Fn(A, T) -> A + Sync,
{
    type Folder = FoldFolder<'f, C::Folder, F, A>;
    type Result = C::Result;
    fn folder(&self, range: Range<usize>) -> Self::Folder {
        FoldFolder {
            base: self.base.folder(range),
            acc: (self.identity)(),
            fold_op: self.fold_op,
        }
    }
    fn reduce(&self, left: C::Result, right: C::Result) -> C::Result {
        self.base.reduce(left, right)
    }
    fn full(&self) -> bool {
        self.base.full()
    }
}

struct FoldFolder<'f, B, F, A> {
    base: B,
    acc: A,
    fold_op: &'f F,
}

impl<T, A, B, F> Folder<T> for FoldFolder<'_, B, F, A>
where
    B: Folder<A>,
    F: Fn(A, T) -> A,
{
    type Result = B::Result;
    fn consume_iter<I: Iterator<Item = T>>(self, iter: I) -> Self {
        FoldFolder {
            acc: iter.fold(self.acc, self.fold_op),
            base: self.base,
            fold_op: self.fold_op,
        }
    }
    fn complete(self) -> B::Result {
        self.base.consume_iter(std::iter::once(self.acc)).complete()
    }
}
