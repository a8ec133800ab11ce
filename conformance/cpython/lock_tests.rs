//! Ports of CPython 3.11's `Lib/test/lock_tests.py` (see `SKIPPED.md` for the
//! tests that cannot apply, with the reason).
//!
//! `lock_tests.py` holds base classes; `test_threading.py` runs them for
//! `threading`'s types (`LockTests`, `PyRLockTests`/`CRLockTests`,
//! `ConditionAsRLockTests`, `EventTests`, `ConditionTests`,
//! `SemaphoreTests`, `BoundedSemaphoreTests`, `BarrierTests`). Here each
//! base test is a generic helper and each class that runs it has its own
//! `#[test]`: `lock_test_*` (`Lock`), `rlock_test_*` (`RLock`; we have one
//! implementation, so `PyRLockTests` and `CRLockTests` are one set),
//! `condition_as_rlock_test_*`, `event_test_*`, `condition_test_*`,
//! `semaphore_test_*`, `bounded_semaphore_test_*`, `barrier_test_*`.
//!
//! Where CPython sleeps "to let threads block" (`wait_threads_blocked`), we
//! wait until the primitive counts that many blocked threads.

mod common;

use std::fmt::Debug;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use common::{assert_raises, watchdog};
use executor_api::threading::{
    get_ident, Barrier, BoundedSemaphore, Condition, Event, Lock, RLock, Semaphore, TIMEOUT_MAX,
};
use executor_api::{PyClass, PyException, PyResult};

/// `support.SHORT_TIMEOUT`: how long a loop-until may take before it fails.
const SHORT_TIMEOUT: Duration = Duration::from_secs(60);
/// `support.LONG_TIMEOUT`, in seconds.
const LONG_TIMEOUT: f64 = 300.0;

/// `for _ in support.sleeping_retry(SHORT_TIMEOUT): if cond(): break`
/// (it raises when the time is up).
#[track_caller]
fn wait_until(mut cond: impl FnMut() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(start.elapsed() < SHORT_TIMEOUT, "timed out waiting");
        std::thread::sleep(Duration::from_millis(1)); // allow-sleep: support.sleeping_retry's poll, bounded by SHORT_TIMEOUT
    }
}

/// `BaseTestCase.assertTimeout`: the wait took about `expected` seconds.
#[track_caller]
fn assert_timeout(actual: f64, expected: f64) {
    assert!(actual >= expected * 0.6, "{actual} < {expected} * 0.6");
    assert!(actual < expected * 10.0, "{actual} >= {expected} * 10");
}

fn secs(since: Instant) -> f64 {
    since.elapsed().as_secs_f64()
}

fn shared<T>(v: T) -> Arc<Mutex<T>> {
    Arc::new(Mutex::new(v))
}

fn len<T>(v: &Arc<Mutex<Vec<T>>>) -> usize {
    v.lock().unwrap().len()
}

fn get<T: Clone>(v: &Arc<Mutex<T>>) -> T {
    v.lock().unwrap().clone()
}

/// `lock_tests.Bunch`: `n` threads (raw ones, as `_thread.start_new_thread`)
/// running `f`; a panic in one is collected and re-raised at the end, as
/// CPython's `ExceptionGroup`.
struct Bunch {
    n: usize,
    started: Arc<AtomicUsize>,
    finished: Arc<AtomicUsize>,
    can_exit: Arc<AtomicBool>,
    errors: Arc<Mutex<Vec<String>>>,
    handles: Vec<JoinHandle<()>>,
}

impl Bunch {
    /// `Bunch(f, n, wait_before_exit).__enter__()`: returns once every
    /// thread has started.
    fn start(f: impl Fn() + Send + Sync + 'static, n: usize, wait_before_exit: bool) -> Bunch {
        let f = Arc::new(f);
        let mut b = Bunch {
            n,
            started: Arc::default(),
            finished: Arc::default(),
            can_exit: Arc::new(AtomicBool::new(!wait_before_exit)),
            errors: Arc::default(),
            handles: Vec::new(),
        };
        for _ in 0..n {
            let (f, started, finished) = (f.clone(), b.started.clone(), b.finished.clone());
            let (can_exit, errors) = (b.can_exit.clone(), b.errors.clone());
            b.handles.push(std::thread::spawn(move || {
                started.fetch_add(1, SeqCst);
                let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f()));
                if let Err(p) = r {
                    let msg = p
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_default();
                    errors.lock().unwrap().push(msg);
                }
                finished.fetch_add(1, SeqCst);
                wait_until(|| can_exit.load(SeqCst));
            }));
        }
        wait_until(|| b.started.load(SeqCst) >= n);
        b
    }

    fn finished(&self) -> usize {
        self.finished.load(SeqCst)
    }

    fn do_finish(&self) {
        self.can_exit.store(true, SeqCst);
    }

    /// `__exit__`: waits for every thread; panics if any raised.
    fn join(self) {
        wait_until(|| self.finished() >= self.n);
        for h in self.handles {
            h.join().unwrap();
        }
        let errors = self.errors.lock().unwrap();
        assert!(errors.is_empty(), "threads raised exceptions: {errors:?}");
    }
}

/// `with Bunch(f, n): body(bunch)`.
fn with_bunch(f: impl Fn() + Send + Sync + 'static, n: usize, body: impl FnOnce(&Bunch)) {
    let b = Bunch::start(f, n, false);
    body(&b);
    b.join();
}

// ---------------------------------------------------------------------------
// BaseLockTests, LockTests, RLockTests
// ---------------------------------------------------------------------------

/// What `BaseLockTests` needs of `self.locktype()`.
trait TestLock: Clone + Debug + Send + Sync + 'static {
    fn make() -> Self;
    fn acquire(&self, blocking: Option<bool>, timeout: Option<f64>) -> PyResult<bool>;
    fn release(&self) -> PyResult<()>;
    /// `with lock:`.
    fn hold(&self) -> PyResult<Box<dyn Debug + '_>>;
    /// Threads blocked acquiring the lock (for `wait_threads_blocked`).
    fn blocked(&self) -> usize;
    /// `repr(lock)` without the address, as CPython prints it.
    fn expected_repr(&self, locked: bool) -> String;
}

/// `RLockTests`' extra needs.
trait TestRLock: TestLock {
    fn is_owned(&self) -> bool;
    fn release_save(&self) -> PyResult<(usize, u64)>;
}

impl TestLock for Lock {
    fn make() -> Self {
        Lock::new()
    }
    fn acquire(&self, blocking: Option<bool>, timeout: Option<f64>) -> PyResult<bool> {
        Lock::acquire(self, blocking, timeout)
    }
    fn release(&self) -> PyResult<()> {
        Lock::release(self)
    }
    fn hold(&self) -> PyResult<Box<dyn Debug + '_>> {
        Ok(Box::new(self.with()?))
    }
    fn blocked(&self) -> usize {
        self.waiter_count()
    }
    fn expected_repr(&self, locked: bool) -> String {
        let state = if locked { "locked" } else { "unlocked" };
        format!("<{state} _thread.lock object>")
    }
}

fn rlock_repr(locked: bool) -> String {
    if locked {
        format!(
            "<locked _thread.RLock object owner={} count=1>",
            get_ident()
        )
    } else {
        "<unlocked _thread.RLock object owner=0 count=0>".to_string()
    }
}

impl TestLock for RLock {
    fn make() -> Self {
        RLock::new()
    }
    fn acquire(&self, blocking: Option<bool>, timeout: Option<f64>) -> PyResult<bool> {
        RLock::acquire(self, blocking, timeout)
    }
    fn release(&self) -> PyResult<()> {
        RLock::release(self)
    }
    fn hold(&self) -> PyResult<Box<dyn Debug + '_>> {
        Ok(Box::new(self.with()?))
    }
    fn blocked(&self) -> usize {
        self.waiter_count()
    }
    fn expected_repr(&self, locked: bool) -> String {
        rlock_repr(locked)
    }
}

impl TestRLock for RLock {
    fn is_owned(&self) -> bool {
        RLock::is_owned(self)
    }
    fn release_save(&self) -> PyResult<(usize, u64)> {
        RLock::release_save(self)
    }
}

/// `threading.Condition()` used as a lock (`ConditionAsRLockTests`). The
/// `RLock` is the one `Condition()` would make; we keep a handle to count
/// the threads blocked on it.
#[derive(Clone)]
struct CondAsRLock {
    cond: Condition,
    lock: RLock,
}

