//! The three orders a queue can hand items out in, and the comparison a
//! `PriorityQueue` needs.

use std::cmp::Reverse;
use std::collections::VecDeque;

use crate::exceptions::{PyException, PyResult};

/// Where a queue keeps its items: CPython's `_put`, `_get` and `_qsize`,
/// which a `Queue` subclass may override. `push` and `pop` may raise; the
/// queue then raises the same exception from `put`/`get` and leaves
/// `unfinished_tasks` and its waiters as CPython does (a failed `_put` counts
/// no task).
///
/// ```
/// use pyrt_executor::queue::{Lifo, Store};
/// let mut s = Lifo::default();
/// s.push(1)?;
/// s.push(2)?;
/// assert_eq!((s.len(), s.pop()?), (2, 2));
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
pub trait Store<T> {
    /// `_put(item)`: adds an item (the store owns it even if this raises).
    ///
    /// ```
    /// use pyrt_executor::queue::{Fifo, Store};
    /// let mut s = Fifo::default();
    /// s.push(1)?;
    /// assert_eq!(s.len(), 1);
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    fn push(&mut self, item: T) -> PyResult<()>;
    /// `_get()`: removes the next item. The queue calls it only when
    /// [`len`](Self::len) is not zero.
    ///
    /// ```
    /// use pyrt_executor::queue::{Lifo, Store};
    /// let mut s = Lifo::default();
    /// s.push(1)?;
    /// s.push(2)?;
    /// assert_eq!(s.pop()?, 2);
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    fn pop(&mut self) -> PyResult<T>;
    /// `_qsize()`: the number of items.
    ///
    /// ```
    /// use pyrt_executor::queue::{Priority, Store};
    /// let mut s = Priority::default();
    /// s.push(3)?;
    /// s.push(1)?;
    /// assert_eq!((s.len(), s.pop()?), (2, 1)); // smallest first
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    fn len(&self) -> usize;
    /// True if there are no items.
    ///
    /// ```
    /// use pyrt_executor::queue::{Fifo, Store};
    /// let s: Fifo<i32> = Fifo::default();
    /// assert!(s.is_empty());
    /// ```
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Whether a bounded queue may keep its items in its lock-free ring
    /// instead of this store while its `maxsize` stays as made: only an
    /// empty [`Fifo`] (the ring is first in, first out, and a store that
    /// overrides `push` or `pop` must see every item). Not for other
    /// stores to implement.
    #[doc(hidden)]
    fn ring_ok(&self) -> bool {
        false
    }
}

/// Python's `<` for the items of a `PriorityQueue` (what `heapq` uses), which
/// may raise: `{} < {}` is `TypeError: '<' not supported between instances
/// of 'dict' and 'dict'` (see [`lt_not_supported`]). Implemented for the
/// standard ordered types (integers, floats, `bool`, `char`, strings,
/// references, `Box`/`Rc`/`Arc`, `Reverse`, `Vec`, slices, arrays and tuples
/// up to 8, compared as Python's sequences); a transpiled dynamic value
/// implements it to raise where Python would.
///
/// ```
/// use pyrt_executor::queue::{lt_not_supported, PriorityQueue, PyOrd};
/// use pyrt_executor::{PyClass, PyResult};
///
/// /// A transpiled value: an `int` or a `dict` (its items).
/// #[derive(Debug, PartialEq)]
/// enum Value { Int(i64), Dict(Vec<(&'static str, i64)>) }
/// impl Value {
///     fn type_name(&self) -> &'static str {
///         match self { Value::Int(_) => "int", Value::Dict(_) => "dict" }
///     }
/// }
/// impl PyOrd for Value {
///     fn py_lt(&self, other: &Self) -> PyResult<bool> {
///         match (self, other) {
///             (Value::Int(a), Value::Int(b)) => Ok(a < b),
///             _ => Err(lt_not_supported(self.type_name(), other.type_name())),
///         }
///     }
/// }
///
/// let q = PriorityQueue::new(None);
/// q.put((1, Value::Dict(vec![])), None, None)?; // the priorities decide
/// q.put((0, Value::Dict(vec![])), None, None)?;
/// q.put((0, Value::Dict(vec![])), None, None)?; // equal tuples: not `<`
/// // A tie on the priority compares the dicts:
/// let e = q.put((0, Value::Dict(vec![("a", 1)])), None, None).unwrap_err();
/// assert!(e.is_instance_of(&PyClass::TypeError));
/// assert_eq!(e.to_string(),
///            "TypeError: '<' not supported between instances of 'dict' and 'dict'");
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
pub trait PyOrd {
    /// `self < other`, or the exception Python's `<` raises.
    ///
    /// ```
    /// use pyrt_executor::queue::PyOrd;
    /// assert!(1.py_lt(&2)?);
    /// assert!((1, "b").py_lt(&(1, "c"))?); // tuples compare item by item
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    fn py_lt(&self, other: &Self) -> PyResult<bool>;
}

