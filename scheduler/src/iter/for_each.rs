//! `for_each(op)`: the consumer that calls `op` on every item.

use std::ops::Range;

use super::plumbing::{Consumer, Folder};
use super::traits::ParallelIterator;

/// Runs `iter`, calling `op` on every item.
pub(crate) fn for_each<I, F>(iter: I, op: F)
where
    I: ParallelIterator,
    F: Fn(I::Item) + Sync,
{
    iter.drive(ForEach(&op))
}

struct ForEach<'f, F>(&'f F);

impl<'f, T, F: Fn(T) + Sync> Consumer<T> for ForEach<'f, F> {
    type Folder = ForEach<'f, F>;
    type Result = ();
    fn folder(&self, _range: Range<usize>) -> Self::Folder {
        ForEach(self.0)
    }
    fn reduce(&self, _: (), _: ()) {}
}

impl<T, F: Fn(T)> Folder<T> for ForEach<'_, F> {
    type Result = ();
    fn consume_iter<I: Iterator<Item = T>>(self, iter: I) -> Self {
        iter.for_each(self.0);
        self
    }
    fn complete(self) {}
}