impl Debug for CondAsRLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.cond.fmt(f)
    }
}

impl TestLock for CondAsRLock {
    fn make() -> Self {
        let lock = RLock::new();
        let cond = Condition::new(Some(lock.clone().into()));
        CondAsRLock { cond, lock }
    }
    fn acquire(&self, blocking: Option<bool>, timeout: Option<f64>) -> PyResult<bool> {
        self.cond.acquire(blocking, timeout)
    }
    fn release(&self) -> PyResult<()> {
        self.cond.release()
    }
    fn hold(&self) -> PyResult<Box<dyn Debug + '_>> {
        Ok(Box::new(self.cond.with()?))
    }
    fn blocked(&self) -> usize {
        self.lock.waiter_count()
    }
    fn expected_repr(&self, locked: bool) -> String {
        format!("<Condition({}, 0)>", rlock_repr(locked))
    }
}

impl TestRLock for CondAsRLock {
    fn is_owned(&self) -> bool {
        self.cond.is_owned()
    }
    fn release_save(&self) -> PyResult<(usize, u64)> {
        self.cond.release_save()
    }
}

/// `BaseLockTests.wait_phase`.
#[track_caller]
fn wait_phase(phase: &AtomicUsize, expected: usize) {
    wait_until(|| phase.load(SeqCst) >= expected);
    assert_eq!(phase.load(SeqCst), expected);
}

fn base_test_constructor<L: TestLock>() {
    let lock = L::make();
    drop(lock);
}

fn base_test_repr<L: TestLock>() {
    let lock = L::make();
    let r = format!("{lock:?}");
    assert!(r.contains("<unlocked ") && r.contains(" object"), "{r}");
    assert_eq!(r, lock.expected_repr(false));
}

fn base_test_locked_repr<L: TestLock>() {
    let lock = L::make();
    lock.acquire(None, None).unwrap();
    let r = format!("{lock:?}");
    assert!(r.contains("<locked ") && r.contains(" object"), "{r}");
    assert_eq!(r, lock.expected_repr(true));
}

fn base_test_acquire_destroy<L: TestLock>() {
    let lock = L::make();
    lock.acquire(None, None).unwrap();
    drop(lock);
}

fn base_test_acquire_release<L: TestLock>() {
    let lock = L::make();
    lock.acquire(None, None).unwrap();
    lock.release().unwrap();
}

fn base_test_try_acquire<L: TestLock>() {
    let lock = L::make();
    assert!(lock.acquire(Some(false), None).unwrap());
    lock.release().unwrap();
}

fn base_test_try_acquire_contended<L: TestLock>() {
    watchdog(|| {
        let lock = L::make();
        lock.acquire(None, None).unwrap();
        let result = shared(Vec::new());
        let (l, r) = (lock.clone(), result.clone());
        with_bunch(
            move || {
                let got = l.acquire(Some(false), None).unwrap();
                r.lock().unwrap().push(got);
            },
            1,
            |_| {},
        );
        assert!(!get(&result)[0]);
        lock.release().unwrap();
    })
}

fn base_test_acquire_contended<L: TestLock>() {
    watchdog(|| {
        let lock = L::make();
        lock.acquire(None, None).unwrap();
        let l = lock.clone();
        let f = move || {
            l.acquire(None, None).unwrap();
            l.release().unwrap();
        };
        const N: usize = 5;
        let b = Bunch::start(f, N, false);
        // Threads block on lock.acquire()
        wait_until(|| lock.blocked() >= N);
        assert_eq!(b.finished(), 0);
        // Threads unblocked
        lock.release().unwrap();
        let finished = b.finished.clone();
        b.join();
        assert_eq!(finished.load(SeqCst), N);
    })
}

fn acquire_release_fn<L: TestLock>(lock: &L) -> impl Fn() + Send + Sync + 'static {
    let l = lock.clone();
    move || {
        l.acquire(None, None).unwrap();
        l.release().unwrap();
    }
}

fn base_test_with<L: TestLock>() {
    watchdog(|| {
        let lock = L::make();
        let with_lock = |err: Option<PyException>| -> PyResult<()> {
            let _held = lock.hold()?;
            match err {
                Some(e) => Err(e),
                None => Ok(()),
            }
        };
        // Acquire the lock, do nothing, with releases the lock
        with_lock(None).unwrap();
        // Check that the lock is unacquired
        with_bunch(acquire_release_fn(&lock), 1, |_| {});
        // Acquire the lock, raise an exception, with releases the lock
        assert_raises(
            PyClass::TypeError,
            with_lock(Some(PyException::TypeError(String::new()))),
        );
        // Check that the lock is unacquired even if after an exception
        // was raised in the previous "with lock:" block
        with_bunch(acquire_release_fn(&lock), 1, |_| {});
    })
}

fn base_test_thread_leak<L: TestLock>() {
    watchdog(|| {
        let lock = L::make();
        with_bunch(acquire_release_fn(&lock), 15, |_| {});
    })
}

fn base_test_timeout<L: TestLock>() {
    watchdog(|| {
        let lock = L::make();
        // Can't set timeout if not blocking
        assert_raises(PyClass::ValueError, lock.acquire(Some(false), Some(1.0)));
        // Invalid timeout values
        assert_raises(PyClass::ValueError, lock.acquire(None, Some(-100.0)));
        assert_raises(PyClass::OverflowError, lock.acquire(None, Some(1e100)));
        assert_raises(
            PyClass::OverflowError,
            lock.acquire(None, Some(TIMEOUT_MAX + 1.0)),
        );
        // TIMEOUT_MAX is ok
        lock.acquire(None, Some(TIMEOUT_MAX)).unwrap();
        lock.release().unwrap();
        let t1 = Instant::now();
        assert!(lock.acquire(None, Some(5.0)).unwrap());
        // Just a sanity test that it didn't actually wait for the timeout.
        assert!(secs(t1) < 5.0);
        let results = shared(Vec::new());
        let (l, r) = (lock.clone(), results.clone());
        let f = move || {
            let t1 = Instant::now();
            let got = l.acquire(None, Some(0.5)).unwrap();
            let dt = secs(t1);
            r.lock().unwrap().push((got, dt));
        };
        with_bunch(f, 1, |_| {});
        let (got, dt) = get(&results)[0];
        assert!(!got);
        assert_timeout(dt, 0.5);
    })
}

// CPython: lock_tests.BaseLockTests.test_constructor (test_threading.LockTests)
#[test]
fn lock_test_constructor() {
    base_test_constructor::<Lock>()
}

// CPython: lock_tests.BaseLockTests.test_repr (test_threading.LockTests)
#[test]
fn lock_test_repr() {
    base_test_repr::<Lock>()
}

// CPython: lock_tests.BaseLockTests.test_locked_repr (test_threading.LockTests)
#[test]
fn lock_test_locked_repr() {
    base_test_locked_repr::<Lock>()
}

// CPython: lock_tests.BaseLockTests.test_acquire_destroy (test_threading.LockTests)
#[test]
fn lock_test_acquire_destroy() {
    base_test_acquire_destroy::<Lock>()
}

// CPython: lock_tests.BaseLockTests.test_acquire_release (test_threading.LockTests)
#[test]
fn lock_test_acquire_release() {
    base_test_acquire_release::<Lock>()
}

// CPython: lock_tests.BaseLockTests.test_try_acquire (test_threading.LockTests)
#[test]
fn lock_test_try_acquire() {
    base_test_try_acquire::<Lock>()
}

// CPython: lock_tests.BaseLockTests.test_try_acquire_contended (test_threading.LockTests)
#[test]
fn lock_test_try_acquire_contended() {
    base_test_try_acquire_contended::<Lock>()
}

// CPython: lock_tests.BaseLockTests.test_acquire_contended (test_threading.LockTests)
#[test]
fn lock_test_acquire_contended() {
    base_test_acquire_contended::<Lock>()
}

// CPython: lock_tests.BaseLockTests.test_with (test_threading.LockTests)
#[test]
fn lock_test_with() {
    base_test_with::<Lock>()
}

// CPython: lock_tests.BaseLockTests.test_thread_leak (test_threading.LockTests)
#[test]
fn lock_test_thread_leak() {
    base_test_thread_leak::<Lock>()
}

// CPython: lock_tests.BaseLockTests.test_timeout (test_threading.LockTests)
#[test]
fn lock_test_timeout() {
    base_test_timeout::<Lock>()
}

