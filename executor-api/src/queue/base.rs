//! `queue.Queue` and its subclasses: one implementation, three orders.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
// loom's lock under `--cfg loom` (model-checked in `tests/loom_*.rs`).
#[cfg(loom)]
use loom::sync::{Mutex, MutexGuard};
#[cfg(not(loom))]
use std::sync::{Mutex, MutexGuard};

use super::store::Store;
use crate::exceptions::{check_timeout_secs, PyException, PyResult};
use crate::waiting::{block_until, deadline, timeout_range_error, Waiters};

/// A thread-safe queue shared by cloning the handle (every clone is the same
/// Python object). `S` decides the order: see [`Queue`](super::Queue),
/// [`LifoQueue`](super::LifoQueue), [`PriorityQueue`](super::PriorityQueue).
///
/// `maxsize` is an `Option<isize>` because Python accepts any integer:
/// zero or a negative size means unbounded.
///
/// ```
/// use executor_api::queue::Queue;
/// let q = Queue::new(Some(-1)); // negative: unbounded, as in Python
/// for i in 0..3 {
///     q.put(i, None, None)?;
/// }
/// assert!(!q.full());
/// assert_eq!(q.get_nowait()?, 0);
/// q.task_done()?;
/// assert_eq!(q.get(Some(true), Some(-1.0)).unwrap_err().to_string(),
///            "ValueError: 'timeout' must be a non-negative number");
/// # Ok::<(), executor_api::PyException>(())
/// ```
pub struct BaseQueue<T, S: Store<T>> {
    inner: Arc<Inner<S>>,
    _items: PhantomData<fn(T) -> T>,
}

struct Inner<S> {
    maxsize: usize,
    state: Mutex<State<S>>,
}

struct State<S> {
    items: S,
    /// `unfinished_tasks`: puts not yet matched by `task_done`.
    unfinished: usize,
    not_empty: Waiters,
    not_full: Waiters,
    all_done: Waiters,
}

impl<T, S: Store<T>> Clone for BaseQueue<T, S> {
    fn clone(&self) -> Self {
        BaseQueue {
            inner: self.inner.clone(),
            _items: PhantomData,
        }
    }
}

impl<T, S: Store<T>> fmt::Debug for BaseQueue<T, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Queue")
            .field("maxsize", &self.inner.maxsize)
            .field("qsize", &self.qsize())
            .finish()
    }
}

