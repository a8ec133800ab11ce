//! `queue.Queue` and its subclasses: one implementation, three orders.
//!
//! One lock (`HotMutex`: std's, taken after pauses and yields;
//! `crate::loom` says why) guards the items, `maxsize`, the unfinished-task
//! count and three waiter lists (`not_empty`, `not_full`, `all_done`), as
//! CPython's one mutex guards its three conditions. A `put` wakes one
//! blocked `get` and a `get` one blocked `put` (CPython's `notify()`); the
//! last `task_done` wakes every `join`. A blocked caller spins a little
//! before it parks (`pyrt_scheduler::block_on_until`); while it spins it
//! reads an atomic version counter, bumped under the lock by every change a
//! waiter could wait for, and takes the lock again only when that moved, so
//! the waiters do not fight the running side for the lock.
//!
//! # The ring of a bounded `Queue`
//!
//! A `Queue(maxsize=n)` (first in, first out, `n > 0`, its slots within
//! [`RING_MAX_BYTES`])
//! keeps its items and its `unfinished_tasks` in a lock-free ring instead
//! (`ring.rs`), and a `put`, `get` or `task_done` that need not wait takes
//! no lock: with four threads taking one lock per item, the lock's cache
//! line was where the time went. Waiting is unchanged: a caller that must
//! wait takes the lock, registers and publishes its list's length, then
//! looks at the ring once more; an operation on the ring reads the length
//! of the list it would wake after its change (`SeqCst` on both sides:
//! `wake_after_ring_op` says why that is enough), and if anyone waits,
//! takes the lock to wake as the locked path does. So either the waiter
//! sees the change or the changer sees the waiter. A blocking `put` or
//! `get` that finds the ring full or empty tries it again for a couple of
//! microseconds (`waiting::try_for_a_while`, as a `Lock` does) before it
//! waits: a listed waiter makes every operation that would wake it take
//! the lock. `q.maxsize = n` (to a
//! new size) closes the ring for good and moves its items into the store,
//! which serves every operation from then on: the ring's size is fixed.

use crate::loom::{fence, AtomicUsize, HotGuard, HotMutex, Ordering};
use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use super::ring::{Refused, Ring};
use super::store::Store;
use crate::exceptions::{check_timeout_secs, PyException, PyResult};
use crate::waiting::{block_until, deadline, timeout_range_error, try_for_a_while, Waiters};
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
    inner: Arc<Inner<T, S>>,
    _items: PhantomData<fn(T) -> T>,
}

/// The most bytes a `Queue`'s ring may take (see the module docs): its
/// slots are allocated when the queue is made, where CPython's deque grows
/// with the items, so a large `maxsize` of large items keeps the lock
/// instead (1 MiB: 65 536 slots of a `u64`).
pub(super) const RING_MAX_BYTES: usize = 1 << 20;

