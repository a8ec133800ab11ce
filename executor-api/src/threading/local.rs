//! `threading.local`: a value per thread.
//!
//! Each `Local` keeps one slot per Python thread that touched it, keyed by
//! that thread's [`get_ident`] (never reused). A slot is made on a thread's
//! first access and registered with the thread's identity
//! (`ident::at_thread_exit`), so it is dropped when the thread ends — when
//! a [`Thread`](super::Thread)'s target returns (before `join()` does), when
//! any other OS thread exits, and when a call run nested on a worker (which
//! has an identity of its own, see `ident.rs`) returns — or when the
//! `Local` itself is dropped, as CPython clears a thread's locals with its
//! thread state. The map of slots is locked only to find a slot, never
//! while user code runs, so threads never wait for each other's values.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, TryLockError, Weak};

use super::ident::{at_thread_exit, get_ident, ForgetThread};
use crate::exceptions::{PyException, PyResult};

type Slot<T> = Arc<Mutex<Option<T>>>;
type Init<T> = Box<dyn Fn() -> T + Send + Sync>;

/// `threading.local()`, holding one `T` per thread (Python's attribute bag
/// becomes a struct `T`). Clones are the same `local` object.
///
/// A thread's value is dropped when that thread ends, or with the `Local`.
///
/// ```
/// use pyrt_executor::threading::Local;
/// let data: Local<u32> = Local::new();
/// data.set(1);
/// let d2 = data.clone();
/// std::thread::spawn(move || {
///     assert_eq!(d2.get(), None);
///     assert_eq!(
///         d2.getattr("x").unwrap_err().to_string(),
///         "AttributeError: '_thread._local' object has no attribute 'x'"
///     );
/// })
/// .join()
/// .unwrap();
/// assert_eq!(data.get(), Some(1));
/// assert_eq!(data.take_attr("x")?, 1);
/// assert!(data.take_attr("x").is_err());
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
///
/// `local()` takes no arguments (CPython's `TypeError: Initialization
/// arguments are not supported`) — here that is a compile error:
///
/// ```compile_fail
/// let l = pyrt_executor::threading::Local::<u32>::new(1);
/// ```
pub struct Local<T> {
    inner: Arc<Inner<T>>,
    class: &'static str,
}

struct Inner<T> {
    slots: Mutex<HashMap<u64, Slot<T>>>,
    init: Option<Init<T>>,
}

impl<T> Inner<T> {
    fn slots(&self) -> MutexGuard<'_, HashMap<u64, Slot<T>>> {
        self.slots.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl<T: Send> ForgetThread for Inner<T> {
    fn forget_thread(&self, ident: u64) {
        let slot = self.slots().remove(&ident);
        // Dropped with the map unlocked: a value's `Drop` may use locals.
        drop(slot);
    }
}

impl<T> Clone for Local<T> {
    fn clone(&self) -> Self {
        Local {
            inner: self.inner.clone(),
            class: self.class,
        }
    }
}

impl<T> std::fmt::Debug for Local<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "<{} object>", self.class)
    }
}

impl<T: Send + 'static> Default for Local<T> {
    fn default() -> Self {
        Self::from_init(None)
    }
}