// CPython: lock_tests.LockTests.test_reacquire (test_threading.LockTests)
#[test]
fn lock_test_reacquire() {
    watchdog(|| {
        // Lock needs to be released before re-acquiring.
        let lock = Lock::new();
        let phase = Arc::new(AtomicUsize::new(0));
        let (l, p) = (lock.clone(), phase.clone());
        let t = std::thread::spawn(move || {
            l.acquire(None, None).unwrap();
            p.fetch_add(1, SeqCst);
            l.acquire(None, None).unwrap();
            p.fetch_add(1, SeqCst);
        });
        // Thread blocked on lock.acquire()
        wait_phase(&phase, 1);
        // Thread unblocked
        lock.release().unwrap();
        wait_phase(&phase, 2);
        t.join().unwrap();
    })
}

// CPython: lock_tests.LockTests.test_different_thread (test_threading.LockTests)
#[test]
fn lock_test_different_thread() {
    watchdog(|| {
        // Lock can be released from a different thread.
        let lock = Lock::new();
        lock.acquire(None, None).unwrap();
        let l = lock.clone();
        with_bunch(move || l.release().unwrap(), 1, |_| {});
        lock.acquire(None, None).unwrap();
        lock.release().unwrap();
    })
}

// CPython: lock_tests.LockTests.test_state_after_timeout (test_threading.LockTests)
#[test]
fn lock_test_state_after_timeout() {
    // Issue #11618: check that lock is in a proper state after a
    // (non-zero) timeout.
    let lock = Lock::new();
    lock.acquire(None, None).unwrap();
    assert!(!lock.acquire(None, Some(0.01)).unwrap());
    lock.release().unwrap();
    assert!(!lock.locked());
    assert!(lock.acquire(Some(false), None).unwrap());
}

fn rlock_test_reacquire_impl<L: TestRLock>() {
    let lock = L::make();
    lock.acquire(None, None).unwrap();
    lock.acquire(None, None).unwrap();
    lock.release().unwrap();
    lock.acquire(None, None).unwrap();
    lock.release().unwrap();
    lock.release().unwrap();
}

fn rlock_test_release_unacquired_impl<L: TestRLock>() {
    // Cannot release an unacquired lock
    let lock = L::make();
    assert_raises(PyClass::RuntimeError, lock.release());
    lock.acquire(None, None).unwrap();
    lock.acquire(None, None).unwrap();
    lock.release().unwrap();
    lock.acquire(None, None).unwrap();
    lock.release().unwrap();
    lock.release().unwrap();
    assert_raises(PyClass::RuntimeError, lock.release());
}

fn rlock_test_release_save_unacquired_impl<L: TestRLock>() {
    // Cannot _release_save an unacquired lock
    let lock = L::make();
    assert_raises(PyClass::RuntimeError, lock.release_save());
    lock.acquire(None, None).unwrap();
    lock.acquire(None, None).unwrap();
    lock.release().unwrap();
    lock.acquire(None, None).unwrap();
    lock.release().unwrap();
    lock.release().unwrap();
    assert_raises(PyClass::RuntimeError, lock.release_save());
}

fn rlock_test_different_thread_impl<L: TestRLock>() {
    watchdog(|| {
        // Cannot release from a different thread
        let lock = L::make();
        let l = lock.clone();
        let b = Bunch::start(
            move || {
                l.acquire(None, None).unwrap();
            },
            1,
            true,
        );
        // CPython's `with Bunch(...)` enters once the thread has started; the
        // thread may not have acquired yet, and the assertion holds either way.
        let r = lock.release();
        b.do_finish();
        assert_raises(PyClass::RuntimeError, r);
        b.join();
    })
}

fn rlock_test_is_owned_impl<L: TestRLock>() {
    watchdog(|| {
        let lock = L::make();
        assert!(!lock.is_owned());
        lock.acquire(None, None).unwrap();
        assert!(lock.is_owned());
        lock.acquire(None, None).unwrap();
        assert!(lock.is_owned());
        let result = shared(Vec::new());
        let (l, r) = (lock.clone(), result.clone());
        with_bunch(
            move || {
                let owned = l.is_owned();
                r.lock().unwrap().push(owned);
            },
            1,
            |_| {},
        );
        assert!(!get(&result)[0]);
        lock.release().unwrap();
        assert!(lock.is_owned());
        lock.release().unwrap();
        assert!(!lock.is_owned());
    })
}

// CPython: lock_tests.BaseLockTests.test_constructor (test_threading.CRLockTests)
#[test]
fn rlock_test_constructor() {
    base_test_constructor::<RLock>()
}

// CPython: lock_tests.BaseLockTests.test_repr (test_threading.CRLockTests)
#[test]
fn rlock_test_repr() {
    base_test_repr::<RLock>()
}

// CPython: lock_tests.BaseLockTests.test_locked_repr (test_threading.CRLockTests)
#[test]
fn rlock_test_locked_repr() {
    base_test_locked_repr::<RLock>()
}

// CPython: lock_tests.BaseLockTests.test_acquire_destroy (test_threading.CRLockTests)
#[test]
fn rlock_test_acquire_destroy() {
    base_test_acquire_destroy::<RLock>()
}

// CPython: lock_tests.BaseLockTests.test_acquire_release (test_threading.CRLockTests)
#[test]
fn rlock_test_acquire_release() {
    base_test_acquire_release::<RLock>()
}

// CPython: lock_tests.BaseLockTests.test_try_acquire (test_threading.CRLockTests)
#[test]
fn rlock_test_try_acquire() {
    base_test_try_acquire::<RLock>()
}

// CPython: lock_tests.BaseLockTests.test_try_acquire_contended (test_threading.CRLockTests)
#[test]
fn rlock_test_try_acquire_contended() {
    base_test_try_acquire_contended::<RLock>()
}

// CPython: lock_tests.BaseLockTests.test_acquire_contended (test_threading.CRLockTests)
#[test]
fn rlock_test_acquire_contended() {
    base_test_acquire_contended::<RLock>()
}

// CPython: lock_tests.BaseLockTests.test_with (test_threading.CRLockTests)
#[test]
fn rlock_test_with() {
    base_test_with::<RLock>()
}

// CPython: lock_tests.BaseLockTests.test_thread_leak (test_threading.CRLockTests)
#[test]
fn rlock_test_thread_leak() {
    base_test_thread_leak::<RLock>()
}

// CPython: lock_tests.BaseLockTests.test_timeout (test_threading.CRLockTests)
#[test]
fn rlock_test_timeout() {
    base_test_timeout::<RLock>()
}

// CPython: lock_tests.RLockTests.test_reacquire (test_threading.CRLockTests)
#[test]
fn rlock_test_reacquire() {
    rlock_test_reacquire_impl::<RLock>()
}

// CPython: lock_tests.RLockTests.test_release_unacquired (test_threading.CRLockTests)
#[test]
fn rlock_test_release_unacquired() {
    rlock_test_release_unacquired_impl::<RLock>()
}

// CPython: lock_tests.RLockTests.test_release_save_unacquired (test_threading.CRLockTests)
#[test]
fn rlock_test_release_save_unacquired() {
    rlock_test_release_save_unacquired_impl::<RLock>()
}

// CPython: lock_tests.RLockTests.test_recursion_count (test_threading.CRLockTests)
#[test]
fn rlock_test_recursion_count() {
    watchdog(|| {
        let lock = RLock::new();
        assert_eq!(0, lock.recursion_count());
        lock.acquire(None, None).unwrap();
        assert_eq!(1, lock.recursion_count());
        lock.acquire(None, None).unwrap();
        lock.acquire(None, None).unwrap();
        assert_eq!(3, lock.recursion_count());
        lock.release().unwrap();
        assert_eq!(2, lock.recursion_count());
        lock.release().unwrap();
        lock.release().unwrap();
        assert_eq!(0, lock.recursion_count());

        let phase = Arc::new(AtomicUsize::new(0));
        let (l, p) = (lock.clone(), phase.clone());
        let t = std::thread::spawn(move || {
            l.acquire(None, None).unwrap();
            p.fetch_add(1, SeqCst);
            wait_phase(&p, 2);
            l.release().unwrap();
            p.fetch_add(1, SeqCst);
        });
        // Thread blocked on lock.acquire()
        wait_phase(&phase, 1);
        assert_eq!(0, lock.recursion_count());
        // Thread unblocked
        phase.fetch_add(1, SeqCst);
        wait_phase(&phase, 3);
        assert_eq!(0, lock.recursion_count());
        t.join().unwrap();
    })
}