impl<T, S: Store<T>> BaseQueue<T, S> {
    /// `Queue(maxsize=0)`: `maxsize <= 0` (or `None`) means unbounded.
    pub fn new(maxsize: Option<isize>) -> Self {
        BaseQueue {
            inner: Arc::new(Inner {
                maxsize: maxsize.unwrap_or(0).max(0) as usize,
                state: Mutex::new(State {
                    items: S::default(),
                    unfinished: 0,
                    not_empty: Waiters::default(),
                    not_full: Waiters::default(),
                    all_done: Waiters::default(),
                }),
            }),
            _items: PhantomData,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State<S>> {
        self.inner.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn is_full(&self, st: &State<S>) -> bool {
        self.inner.maxsize > 0 && st.items.len() >= self.inner.maxsize
    }

    /// The `maxsize` the queue was made with (0: unbounded).
    pub fn maxsize(&self) -> usize {
        self.inner.maxsize
    }

    /// `qsize()`: the number of items (approximate under concurrency, as in
    /// Python).
    pub fn qsize(&self) -> usize {
        self.lock().items.len()
    }

    /// `empty()`.
    pub fn empty(&self) -> bool {
        self.lock().items.is_empty()
    }

    /// `full()`.
    pub fn full(&self) -> bool {
        let st = self.lock();
        self.is_full(&st)
    }

    /// `put(item, block=True, timeout=None)`. Raises `Full` when the queue
    /// stays full (at once with `block=False`, after `timeout` seconds
    /// otherwise); the item is then dropped — use
    /// [`put_or_return`](Self::put_or_return) to get it back.
    pub fn put(&self, item: T, block: Option<bool>, timeout: Option<f64>) -> PyResult<()> {
        self.put_or_return(item, block, timeout).map_err(|(_, e)| e)
    }

    /// [`put`](Self::put) that hands the item back with the error.
    pub fn put_or_return(
        &self,
        item: T,
        block: Option<bool>,
        timeout: Option<f64>,
    ) -> Result<(), (T, PyException)> {
        let block = block.unwrap_or(true);
        // As in CPython, `block=False` ignores the timeout (even a negative one).
        let secs = timeout;
        let timeout = match if block {
            check_timeout_secs(timeout)
        } else {
            Ok(None)
        } {
            Ok(t) => t,
            Err(e) => return Err((item, e)),
        };
        let mut item = Some(item);
        let deadline = deadline(timeout);
        let put = |waker: Option<&std::task::Waker>, item: &mut Option<T>| {
            let mut st = self.lock();
            if self.is_full(&st) {
                if let Some(w) = waker {
                    st.not_full.register(w);
                }
                return None;
            }
            st.items.push(item.take().expect("put once"));
            st.unfinished += 1;
            st.not_empty.wake_all();
            Some(())
        };
        let done = if block {
            match timeout_range_error(secs) {
                // CPython converts the timeout only when it has to wait.
                Some(e) => match put(None, &mut item) {
                    None => return Err((item.expect("not put"), e)),
                    done => done,
                },
                None => block_until(deadline, |w| put(Some(w), &mut item)),
            }
        } else {
            put(None, &mut item)
        };
        match done {
            Some(()) => Ok(()),
            None => Err((item.expect("not put"), PyException::Full(String::new()))),
        }
    }

    /// `put_nowait(item)`: `put(item, block=False)`.
    pub fn put_nowait(&self, item: T) -> PyResult<()> {
        self.put(item, Some(false), None)
    }

    /// `get(block=True, timeout=None)`. Raises `Empty` when no item comes
    /// (at once with `block=False`, after `timeout` seconds otherwise).
    pub fn get(&self, block: Option<bool>, timeout: Option<f64>) -> PyResult<T> {
        let block = block.unwrap_or(true);
        // As in CPython, `block=False` ignores the timeout (even a negative one).
        let secs = timeout;
        let timeout = if block {
            check_timeout_secs(timeout)?
        } else {
            None
        };
        let get = |waker: Option<&std::task::Waker>| {
            let mut st = self.lock();
            match st.items.pop() {
                Some(item) => {
                    st.not_full.wake_all();
                    Some(item)
                }
                None => {
                    if let Some(w) = waker {
                        st.not_empty.register(w);
                    }
                    None
                }
            }
        };
        let got = if block {
            match timeout_range_error(secs) {
                // CPython converts the timeout only when it has to wait.
                Some(e) => Some(get(None).ok_or(e)?),
                None => block_until(deadline(timeout), |w| get(Some(w))),
            }
        } else {
            get(None)
        };
        got.ok_or_else(|| PyException::Empty(String::new()))
    }

    /// `get_nowait()`: `get(block=False)`.
    pub fn get_nowait(&self) -> PyResult<T> {
        self.get(Some(false), None)
    }

    /// `task_done()`: one earlier `get` item is fully processed. Raises
    /// `ValueError: task_done() called too many times`.
    pub fn task_done(&self) -> PyResult<()> {
        let mut st = self.lock();
        if st.unfinished == 0 {
            return Err(PyException::ValueError(
                "task_done() called too many times".into(),
            ));
        }
        st.unfinished -= 1;
        if st.unfinished == 0 {
            st.all_done.wake_all();
        }
        Ok(())
    }

    /// `join()`: blocks until every item ever put was marked `task_done`.
    pub fn join(&self) {
        block_until(None, |w| {
            let mut st = self.lock();
            if st.unfinished == 0 {
                Some(())
            } else {
                st.all_done.register(w);
                None
            }
        });
    }
}
