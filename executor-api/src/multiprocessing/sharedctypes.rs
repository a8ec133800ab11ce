//! `multiprocessing.Value` and `multiprocessing.Array`: shared values with
//! the `RLock` Python attaches to them, and their raw forms
//! (`RawValue`/`RawArray`, or `lock=False`) without one.

use std::ops::Deref;
use std::sync::{Arc, Mutex, MutexGuard};

use crate::exceptions::{PyException, PyResult};
use crate::threading::RLock;

/// `multiprocessing.RawValue(typecode, value)`, also what `Value(...,
/// lock=False)` returns: a shared value without `get_lock`. Clones share
/// the value.
///
/// ```
/// use pyrt_executor::multiprocessing::{RawValue, Value};
/// let v = RawValue::new(5i32);
/// v.set(v.get() + 1);
/// assert_eq!(v.get(), 6);
/// let unlocked: RawValue<i32> = Value::unlocked(1); // Value('i', 1, lock=False)
/// assert_eq!(unlocked.get(), 1);
/// ```
#[derive(Clone, Debug)]
pub struct RawValue<T> {
    value: Arc<Mutex<T>>,
}

impl<T: Clone> RawValue<T> {
    /// `RawValue(typecode, value)`.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::RawValue;
    /// let v = RawValue::new(0i64); // RawValue('q', 0)
    /// v.set(5);
    /// assert_eq!(v.get(), 5);
    /// ```
    pub fn new(value: T) -> Self {
        RawValue {
            value: Arc::new(Mutex::new(value)),
        }
    }

    fn slot(&self) -> MutexGuard<'_, T> {
        self.value.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// `v.value`.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::RawValue;
    /// assert_eq!(RawValue::new(1.5).get(), 1.5); // v.value
    /// ```
    pub fn get(&self) -> T {
        self.slot().clone()
    }

    /// `v.value = x`.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::RawValue;
    /// let v = RawValue::new(0);
    /// let v2 = v.clone(); // the same shared value
    /// v2.set(3);
    /// assert_eq!(v.get(), 3);
    /// ```
    pub fn set(&self, value: T) {
        *self.slot() = value;
    }
}

/// `multiprocessing.Value(typecode, value)`: the Rust type replaces the
/// typecode. Clones share the value. It has the methods of [`RawValue`]
/// and `get_lock`.
///
/// ```
/// use pyrt_executor::multiprocessing::Value;
/// let v = Value::new(5i32);
/// {
///     let _g = v.get_lock().with()?; // with v.get_lock():
///     v.set(v.get() + 1);            //     v.value += 1
/// }
/// assert_eq!(v.get(), 6);
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
#[derive(Clone, Debug)]
pub struct Value<T> {
    raw: RawValue<T>,
    lock: RLock,
}

impl<T: Clone> Value<T> {
    /// `Value(typecode, value)` (`lock=True` or `None`: a new `RLock`).
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Value;
    /// let counter = Value::new(0); // Value('i', 0)
    /// {
    ///     let _held = counter.get_lock().with()?; // with counter.get_lock():
    ///     counter.set(counter.get() + 1);
    /// }
    /// assert_eq!(counter.get(), 1);
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn new(value: T) -> Self {
        Self::with_lock(value, RLock::new())
    }

    /// `Value(typecode, value, lock=lock)`: `get_lock()` is that lock.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Value;
    /// use pyrt_executor::threading::RLock;
    /// let lock = RLock::new();
    /// let v = Value::with_lock(1, lock.clone());
    /// let _g = v.get_lock().with()?; // holds `lock`
    /// assert_eq!(v.get(), 1);
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn with_lock(value: T, lock: RLock) -> Self {
        Value {
            raw: RawValue::new(value),
            lock,
        }
    }

    /// `Value(typecode, value, lock=False)`: a [`RawValue`], which has no
    /// `get_lock`.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Value;
    /// let raw = Value::unlocked(7); // Value('i', 7, lock=False)
    /// assert_eq!(raw.get(), 7);
    /// ```
    pub fn unlocked(value: T) -> RawValue<T> {
        RawValue::new(value)
    }

    /// `get_lock()`: the `RLock` guarding compound updates.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Value;
    /// let v = Value::new(0);
    /// assert!(v.get_lock().acquire(None, None)?);
    /// v.get_lock().release()?;
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn get_lock(&self) -> &RLock {
        &self.lock
    }

    /// `get_obj()`: the raw value behind the lock.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Value;
    /// let v = Value::new(4);
    /// assert_eq!(v.get_obj().get(), 4);
    /// ```
    pub fn get_obj(&self) -> &RawValue<T> {
        &self.raw
    }
}