impl<T: Send + 'static> Local<T> {
    /// `threading.local()`: empty on every thread.
    ///
    /// ```
    /// use pyrt_executor::threading::Local;
    /// let local: Local<u32> = Local::new();
    /// local.set(1);
    /// let l2 = local.clone();
    /// std::thread::spawn(move || assert_eq!(l2.get(), None)).join().unwrap(); // per thread
    /// assert_eq!(local.get(), Some(1));
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// A `threading.local` subclass with an `__init__`: `init` makes the
    /// value of each thread, on its first access (CPython runs `__init__`
    /// again in every thread that touches the object), and of the creating
    /// thread right away, as constructing the object does. Arguments of
    /// `MyLocal(*args)` are captured by `init`.
    ///
    /// ```
    /// use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
    /// use std::sync::Arc;
    /// use pyrt_executor::threading::Local;
    /// let runs = Arc::new(AtomicUsize::new(0));
    /// let r = runs.clone();
    /// let local = Local::with_init(move || r.fetch_add(1, SeqCst) + 100).named("MyLocal");
    /// assert_eq!(runs.load(SeqCst), 1, "__init__ ran in the creating thread");
    /// let l2 = local.clone();
    /// std::thread::spawn(move || assert_eq!(l2.get(), Some(101))).join().unwrap();
    /// assert_eq!(local.get(), Some(100));
    /// assert_eq!(runs.load(SeqCst), 2);
    /// ```
    pub fn with_init(init: impl Fn() -> T + Send + Sync + 'static) -> Self {
        let local = Self::from_init(Some(Box::new(init)));
        drop(local.slot());
        local
    }

    fn from_init(init: Option<Init<T>>) -> Self {
        Local {
            inner: Arc::new(Inner {
                slots: Mutex::default(),
                init,
            }),
            class: "_thread._local",
        }
    }

    /// The class name in `AttributeError` messages (default
    /// `_thread._local`; a subclass is named after itself:
    /// `'MyLocal' object has no attribute 'x'`).
    ///
    /// ```
    /// use pyrt_executor::threading::Local;
    /// let l: Local<u8> = Local::new().named("Ctx");
    /// assert_eq!(l.take_attr("x").unwrap_err().to_string(), "AttributeError: 'Ctx' object has no attribute 'x'");
    /// ```
    pub fn named(mut self, class: &'static str) -> Self {
        self.class = class;
        self
    }

    /// The calling thread's slot, made (and initialized) on first use.
    fn slot(&self) -> Slot<T> {
        let ident = get_ident();
        if let Some(slot) = self.inner.slots().get(&ident) {
            return slot.clone();
        }
        let slot = Slot::default();
        self.inner.slots().insert(ident, slot.clone());
        let weak: Weak<Inner<T>> = Arc::downgrade(&self.inner);
        at_thread_exit(weak);
        if let Some(init) = &self.inner.init {
            // Run with nothing locked: `__init__` may use other locals.
            let value = init();
            let old = lock_own(&slot).replace(value);
            drop(old);
        }
        slot
    }

    /// Sets the calling thread's value (`local.x = v`).
    ///
    /// ```
    /// use pyrt_executor::threading::Local;
    /// let l = Local::new();
    /// l.set("v"); // local.x = "v"
    /// assert_eq!(l.get(), Some("v"));
    /// ```
    pub fn set(&self, value: T) {
        let slot = self.slot();
        let old = lock_own(&slot).replace(value);
        drop(old);
    }

    /// Runs `f` on the calling thread's value (`None`: not set on this
    /// thread, Python's `AttributeError`). Only this thread's value is
    /// locked meanwhile, so other threads and other locals are free; using
    /// this same `Local` again inside `f` on the same thread panics (its
    /// value is lent to `f`).
    ///
    /// ```
    /// use pyrt_executor::threading::Local;
    /// let l = Local::new();
    /// l.set(vec![1]);
    /// l.with(|v| v.unwrap().push(2)); // local.x.append(2)
    /// assert_eq!(l.get(), Some(vec![1, 2]));
    /// ```
    pub fn with<R>(&self, f: impl FnOnce(Option<&mut T>) -> R) -> R {
        let slot = self.slot();
        let mut value = lock_own(&slot);
        f(value.as_mut())
    }

    /// Removes the calling thread's value (`del local.x`).
    ///
    /// ```
    /// use pyrt_executor::threading::Local;
    /// let l = Local::new();
    /// l.set(5);
    /// assert_eq!(l.take(), Some(5));
    /// assert_eq!(l.get(), None);
    /// ```
    pub fn take(&self) -> Option<T> {
        let slot = self.slot();
        // Edition 2024: the guard, a temporary of the tail expression, is
        // dropped before `slot`.
        lock_own(&slot).take()
    }

    /// `del local.x`: the value, or `AttributeError: 'CLASS' object has no
    /// attribute 'x'` if this thread has none.
    ///
    /// ```
    /// use pyrt_executor::threading::Local;
    /// let l = Local::new();
    /// l.set(5);
    /// assert_eq!(l.take_attr("x")?, 5); // del local.x
    /// assert!(l.take_attr("x").is_err());
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn take_attr(&self, attr: &str) -> PyResult<T> {
        self.take().ok_or_else(|| self.no_attribute(attr))
    }

    fn no_attribute(&self, attr: &str) -> PyException {
        PyException::AttributeError(format!("'{}' object has no attribute '{attr}'", self.class))
    }
}

impl<T: Clone + Send + 'static> Local<T> {
    /// The calling thread's value, if set.
    ///
    /// ```
    /// use pyrt_executor::threading::Local;
    /// let l: Local<i32> = Local::new();
    /// assert_eq!(l.get(), None);
    /// l.set(3);
    /// assert_eq!(l.get(), Some(3));
    /// ```
    pub fn get(&self) -> Option<T> {
        self.with(|v| v.cloned())
    }

    /// `local.x`: the calling thread's value, or CPython's `AttributeError:
    /// '_thread._local' object has no attribute 'x'` if it has none here.
    ///
    /// ```
    /// use pyrt_executor::threading::Local;
    /// let l: Local<u8> = Local::new().named("LocalSubclass");
    /// let e = l.getattr("x").unwrap_err();
    /// assert_eq!(e.to_string(), "AttributeError: 'LocalSubclass' object has no attribute 'x'");
    /// ```
    pub fn getattr(&self, attr: &str) -> PyResult<T> {
        self.get().ok_or_else(|| self.no_attribute(attr))
    }
}

/// Locks a slot of the calling thread. Only its own thread ever locks a
/// slot, so a slot that is locked already is lent to an enclosing
/// [`Local::with`] on this very thread: waiting would deadlock.
fn lock_own<T>(slot: &Mutex<Option<T>>) -> MutexGuard<'_, Option<T>> {
    match slot.try_lock() {
        Ok(g) => g,
        Err(TryLockError::Poisoned(p)) => p.into_inner(),
        Err(TryLockError::WouldBlock) => panic!(
            "threading.local: this thread's value is lent to an enclosing Local::with \
             (use it through that closure's argument)"
        ),
    }
}