// CPython: lock_tests.RLockTests.test_different_thread (test_threading.CRLockTests)
#[test]
fn rlock_test_different_thread() {
    rlock_test_different_thread_impl::<RLock>()
}

// CPython: lock_tests.RLockTests.test__is_owned (test_threading.CRLockTests)
#[test]
#[allow(non_snake_case)]
fn rlock_test__is_owned() {
    rlock_test_is_owned_impl::<RLock>()
}

// CPython: lock_tests.BaseLockTests.test_constructor (test_threading.ConditionAsRLockTests)
#[test]
fn condition_as_rlock_test_constructor() {
    base_test_constructor::<CondAsRLock>()
}

// CPython: lock_tests.BaseLockTests.test_repr (test_threading.ConditionAsRLockTests)
#[test]
fn condition_as_rlock_test_repr() {
    base_test_repr::<CondAsRLock>()
}

// CPython: lock_tests.BaseLockTests.test_locked_repr (test_threading.ConditionAsRLockTests)
#[test]
fn condition_as_rlock_test_locked_repr() {
    base_test_locked_repr::<CondAsRLock>()
}

// CPython: lock_tests.BaseLockTests.test_acquire_destroy (test_threading.ConditionAsRLockTests)
#[test]
fn condition_as_rlock_test_acquire_destroy() {
    base_test_acquire_destroy::<CondAsRLock>()
}

// CPython: lock_tests.BaseLockTests.test_acquire_release (test_threading.ConditionAsRLockTests)
#[test]
fn condition_as_rlock_test_acquire_release() {
    base_test_acquire_release::<CondAsRLock>()
}

// CPython: lock_tests.BaseLockTests.test_try_acquire (test_threading.ConditionAsRLockTests)
#[test]
fn condition_as_rlock_test_try_acquire() {
    base_test_try_acquire::<CondAsRLock>()
}

// CPython: lock_tests.BaseLockTests.test_try_acquire_contended (test_threading.ConditionAsRLockTests)
#[test]
fn condition_as_rlock_test_try_acquire_contended() {
    base_test_try_acquire_contended::<CondAsRLock>()
}

// CPython: lock_tests.BaseLockTests.test_acquire_contended (test_threading.ConditionAsRLockTests)
#[test]
fn condition_as_rlock_test_acquire_contended() {
    base_test_acquire_contended::<CondAsRLock>()
}

// CPython: lock_tests.BaseLockTests.test_with (test_threading.ConditionAsRLockTests)
#[test]
fn condition_as_rlock_test_with() {
    base_test_with::<CondAsRLock>()
}

// CPython: lock_tests.BaseLockTests.test_thread_leak (test_threading.ConditionAsRLockTests)
#[test]
fn condition_as_rlock_test_thread_leak() {
    base_test_thread_leak::<CondAsRLock>()
}

// CPython: lock_tests.BaseLockTests.test_timeout (test_threading.ConditionAsRLockTests)
#[test]
fn condition_as_rlock_test_timeout() {
    base_test_timeout::<CondAsRLock>()
}

// CPython: lock_tests.RLockTests.test_reacquire (test_threading.ConditionAsRLockTests)
#[test]
fn condition_as_rlock_test_reacquire() {
    rlock_test_reacquire_impl::<CondAsRLock>()
}

// CPython: lock_tests.RLockTests.test_release_unacquired (test_threading.ConditionAsRLockTests)
#[test]
fn condition_as_rlock_test_release_unacquired() {
    rlock_test_release_unacquired_impl::<CondAsRLock>()
}

// CPython: lock_tests.RLockTests.test_release_save_unacquired (test_threading.ConditionAsRLockTests)
#[test]
fn condition_as_rlock_test_release_save_unacquired() {
    rlock_test_release_save_unacquired_impl::<CondAsRLock>()
}

// CPython: lock_tests.RLockTests.test_different_thread (test_threading.ConditionAsRLockTests)
#[test]
fn condition_as_rlock_test_different_thread() {
    rlock_test_different_thread_impl::<CondAsRLock>()
}

// CPython: lock_tests.RLockTests.test__is_owned (test_threading.ConditionAsRLockTests)
#[test]
#[allow(non_snake_case)]
fn condition_as_rlock_test__is_owned() {
    rlock_test_is_owned_impl::<CondAsRLock>()
}

// ---------------------------------------------------------------------------
// EventTests
// ---------------------------------------------------------------------------

// CPython: lock_tests.EventTests.test_is_set (test_threading.EventTests)
#[test]
fn event_test_is_set() {
    let evt = Event::new();
    assert!(!evt.is_set());
    evt.set();
    assert!(evt.is_set());
    evt.set();
    assert!(evt.is_set());
    evt.clear();
    assert!(!evt.is_set());
    evt.clear();
    assert!(!evt.is_set());
}

/// `EventTests._check_notify`.
fn event_check_notify(evt: &Event) {
    // All threads get notified
    const N: usize = 5;
    let results1 = shared(Vec::new());
    let results2 = shared(Vec::new());
    let (e, r1, r2) = (evt.clone(), results1.clone(), results2.clone());
    let f = move || {
        let r = e.wait(None);
        r1.lock().unwrap().push(r);
        let r = e.wait(None);
        r2.lock().unwrap().push(r);
    };
    with_bunch(f, N, |_| {
        // Threads blocked on first evt.wait()
        wait_until(|| evt.waiter_count() >= N);
        assert_eq!(get(&results1).len(), 0);
        // Threads unblocked
        evt.set();
    });
    assert_eq!(get(&results1), [true; N]);
    assert_eq!(get(&results2), [true; N]);
}

// CPython: lock_tests.EventTests.test_notify (test_threading.EventTests)
#[test]
fn event_test_notify() {
    watchdog(|| {
        let evt = Event::new();
        event_check_notify(&evt);
        // Another time, after an explicit clear()
        evt.set();
        evt.clear();
        event_check_notify(&evt);
    })
}

// CPython: lock_tests.EventTests.test_timeout (test_threading.EventTests)
#[test]
fn event_test_timeout() {
    watchdog(|| {
        let evt = Event::new();
        const N: usize = 5;
        let run = |evt: &Event| {
            let results1 = shared(Vec::new());
            let results2 = shared(Vec::new());
            let (e, r1, r2) = (evt.clone(), results1.clone(), results2.clone());
            let f = move || {
                let r = e.wait(Some(0.0));
                r1.lock().unwrap().push(r);
                let t1 = Instant::now();
                let r = e.wait(Some(0.5));
                let dt = secs(t1);
                r2.lock().unwrap().push((r, dt));
            };
            with_bunch(f, N, |_| {});
            (get(&results1), get(&results2))
        };
        let (results1, results2) = run(&evt);
        assert_eq!(results1, [false; N]);
        for (r, dt) in results2 {
            assert!(!r);
            assert_timeout(dt, 0.5);
        }
        // The event is set
        evt.set();
        let (results1, results2) = run(&evt);
        assert_eq!(results1, [true; N]);
        for (r, _dt) in results2 {
            assert!(r);
        }
    })
}

// CPython: lock_tests.EventTests.test_set_and_clear (test_threading.EventTests)
#[test]
fn event_test_set_and_clear() {
    watchdog(|| {
        // gh-57711: check that wait() returns true even when the event is
        // cleared before the waiting thread is woken up.
        let event = Event::new();
        let results = shared(Vec::new());
        let (e, r) = (event.clone(), results.clone());
        const N: usize = 5;
        with_bunch(
            move || {
                let got = e.wait(Some(LONG_TIMEOUT));
                r.lock().unwrap().push(got);
            },
            N,
            |_| {
                // Threads blocked on event.wait()
                wait_until(|| event.waiter_count() >= N);
                // Threads unblocked
                event.set();
                event.clear();
            },
        );
        assert_eq!(get(&results), [true; N]);
    })
}

// CPython: lock_tests.EventTests.test_repr (test_threading.EventTests)
#[test]
fn event_test_repr() {
    let evt = Event::new();
    assert_eq!(format!("{evt:?}"), "<threading.Event: unset>");
    evt.set();
    assert_eq!(format!("{evt:?}"), "<threading.Event: set>");
}

// ---------------------------------------------------------------------------
// ConditionTests
// ---------------------------------------------------------------------------

