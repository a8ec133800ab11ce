//! How values become parallel iterators: [`IntoParallelIterator`] (by
//! value: `Vec`, ranges, references to slices), [`IntoParallelRefIterator`]
//! (`par_iter()`) and [`IntoParallelRefMutIterator`] (`par_iter_mut()`).

use super::traits::ParallelIterator;

/// A value that can become a parallel iterator (`into_par_iter()`): `Vec<T>`
/// (moving its items), integer ranges, `&[T]`, `&mut [T]`, `&Vec<T>`,
/// `&mut Vec<T>`, arrays by reference, and every parallel iterator itself.
///
/// ```
/// use pyrt_scheduler::prelude::*;
/// let v = vec![String::from("a"), String::from("b")];
/// let joined: Vec<String> = v.into_par_iter().map(|s| s + "!").collect();
/// assert_eq!(joined, ["a!", "b!"]);
/// ```
pub trait IntoParallelIterator {
    /// The iterator.
    type Iter: ParallelIterator<Item = Self::Item>;
    /// Its items.
    type Item: Send;
    /// Makes the iterator.
    ///
    /// ```
    /// use pyrt_scheduler::prelude::*;
    /// assert_eq!((1..4u32).into_par_iter().sum::<u32>(), 6);
    /// ```
    fn into_par_iter(self) -> Self::Iter;
}

impl<I: ParallelIterator> IntoParallelIterator for I {
    type Iter = I;
    type Item = I::Item;
    fn into_par_iter(self) -> I {
        self
    }
}

/// `par_iter()`: a parallel iterator over references to the items, for
/// every `C` such that `&C` is [`IntoParallelIterator`] (slices, `Vec`s,
/// arrays).
///
/// ```
/// use pyrt_scheduler::prelude::*;
/// let v = vec![1u64, 2, 3];
/// assert_eq!(v.par_iter().sum::<u64>(), 6);
/// ```
pub trait IntoParallelRefIterator<'data> {
    /// The iterator.
    type Iter: ParallelIterator<Item = Self::Item>;
    /// Its items (`&'data T`).
    type Item: Send + 'data;
    /// Makes the iterator.
    ///
    /// ```
    /// use pyrt_scheduler::prelude::*;
    /// assert_eq!([1, 2, 3].par_iter().max(), Some(&3));
    /// ```
    fn par_iter(&'data self) -> Self::Iter;
}

impl<'data, C: ?Sized + 'data> IntoParallelRefIterator<'data> for C
where
    &'data C: IntoParallelIterator,
{
    type Iter = <&'data C as IntoParallelIterator>::Iter;
    type Item = <&'data C as IntoParallelIterator>::Item;
    fn par_iter(&'data self) -> Self::Iter {
        self.into_par_iter()
    }
}

/// `par_iter_mut()`: a parallel iterator over mutable references to the
/// items, for every `C` such that `&mut C` is [`IntoParallelIterator`].
///
/// ```
/// use pyrt_scheduler::prelude::*;
/// let mut v = vec![1, 2, 3];
/// v.par_iter_mut().for_each(|x| *x *= 10);
/// assert_eq!(v, [10, 20, 30]);
/// ```
pub trait IntoParallelRefMutIterator<'data> {
    /// The iterator.
    type Iter: ParallelIterator<Item = Self::Item>;
    /// Its items (`&'data mut T`).
    type Item: Send + 'data;
    /// Makes the iterator.
    ///
    /// ```
    /// use pyrt_scheduler::prelude::*;
    /// let mut v = [1, 2];
    /// v.par_iter_mut().for_each(|x| *x += 1);
    /// assert_eq!(v, [2, 3]);
    /// ```
    fn par_iter_mut(&'data mut self) -> Self::Iter;
}

impl<'data, C: ?Sized + 'data> IntoParallelRefMutIterator<'data> for C
where
    &'data mut C: IntoParallelIterator,
{
    type Iter = <&'data mut C as IntoParallelIterator>::Iter;
    type Item = <&'data mut C as IntoParallelIterator>::Item;
    fn par_iter_mut(&'data mut self) -> Self::Iter {
        self.into_par_iter()
    }
}