impl<T> Deref for Value<T> {
    type Target = RawValue<T>;

    fn deref(&self) -> &RawValue<T> {
        &self.raw
    }
}

/// `multiprocessing.RawArray(typecode, size_or_initializer)`, also what
/// `Array(..., lock=False)` returns: a shared array without `get_lock`.
/// Clones share the array.
///
/// ```
/// use pyrt_executor::multiprocessing::RawArray;
/// let a = RawArray::new(vec![1, 2, 3, 4]);
/// assert_eq!(a.get_slice(Some(1), None), vec![2, 3, 4]);
/// a.set_slice(Some(0), Some(2), vec![9, 9])?;
/// assert_eq!(a.to_vec(), vec![9, 9, 3, 4]);
/// assert_eq!(
///     a.set_slice(None, None, vec![0]).unwrap_err().to_string(),
///     "ValueError: Can only assign sequence of same size"
/// );
/// assert_eq!(RawArray::<i32>::with_size(3).to_vec(), vec![0, 0, 0]);
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
#[derive(Clone, Debug)]
pub struct RawArray<T> {
    items: Arc<Mutex<Vec<T>>>,
}

fn invalid_index() -> PyException {
    PyException::IndexError("invalid index".into())
}

/// The `start:stop` of a slice (step 1) as indices into `len` items,
/// clamped as Python does.
fn slice_bounds(start: Option<isize>, stop: Option<isize>, len: usize) -> (usize, usize) {
    let clamp = |i: isize| {
        if i < 0 {
            (i + len as isize).max(0) as usize
        } else {
            (i as usize).min(len)
        }
    };
    let lo = start.map_or(0, clamp);
    let hi = stop.map_or(len, clamp);
    (lo, hi.max(lo))
}

impl<T: Clone> RawArray<T> {
    /// `RawArray(typecode, initializer)`.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::RawArray;
    /// let a = RawArray::new(vec![1, 2, 3]); // RawArray('i', [1, 2, 3])
    /// assert_eq!(a.to_vec(), [1, 2, 3]);
    /// ```
    pub fn new(items: Vec<T>) -> Self {
        RawArray {
            items: Arc::new(Mutex::new(items)),
        }
    }

    /// `RawArray(typecode, size)`: `size` zeroed items (`T::default()`).
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::RawArray;
    /// let a = RawArray::<f64>::with_size(3); // RawArray('d', 3)
    /// assert_eq!(a.to_vec(), [0.0; 3]);
    /// ```
    pub fn with_size(size: usize) -> Self
    where
        T: Default,
    {
        Self::new(vec![T::default(); size])
    }

    fn items(&self) -> MutexGuard<'_, Vec<T>> {
        self.items.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// `a[i]`; negative indices count from the end, as in Python.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::RawArray;
    /// let a = RawArray::new(vec![1, 2, 3]);
    /// assert_eq!(a.get(-1)?, 3);
    /// assert_eq!(a.get(3).unwrap_err().name(), "IndexError");
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn get(&self, i: isize) -> PyResult<T> {
        let items = self.items();
        let idx = index(i, items.len()).ok_or_else(invalid_index)?;
        Ok(items[idx].clone())
    }

    /// `a[i] = v`.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::RawArray;
    /// let a = RawArray::new(vec![1, 2]);
    /// a.set(0, 5)?;
    /// assert_eq!(a.to_vec(), [5, 2]);
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn set(&self, i: isize, value: T) -> PyResult<()> {
        let mut items = self.items();
        let idx = index(i, items.len()).ok_or_else(invalid_index)?;
        items[idx] = value;
        Ok(())
    }

    /// `a[start:stop]` (`None` for an omitted bound).
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::RawArray;
    /// let a = RawArray::new(vec![1, 2, 3, 4]);
    /// assert_eq!(a.get_slice(Some(1), Some(3)), [2, 3]); // a[1:3]
    /// assert_eq!(a.get_slice(None, Some(-1)), [1, 2, 3]); // a[:-1]
    /// ```
    pub fn get_slice(&self, start: Option<isize>, stop: Option<isize>) -> Vec<T> {
        let items = self.items();
        let (lo, hi) = slice_bounds(start, stop, items.len());
        items[lo..hi].to_vec()
    }