// CPython: lock_tests.ConditionTests.test_acquire (test_threading.ConditionTests)
#[test]
fn condition_test_acquire() {
    let cond = Condition::new(None);
    // Be default we have an RLock: the condition can be acquired multiple
    // times.
    cond.acquire(None, None).unwrap();
    cond.acquire(None, None).unwrap();
    cond.release().unwrap();
    cond.release().unwrap();
    let lock = Lock::new();
    let cond = Condition::new(Some(lock.clone().into()));
    cond.acquire(None, None).unwrap();
    assert!(!lock.acquire(Some(false), None).unwrap());
    cond.release().unwrap();
    assert!(lock.acquire(Some(false), None).unwrap());
    assert!(!cond.acquire(Some(false), None).unwrap());
    lock.release().unwrap();
    {
        let _held = cond.with().unwrap();
        assert!(!lock.acquire(Some(false), None).unwrap());
    }
}

// CPython: lock_tests.ConditionTests.test_unacquired_wait (test_threading.ConditionTests)
#[test]
fn condition_test_unacquired_wait() {
    let cond = Condition::new(None);
    assert_raises(PyClass::RuntimeError, cond.wait(None));
}

// CPython: lock_tests.ConditionTests.test_unacquired_notify (test_threading.ConditionTests)
#[test]
fn condition_test_unacquired_notify() {
    let cond = Condition::new(None);
    assert_raises(PyClass::RuntimeError, cond.notify(None));
}

/// `cond.notify(n)` with the lock held, then CPython's
/// `wait_threads_blocked(n)`: here, wait until every notified thread is
/// blocked taking `lock` (the condition's) back.
fn notify_and_wait_blocked(cond: &Condition, lock: &RLock, n: usize) {
    let notified = cond.waiter_count().min(n);
    cond.notify(Some(n)).unwrap();
    wait_until(|| lock.waiter_count() >= notified);
}

/// `ConditionTests._check_notify`; `lock` is the `RLock` under `cond`.
fn condition_check_notify(cond: &Condition, lock: &RLock) {
    let ready = shared(Vec::new());
    let results1 = shared(Vec::new());
    let results2 = shared(Vec::new());
    let phase_num = Arc::new(AtomicUsize::new(0));
    let (c, rd, r1, r2, ph) = (
        cond.clone(),
        ready.clone(),
        results1.clone(),
        results2.clone(),
        phase_num.clone(),
    );
    let f = move || {
        c.acquire(None, None).unwrap();
        rd.lock().unwrap().push(ph.load(SeqCst));
        let result = c.wait(None).unwrap();
        c.release().unwrap();
        r1.lock().unwrap().push((result, ph.load(SeqCst)));

        c.acquire(None, None).unwrap();
        rd.lock().unwrap().push(ph.load(SeqCst));
        let result = c.wait(None).unwrap();
        c.release().unwrap();
        r2.lock().unwrap().push((result, ph.load(SeqCst)));
    };
    const N: usize = 5;
    with_bunch(f, N, |_| {
        // first wait, to ensure all workers settle into cond.wait() before
        // we continue. See issues #8799 and #30727.
        wait_until(|| len(&ready) >= N);
        ready.lock().unwrap().clear();
        assert_eq!(get(&results1), []);

        // Notify 3 threads at first
        let count1 = 3;
        cond.acquire(None, None).unwrap();
        notify_and_wait_blocked(cond, lock, count1);

        // Phase 1
        phase_num.store(1, SeqCst);
        cond.release().unwrap();
        wait_until(|| len(&results1) >= count1);
        assert_eq!(get(&results1), vec![(true, 1); count1]);
        assert_eq!(get(&results2), []);

        // Wait until awaken workers are blocked on cond.wait()
        wait_until(|| len(&ready) >= count1);

        // Notify 5 threads: they might be in their first or second wait
        cond.acquire(None, None).unwrap();
        notify_and_wait_blocked(cond, lock, 5);

        // Phase 2
        phase_num.store(2, SeqCst);
        cond.release().unwrap();
        wait_until(|| len(&results1) + len(&results2) >= N + count1);
        let count2 = N - count1;
        let mut expected1 = vec![(true, 1); count1];
        expected1.extend(vec![(true, 2); count2]);
        assert_eq!(get(&results1), expected1);
        assert_eq!(get(&results2), vec![(true, 2); count1]);

        // Make sure all workers settle into cond.wait()
        wait_until(|| len(&ready) >= N);

        // Notify all threads: they are all in their second wait
        cond.acquire(None, None).unwrap();
        notify_and_wait_blocked(cond, lock, usize::MAX);

        // Phase 3
        phase_num.store(3, SeqCst);
        cond.release().unwrap();
        wait_until(|| len(&results2) >= N);
        assert_eq!(get(&results1), expected1);
        let mut expected2 = vec![(true, 2); count1];
        expected2.extend(vec![(true, 3); count2]);
        assert_eq!(get(&results2), expected2);
    });
}

// CPython: lock_tests.ConditionTests.test_notify (test_threading.ConditionTests)
#[test]
fn condition_test_notify() {
    watchdog(|| {
        // `Condition()`'s own RLock, made here so we can count its waiters.
        let lock = RLock::new();
        let cond = Condition::new(Some(lock.clone().into()));
        condition_check_notify(&cond, &lock);
        // A second time, to check internal state is still ok.
        condition_check_notify(&cond, &lock);
    })
}

// CPython: lock_tests.ConditionTests.test_timeout (test_threading.ConditionTests)
#[test]
fn condition_test_timeout() {
    watchdog(|| {
        let cond = Condition::new(None);
        let timeout = 0.5;
        let results = shared(Vec::new());
        let (c, r) = (cond.clone(), results.clone());
        let f = move || {
            c.acquire(None, None).unwrap();
            let t1 = Instant::now();
            let result = c.wait(Some(timeout)).unwrap();
            let dt = secs(t1);
            c.release().unwrap();
            r.lock().unwrap().push((dt, result));
        };
        const N: usize = 5;
        with_bunch(f, N, |_| {});
        let results = get(&results);
        assert_eq!(results.len(), N);
        for (dt, result) in results {
            assert_timeout(dt, timeout);
            // In practice, this implementation has no spurious wakeups.
            assert!(!result);
        }
    })
}

// CPython: lock_tests.ConditionTests.test_waitfor (test_threading.ConditionTests)
#[test]
fn condition_test_waitfor() {
    watchdog(|| {
        let cond = Condition::new(None);
        let state = Arc::new(AtomicUsize::new(0));
        let (c, s) = (cond.clone(), state.clone());
        let f = move || {
            let _held = c.with().unwrap();
            let result = c.wait_for(|| s.load(SeqCst) == 4, None).unwrap();
            assert!(result);
            assert_eq!(s.load(SeqCst), 4);
        };
        with_bunch(f, 1, |_| {
            for _ in 0..4 {
                std::thread::sleep(Duration::from_millis(10)); // allow-sleep: CPython's spaced notifies, part of what wait_for is tested with
                let _held = cond.with().unwrap();
                state.fetch_add(1, SeqCst);
                cond.notify(None).unwrap();
            }
        });
    })
}

// CPython: lock_tests.ConditionTests.test_waitfor_timeout (test_threading.ConditionTests)
#[test]
fn condition_test_waitfor_timeout() {
    watchdog(|| {
        let cond = Condition::new(None);
        let state = Arc::new(AtomicUsize::new(0));
        let success = Arc::new(AtomicUsize::new(0));
        let (c, s, ok) = (cond.clone(), state.clone(), success.clone());
        let f = move || {
            let _held = c.with().unwrap();
            let t = Instant::now();
            let result = c.wait_for(|| s.load(SeqCst) == 4, Some(0.1)).unwrap();
            let dt = secs(t);
            assert!(!result);
            assert_timeout(dt, 0.1);
            ok.fetch_add(1, SeqCst);
        };
        with_bunch(f, 1, |_| {
            // Only increment 3 times, so state == 4 is never reached.
            for _ in 0..3 {
                std::thread::sleep(Duration::from_millis(10)); // allow-sleep: CPython's spaced notifies, part of what wait_for is tested with
                let _held = cond.with().unwrap();
                state.fetch_add(1, SeqCst);
                cond.notify(None).unwrap();
            }
        });
        assert_eq!(success.load(SeqCst), 1);
    })
}

// ---------------------------------------------------------------------------
// BaseSemaphoreTests, SemaphoreTests, BoundedSemaphoreTests
// ---------------------------------------------------------------------------