/// CPython's `TypeError: '<' not supported between instances of 'A' and
/// 'B'`, for a [`PyOrd`] impl whose values do not compare.
///
/// ```
/// use pyrt_executor::queue::lt_not_supported;
/// assert_eq!(lt_not_supported("str", "int").to_string(),
///            "TypeError: '<' not supported between instances of 'str' and 'int'");
/// ```
pub fn lt_not_supported(left: &str, right: &str) -> PyException {
    PyException::TypeError(format!(
        "'<' not supported between instances of '{left}' and '{right}'"
    ))
}

macro_rules! py_ord_by_partial_ord {
    ($($t:ty),*) => {$(
        impl PyOrd for $t {
            fn py_lt(&self, other: &Self) -> PyResult<bool> {
                Ok(self < other)
            }
        }
    )*};
}

py_ord_by_partial_ord!(
    i8,
    i16,
    i32,
    i64,
    i128,
    isize,
    u8,
    u16,
    u32,
    u64,
    u128,
    usize,
    f32,
    f64,
    bool,
    char,
    str,
    String,
    (),
    std::time::Duration
);

impl<T: PyOrd + ?Sized> PyOrd for &T {
    fn py_lt(&self, other: &Self) -> PyResult<bool> {
        (**self).py_lt(other)
    }
}

impl<T: PyOrd + ?Sized> PyOrd for Box<T> {
    fn py_lt(&self, other: &Self) -> PyResult<bool> {
        (**self).py_lt(other)
    }
}

impl<T: PyOrd + ?Sized> PyOrd for std::rc::Rc<T> {
    fn py_lt(&self, other: &Self) -> PyResult<bool> {
        (**self).py_lt(other)
    }
}

impl<T: PyOrd + ?Sized> PyOrd for std::sync::Arc<T> {
    fn py_lt(&self, other: &Self) -> PyResult<bool> {
        (**self).py_lt(other)
    }
}

impl<T: PyOrd> PyOrd for Reverse<T> {
    fn py_lt(&self, other: &Self) -> PyResult<bool> {
        other.0.py_lt(&self.0)
    }
}

/// Python's sequence `<`: the first unequal items decide, else the shorter.
fn seq_lt<T: PyOrd + PartialEq>(a: &[T], b: &[T]) -> PyResult<bool> {
    match a.iter().zip(b).find(|(x, y)| x != y) {
        Some((x, y)) => x.py_lt(y),
        None => Ok(a.len() < b.len()),
    }
}

impl<T: PyOrd + PartialEq> PyOrd for [T] {
    fn py_lt(&self, other: &Self) -> PyResult<bool> {
        seq_lt(self, other)
    }
}

impl<T: PyOrd + PartialEq, const N: usize> PyOrd for [T; N] {
    fn py_lt(&self, other: &Self) -> PyResult<bool> {
        seq_lt(self, other)
    }
}

impl<T: PyOrd + PartialEq> PyOrd for Vec<T> {
    fn py_lt(&self, other: &Self) -> PyResult<bool> {
        seq_lt(self, other)
    }
}

macro_rules! py_ord_tuple {
    ($($name:ident $idx:tt),+) => {
        impl<$($name: PyOrd + PartialEq),+> PyOrd for ($($name,)+) {
            fn py_lt(&self, other: &Self) -> PyResult<bool> {
                // As Python's tuple `<`: the first unequal items decide;
                // equal items are never ordered (so `(1, {}) < (1, {})` is
                // False, not a TypeError).
                $(if self.$idx != other.$idx {
                    return self.$idx.py_lt(&other.$idx);
                })+
                Ok(false)
            }
        }
    };
}

py_ord_tuple!(A 0);
py_ord_tuple!(A 0, B 1);
py_ord_tuple!(A 0, B 1, C 2);
py_ord_tuple!(A 0, B 1, C 2, D 3);
py_ord_tuple!(A 0, B 1, C 2, D 3, E 4);
py_ord_tuple!(A 0, B 1, C 2, D 3, E 4, F 5);
py_ord_tuple!(A 0, B 1, C 2, D 3, E 4, F 5, G 6);
py_ord_tuple!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);

