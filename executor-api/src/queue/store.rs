//! The three orders a queue can hand items out in.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

/// Where a queue keeps its items; decides which one `get` returns.
///
/// ```
/// use executor_api::queue::{Lifo, Store};
/// let mut s = Lifo::default();
/// s.push(1);
/// s.push(2);
/// assert_eq!((s.len(), s.pop()), (2, Some(2)));
/// ```
pub trait Store<T>: Default {
    /// Adds an item.
    fn push(&mut self, item: T);
    /// Removes the next item, if any.
    fn pop(&mut self) -> Option<T>;
    /// Number of items.
    fn len(&self) -> usize;
    /// True if there are no items.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// First in, first out (`queue.Queue`).
///
/// ```
/// use executor_api::queue::{Fifo, Store};
/// let mut s = Fifo::default();
/// s.push("a");
/// s.push("b");
/// assert_eq!(s.pop(), Some("a"));
/// ```
pub struct Fifo<T>(VecDeque<T>);

/// Last in, first out (`queue.LifoQueue`).
///
/// ```
/// use executor_api::queue::{Lifo, Store};
/// let mut s = Lifo::default();
/// s.push("a");
/// s.push("b");
/// assert_eq!(s.pop(), Some("b"));
/// ```
pub struct Lifo<T>(Vec<T>);

/// Smallest first (`queue.PriorityQueue`, a `heapq` min-heap). Ties compare
/// the items themselves, as Python's tuple ordering does: use `(priority,
/// item)` tuples.
///
/// ```
/// use executor_api::queue::{Priority, Store};
/// let mut s = Priority::default();
/// s.push((2, "b"));
/// s.push((1, "z"));
/// s.push((1, "a")); // same priority: the items decide
/// assert_eq!(s.pop(), Some((1, "a")));
/// ```
pub struct Priority<T: Ord>(BinaryHeap<Reverse<T>>);

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

impl<T: Ord> Default for Priority<T> {
    fn default() -> Self {
        Priority(BinaryHeap::new())
    }
}

impl<T> Store<T> for Fifo<T> {
    fn push(&mut self, item: T) {
        self.0.push_back(item);
    }
    fn pop(&mut self) -> Option<T> {
        self.0.pop_front()
    }
    fn len(&self) -> usize {
        self.0.len()
    }
}

impl<T> Store<T> for Lifo<T> {
    fn push(&mut self, item: T) {
        self.0.push(item);
    }
    fn pop(&mut self) -> Option<T> {
        self.0.pop()
    }
    fn len(&self) -> usize {
        self.0.len()
    }
}

impl<T: Ord> Store<T> for Priority<T> {
    fn push(&mut self, item: T) {
        self.0.push(Reverse(item));
    }
    fn pop(&mut self) -> Option<T> {
        self.0.pop().map(|Reverse(item)| item)
    }
    fn len(&self) -> usize {
        self.0.len()
    }
}
