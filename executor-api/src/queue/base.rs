//! `queue.Queue` and its subclasses: one implementation, three orders.
//!
//! One lock (`HotMutex`: std's, taken after pauses and yields;
//! `crate::loom` says why) guards the items, `maxsize`, the unfinished-task count and three waiter
//! lists (`not_empty`, `not_full`, `all_done`), as CPython's
//! one mutex guards its three conditions. A `put` wakes one blocked `get`
//! and a `get` one blocked `put` (CPython's `notify()`); the last
//! `task_done` wakes every `join`. A blocked caller spins a little before
//! it parks (`pyrt_scheduler::block_on_until`); while it spins it reads an
//! atomic version counter, bumped under the lock by every change a waiter
//! could wait for, and takes the lock again only when that moved, so the
//! waiters do not fight the running side for the lock.

use crate::loom::{AtomicUsize, HotGuard, HotMutex, Ordering};
use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use super::store::Store;
use crate::exceptions::{check_timeout_secs, PyException, PyResult};
use crate::waiting::{block_until, deadline, timeout_range_error, Waiters};
use scheduler::Instant;
use std::task::Waker;

/// A thread-safe queue shared by cloning the handle (every clone is the same
/// Python object). `S` decides the order: see [`Queue`](super::Queue),
/// [`LifoQueue`](super::LifoQueue), [`PriorityQueue`](super::PriorityQueue).
///
/// `maxsize` is an `Option<isize>` because Python accepts any integer:
/// zero or a negative size means unbounded.
///
/// ```
/// use pyrt_executor::queue::Queue;
/// let q = Queue::new(Some(-1)); // negative: unbounded, as in Python
/// for i in 0..3 {
///     q.put(i, None, None)?;
/// }
/// assert!(!q.full());
/// assert_eq!(q.get_nowait()?, 0);
/// q.task_done()?;
/// assert_eq!(q.get(Some(true), Some(-1.0)).unwrap_err().to_string(),
///            "ValueError: 'timeout' must be a non-negative number");
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
pub struct BaseQueue<T, S: Store<T>> {
    inner: Arc<Inner<S>>,
    _items: PhantomData<fn(T) -> T>,
}

struct Inner<S> {
    state: HotMutex<State<S>>,
    /// Bumped (under the lock) by every change a waiter could be waiting
    /// for and by every wake-up: a waiter that polls again (the wait spins
    /// before it parks) and finds it unchanged since it registered knows,
    /// without taking the lock, that nothing it waits for happened and it
    /// is still registered.
    version: AtomicUsize,
}

struct State<S> {
    items: S,
    /// The `maxsize` attribute as Python holds it (`<= 0`: unbounded).
    maxsize: isize,
    /// `unfinished_tasks`: puts not yet matched by `task_done`.
    unfinished: usize,
    /// Callers blocked in `put`, `get` or `join` right now.
    blocked: usize,
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
            .field("maxsize", &self.maxsize())
            .field("qsize", &self.qsize())
            .finish()
    }
}

impl<T, S: Store<T> + Default> BaseQueue<T, S> {
    /// `Queue(maxsize=0)`: `maxsize <= 0` (or `None`) means unbounded.
    ///
    /// ```
    /// use pyrt_executor::queue::Queue;
    /// let q: Queue<i32> = Queue::new(Some(2)); // queue.Queue(maxsize=2)
    /// assert_eq!(q.maxsize(), 2);
    /// assert!(q.empty());
    /// ```
    pub fn new(maxsize: Option<isize>) -> Self {
        BaseQueue::with_store(maxsize, S::default())
    }
}