/// `self.semtype`: `Semaphore::new` or `BoundedSemaphore::new`.
type SemType = fn(Option<i64>) -> PyResult<Semaphore>;

fn sem_test_constructor(semtype: SemType) {
    assert_raises(PyClass::ValueError, semtype(Some(-1)));
    assert_raises(PyClass::ValueError, semtype(Some(-i64::MAX)));
}

fn sem_test_acquire(semtype: SemType) {
    let sem = semtype(Some(1)).unwrap();
    sem.acquire(None, None).unwrap();
    sem.release(None).unwrap();
    let sem = semtype(Some(2)).unwrap();
    sem.acquire(None, None).unwrap();
    sem.acquire(None, None).unwrap();
    sem.release(None).unwrap();
    sem.release(None).unwrap();
}

fn sem_test_acquire_destroy(semtype: SemType) {
    let sem = semtype(None).unwrap();
    sem.acquire(None, None).unwrap();
    drop(sem);
}

/// The state `test_acquire_contended` and `test_multirelease` share.
#[derive(Clone, Default)]
struct Phases {
    sem_results: Arc<Mutex<Vec<bool>>>,
    results1: Arc<Mutex<Vec<usize>>>,
    results2: Arc<Mutex<Vec<usize>>>,
    phase_num: Arc<AtomicUsize>,
}

impl Phases {
    fn func(&self, sem: &Semaphore) -> impl Fn() + Send + Sync + 'static {
        let (p, sem) = (self.clone(), sem.clone());
        move || {
            let got = sem.acquire(None, None).unwrap();
            p.sem_results.lock().unwrap().push(got);
            p.results1.lock().unwrap().push(p.phase_num.load(SeqCst));

            let got = sem.acquire(None, None).unwrap();
            p.sem_results.lock().unwrap().push(got);
            p.results2.lock().unwrap().push(p.phase_num.load(SeqCst));
        }
    }

    fn all(&self) -> Vec<usize> {
        let mut v = get(&self.results1);
        v.extend(get(&self.results2));
        v
    }

    fn sorted(&self) -> Vec<usize> {
        let mut v = self.all();
        v.sort();
        v
    }

    fn wait_count(&self, count: usize) {
        wait_until(|| {
            self.results1.lock().unwrap().len() + self.results2.lock().unwrap().len() >= count
        });
    }
}

fn phases(counts: &[(usize, usize)]) -> Vec<usize> {
    counts.iter().flat_map(|&(v, n)| vec![v; n]).collect()
}

fn sem_test_acquire_contended(semtype: SemType) {
    watchdog(move || {
        let sem_value = 7;
        let sem = semtype(Some(sem_value as i64)).unwrap();
        sem.acquire(None, None).unwrap();
        let p = Phases::default();
        const N: usize = 10;
        with_bunch(p.func(&sem), N, |_| {
            // Phase 0
            let count1 = sem_value - 1;
            p.wait_count(count1);
            assert_eq!(p.all(), vec![0; count1]);

            // Phase 1
            p.phase_num.store(1, SeqCst);
            for _ in 0..sem_value {
                sem.release(None).unwrap();
            }
            let count2 = sem_value;
            p.wait_count(count1 + count2);
            assert_eq!(p.sorted(), phases(&[(0, count1), (1, count2)]));

            // Phase 2
            p.phase_num.store(2, SeqCst);
            let count3 = sem_value - 1;
            for _ in 0..count3 {
                sem.release(None).unwrap();
            }
            p.wait_count(count1 + count2 + count3);
            assert_eq!(p.sorted(), phases(&[(0, count1), (1, count2), (2, count3)]));
            // The semaphore is still locked
            assert!(!sem.acquire(Some(false), None).unwrap());

            // Final release, to let the last thread finish
            sem.release(None).unwrap();
        });
        let count4 = 1;
        assert_eq!(
            get(&p.sem_results),
            vec![true; (sem_value - 1) + sem_value + (sem_value - 1) + count4]
        );
    })
}

fn sem_test_multirelease(semtype: SemType) {
    watchdog(move || {
        let sem_value = 7;
        let sem = semtype(Some(sem_value as i64)).unwrap();
        sem.acquire(None, None).unwrap();
        let p = Phases::default();
        with_bunch(p.func(&sem), 10, |_| {
            // Phase 0
            let count1 = sem_value - 1;
            p.wait_count(count1);
            assert_eq!(p.all(), vec![0; count1]);

            // Phase 1
            p.phase_num.store(1, SeqCst);
            let count2 = sem_value;
            sem.release(Some(count2)).unwrap();
            p.wait_count(count1 + count2);
            assert_eq!(p.sorted(), phases(&[(0, count1), (1, count2)]));

            // Phase 2
            p.phase_num.store(2, SeqCst);
            let count3 = sem_value - 1;
            sem.release(Some(count3)).unwrap();
            p.wait_count(count1 + count2 + count3);
            assert_eq!(p.sorted(), phases(&[(0, count1), (1, count2), (2, count3)]));
            // The semaphore is still locked
            assert!(!sem.acquire(Some(false), None).unwrap());

            // Final release, to let the last thread finish
            sem.release(None).unwrap();
        });
    })
}

fn sem_test_try_acquire(semtype: SemType) {
    let sem = semtype(Some(2)).unwrap();
    assert!(sem.acquire(Some(false), None).unwrap());
    assert!(sem.acquire(Some(false), None).unwrap());
    assert!(!sem.acquire(Some(false), None).unwrap());
    sem.release(None).unwrap();
    assert!(sem.acquire(Some(false), None).unwrap());
}

fn sem_test_try_acquire_contended(semtype: SemType) {
    watchdog(move || {
        let sem = semtype(Some(4)).unwrap();
        sem.acquire(None, None).unwrap();
        let results = shared(Vec::new());
        let (s, r) = (sem.clone(), results.clone());
        let f = move || {
            let got = s.acquire(Some(false), None).unwrap();
            r.lock().unwrap().push(got);
            let got = s.acquire(Some(false), None).unwrap();
            r.lock().unwrap().push(got);
        };
        with_bunch(f, 5, |_| {});
        // There can be a thread switch between acquiring the semaphore and
        // appending the result, therefore results will not necessarily be
        // ordered.
        let mut results = get(&results);
        results.sort();
        let mut expected = vec![false; 7];
        expected.extend([true; 3]);
        assert_eq!(results, expected);
    })
}

fn sem_test_acquire_timeout(semtype: SemType) {
    let sem = semtype(Some(2)).unwrap();
    assert_raises(PyClass::ValueError, sem.acquire(Some(false), Some(1.0)));
    assert!(sem.acquire(None, Some(0.005)).unwrap());
    assert!(sem.acquire(None, Some(0.005)).unwrap());
    assert!(!sem.acquire(None, Some(0.005)).unwrap());
    sem.release(None).unwrap();
    assert!(sem.acquire(None, Some(0.005)).unwrap());
    let t = Instant::now();
    assert!(!sem.acquire(None, Some(0.5)).unwrap());
    assert_timeout(secs(t), 0.5);
}

fn sem_test_default_value(semtype: SemType) {
    watchdog(move || {
        // The default initial value is 1.
        let sem = semtype(None).unwrap();
        sem.acquire(None, None).unwrap();
        let s = sem.clone();
        let f = move || {
            s.acquire(None, None).unwrap();
            s.release(None).unwrap();
        };
        with_bunch(f, 1, |bunch| {
            // Thread blocked on sem.acquire()
            wait_until(|| sem.waiter_count() >= 1);
            assert_eq!(bunch.finished(), 0);
            // Thread unblocked
            sem.release(None).unwrap();
        });
    })
}

fn sem_test_with(semtype: SemType) {
    let sem = semtype(Some(2)).unwrap();
    let with = |err: Option<PyException>| -> PyResult<()> {
        let _outer = sem.with()?;
        assert!(sem.acquire(Some(false), None)?);
        sem.release(None)?;
        let _inner = sem.with()?;
        assert!(!sem.acquire(Some(false), None)?);
        match err {
            Some(e) => Err(e),
            None => Ok(()),
        }
    };
    with(None).unwrap();
    assert!(sem.acquire(Some(false), None).unwrap());
    sem.release(None).unwrap();
    assert_raises(
        PyClass::TypeError,
        with(Some(PyException::TypeError(String::new()))),
    );
    assert!(sem.acquire(Some(false), None).unwrap());
    sem.release(None).unwrap();
}

