//! `multiprocessing.Value` and `multiprocessing.Array`: shared values with
//! the `RLock` Python attaches to them.

use std::sync::{Arc, Mutex, MutexGuard};

use crate::exceptions::{PyException, PyResult};
use crate::threading::RLock;

/// `multiprocessing.Value(typecode, value)`: the Rust type replaces the
/// typecode. Clones share the value.
///
/// ```
/// use executor_api::multiprocessing::Value;
/// let v = Value::new(5i32);
/// {
///     let _g = v.get_lock().with()?; // with v.get_lock():
///     v.set(v.get() + 1);            //     v.value += 1
/// }
/// assert_eq!(v.get(), 6);
/// # Ok::<(), executor_api::PyException>(())
/// ```
#[derive(Clone, Debug)]
pub struct Value<T> {
    value: Arc<Mutex<T>>,
    lock: RLock,
}

impl<T: Clone> Value<T> {
    /// `Value(typecode, value)`.
    pub fn new(value: T) -> Self {
        Value {
            value: Arc::new(Mutex::new(value)),
            lock: RLock::new(),
        }
    }

    fn slot(&self) -> MutexGuard<'_, T> {
        self.value.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// `v.value`.
    pub fn get(&self) -> T {
        self.slot().clone()
    }

    /// `v.value = x`.
    pub fn set(&self, value: T) {
        *self.slot() = value;
    }

    /// `get_lock()`: the `RLock` guarding compound updates.
    pub fn get_lock(&self) -> &RLock {
        &self.lock
    }
}

/// `multiprocessing.Array(typecode, size_or_initializer)`. Clones share the
/// array.
///
/// ```
/// use executor_api::multiprocessing::Array;
/// let a = Array::new(vec![1, 2, 3]);
/// a.set(0, 10)?;
/// assert_eq!(a.to_vec(), vec![10, 2, 3]);
/// assert_eq!(a.get(5).unwrap_err().to_string(), "IndexError: invalid index");
/// # Ok::<(), executor_api::PyException>(())
/// ```
#[derive(Clone, Debug)]
pub struct Array<T> {
    items: Arc<Mutex<Vec<T>>>,
    lock: RLock,
}

fn invalid_index() -> PyException {
    PyException::IndexError("invalid index".into())
}

impl<T: Clone> Array<T> {
    /// `Array(typecode, initializer)`.
    pub fn new(items: Vec<T>) -> Self {
        Array {
            items: Arc::new(Mutex::new(items)),
            lock: RLock::new(),
        }
    }

    fn items(&self) -> MutexGuard<'_, Vec<T>> {
        self.items.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// `a[i]`; negative indices count from the end, as in Python.
    pub fn get(&self, i: isize) -> PyResult<T> {
        let items = self.items();
        let idx = index(i, items.len()).ok_or_else(invalid_index)?;
        Ok(items[idx].clone())
    }

    /// `a[i] = v`.
    pub fn set(&self, i: isize, value: T) -> PyResult<()> {
        let mut items = self.items();
        let idx = index(i, items.len()).ok_or_else(invalid_index)?;
        items[idx] = value;
        Ok(())
    }

    /// `len(a)`.
    pub fn len(&self) -> usize {
        self.items().len()
    }

    /// `len(a) == 0`.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `a[:]`.
    pub fn to_vec(&self) -> Vec<T> {
        self.items().clone()
    }

    /// `get_lock()`.
    pub fn get_lock(&self) -> &RLock {
        &self.lock
    }
}

/// Python's index rule: `-len <= i < len`.
pub(crate) fn index(i: isize, len: usize) -> Option<usize> {
    let i = if i < 0 { i + len as isize } else { i };
    (0..len as isize).contains(&i).then_some(i as usize)
}