impl<T, S: Store<T>> BaseQueue<T, S> {
    /// A queue keeping its items in `store`: what a Python `Queue` subclass
    /// overriding `_init`/`_put`/`_get`/`_qsize` becomes.
    ///
    /// ```
    /// use pyrt_executor::queue::{BaseQueue, Fifo, Store};
    /// use pyrt_executor::{PyException, PyResult};
    ///
    /// /// `class NoNegatives(Queue)` whose `_put` raises on negative items.
    /// #[derive(Default)]
    /// struct NoNegatives(Fifo<i32>);
    /// impl Store<i32> for NoNegatives {
    ///     fn push(&mut self, item: i32) -> PyResult<()> {
    ///         if item < 0 {
    ///             return Err(PyException::ValueError("negative".into()));
    ///         }
    ///         self.0.push(item)
    ///     }
    ///     fn pop(&mut self) -> PyResult<i32> { self.0.pop() }
    ///     fn len(&self) -> usize { self.0.len() }
    /// }
    ///
    /// let q = BaseQueue::with_store(None, NoNegatives::default());
    /// q.put(1, None, None)?;
    /// assert_eq!(q.put(-1, None, None).unwrap_err().to_string(), "ValueError: negative");
    /// assert_eq!(q.unfinished_tasks(), 1); // the failed put counts no task
    /// # Ok::<(), PyException>(())
    /// ```
    pub fn with_store(maxsize: Option<isize>, store: S) -> Self {
        BaseQueue {
            inner: Arc::new(Inner {
                state: HotMutex::new(State {
                    items: store,
                    maxsize: maxsize.unwrap_or(0),
                    unfinished: 0,
                    blocked: 0,
                    not_empty: Waiters::default(),
                    not_full: Waiters::default(),
                    all_done: Waiters::default(),
                }),
                version: AtomicUsize::new(0),
            }),
            _items: PhantomData,
        }
    }

    /// CPython's `0 < self.maxsize <= self._qsize()`.
    fn is_full(st: &State<S>) -> bool {
        st.maxsize > 0 && st.items.len() >= st.maxsize as usize
    }