const SEMAPHORE: SemType = Semaphore::new;
const BOUNDED: SemType = BoundedSemaphore::new;

// CPython: lock_tests.BaseSemaphoreTests.test_constructor (test_threading.SemaphoreTests)
#[test]
fn semaphore_test_constructor() {
    sem_test_constructor(SEMAPHORE)
}

// CPython: lock_tests.BaseSemaphoreTests.test_acquire (test_threading.SemaphoreTests)
#[test]
fn semaphore_test_acquire() {
    sem_test_acquire(SEMAPHORE)
}

// CPython: lock_tests.BaseSemaphoreTests.test_acquire_destroy (test_threading.SemaphoreTests)
#[test]
fn semaphore_test_acquire_destroy() {
    sem_test_acquire_destroy(SEMAPHORE)
}

// CPython: lock_tests.BaseSemaphoreTests.test_acquire_contended (test_threading.SemaphoreTests)
#[test]
fn semaphore_test_acquire_contended() {
    sem_test_acquire_contended(SEMAPHORE)
}

// CPython: lock_tests.BaseSemaphoreTests.test_multirelease (test_threading.SemaphoreTests)
#[test]
fn semaphore_test_multirelease() {
    sem_test_multirelease(SEMAPHORE)
}

// CPython: lock_tests.BaseSemaphoreTests.test_try_acquire (test_threading.SemaphoreTests)
#[test]
fn semaphore_test_try_acquire() {
    sem_test_try_acquire(SEMAPHORE)
}

// CPython: lock_tests.BaseSemaphoreTests.test_try_acquire_contended (test_threading.SemaphoreTests)
#[test]
fn semaphore_test_try_acquire_contended() {
    sem_test_try_acquire_contended(SEMAPHORE)
}

// CPython: lock_tests.BaseSemaphoreTests.test_acquire_timeout (test_threading.SemaphoreTests)
#[test]
fn semaphore_test_acquire_timeout() {
    sem_test_acquire_timeout(SEMAPHORE)
}

// CPython: lock_tests.BaseSemaphoreTests.test_default_value (test_threading.SemaphoreTests)
#[test]
fn semaphore_test_default_value() {
    sem_test_default_value(SEMAPHORE)
}

// CPython: lock_tests.BaseSemaphoreTests.test_with (test_threading.SemaphoreTests)
#[test]
fn semaphore_test_with() {
    sem_test_with(SEMAPHORE)
}

// CPython: lock_tests.SemaphoreTests.test_release_unacquired (test_threading.SemaphoreTests)
#[test]
fn semaphore_test_release_unacquired() {
    // Unbounded releases are allowed and increment the semaphore's value
    let sem = Semaphore::new(Some(1)).unwrap();
    sem.release(None).unwrap();
    sem.acquire(None, None).unwrap();
    sem.acquire(None, None).unwrap();
    sem.release(None).unwrap();
}

// CPython: lock_tests.SemaphoreTests.test_repr (test_threading.SemaphoreTests)
#[test]
fn semaphore_test_repr() {
    let sem = Semaphore::new(Some(3)).unwrap();
    assert_eq!(format!("{sem:?}"), "<threading.Semaphore: value=3>");
    sem.acquire(None, None).unwrap();
    assert_eq!(format!("{sem:?}"), "<threading.Semaphore: value=2>");
    sem.release(None).unwrap();
    sem.release(None).unwrap();
    assert_eq!(format!("{sem:?}"), "<threading.Semaphore: value=4>");
}

// CPython: lock_tests.BaseSemaphoreTests.test_constructor (test_threading.BoundedSemaphoreTests)
#[test]
fn bounded_semaphore_test_constructor() {
    sem_test_constructor(BOUNDED)
}

// CPython: lock_tests.BaseSemaphoreTests.test_acquire (test_threading.BoundedSemaphoreTests)
#[test]
fn bounded_semaphore_test_acquire() {
    sem_test_acquire(BOUNDED)
}

// CPython: lock_tests.BaseSemaphoreTests.test_acquire_destroy (test_threading.BoundedSemaphoreTests)
#[test]
fn bounded_semaphore_test_acquire_destroy() {
    sem_test_acquire_destroy(BOUNDED)
}

// CPython: lock_tests.BaseSemaphoreTests.test_acquire_contended (test_threading.BoundedSemaphoreTests)
#[test]
fn bounded_semaphore_test_acquire_contended() {
    sem_test_acquire_contended(BOUNDED)
}

// CPython: lock_tests.BaseSemaphoreTests.test_multirelease (test_threading.BoundedSemaphoreTests)
#[test]
fn bounded_semaphore_test_multirelease() {
    sem_test_multirelease(BOUNDED)
}

// CPython: lock_tests.BaseSemaphoreTests.test_try_acquire (test_threading.BoundedSemaphoreTests)
#[test]
fn bounded_semaphore_test_try_acquire() {
    sem_test_try_acquire(BOUNDED)
}

// CPython: lock_tests.BaseSemaphoreTests.test_try_acquire_contended (test_threading.BoundedSemaphoreTests)
#[test]
fn bounded_semaphore_test_try_acquire_contended() {
    sem_test_try_acquire_contended(BOUNDED)
}

// CPython: lock_tests.BaseSemaphoreTests.test_acquire_timeout (test_threading.BoundedSemaphoreTests)
#[test]
fn bounded_semaphore_test_acquire_timeout() {
    sem_test_acquire_timeout(BOUNDED)
}

// CPython: lock_tests.BaseSemaphoreTests.test_default_value (test_threading.BoundedSemaphoreTests)
#[test]
fn bounded_semaphore_test_default_value() {
    sem_test_default_value(BOUNDED)
}

// CPython: lock_tests.BaseSemaphoreTests.test_with (test_threading.BoundedSemaphoreTests)
#[test]
fn bounded_semaphore_test_with() {
    sem_test_with(BOUNDED)
}

// CPython: lock_tests.BoundedSemaphoreTests.test_release_unacquired (test_threading.BoundedSemaphoreTests)
#[test]
fn bounded_semaphore_test_release_unacquired() {
    // Cannot go past the initial value
    let sem = BoundedSemaphore::new(None).unwrap();
    assert_raises(PyClass::ValueError, sem.release(None));
    sem.acquire(None, None).unwrap();
    sem.release(None).unwrap();
    assert_raises(PyClass::ValueError, sem.release(None));
}

// CPython: lock_tests.BoundedSemaphoreTests.test_repr (test_threading.BoundedSemaphoreTests)
#[test]
fn bounded_semaphore_test_repr() {
    let sem = BoundedSemaphore::new(Some(3)).unwrap();
    assert_eq!(
        format!("{sem:?}"),
        "<threading.BoundedSemaphore: value=3/3>"
    );
    sem.acquire(None, None).unwrap();
    assert_eq!(
        format!("{sem:?}"),
        "<threading.BoundedSemaphore: value=2/3>"
    );
}

// ---------------------------------------------------------------------------
// BarrierTests
// ---------------------------------------------------------------------------

/// `BarrierTests.N`.
const N: usize = 5;
/// `BarrierTests.defaultTimeout`.
const DEFAULT_TIMEOUT: f64 = 2.0;

/// `BarrierTests.setUp`'s barrier; `tearDown` aborts it.
struct BarrierTest {
    barrier: Barrier,
}

impl BarrierTest {
    fn set_up() -> Self {
        BarrierTest {
            barrier: Barrier::new(N, None, Some(DEFAULT_TIMEOUT)),
        }
    }

    fn run_threads(&self, f: impl Fn() + Send + Sync + 'static) {
        with_bunch(f, N, |_| {});
    }
}

impl Drop for BarrierTest {
    fn drop(&mut self) {
        self.barrier.abort();
    }
}

fn is_broken(r: &PyResult<usize>) -> bool {
    matches!(r, Err(e) if e.is_instance_of(&PyClass::BrokenBarrierError))
}

/// `BarrierTests.multipass`.
fn multipass(barrier: &Barrier, results: &[Arc<AtomicUsize>; 2], n: usize) {
    let m = barrier.parties();
    assert_eq!(m, N);
    for i in 0..n {
        results[0].fetch_add(1, SeqCst);
        assert_eq!(results[1].load(SeqCst), i * m);
        barrier.wait(None).unwrap();
        results[1].fetch_add(1, SeqCst);
        assert_eq!(results[0].load(SeqCst), (i + 1) * m);
        barrier.wait(None).unwrap();
    }
    assert_eq!(barrier.n_waiting(), 0);
    assert!(!barrier.broken());
}