struct Inner<T, S> {
    state: HotMutex<State<S>>,
    /// The items and the unfinished count of a bounded FIFO queue while
    /// its `maxsize` stays as made (see the module docs).
    ring: Option<Ring<T>>,
    /// The wakers listed in `not_empty` (blocked gets), `not_full` (blocked
    /// puts) and `all_done` (blocked joins): set under the lock whenever a
    /// list changes ([`BaseQueue::publish_lens`]), read without it by the
    /// operations on the ring that would wake them.
    getters: AtomicUsize,
    putters: AtomicUsize,
    joiners: AtomicUsize,
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
    /// `unfinished_tasks`: puts not yet matched by `task_done` (while the
    /// ring is open, the ring counts them).
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
        let maxsize = maxsize.unwrap_or(0);
        let ring = (store.ring_ok()
            && maxsize > 0
            && (maxsize as usize).saturating_mul(Ring::<T>::SLOT_BYTES) <= RING_MAX_BYTES)
            .then(|| Ring::new(maxsize as usize));
        BaseQueue {
            inner: Arc::new(Inner {
                state: HotMutex::new(State {
                    items: store,
                    maxsize,
                    unfinished: 0,
                    blocked: 0,
                    not_empty: Waiters::default(),
                    not_full: Waiters::default(),
                    all_done: Waiters::default(),
                }),
                ring,
                getters: AtomicUsize::new(0),
                putters: AtomicUsize::new(0),
                joiners: AtomicUsize::new(0),
                version: AtomicUsize::new(0),
            }),
            _items: PhantomData,
        }
    }

    /// The ring, while it is open.
    fn ring(&self) -> Option<&Ring<T>> {
        self.inner.ring.as_ref().filter(|r| !r.is_closed())
    }

    /// CPython's `self._qsize()`, with the lock held.
    fn len(&self, st: &State<S>) -> usize {
        match self.inner.ring.as_ref().and_then(Ring::len) {
            Some(n) => n,
            None => st.items.len(),
        }
    }

    /// CPython's `0 < self.maxsize <= self._qsize()`, with the lock held.
    fn is_full(&self, st: &State<S>) -> bool {
        st.maxsize > 0 && self.len(st) >= st.maxsize as usize
    }

    /// `unfinished_tasks`, with the lock held.
    fn unfinished(&self, st: &State<S>) -> usize {
        match self.inner.ring.as_ref().and_then(Ring::unfinished) {
            Some(n) => n,
            None => st.unfinished,
        }
    }

    /// After a `put`, `get` or `task_done` on the ring, which took no lock:
    /// wakes as the locked path would (`wake`), if anyone is blocked on
    /// the list it wakes (`blocked`).
    ///
    /// Why no wake-up is lost, with no fence on this side (crossbeam's
    /// channels reason the same way): the operation's CAS on `tail`,
    /// `head` or `done` and this load are `SeqCst`, and so are a waiter's
    /// store of its list's length and its second look at the ring
    /// ([`wait_for`](Self::wait_for)), which reads those same positions. In
    /// the one order of all `SeqCst` operations, either our load comes
    /// after the waiter's store (we see it and wake it), or our CAS came
    /// before its look, which then sees the position moved: a `get` that
    /// sees `tail` past its slot waits for the put's write to land
    /// (`ring.rs`, `WAIT_FOR_IN_FLIGHT`), a `put` that sees
    /// `head` past the item in its slot waits for the get's read. Loom
    /// cannot run that wait, so under loom the ring answers full or empty
    /// there instead, and a `SeqCst` fence here orders our change before
    /// the load (the models check the protocol in that form).
    fn wake_after_ring_op(&self, blocked: &AtomicUsize, wake: impl FnOnce(&mut State<S>)) {
        if cfg!(loom) {
            fence(Ordering::SeqCst);
        }
        if blocked.load(Ordering::SeqCst) > 0 {
            let mut st = self.lock();
            self.changed();
            wake(&mut st);
            self.publish_lens(&st);
        }
    }

    /// Publishes the lengths of the waiter lists (the lock is held) for
    /// the operations on the ring, after any change to a list. A count
    /// that did not change is not written, so its readers keep their copy
    /// of its cache line.
    fn publish_lens(&self, st: &State<S>) {
        let lists = [
            (&self.inner.getters, &st.not_empty),
            (&self.inner.putters, &st.not_full),
            (&self.inner.joiners, &st.all_done),
        ];
        for (count, list) in lists {
            if count.load(Ordering::Relaxed) != list.len() {
                // `SeqCst`: see `wake_after_ring_op`.
                count.store(list.len(), Ordering::SeqCst);
            }
        }
    }

    /// `q.maxsize = n` on a queue with an open ring: closes it and moves
    /// its items and unfinished count into the store (the lock is held).
    fn retire_ring(&self, st: &mut State<S>) {
        if let Some(ring) = self.ring() {
            let items = &mut st.items;
            st.unfinished = ring.close(|item| {
                // Only a `Fifo` has a ring, and its `push` cannot fail.
                let pushed = items.push(item);
                debug_assert!(pushed.is_ok());
            });
        }
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
            let leave = |st: &mut State<S>, w: &Waker| {
                st.blocked -= 1;
                waiters(st).remove(w);
                self.publish_lens(st);
            };
            if let Some(r) = ready(&mut st) {
                if let Some((w, _)) = &registered {
                    leave(&mut st, w);
                }
                return Some(r);
            }
            if registered.is_none() {
                st.blocked += 1;
            }
            let listed = waiters(&mut st).len();
            waiters(&mut st).register(w);
            if waiters(&mut st).len() != listed {
                // An operation on the ring takes no lock: it reads the
                // list's length after its change, so look once more now
                // that we are in it (see `wake_after_ring_op`).
                self.publish_lens(&st);
                fence(Ordering::SeqCst);
                if let Some(r) = ready(&mut st) {
                    leave(&mut st, w);
                    return Some(r);
                }
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
                self.publish_lens(&st);
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
        if self
            .ring()
            .is_some_and(|r| r.capacity() as isize != maxsize)
        {
            self.retire_ring(&mut st);
        }
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
        if let Some(n) = self.inner.ring.as_ref().and_then(Ring::len) {
            return n;
        }
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
        self.qsize() == 0
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
        if let Some(ring) = &self.inner.ring {
            // While the ring is open, `maxsize` is its capacity.
            if let Some(n) = ring.len() {
                return n >= ring.capacity();
            }
        }
        self.is_full(&self.lock())
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
        if let Some(n) = self.inner.ring.as_ref().and_then(Ring::unfinished) {
            return n;
        }
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
        // A put that need not wait, on the ring: no lock. One that may wait
        // (blocking, not `timeout=0`) and finds it full tries for a while
        // before it registers: a registered waiter makes every `get` take
        // the lock to wake it.
        let may_wait = block && timeout != Some(std::time::Duration::ZERO);
        // (Not `self.ring()`: the ring refuses itself once closed.)
        let item = match &self.inner.ring {
            Some(ring) => {
                let mut item = Some(item);
                let mut attempt = || match ring.push(item.take().expect("put once")) {
                    Ok(()) => true,
                    Err(Refused::No(back) | Refused::Closed(back)) => {
                        item = Some(back);
                        false
                    }
                };
                let pushed = if may_wait {
                    try_for_a_while(attempt)
                } else {
                    attempt()
                };
                if pushed {
                    self.wake_after_ring_op(&self.inner.getters, |st| st.not_empty.wake_one());
                    return Ok(());
                }
                item.expect("not pushed")
            }
            None => item,
        };
        let mut item = Some(item);
        // CPython's `put` after its wait: `_put`, then count the task and
        // notify `not_empty`; a `_put` that raises skips both.
        let put = |st: &mut State<S>, item: &mut Option<T>| {
            if let Some(ring) = self.ring() {
                match ring.push(item.take().expect("put once")) {
                    Ok(()) => {
                        self.changed();
                        st.not_empty.wake_one();
                        self.publish_lens(st);
                        return Some(Ok(()));
                    }
                    Err(Refused::No(back)) => {
                        *item = Some(back);
                        return None;
                    }
                    // Closed before we took the lock: the store has it all.
                    Err(Refused::Closed(back)) => *item = Some(back),
                }
            }
            if self.is_full(st) {
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
                        if !self.is_full(st) {
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
        // A get that need not wait, on the ring: no lock. One that may wait
        // and finds it empty tries for a while before it registers.
        let may_wait = block && timeout != Some(std::time::Duration::ZERO);
        // (Not `self.ring()`, which reads the producers' `tail`.)
        if let Some(ring) = &self.inner.ring {
            let mut got = None;
            let mut attempt = || {
                got = ring.pop().ok();
                got.is_some()
            };
            let popped = if may_wait {
                try_for_a_while(attempt)
            } else {
                attempt()
            };
            if popped {
                self.wake_after_ring_op(&self.inner.putters, |st| st.not_full.wake_one());
                return Ok(got.expect("popped"));
            }
        }
        // CPython's `get` after its wait: `_get`, then notify `not_full`; a
        // `_get` that raises skips the notify.
        let get = |st: &mut State<S>| {
            if let Some(ring) = self.ring() {
                match ring.pop() {
                    Ok(item) => {
                        self.changed();
                        st.not_full.wake_one();
                        self.publish_lens(st);
                        return Some(Ok(item));
                    }
                    Err(Refused::No(())) => return None,
                    // Closed before we took the lock: the store has it all.
                    Err(Refused::Closed(())) => {}
                }
            }
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
                        if self.len(st) != 0 {
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
        let too_many = || PyException::ValueError("task_done() called too many times".into());
        if let Some(ring) = &self.inner.ring {
            match ring.task_done() {
                Ok(now_zero) => {
                    if now_zero {
                        self.wake_after_ring_op(&self.inner.joiners, |st| st.all_done.wake_all());
                    }
                    return Ok(());
                }
                Err(Refused::No(())) => return Err(too_many()),
                // Closed (or closing): the lock waits for the store.
                Err(Refused::Closed(())) => {}
            }
        }
        let mut st = self.lock();
        if st.unfinished == 0 {
            return Err(too_many());
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
            |st| (self.unfinished(st) == 0).then_some(()),
            |st| &mut st.all_done,
            |_| {},
        );
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::super::{LifoQueue, Queue};

    #[test]
    fn only_a_bounded_fifo_of_modest_size_gets_a_ring() {
        assert!(Queue::<u64>::new(Some(1024)).inner.ring.is_some());
        assert!(Queue::<u64>::new(Some(65_536)).inner.ring.is_some());
        assert!(Queue::<u64>::new(Some(65_537)).inner.ring.is_none());
        assert!(Queue::<[u8; 4096]>::new(Some(1024)).inner.ring.is_none());
        assert!(Queue::<u64>::new(None).inner.ring.is_none());
        assert!(Queue::<u64>::new(Some(-3)).inner.ring.is_none());
        assert!(LifoQueue::<u64>::new(Some(8)).inner.ring.is_none());
        // A maxsize change closes it for good.
        let q = Queue::<u64>::new(Some(2));
        q.set_maxsize(2);
        assert!(q.ring().is_some());
        q.set_maxsize(3);
        assert!(q.ring().is_none());
        q.set_maxsize(2);
        assert!(q.ring().is_none());
    }
}
