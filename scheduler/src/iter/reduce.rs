//! The reducing consumers: `reduce(identity, op)`, `reduce_with(op)`
//! (behind `min`/`max` and their `_by_key`), `sum` and `product` (behind
//! `count`). Each folder reduces its chunks into one value as it goes;
//! pieces are combined left to right.

use std::iter::{Product, Sum};
use std::marker::PhantomData;
use std::ops::Range;

use super::plumbing::{Consumer, Folder};
use super::traits::ParallelIterator;

pub(crate) fn reduce<I, ID, OP>(iter: I, identity: ID, op: OP) -> I::Item
where
    I: ParallelIterator,
    ID: Fn() -> I::Item + Sync,
    OP: Fn(I::Item, I::Item) -> I::Item + Sync,
{
    iter.drive(Reduce {
        identity: &identity,
        op: &op,
    })
}

pub(crate) fn reduce_with<I, OP>(iter: I, op: OP) -> Option<I::Item>
where
    I: ParallelIterator,
    OP: Fn(I::Item, I::Item) -> I::Item + Sync,
{
    iter.drive(ReduceWith { op: &op })
}

pub(crate) fn sum<I, S>(iter: I) -> S
where
    I: ParallelIterator,
    S: Send + Sum<I::Item> + Sum<S>,
{
    iter.drive(SumOf(PhantomData))
}

pub(crate) fn product<I, P>(iter: I) -> P
where
    I: ParallelIterator,
    P: Send + Product<I::Item> + Product<P>,
{
    iter.drive(ProductOf(PhantomData))
}

struct Reduce<'f, ID, OP> {
    identity: &'f ID,
    op: &'f OP,
}

struct ReduceFolder<'f, T, OP> {
    acc: T,
    op: &'f OP,
}

impl<'f, T, ID, OP> Consumer<T> for Reduce<'f, ID, OP>
where
    T: Send,
    ID: Fn() -> T + Sync,
    OP: Fn(T, T) -> T + Sync,
{
    type Folder = ReduceFolder<'f, T, OP>;
    type Result = T;
    fn folder(&self, _range: Range<usize>) -> Self::Folder {
        ReduceFolder {
            acc: (self.identity)(),
            op: self.op,
        }
    }
    fn reduce(&self, left: T, right: T) -> T {
        (self.op)(left, right)
    }
}

impl<T, OP: Fn(T, T) -> T> Folder<T> for ReduceFolder<'_, T, OP> {
    type Result = T;
    fn consume_iter<I: Iterator<Item = T>>(self, iter: I) -> Self {
        ReduceFolder {
            acc: iter.fold(self.acc, self.op),
            op: self.op,
        }
    }
    fn complete(self) -> T {
        self.acc
    }
}

struct ReduceWith<'f, OP> {
    op: &'f OP,
}

struct ReduceWithFolder<'f, T, OP> {
    acc: Option<T>,
    op: &'f OP,
}

impl<'f, T, OP> Consumer<T> for ReduceWith<'f, OP>
where
    T: Send,
    OP: Fn(T, T) -> T + Sync,
{
    type Folder = ReduceWithFolder<'f, T, OP>;
    type Result = Option<T>;
    fn folder(&self, _range: Range<usize>) -> Self::Folder {
        ReduceWithFolder {
            acc: None,
            op: self.op,
        }
    }
    fn reduce(&self, left: Option<T>, right: Option<T>) -> Option<T> {
        match (left, right) {
            (Some(a), Some(b)) => Some((self.op)(a, b)),
            (a, None) => a,
            (None, b) => b,
        }
    }
}

impl<T, OP: Fn(T, T) -> T> Folder<T> for ReduceWithFolder<'_, T, OP> {
    type Result = Option<T>;
    fn consume_iter<I: Iterator<Item = T>>(self, mut iter: I) -> Self {
        let acc = match self.acc {
            Some(a) => Some(iter.fold(a, self.op)),
            None => iter.next().map(|first| iter.fold(first, self.op)),
        };
        ReduceWithFolder { acc, op: self.op }
    }
    fn complete(self) -> Option<T> {
        self.acc
    }
}

/// `sum::<S>()`; `fn() -> S` keeps the consumer `Sync` for any `S`.
struct SumOf<S>(PhantomData<fn() -> S>);

struct SumFolder<S>(S);

fn add<S: Sum<S>>(a: S, b: S) -> S {
    [a, b].into_iter().sum()
}

impl<T, S: Send + Sum<T> + Sum<S>> Consumer<T> for SumOf<S> {
    type Folder = SumFolder<S>;
    type Result = S;
    fn folder(&self, _range: Range<usize>) -> SumFolder<S> {
        SumFolder(std::iter::empty::<T>().sum())
    }
    fn reduce(&self, left: S, right: S) -> S {
        add(left, right)
    }
}

impl<T, S: Sum<T> + Sum<S>> Folder<T> for SumFolder<S> {
    type Result = S;
    fn consume_iter<I: Iterator<Item = T>>(self, iter: I) -> Self {
        SumFolder(add(self.0, iter.sum()))
    }
    fn complete(self) -> S {
        self.0
    }
}

/// `product::<P>()`.
struct ProductOf<P>(PhantomData<fn() -> P>);

struct ProductFolder<P>(P);

fn mul<P: Product<P>>(a: P, b: P) -> P {
    [a, b].into_iter().product()
}

impl<T, P: Send + Product<T> + Product<P>> Consumer<T> for ProductOf<P> {
    type Folder = ProductFolder<P>;
    type Result = P;
    fn folder(&self, _range: Range<usize>) -> ProductFolder<P> {
        ProductFolder(std::iter::empty::<T>().product())
    }
    fn reduce(&self, left: P, right: P) -> P {
        mul(left, right)
    }
}

impl<T, P: Product<T> + Product<P>> Folder<T> for ProductFolder<P> {
    type Result = P;
    fn consume_iter<I: Iterator<Item = T>>(self, iter: I) -> Self {
        ProductFolder(mul(self.0, iter.product()))
    }
    fn complete(self) -> P {
        self.0
    }
}