/// First in, first out (`queue.Queue`).
///
/// ```
/// use pyrt_executor::queue::{Fifo, Store};
/// let mut s = Fifo::default();
/// s.push("a")?;
/// s.push("b")?;
/// assert_eq!(s.pop()?, "a");
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
#[derive(Debug)]
pub struct Fifo<T>(VecDeque<T>);

/// Last in, first out (`queue.LifoQueue`).
///
/// ```
/// use pyrt_executor::queue::{Lifo, Store};
/// let mut s = Lifo::default();
/// s.push("a")?;
/// s.push("b")?;
/// assert_eq!(s.pop()?, "b");
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
#[derive(Debug)]
pub struct Lifo<T>(Vec<T>);

/// Smallest first (`queue.PriorityQueue`): CPython's `heapq` min-heap, step
/// for step, so items that compare equal come out in CPython's order and a
/// comparison that raises leaves the heap as CPython's does (a `push` that
/// raises keeps the item; a `pop` that raises loses the smallest one). Ties
/// compare the items themselves, as Python's tuple ordering does: use
/// `(priority, item)` tuples.
///
/// ```
/// use pyrt_executor::queue::{Priority, Store};
/// let mut s = Priority::default();
/// s.push((2, "b"))?;
/// s.push((1, "z"))?;
/// s.push((1, "a"))?; // same priority: the items decide
/// assert_eq!(s.pop()?, (1, "a"));
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
#[derive(Debug)]
pub struct Priority<T>(Vec<T>);

impl<T> Default for Fifo<T> {
    fn default() -> Self {
        Fifo(VecDeque::new())
    }
}

impl<T> Default for Lifo<T> {
    fn default() -> Self {
        Lifo(Vec::new())
    }
}

impl<T> Default for Priority<T> {
    fn default() -> Self {
        Priority(Vec::new())
    }
}

impl<T> Store<T> for Fifo<T> {
    fn push(&mut self, item: T) -> PyResult<()> {
        self.0.push_back(item);
        Ok(())
    }
    fn ring_ok(&self) -> bool {
        self.0.is_empty()
    }
    fn pop(&mut self) -> PyResult<T> {
        self.0
            .pop_front()
            .ok_or_else(|| PyException::IndexError("pop from an empty deque".into()))
    }
    fn len(&self) -> usize {
        self.0.len()
    }
}

impl<T> Store<T> for Lifo<T> {
    fn push(&mut self, item: T) -> PyResult<()> {
        self.0.push(item);
        Ok(())
    }
    fn pop(&mut self) -> PyResult<T> {
        self.0
            .pop()
            .ok_or_else(|| PyException::IndexError("pop from empty list".into()))
    }
    fn len(&self) -> usize {
        self.0.len()
    }
}

impl<T: PyOrd> Priority<T> {
    /// `heapq._siftdown`: moves the item at `pos` up towards `start`.
    fn sift_down(&mut self, start: usize, mut pos: usize) -> PyResult<()> {
        while pos > start {
            let parent = (pos - 1) >> 1;
            if !self.0[pos].py_lt(&self.0[parent])? {
                break;
            }
            self.0.swap(pos, parent);
            pos = parent;
        }
        Ok(())
    }

    /// `heapq._siftup`: moves the smaller child up until a leaf, then sifts
    /// the item at `pos` into place.
    fn sift_up(&mut self, mut pos: usize) -> PyResult<()> {
        let (start, end) = (pos, self.0.len());
        while pos < end >> 1 {
            let mut child = 2 * pos + 1;
            if child + 1 < end && !self.0[child].py_lt(&self.0[child + 1])? {
                child += 1;
            }
            self.0.swap(pos, child);
            pos = child;
        }
        self.sift_down(start, pos)
    }
}

impl<T: PyOrd> Store<T> for Priority<T> {
    /// `heappush`.
    fn push(&mut self, item: T) -> PyResult<()> {
        self.0.push(item);
        let last = self.0.len() - 1;
        self.sift_down(0, last)
    }
    /// `heappop`.
    fn pop(&mut self) -> PyResult<T> {
        let last = self
            .0
            .pop()
            .ok_or_else(|| PyException::IndexError("index out of range".into()))?;
        if self.0.is_empty() {
            return Ok(last);
        }
        let smallest = std::mem::replace(&mut self.0[0], last);
        self.sift_up(0)?;
        Ok(smallest)
    }
    fn len(&self) -> usize {
        self.0.len()
    }
}