    fn lock(&self) -> HotGuard<'_, State<S>> {
        self.inner.state.lock()
    }

    /// Records a change a waiter may wait for. Call it with the lock held
    /// and *before* waking anyone: a woken waiter reads the version first
    /// (without the lock), and it must see the new one, or it would go
    /// back to sleep on the wake-up meant for it.
    fn changed(&self) {
        self.inner.version.fetch_add(1, Ordering::Release);
    }

    /// Blocks until `ready` returns `Some` (checked under the lock) or
    /// `deadline` passes, registering in `waiters` meanwhile and counting
    /// the caller in `blocked` while it waits.
    ///
    /// `put` and `get` wake one waiter each (CPython's `notify()`), so the
    /// lists hold only threads that still wait: a caller leaving removes
    /// its waker, and one that times out while the condition it waited for
    /// holds passes the wake-up it may have consumed on (`timed_out`).
    fn wait_for<R>(
        &self,
        deadline: Option<Instant>,
        mut ready: impl FnMut(&mut State<S>) -> Option<R>,
        waiters: impl Fn(&mut State<S>) -> &mut Waiters,
        timed_out: impl FnOnce(&mut State<S>),
    ) -> Option<R> {
        // Most calls need not wait: try once before setting up a wait.
        if let Some(r) = ready(&mut self.lock()) {
            return Some(r);
        }
        // `timeout=0` (or a deadline already past): CPython raises at once.
        if deadline.is_some_and(|d| Instant::now() >= d) {
            return None;
        }
        let mut registered: Option<(Waker, usize)> = None;
        let got = block_until(deadline, |w| {
            if let Some((mine, seen)) = &registered {
                if mine.will_wake(w) && self.inner.version.load(Ordering::Acquire) == *seen {
                    // Nothing changed: give the core to a thread that can
                    // change something (on a busy machine the caller that
                    // would fill or drain the queue may be waiting for it).
                    crate::loom::yield_now();
                    return None;
                }
            }
            let mut st = self.lock();
            if let Some(r) = ready(&mut st) {
                if let Some((w, _)) = &registered {
                    st.blocked -= 1;
                    waiters(&mut st).remove(w);
                }
                return Some(r);
            }
            waiters(&mut st).register(w);
            if registered.is_none() {
                st.blocked += 1;
            }
            // Versions change only under the lock we hold.
            registered = Some((w.clone(), self.inner.version.load(Ordering::Relaxed)));
            None
        });
        if got.is_none() {
            if let Some((w, _)) = &registered {
                let mut st = self.lock();
                st.blocked -= 1;
                waiters(&mut st).remove(w);
                self.changed();
                timed_out(&mut st);
            }
        }
        got
    }

    /// The `maxsize` attribute: what the queue was made with (or last set
    /// to); zero or negative means unbounded.
    ///
    /// ```
    /// use pyrt_executor::queue::Queue;
    /// assert_eq!(Queue::<u8>::new(None).maxsize(), 0); // unbounded
    /// ```
    pub fn maxsize(&self) -> isize {
        self.lock().maxsize
    }

    /// `q.maxsize = n`: CPython reads the attribute on every `put`, so a
    /// smaller size makes later puts block (callers already blocked are not
    /// woken, as in CPython).
    ///
    /// ```
    /// use pyrt_executor::queue::Queue;
    /// let q = Queue::new(Some(3));
    /// q.put_nowait(1)?;
    /// q.put_nowait(2)?;
    /// q.set_maxsize(2);
    /// assert_eq!(q.put_nowait(3).unwrap_err().name(), "Full");
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn set_maxsize(&self, maxsize: isize) {
        let mut st = self.lock();
        st.maxsize = maxsize;
        self.changed();
    }

    /// `qsize()`: the number of items (approximate under concurrency, as in
    /// Python).
    ///
    /// ```
    /// use pyrt_executor::queue::Queue;
    /// let q = Queue::new(None);
    /// q.put(1, None, None)?;
    /// q.put(2, None, None)?;
    /// assert_eq!(q.qsize(), 2);
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn qsize(&self) -> usize {
        self.lock().items.len()
    }

    /// `empty()`.
    ///
    /// ```
    /// use pyrt_executor::queue::Queue;
    /// let q = Queue::new(None);
    /// assert!(q.empty());
    /// q.put_nowait("x")?;
    /// assert!(!q.empty());
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn empty(&self) -> bool {
        self.lock().items.is_empty()
    }

    /// `full()`.
    ///
    /// ```
    /// use pyrt_executor::queue::Queue;
    /// let q = Queue::new(Some(1));
    /// q.put(1, None, None)?;
    /// assert!(q.full());
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn full(&self) -> bool {
        Self::is_full(&self.lock())
    }

    /// The `unfinished_tasks` attribute: items put and not yet marked
    /// [`task_done`](Self::task_done) (a `put` whose store raised counts
    /// none).
    ///
    /// ```
    /// use pyrt_executor::queue::Queue;
    /// let q = Queue::new(None);
    /// q.put("a", None, None)?;
    /// q.get(None, None)?;
    /// assert_eq!(q.unfinished_tasks(), 1);
    /// q.task_done()?;
    /// assert_eq!(q.unfinished_tasks(), 0);
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn unfinished_tasks(&self) -> usize {
        self.lock().unfinished
    }

    /// How many callers are blocked in `put`, `get` or `join` right now
    /// (CPython's `len(q.not_full._waiters)` and friends; for tests).
    #[doc(hidden)]
    pub fn waiter_count(&self) -> usize {
        self.lock().blocked
    }

    /// Rust-side: `put(item, timeout=secs)` with a [`Duration`](std::time::Duration).
    ///
    /// ```
    /// use std::time::Duration;
    /// use pyrt_executor::queue::Queue;
    /// let q: Queue<u8> = Queue::new(Some(1));
    /// q.put_timeout(1, Duration::from_millis(10))?;
    /// let e = q.put_timeout(2, Duration::from_millis(10)).unwrap_err();
    /// assert_eq!(e.to_string(), "Full");
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn put_timeout(&self, item: T, timeout: std::time::Duration) -> PyResult<()> {
        self.put(item, None, Some(crate::exceptions::duration_secs(timeout)))
    }

    /// `put(item, block=True, timeout=None)`. Raises `Full` when the queue
    /// stays full (at once with `block=False`, after `timeout` seconds
    /// otherwise); the item is then dropped — use
    /// [`put_or_return`](Self::put_or_return) to get it back. An exception
    /// of the store (CPython's `_put`) is raised as is, and counts no task.
    ///
    /// ```
    /// use pyrt_executor::queue::Queue;
    /// use pyrt_executor::PyClass;
    /// let q = Queue::new(Some(1));
    /// q.put("a", None, None)?;
    /// let e = q.put("b", None, Some(0.01)).unwrap_err(); // q.put(x, timeout=0.01) on a full queue
    /// assert!(e.is_instance_of(&PyClass::Full));
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn put(&self, item: T, block: Option<bool>, timeout: Option<f64>) -> PyResult<()> {
        self.put_or_return(item, block, timeout).map_err(|(_, e)| e)
    }

    /// [`put`](Self::put) that hands the item back with the error, unless
    /// the store already took it (its `push` raised): then `None`.
    ///
    /// ```
    /// use pyrt_executor::queue::Queue;
    /// let q = Queue::new(Some(1));
    /// q.put(String::from("first"), None, None)?;
    /// let (back, e) = q.put_or_return(String::from("second"), Some(false), None).unwrap_err();
    /// assert_eq!(back.as_deref(), Some("second")); // the item comes back with the error
    /// assert_eq!(e.name(), "Full");
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn put_or_return(
        &self,
        item: T,
        block: Option<bool>,
        timeout: Option<f64>,
    ) -> Result<(), (Option<T>, PyException)> {
        let block = block.unwrap_or(true);
        // As in CPython, `block=False` ignores the timeout (even a negative one).
        let secs = timeout;
        let timeout = match if block {
            check_timeout_secs(timeout)
        } else {
            Ok(None)
        } {
            Ok(t) => t,
            Err(e) => return Err((Some(item), e)),
        };
        let mut item = Some(item);
        // CPython's `put` after its wait: `_put`, then count the task and
        // notify `not_empty`; a `_put` that raises skips both.
        let put = |st: &mut State<S>, item: &mut Option<T>| {
            if Self::is_full(st) {
                return None;
            }
            let pushed = st.items.push(item.take().expect("put once"));
            if pushed.is_ok() {
                st.unfinished += 1;
                self.changed();
                st.not_empty.wake_one();
            }
            Some(pushed)
        };
        let done = if block {
            match timeout_range_error(secs) {
                // CPython converts the timeout only when it has to wait.
                Some(e) => match put(&mut self.lock(), &mut item) {
                    None => return Err((item, e)),
                    done => done,
                },
                None => self.wait_for(
                    deadline(timeout),
                    |st| put(st, &mut item),
                    |st| &mut st.not_full,
                    |st| {
                        if !Self::is_full(st) {
                            st.not_full.wake_one();
                        }
                    },
                ),
            }
        } else {
            put(&mut self.lock(), &mut item)
        };
        match done {
            Some(Ok(())) => Ok(()),
            Some(Err(e)) => Err((None, e)),
            None => Err((item, PyException::Full(String::new()))),
        }
    }

    /// `put_nowait(item)`: `put(item, block=False)`.
    ///
    /// ```
    /// use pyrt_executor::queue::Queue;
    /// let q = Queue::new(Some(1));
    /// q.put_nowait(1)?;
    /// assert_eq!(q.put_nowait(2).unwrap_err().name(), "Full");
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn put_nowait(&self, item: T) -> PyResult<()> {
        self.put(item, Some(false), None)
    }

    /// Rust-side: `get(timeout=secs)` with a [`Duration`](std::time::Duration).
    ///
    /// ```
    /// use std::time::Duration;
    /// use pyrt_executor::queue::Queue;
    /// let q: Queue<u8> = Queue::new(None);
    /// assert_eq!(q.get_timeout(Duration::from_millis(10)).unwrap_err().to_string(), "Empty");
    /// q.put(3, None, None)?;
    /// assert_eq!(q.get_timeout(Duration::from_millis(10))?, 3);
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn get_timeout(&self, timeout: std::time::Duration) -> PyResult<T> {
        self.get(None, Some(crate::exceptions::duration_secs(timeout)))
    }

    /// `get(block=True, timeout=None)`. Raises `Empty` when no item comes
    /// (at once with `block=False`, after `timeout` seconds otherwise). An
    /// exception of the store (CPython's `_get`) is raised as is.
    ///
    /// ```
    /// use pyrt_executor::queue::Queue;
    /// use pyrt_executor::PyClass;
    /// let q = Queue::new(None);
    /// q.put(7, None, None)?;
    /// assert_eq!(q.get(None, None)?, 7);
    /// assert!(q.get(None, Some(0.01)).unwrap_err().is_instance_of(&PyClass::Empty));
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn get(&self, block: Option<bool>, timeout: Option<f64>) -> PyResult<T> {
        let block = block.unwrap_or(true);
        // As in CPython, `block=False` ignores the timeout (even a negative one).
        let secs = timeout;
        let timeout = if block {
            check_timeout_secs(timeout)?
        } else {
            None
        };
        // CPython's `get` after its wait: `_get`, then notify `not_full`; a
        // `_get` that raises skips the notify.
        let get = |st: &mut State<S>| {
            if st.items.is_empty() {
                return None;
            }
            let item = st.items.pop();
            if item.is_ok() {
                self.changed();
                st.not_full.wake_one();
            }
            Some(item)
        };
        let got = if block {
            match timeout_range_error(secs) {
                // CPython converts the timeout only when it has to wait.
                Some(e) => Some(get(&mut self.lock()).ok_or(e)?),
                None => self.wait_for(
                    deadline(timeout),
                    get,
                    |st| &mut st.not_empty,
                    |st| {
                        if !st.items.is_empty() {
                            st.not_empty.wake_one();
                        }
                    },
                ),
            }
        } else {
            get(&mut self.lock())
        };
        got.unwrap_or_else(|| Err(PyException::Empty(String::new())))
    }

    /// `get_nowait()`: `get(block=False)`.
    ///
    /// ```
    /// use pyrt_executor::queue::LifoQueue;
    /// let q = LifoQueue::new(None);
    /// q.put(1, None, None)?;
    /// q.put(2, None, None)?;
    /// assert_eq!(q.get_nowait()?, 2); // last in, first out
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn get_nowait(&self) -> PyResult<T> {
        self.get(Some(false), None)
    }

    /// `task_done()`: one earlier `get` item is fully processed. Raises
    /// `ValueError: task_done() called too many times`.
    ///
    /// ```
    /// use pyrt_executor::queue::Queue;
    /// let q: Queue<i32> = Queue::new(None);
    /// let e = q.task_done().unwrap_err();
    /// assert_eq!(e.to_string(), "ValueError: task_done() called too many times");
    /// ```
    pub fn task_done(&self) -> PyResult<()> {
        let mut st = self.lock();
        if st.unfinished == 0 {
            return Err(PyException::ValueError(
                "task_done() called too many times".into(),
            ));
        }
        st.unfinished -= 1;
        if st.unfinished == 0 {
            self.changed();
            st.all_done.wake_all();
        }
        Ok(())
    }

    /// `join()`: blocks until every item ever put was marked `task_done`.
    ///
    /// ```
    /// use pyrt_executor::queue::Queue;
    /// use pyrt_executor::threading::Thread;
    /// let q = Queue::new(None);
    /// q.put(1, None, None)?;
    /// let q2 = q.clone();
    /// let worker = Thread::new(move || -> pyrt_executor::PyResult<()> {
    ///     q2.get(None, None)?;
    ///     q2.task_done()
    /// });
    /// worker.start()?;
    /// q.join(); // returns once every item put was marked done
    /// worker.join(None)?;
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn join(&self) {
        self.wait_for(
            None,
            |st| (st.unfinished == 0).then_some(()),
            |st| &mut st.all_done,
            |_| {},
        );
    }
}