    /// `a[start:stop] = values`: `ValueError: Can only assign sequence of
    /// same size` unless `values` has as many items as the slice (a ctypes
    /// array cannot change its length).
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::RawArray;
    /// let a = RawArray::new(vec![0; 4]);
    /// a.set_slice(Some(1), Some(3), [7, 8])?; // a[1:3] = [7, 8]
    /// assert_eq!(a.to_vec(), [0, 7, 8, 0]);
    /// let e = a.set_slice(None, None, [1]).unwrap_err();
    /// assert_eq!(e.to_string(), "ValueError: Can only assign sequence of same size");
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn set_slice(
        &self,
        start: Option<isize>,
        stop: Option<isize>,
        values: impl IntoIterator<Item = T>,
    ) -> PyResult<()> {
        let values: Vec<T> = values.into_iter().collect();
        let mut items = self.items();
        let (lo, hi) = slice_bounds(start, stop, items.len());
        if values.len() != hi - lo {
            return Err(PyException::ValueError(
                "Can only assign sequence of same size".into(),
            ));
        }
        items[lo..hi].clone_from_slice(&values);
        Ok(())
    }

    /// `len(a)`.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::RawArray;
    /// assert_eq!(RawArray::new(vec![1, 2]).len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        self.items().len()
    }

    /// `len(a) == 0`.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::RawArray;
    /// assert!(RawArray::<i32>::new(vec![]).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `a[:]`.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::RawArray;
    /// assert_eq!(RawArray::new(vec!['a']).to_vec(), ['a']); // a[:]
    /// ```
    pub fn to_vec(&self) -> Vec<T> {
        self.items().clone()
    }
}

/// `multiprocessing.Array(typecode, size_or_initializer)`. Clones share the
/// array. It has the methods of [`RawArray`] (indexing, slices) and
/// `get_lock`.
///
/// ```
/// use pyrt_executor::multiprocessing::Array;
/// let a = Array::new(vec![1, 2, 3]);
/// a.set(0, 10)?;
/// assert_eq!(a.to_vec(), vec![10, 2, 3]);
/// assert_eq!(a.get(5).unwrap_err().to_string(), "IndexError: invalid index");
/// assert_eq!(Array::<i32>::with_size(2).to_vec(), vec![0, 0]);
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
#[derive(Clone, Debug)]
pub struct Array<T> {
    raw: RawArray<T>,
    lock: RLock,
}

impl<T: Clone> Array<T> {
    /// `Array(typecode, initializer)`.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Array;
    /// let a = Array::new(vec![1, 2, 3]); // Array('i', [1, 2, 3])
    /// let _held = a.get_lock().with()?;
    /// a.set(0, 10)?;
    /// assert_eq!(a.to_vec(), [10, 2, 3]);
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn new(items: Vec<T>) -> Self {
        Self::with_lock(items, RLock::new())
    }

    /// `Array(typecode, size)`: `size` zeroed items (`T::default()`).
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Array;
    /// assert_eq!(Array::<i32>::with_size(2).to_vec(), [0, 0]); // Array('i', 2)
    /// ```
    pub fn with_size(size: usize) -> Self
    where
        T: Default,
    {
        Self::new(vec![T::default(); size])
    }

    /// `Array(typecode, initializer, lock=lock)`: `get_lock()` is that lock.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::{Array, RLock};
    /// let lock = RLock::new();
    /// let a = Array::with_lock(vec![1], lock.clone());
    /// let _held = lock.with()?;
    /// assert!(a.get_lock().is_owned());
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn with_lock(items: Vec<T>, lock: RLock) -> Self {
        Array {
            raw: RawArray::new(items),
            lock,
        }
    }

    /// `Array(typecode, initializer, lock=False)`: a [`RawArray`], which has
    /// no `get_lock`.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Array;
    /// let raw = Array::unlocked(vec![1, 2]); // Array('i', [1, 2], lock=False)
    /// assert_eq!(raw.len(), 2);
    /// ```
    pub fn unlocked(items: Vec<T>) -> RawArray<T> {
        RawArray::new(items)
    }

    /// `get_lock()`.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Array;
    /// let a = Array::new(vec![0]);
    /// assert!(!a.get_lock().is_owned());
    /// ```
    pub fn get_lock(&self) -> &RLock {
        &self.lock
    }

    /// `get_obj()`: the raw array behind the lock.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Array;
    /// let a = Array::new(vec![1, 2]);
    /// assert_eq!(a.get_obj().to_vec(), [1, 2]);
    /// ```
    pub fn get_obj(&self) -> &RawArray<T> {
        &self.raw
    }
}

impl<T> Deref for Array<T> {
    type Target = RawArray<T>;

    fn deref(&self) -> &RawArray<T> {
        &self.raw
    }
}

/// Python's index rule: `-len <= i < len`.
pub(crate) fn index(i: isize, len: usize) -> Option<usize> {
    let i = if i < 0 { i + len as isize } else { i };
    (0..len as isize).contains(&i).then_some(i as usize)
}
