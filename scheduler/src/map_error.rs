//! The error of a parallel map whose function failed: which item, and why.

use std::fmt;

/// The error [`try_map_vec`](crate::try_map_vec) and
/// [`try_map_vec_all`](crate::try_map_vec_all) return: the index of the item
/// whose call failed and that call's error. It is a
/// [`std::error::Error`] when `E` is one (its [`source`](std::error::Error::source)
/// is `E`), so `?` can turn it into `Box<dyn Error>`.
///
/// ```
/// use pyrt_scheduler::{try_map_vec, MapError};
/// let r = try_map_vec(vec!["1", "x", "3"], None, |s| s.parse::<u32>());
/// let e: MapError<_> = r.unwrap_err();
/// assert_eq!(e.index, 1);
/// assert_eq!(e.to_string(), "item 1: invalid digit found in string");
/// let boxed: Box<dyn std::error::Error> = Box::new(e);
/// assert!(boxed.source().is_some());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MapError<E> {
    /// The index of the failing item in the input.
    pub index: usize,
    /// The error its call returned.
    pub error: E,
}

impl<E> MapError<E> {
    /// The error the failing call returned, without its index.
    ///
    /// ```
    /// let r = pyrt_scheduler::try_map_vec(vec![1u8, 2], None, |x| if x == 2 { Err("two") } else { Ok(x) });
    /// assert_eq!(r.unwrap_err().into_inner(), "two");
    /// ```
    pub fn into_inner(self) -> E {
        self.error
    }
}

impl<E: fmt::Display> fmt::Display for MapError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "item {}: {}", self.index, self.error)
    }
}

impl<E: std::error::Error + 'static> std::error::Error for MapError<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

impl<E> From<(usize, E)> for MapError<E> {
    fn from((index, error): (usize, E)) -> Self {
        MapError { index, error }
    }
}