/// `BarrierTests.test_barrier(passes)`: the barrier is passed in lockstep.
fn barrier_passes(passes: usize) {
    watchdog(move || {
        let t = BarrierTest::set_up();
        let results: [Arc<AtomicUsize>; 2] = Default::default();
        let (b, r) = (t.barrier.clone(), results.clone());
        t.run_threads(move || multipass(&b, &r, passes));
    })
}

// CPython: lock_tests.BarrierTests.test_barrier (test_threading.BarrierTests)
#[test]
fn barrier_test_barrier() {
    barrier_passes(1)
}

// CPython: lock_tests.BarrierTests.test_barrier_10 (test_threading.BarrierTests)
#[test]
fn barrier_test_barrier_10() {
    barrier_passes(10)
}

// CPython: lock_tests.BarrierTests.test_wait_return (test_threading.BarrierTests)
#[test]
fn barrier_test_wait_return() {
    watchdog(|| {
        let t = BarrierTest::set_up();
        let results = shared(Vec::new());
        let (b, r) = (t.barrier.clone(), results.clone());
        t.run_threads(move || {
            let i = b.wait(None).unwrap();
            r.lock().unwrap().push(i);
        });
        assert_eq!(get(&results).iter().sum::<usize>(), (0..N).sum());
    })
}

// CPython: lock_tests.BarrierTests.test_action (test_threading.BarrierTests)
#[test]
fn barrier_test_action() {
    watchdog(|| {
        let t = BarrierTest::set_up();
        let results = Arc::new(AtomicUsize::new(0));
        let r = results.clone();
        let action = Arc::new(move || -> PyResult<()> {
            r.fetch_add(1, SeqCst);
            Ok(())
        });
        let barrier = Barrier::new(N, Some(action), None);
        t.run_threads(move || {
            barrier.wait(None).unwrap();
            assert_eq!(results.load(SeqCst), 1);
        });
    })
}

/// The body `test_abort` and `test_abort_and_reset` share: the thread that
/// gets index `N // 2` raises `RuntimeError` and aborts the barrier.
fn abort_step(barrier: &Barrier, results1: &AtomicUsize, results2: &AtomicUsize) {
    let r = (|| {
        let i = barrier.wait(None)?;
        if i == N / 2 {
            return Err(PyException::RuntimeError(String::new()));
        }
        barrier.wait(None)?;
        results1.fetch_add(1, SeqCst);
        Ok(())
    })();
    match r {
        Ok(()) => {}
        Err(e) if e.is_instance_of(&PyClass::BrokenBarrierError) => {
            results2.fetch_add(1, SeqCst);
        }
        Err(e) if e.is_instance_of(&PyClass::RuntimeError) => barrier.abort(),
        Err(e) => panic!("{e}"),
    }
}

// CPython: lock_tests.BarrierTests.test_abort (test_threading.BarrierTests)
#[test]
fn barrier_test_abort() {
    watchdog(|| {
        let t = BarrierTest::set_up();
        let results1 = Arc::new(AtomicUsize::new(0));
        let results2 = Arc::new(AtomicUsize::new(0));
        let (b, r1, r2) = (t.barrier.clone(), results1.clone(), results2.clone());
        t.run_threads(move || abort_step(&b, &r1, &r2));
        assert_eq!(results1.load(SeqCst), 0);
        assert_eq!(results2.load(SeqCst), N - 1);
        assert!(t.barrier.broken());
    })
}

// CPython: lock_tests.BarrierTests.test_reset (test_threading.BarrierTests)
#[test]
fn barrier_test_reset() {
    watchdog(|| {
        let t = BarrierTest::set_up();
        let results: [Arc<AtomicUsize>; 3] = Default::default();
        let (b, r) = (t.barrier.clone(), results.clone());
        t.run_threads(move || {
            let i = b.wait(None).unwrap();
            if i == N / 2 {
                // Wait until the other threads are all in the barrier.
                wait_until(|| b.n_waiting() >= N - 1);
                b.reset();
            } else {
                let w = b.wait(None);
                if w.is_ok() {
                    r[0].fetch_add(1, SeqCst);
                } else if is_broken(&w) {
                    r[1].fetch_add(1, SeqCst);
                } else {
                    panic!("{w:?}");
                }
            }
            // Now, pass the barrier again
            b.wait(None).unwrap();
            r[2].fetch_add(1, SeqCst);
        });
        assert_eq!(results[0].load(SeqCst), 0);
        assert_eq!(results[1].load(SeqCst), N - 1);
        assert_eq!(results[2].load(SeqCst), N);
    })
}

// CPython: lock_tests.BarrierTests.test_abort_and_reset (test_threading.BarrierTests)
#[test]
fn barrier_test_abort_and_reset() {
    watchdog(|| {
        let t = BarrierTest::set_up();
        let results: [Arc<AtomicUsize>; 3] = Default::default();
        let barrier2 = Barrier::new(N, None, None);
        let (b, r) = (t.barrier.clone(), results.clone());
        t.run_threads(move || {
            abort_step(&b, &r[0], &r[1]);
            // Synchronize and reset the barrier.  Must synchronize first so
            // that everyone has left it when we reset, and after so that no
            // one enters it before the reset.
            if barrier2.wait(None).unwrap() == N / 2 {
                b.reset();
            }
            barrier2.wait(None).unwrap();
            b.wait(None).unwrap();
            r[2].fetch_add(1, SeqCst);
        });
        assert_eq!(results[0].load(SeqCst), 0);
        assert_eq!(results[1].load(SeqCst), N - 1);
        assert_eq!(results[2].load(SeqCst), N);
    })
}

// CPython: lock_tests.BarrierTests.test_timeout (test_threading.BarrierTests)
#[test]
fn barrier_test_timeout() {
    watchdog(|| {
        let t = BarrierTest::set_up();
        let b = t.barrier.clone();
        t.run_threads(move || {
            let i = b.wait(None).unwrap();
            if i == N / 2 {
                // One thread is late!
                let late = Duration::from_secs_f64(DEFAULT_TIMEOUT / 2.0);
                std::thread::sleep(late); // allow-sleep: the late thread the test is about
            }
            // Default timeout is 2.0, so this is shorter.
            assert_raises(
                PyClass::BrokenBarrierError,
                b.wait(Some(DEFAULT_TIMEOUT / 4.0)),
            );
        });
    })
}

// CPython: lock_tests.BarrierTests.test_default_timeout (test_threading.BarrierTests)
#[test]
fn barrier_test_default_timeout() {
    watchdog(|| {
        let _t = BarrierTest::set_up();
        // Test the barrier's default timeout
        let timeout = 0.100;
        let barrier = Barrier::new(2, None, Some(timeout));
        let start_time = Instant::now();
        with_bunch(
            move || {
                assert_raises(PyClass::BrokenBarrierError, barrier.wait(None));
            },
            1,
            |_| {},
        );
        assert!(secs(start_time) >= timeout);
    })
}

// CPython: lock_tests.BarrierTests.test_single_thread (test_threading.BarrierTests)
#[test]
fn barrier_test_single_thread() {
    let _t = BarrierTest::set_up();
    let b = Barrier::new(1, None, None);
    b.wait(None).unwrap();
    b.wait(None).unwrap();
}

// CPython: lock_tests.BarrierTests.test_repr (test_threading.BarrierTests)
#[test]
fn barrier_test_repr() {
    watchdog(|| {
        let _t = BarrierTest::set_up();
        let barrier = Barrier::new(3, None, None);
        let timeout = LONG_TIMEOUT;
        assert_eq!(format!("{barrier:?}"), "<threading.Barrier: waiters=0/3>");
        let b = barrier.clone();
        with_bunch(
            move || {
                b.wait(Some(timeout)).unwrap();
            },
            2,
            |_| {
                // Threads blocked on barrier.wait()
                wait_until(|| barrier.n_waiting() >= 2);
                assert_eq!(format!("{barrier:?}"), "<threading.Barrier: waiters=2/3>");
                // Threads unblocked
                barrier.wait(Some(timeout)).unwrap();
            },
        );
        assert_eq!(format!("{barrier:?}"), "<threading.Barrier: waiters=0/3>");
        // Abort the barrier
        barrier.abort();
        assert_eq!(format!("{barrier:?}"), "<threading.Barrier: broken>");
    })
}
