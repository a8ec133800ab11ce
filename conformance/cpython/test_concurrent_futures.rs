//! Ports of CPython 3.11's `Lib/test/test_concurrent_futures.py` (see `SKIPPED.md` for the
//! tests that cannot apply, with the reason).
//!
//! CPython runs its executor mixins once per executor type; here a mixin is
//! a generic function over [`Exec`], called from one `#[test]` per class:
//! `thread_pool_*` for the `ThreadPool*` classes and `process_pool_*` for
//! the `ProcessPoolSpawn*` ones (our `ProcessPoolExecutor` runs on threads
//! and starts its workers on demand, as the spawn context does; the fork
//! and forkserver copies of the same tests would be the same tests again).
//!
//! CPython's module-level futures in fixed states (`PENDING_FUTURE`, ...)
//! are made per test through the public API by [`States`]. Calls that CPython
//! makes sleep so that they are still running while the test looks
//! (`time.sleep(1.5)` among calls expected not done) block on an `Event`
//! the test sets afterwards instead, so no outcome depends on timing.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Once};
use std::time::{Duration, Instant};

use common::{assert_raises, watchdog};
use executor_api::concurrent::futures::{
    as_completed, wait, Future, MapIter, ProcessPoolExecutor, ThreadPoolExecutor, ALL_COMPLETED,
    FIRST_COMPLETED, FIRST_EXCEPTION,
};
use executor_api::report::FUTURES_LOGGER;
use executor_api::threading::{current_thread, Event, Semaphore};
use executor_api::{IntoPyResult, PyClass, PyException, PyResult};

// ---------------------------------------------------------------------------
// Helpers: the executor types, CPython's module-level functions and futures.

/// What the executor mixins need of `self.executor_type`.
trait Exec: Clone + Send + Sync + 'static {
    /// `self.executor_type(max_workers=n)`.
    fn make(max_workers: Option<i64>) -> PyResult<Self>;
    /// `self.executor_type(max_workers=n, initializer=init)`.
    fn with_init(
        max_workers: Option<i64>,
        init: impl Fn() -> PyResult<()> + Send + Sync + 'static,
    ) -> PyResult<Self>;
    fn submit<T, R>(&self, f: impl FnOnce() -> R + Send + 'static) -> PyResult<Future<T>>
    where
        T: Send + 'static,
        R: IntoPyResult<T> + 'static;
    fn map<I, T, R>(
        &self,
        f: impl Fn(I::Item) -> R + Send + Sync + 'static,
        iterable: I,
        timeout: Option<Duration>,
        chunksize: Option<i64>,
    ) -> PyResult<MapIter<T>>
    where
        I: IntoIterator,
        I::Item: Send + 'static,
        T: Clone + Send + 'static,
        R: IntoPyResult<T> + 'static;
    fn shutdown(&self, wait: bool, cancel_futures: bool);
}

impl Exec for ThreadPoolExecutor {
    fn make(max_workers: Option<i64>) -> PyResult<Self> {
        ThreadPoolExecutor::new(max_workers)
    }
    fn with_init(
        max_workers: Option<i64>,
        init: impl Fn() -> PyResult<()> + Send + Sync + 'static,
    ) -> PyResult<Self> {
        ThreadPoolExecutor::builder()
            .max_workers(max_workers)
            .initializer(init)
            .build()
    }
    fn submit<T, R>(&self, f: impl FnOnce() -> R + Send + 'static) -> PyResult<Future<T>>
    where
        T: Send + 'static,
        R: IntoPyResult<T> + 'static,
    {
        ThreadPoolExecutor::submit(self, f)
    }
    fn map<I, T, R>(
        &self,
        f: impl Fn(I::Item) -> R + Send + Sync + 'static,
        iterable: I,
        timeout: Option<Duration>,
        chunksize: Option<i64>,
    ) -> PyResult<MapIter<T>>
    where
        I: IntoIterator,
        I::Item: Send + 'static,
        T: Clone + Send + 'static,
        R: IntoPyResult<T> + 'static,
    {
        ThreadPoolExecutor::map(self, f, iterable, timeout, chunksize)
    }
    fn shutdown(&self, wait: bool, cancel_futures: bool) {
        ThreadPoolExecutor::shutdown(self, wait, cancel_futures)
    }
}

impl Exec for ProcessPoolExecutor {
    fn make(max_workers: Option<i64>) -> PyResult<Self> {
        ProcessPoolExecutor::new(max_workers)
    }
    fn with_init(
        max_workers: Option<i64>,
        init: impl Fn() -> PyResult<()> + Send + Sync + 'static,
    ) -> PyResult<Self> {
        ProcessPoolExecutor::with_initializer(max_workers, Some(init))
    }
    fn submit<T, R>(&self, f: impl FnOnce() -> R + Send + 'static) -> PyResult<Future<T>>
    where
        T: Send + 'static,
        R: IntoPyResult<T> + 'static,
    {
        ProcessPoolExecutor::submit(self, f)
    }
    fn map<I, T, R>(
        &self,
        f: impl Fn(I::Item) -> R + Send + Sync + 'static,
        iterable: I,
        timeout: Option<Duration>,
        chunksize: Option<i64>,
    ) -> PyResult<MapIter<T>>
    where
        I: IntoIterator,
        I::Item: Send + 'static,
        T: Clone + Send + 'static,
        R: IntoPyResult<T> + 'static,
    {
        ProcessPoolExecutor::map(self, f, iterable, timeout, chunksize)
    }
    fn shutdown(&self, wait: bool, cancel_futures: bool) {
        ProcessPoolExecutor::shutdown(self, wait, cancel_futures)
    }
}

/// `ExecutorMixin.worker_count`.
const WORKER_COUNT: i64 = 5;

/// `ExecutorMixin.setUp`: `self.executor_type(max_workers=worker_count)`.
fn setup<E: Exec>() -> E {
    E::make(Some(WORKER_COUNT)).unwrap()
}

/// `ExecutorMixin.tearDown`: shut down, and the test must not have taken
/// "too long" (CPython's bound is 300 s; a hang is the watchdog's).
fn teardown<E: Exec>(executor: E, t1: Instant) {
    executor.shutdown(true, false);
    assert!(
        t1.elapsed() < Duration::from_secs(300),
        "synchronization issue: test lasted too long"
    );
}

/// Runs a mixin test as CPython's `setUp`/`tearDown` around it do.
fn with_executor<E: Exec>(body: impl FnOnce(&E) -> PyResult<()> + Send + 'static) {
    watchdog(move || {
        let t1 = Instant::now();
        let executor = setup::<E>();
        body(&executor).unwrap();
        teardown(executor, t1);
    })
}

fn mul(x: i64, y: i64) -> i64 {
    x * y
}

fn sleep(secs: f64) {
    std::thread::sleep(Duration::from_secs_f64(secs)); // allow-sleep: CPython's `time.sleep` work item
}

/// `divmod(x, y)` on ints.
fn divmod(x: i64, y: i64) -> PyResult<(i64, i64)> {
    if y == 0 {
        return Err(PyException::ZeroDivisionError(
            "integer division or modulo by zero".into(),
        ));
    }
    Ok((x.div_euclid(y), x.rem_euclid(y)))
}

/// `pow(x, y)` on non-negative ints. Python's ints have no bound and
/// `pow(39, 39)` does not fit an `i64`: the power wraps, the same way for
/// the map and for its reference, so comparing them stays exact.
fn pow(x: i64, y: i64) -> i64 {
    x.wrapping_pow(y as u32)
}

/// `Exception('this is an exception')`, as `sleep_and_raise` raises.
fn an_exception() -> PyException {
    PyException::with_class(PyClass::Exception, "this is an exception")
}

/// CPython's `create_future(state=...)` module constants, one set per
/// test, made through the public API.
struct States<T> {
    pending: Future<T>,
    running: Future<T>,
    cancelled: Future<T>,
    cancelled_and_notified: Future<T>,
    exception: Future<T>,
    successful: Future<T>,
}

impl<T: Send + 'static> States<T> {
    /// `SUCCESSFUL_FUTURE` finished with `result` (CPython's 42).
    fn new(result: T) -> Self {
        let pending = Future::new();
        let running = Future::new();
        assert!(running.set_running_or_notify_cancel().unwrap());
        let cancelled = Future::new();
        assert!(cancelled.cancel());
        let cancelled_and_notified = Future::new();
        assert!(cancelled_and_notified.cancel());
        assert!(!cancelled_and_notified
            .set_running_or_notify_cancel()
            .unwrap());
        let exception = Future::new();
        exception
            .set_exception(PyException::OSError(String::new()))
            .unwrap();
        let successful = Future::new();
        successful.set_result(result).unwrap();
        States {
            pending,
            running,
            cancelled,
            cancelled_and_notified,
            exception,
            successful,
        }
    }
}

/// `self.assertEqual(set(expected), actual)` for futures (identity).
#[track_caller]
fn assert_set<T>(expected: &[&Future<T>], actual: &[Future<T>]) {
    assert_eq!(
        expected.len(),
        actual.len(),
        "expected {expected:?}, got {actual:?}"
    );
    for e in expected {
        assert!(
            actual.iter().any(|a| a.ptr_eq(e)),
            "{e:?} missing from {actual:?}"
        );
    }
}

/// A call that stays running until the test lets it go (CPython's long
/// `time.sleep` among calls expected not done).
#[derive(Clone)]
struct Gate(Event);

impl Gate {
    fn new() -> Self {
        Gate(Event::new())
    }
    fn wait(&self) {
        self.0.wait(None);
    }
    fn open(&self) {
        self.0.set();
    }
}

/// The `concurrent.futures` log records (`assertLogs`), captured by a `log`
/// logger of this binary. [`logged_during`] serializes the tests that look
/// at them, so each sees only its own records.
struct Capture(Mutex<Vec<(String, log::Level, String)>>);

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        let entry = (
            record.target().to_string(),
            record.level(),
            record.args().to_string(),
        );
        self.0.lock().unwrap().push(entry);
    }
    fn flush(&self) {}
}

static CAPTURE: Capture = Capture(Mutex::new(Vec::new()));
static LOGGED: Mutex<()> = Mutex::new(());

/// Runs `body` and returns the `concurrent.futures` records at `level`
/// logged meanwhile (`with self.assertLogs('concurrent.futures', level)`).
fn logged_during(level: log::Level, body: impl FnOnce()) -> Vec<String> {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        log::set_logger(&CAPTURE).unwrap();
        log::set_max_level(log::LevelFilter::Error);
    });
    let _serial = LOGGED.lock().unwrap_or_else(|p| p.into_inner());
    let before = CAPTURE.0.lock().unwrap().len();
    body();
    let records = CAPTURE.0.lock().unwrap();
    records[before..]
        .iter()
        .filter(|(target, l, _)| target == FUTURES_LOGGER && *l == level)
        .map(|(_, _, message)| message.clone())
        .collect()
}

/// Waits until `cond` holds (a loop-until instead of a sleep).
fn wait_until(what: &str, cond: impl Fn() -> bool) {
    let t0 = Instant::now();
    while !cond() {
        assert!(t0.elapsed() < Duration::from_secs(60), "never: {what}");
        std::thread::sleep(Duration::from_millis(1)); // allow-sleep: bounded poll of a condition
    }
}

// ---------------------------------------------------------------------------
// InitializerMixin, FailingInitializerMixin

fn initializer_test_initializer<E: Exec>() {
    watchdog(|| {
        // setUp: INITIALIZER_STATUS = 'uninitialized'; initializer=init,
        // initargs=('initialized',); worker_count = 2.
        let status = Arc::new(Mutex::new("uninitialized".to_string()));
        let s = status.clone();
        let executor = E::with_init(Some(2), move || {
            *s.lock().unwrap() = "initialized".into();
            Ok(())
        })
        .unwrap();
        let futures: Vec<Future<String>> = (0..2)
            .map(|_| {
                let s = status.clone();
                executor.submit(move || s.lock().unwrap().clone())
            })
            .collect::<PyResult<_>>()
            .unwrap();
        for f in futures {
            assert_eq!(f.result(None).unwrap(), "initialized");
        }
        executor.shutdown(true, false);
    })
}

// CPython: test_concurrent_futures.ThreadPoolInitializerTest.test_initializer
#[test]
fn thread_pool_initializer_test_initializer() {
    initializer_test_initializer::<ThreadPoolExecutor>();
}

// CPython: test_concurrent_futures.ProcessPoolSpawnInitializerTest.test_initializer
#[test]
fn process_pool_initializer_test_initializer() {
    initializer_test_initializer::<ProcessPoolExecutor>();
}

fn failing_initializer_test_initializer<E: Exec>() {
    watchdog(|| {
        let output = logged_during(log::Level::Error, || {
            // initializer=init_fail: sleeps to let some futures be
            // scheduled, then raises.
            let executor = E::with_init(Some(2), || {
                sleep(0.1);
                Err(PyException::ValueError("error in initializer".into()))
            })
            .unwrap();
            match executor.submit(|| 0) {
                // Perhaps the executor is already broken.
                Err(e) => assert!(e.is_instance_of(&PyClass::BrokenExecutor), "{e}"),
                Ok(future) => {
                    assert_raises(PyClass::BrokenExecutor, future.result(None));
                }
            }
            // CPython then polls `executor._broken` for up to 5 s: ours is
            // set before the first future fails, so it already is.
            assert_raises(PyClass::BrokenExecutor, executor.submit(|| 0));
            executor.shutdown(true, false);
        });
        // `assertLogs(..., 'CRITICAL')`: CPython's critical is `log`'s Error.
        assert!(
            output
                .iter()
                .any(|line| line.contains("ValueError: error in initializer")),
            "{output:?}"
        );
    })
}

// CPython: test_concurrent_futures.ThreadPoolFailingInitializerTest.test_initializer
#[test]
fn thread_pool_failing_initializer_test_initializer() {
    failing_initializer_test_initializer::<ThreadPoolExecutor>();
}

// CPython: test_concurrent_futures.ProcessPoolSpawnFailingInitializerTest.test_initializer
#[test]
fn process_pool_failing_initializer_test_initializer() {
    failing_initializer_test_initializer::<ProcessPoolExecutor>();
}

// ---------------------------------------------------------------------------
// ExecutorShutdownTest (ThreadPoolShutdownTest, ProcessPool*ProcessPoolShutdownTest)

fn shutdown_test_run_after_shutdown<E: Exec>() {
    with_executor::<E>(|executor| {
        executor.shutdown(true, false);
        assert_raises(PyClass::RuntimeError, executor.submit(|| pow(2, 5)));
        Ok(())
    })
}

fn shutdown_test_hang_issue12364<E: Exec>() {
    with_executor::<E>(|executor| {
        let fs: Vec<Future<()>> = (0..50)
            .map(|_| executor.submit(|| sleep(0.1)))
            .collect::<PyResult<_>>()?;
        executor.shutdown(true, false);
        for f in fs {
            f.result(None)?;
        }
        Ok(())
    })
}

fn shutdown_test_cancel_futures<E: Exec>() {
    with_executor::<E>(|executor| {
        const _: () = assert!(WORKER_COUNT <= 5, "test needs few workers");
        let fs: Vec<Future<()>> = (0..50)
            .map(|_| executor.submit(|| sleep(0.1)))
            .collect::<PyResult<_>>()?;
        // CPython relies on its workers having taken a call by now; we wait
        // until one has, instead of hoping so on a loaded machine.
        wait_until("a call started", || {
            fs.iter().any(|f| f.running() || f.done())
        });
        executor.shutdown(true, true);
        // We can't guarantee the exact number of cancellations, but we can
        // guarantee that *some* were cancelled.
        let cancelled = fs.iter().filter(|f| f.cancelled()).count();
        assert!(cancelled > 20, "{cancelled}");
        // The others were able to finish.
        let others: Vec<_> = fs.iter().filter(|f| !f.cancelled()).collect();
        for fut in &others {
            assert!(fut.done(), "{fut:?}");
            assert!(fut.exception(None)?.is_none());
        }
        assert!(!others.is_empty());
        Ok(())
    })
}

fn shutdown_test_hang_gh94440<E: Exec>() {
    // CPython bounds the shutdown with a 5 s SIGALRM; ours is the watchdog.
    watchdog(|| {
        let executor = E::make(Some(1)).unwrap();
        executor.submit(|| 0i64).unwrap().result(None).unwrap();
        executor.submit(|| 0i64).unwrap().cancel();
        executor.shutdown(true, false);
    })
}

// CPython: test_concurrent_futures.ThreadPoolShutdownTest.test_run_after_shutdown
#[test]
fn thread_pool_shutdown_test_run_after_shutdown() {
    shutdown_test_run_after_shutdown::<ThreadPoolExecutor>();
}

// CPython: test_concurrent_futures.ThreadPoolShutdownTest.test_hang_issue12364
#[test]
fn thread_pool_shutdown_test_hang_issue12364() {
    shutdown_test_hang_issue12364::<ThreadPoolExecutor>();
}

// CPython: test_concurrent_futures.ThreadPoolShutdownTest.test_cancel_futures
#[test]
fn thread_pool_shutdown_test_cancel_futures() {
    shutdown_test_cancel_futures::<ThreadPoolExecutor>();
}

// CPython: test_concurrent_futures.ThreadPoolShutdownTest.test_hang_gh94440
#[test]
fn thread_pool_shutdown_test_hang_gh94440() {
    shutdown_test_hang_gh94440::<ThreadPoolExecutor>();
}

// CPython: test_concurrent_futures.ThreadPoolShutdownTest.test_threads_terminate
#[test]
fn thread_pool_shutdown_test_threads_terminate() {
    with_executor::<ThreadPoolExecutor>(|executor| {
        let sem = Semaphore::new(Some(0))?;
        for _ in 0..3 {
            let sem = sem.clone();
            drop::<Future<bool>>(executor.submit(move || sem.acquire(None, None))?);
        }
        assert_eq!(executor.live_threads(), 3);
        for _ in 0..3 {
            sem.release(None)?;
        }
        executor.shutdown(true, false);
        // `for t in executor._threads: t.join()`: every worker has ended.
        assert_eq!(executor.live_threads(), 0);
        Ok(())
    })
}

fn abs_range() -> Vec<i64> {
    vec![5, 4, 3, 2, 1, 0, 1, 2, 3, 4]
}

// CPython: test_concurrent_futures.ThreadPoolShutdownTest.test_context_manager_shutdown
#[test]
fn thread_pool_shutdown_test_context_manager_shutdown() {
    with_executor::<ThreadPoolExecutor>(|_| {
        let executor;
        {
            // with futures.ThreadPoolExecutor(max_workers=5) as e:
            let e = ThreadPoolExecutor::new(Some(5))?;
            executor = e.clone();
            let results: Vec<i64> = e
                .map(|x: i64| x.abs(), -5..5, None, None)?
                .collect::<PyResult<_>>()?;
            assert_eq!(results, abs_range());
            // The end of the `with` block: `__exit__` is `shutdown(wait=True)`.
            e.shutdown(true, false);
        }
        assert_eq!(executor.live_threads(), 0);
        Ok(())
    })
}

// CPython: test_concurrent_futures.ThreadPoolShutdownTest.test_del_shutdown
#[test]
fn thread_pool_shutdown_test_del_shutdown() {
    with_executor::<ThreadPoolExecutor>(|_| {
        let executor = ThreadPoolExecutor::new(Some(5))?;
        let res = executor.map(|x: i64| x.abs(), -5..5, None, None)?;
        // `del executor`: dropping the last handle shuts it down and joins
        // its threads.
        drop(executor);
        // The results were all computed before the executor got shut down.
        let res: Vec<i64> = res.collect::<PyResult<_>>()?;
        assert_eq!(res, abs_range());
        Ok(())
    })
}

// CPython: test_concurrent_futures.ThreadPoolShutdownTest.test_shutdown_no_wait
#[test]
fn thread_pool_shutdown_test_shutdown_no_wait() {
    with_executor::<ThreadPoolExecutor>(|_| {
        let executor = ThreadPoolExecutor::new(Some(5))?;
        let res = executor.map(|x: i64| x.abs(), -5..5, None, None)?;
        executor.shutdown(false, false);
        // `for t in threads: t.join()`: a second shutdown that waits joins
        // them (CPython's shutdown may be called again).
        executor.shutdown(true, false);
        assert_eq!(executor.live_threads(), 0);
        let res: Vec<i64> = res.collect::<PyResult<_>>()?;
        assert_eq!(res, abs_range());
        Ok(())
    })
}

/// `name` is `{prefix}_[0-4]`, where `prefix` matches `prefix_ok`.
fn worker_name_ok(name: &str, prefix_ok: impl Fn(&str) -> bool) -> bool {
    match name.rsplit_once('_') {
        Some((prefix, n)) => prefix_ok(prefix) && matches!(n, "0" | "1" | "2" | "3" | "4"),
        None => false,
    }
}

/// The names of the threads that ran `executor.map(abs, range(-5, 5))`,
/// collected once the executor is gone (CPython reads `executor._threads`).
fn names_after_map(executor: ThreadPoolExecutor) -> PyResult<Vec<String>> {
    let names = Arc::new(Mutex::new(Vec::new()));
    let n = names.clone();
    let _ = executor.map(
        move |x: i64| {
            n.lock().unwrap().push(current_thread().name());
            x.abs()
        },
        -5..5,
        None,
        None,
    )?;
    drop(executor);
    let names = names.lock().unwrap().clone();
    assert_eq!(names.len(), 10);
    Ok(names)
}

// CPython: test_concurrent_futures.ThreadPoolShutdownTest.test_thread_names_assigned
#[test]
fn thread_pool_shutdown_test_thread_names_assigned() {
    with_executor::<ThreadPoolExecutor>(|_| {
        let executor = ThreadPoolExecutor::builder()
            .max_workers(Some(5))
            .thread_name_prefix("SpecialPool")
            .build()?;
        for name in names_after_map(executor)? {
            // assertRegex(t.name, r'^SpecialPool_[0-4]$')
            assert!(worker_name_ok(&name, |p| p == "SpecialPool"), "{name}");
        }
        Ok(())
    })
}

// CPython: test_concurrent_futures.ThreadPoolShutdownTest.test_thread_names_default
#[test]
fn thread_pool_shutdown_test_thread_names_default() {
    with_executor::<ThreadPoolExecutor>(|_| {
        let executor = ThreadPoolExecutor::new(Some(5))?;
        for name in names_after_map(executor)? {
            // assertRegex(t.name, r'ThreadPoolExecutor-\d+_[0-4]$')
            let ok = worker_name_ok(&name, |p| {
                p.rsplit_once("ThreadPoolExecutor-")
                    .is_some_and(|(_, n)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            });
            assert!(ok, "{name}");
        }
        Ok(())
    })
}

// CPython: test_concurrent_futures.ProcessPoolSpawnProcessPoolShutdownTest.test_run_after_shutdown
#[test]
fn process_pool_shutdown_test_run_after_shutdown() {
    shutdown_test_run_after_shutdown::<ProcessPoolExecutor>();
}

// CPython: test_concurrent_futures.ProcessPoolSpawnProcessPoolShutdownTest.test_hang_issue12364
#[test]
fn process_pool_shutdown_test_hang_issue12364() {
    shutdown_test_hang_issue12364::<ProcessPoolExecutor>();
}

// CPython: test_concurrent_futures.ProcessPoolSpawnProcessPoolShutdownTest.test_cancel_futures
#[test]
fn process_pool_shutdown_test_cancel_futures() {
    shutdown_test_cancel_futures::<ProcessPoolExecutor>();
}

// CPython: test_concurrent_futures.ProcessPoolSpawnProcessPoolShutdownTest.test_hang_gh94440
#[test]
fn process_pool_shutdown_test_hang_gh94440() {
    shutdown_test_hang_gh94440::<ProcessPoolExecutor>();
}

// CPython: test_concurrent_futures.ProcessPoolSpawnProcessPoolShutdownTest.test_processes_terminate
#[test]
fn process_pool_shutdown_test_processes_terminate() {
    with_executor::<ProcessPoolExecutor>(|executor| {
        // The spawn context starts processes on demand: 3 for 3 calls.
        let expected_num_processes = 3;
        let sem = Semaphore::new(Some(0))?;
        for _ in 0..3 {
            let sem = sem.clone();
            drop::<Future<bool>>(executor.submit(move || sem.acquire(None, None))?);
        }
        assert_eq!(executor.live_processes(), expected_num_processes);
        for _ in 0..3 {
            sem.release(None)?;
        }
        executor.shutdown(true, false);
        // `for p in processes.values(): p.join()`.
        assert_eq!(executor.live_processes(), 0);
        Ok(())
    })
}

// CPython: test_concurrent_futures.ProcessPoolSpawnProcessPoolShutdownTest.test_context_manager_shutdown
#[test]
fn process_pool_shutdown_test_context_manager_shutdown() {
    with_executor::<ProcessPoolExecutor>(|_| {
        let processes;
        {
            let e = ProcessPoolExecutor::new(Some(5))?;
            processes = e.clone();
            let results: Vec<i64> = e
                .map(|x: i64| x.abs(), -5..5, None, None)?
                .collect::<PyResult<_>>()?;
            assert_eq!(results, abs_range());
            e.shutdown(true, false);
        }
        assert_eq!(processes.live_processes(), 0);
        Ok(())
    })
}

// CPython: test_concurrent_futures.ProcessPoolSpawnProcessPoolShutdownTest.test_del_shutdown
#[test]
fn process_pool_shutdown_test_del_shutdown() {
    with_executor::<ProcessPoolExecutor>(|_| {
        let executor = ProcessPoolExecutor::new(Some(5))?;
        let res = executor.map(|x: i64| x.abs(), -5..5, None, None)?;
        drop(executor);
        let res: Vec<i64> = res.collect::<PyResult<_>>()?;
        assert_eq!(res, abs_range());
        Ok(())
    })
}

// CPython: test_concurrent_futures.ProcessPoolSpawnProcessPoolShutdownTest.test_shutdown_no_wait
#[test]
fn process_pool_shutdown_test_shutdown_no_wait() {
    with_executor::<ProcessPoolExecutor>(|_| {
        let executor = ProcessPoolExecutor::new(Some(5))?;
        let res = executor.map(|x: i64| x.abs(), -5..5, None, None)?;
        executor.shutdown(false, false);
        executor.shutdown(true, false);
        assert_eq!(executor.live_processes(), 0);
        let res: Vec<i64> = res.collect::<PyResult<_>>()?;
        assert_eq!(res, abs_range());
        Ok(())
    })
}

// ---------------------------------------------------------------------------
// WaitTests (ThreadPoolWaitTests, ProcessPool*WaitTest)

/// The type of every future in a wait: `time.sleep` returns `None`.
type F = Future<Option<i64>>;

fn wait_test_20369<E: Exec>() {
    with_executor::<E>(|executor| {
        let future: F = executor.submit(|| {
            sleep(1.5);
            None
        })?;
        let r = wait(&[future.clone(), future.clone()], None, Some(ALL_COMPLETED));
        assert_set(&[&future], &r.done);
        assert_set(&[], &r.not_done);
        Ok(())
    })
}

fn wait_test_first_completed<E: Exec>() {
    with_executor::<E>(|executor| {
        let s = States::new(Some(42));
        let gate = Gate::new();
        let future1: F = executor.submit(|| Some(mul(21, 2)))?;
        let g = gate.clone();
        let future2: F = executor.submit(move || {
            g.wait();
            None
        })?;
        let r = wait(
            &[s.cancelled.clone(), future1.clone(), future2.clone()],
            None,
            Some(FIRST_COMPLETED),
        );
        assert_set(&[&future1], &r.done);
        assert_set(&[&s.cancelled, &future2], &r.not_done);
        gate.open();
        Ok(())
    })
}

fn wait_test_first_completed_some_already_completed<E: Exec>() {
    with_executor::<E>(|executor| {
        let s = States::new(Some(42));
        let gate = Gate::new();
        let g = gate.clone();
        let future1: F = executor.submit(move || {
            g.wait();
            None
        })?;
        let r = wait(
            &[
                s.cancelled_and_notified.clone(),
                s.successful.clone(),
                future1.clone(),
            ],
            None,
            Some(FIRST_COMPLETED),
        );
        assert_set(&[&s.cancelled_and_notified, &s.successful], &r.done);
        assert_set(&[&future1], &r.not_done);
        gate.open();
        Ok(())
    })
}

fn wait_test_first_exception<E: Exec>() {
    with_executor::<E>(|executor| {
        let gate = Gate::new();
        let future1: F = executor.submit(|| Some(mul(2, 21)))?;
        // sleep_and_raise(1.5): CPython's sleep lets future1 finish first;
        // we wait for it.
        let f1 = future1.clone();
        let future2: F = executor.submit(move || -> PyResult<Option<i64>> {
            f1.result(None)?;
            Err(an_exception())
        })?;
        let g = gate.clone();
        let future3: F = executor.submit(move || {
            g.wait();
            None
        })?;
        let r = wait(
            &[future1.clone(), future2.clone(), future3.clone()],
            None,
            Some(FIRST_EXCEPTION),
        );
        assert_set(&[&future1, &future2], &r.done);
        assert_set(&[&future3], &r.not_done);
        gate.open();
        Ok(())
    })
}

fn wait_test_first_exception_some_already_complete<E: Exec>() {
    with_executor::<E>(|executor| {
        let s = States::new(Some(42));
        let gate = Gate::new();
        let future1: F = executor.submit(|| divmod(21, 0).map(|_| None))?;
        let g = gate.clone();
        let future2: F = executor.submit(move || {
            g.wait();
            None
        })?;
        let r = wait(
            &[
                s.successful.clone(),
                s.cancelled.clone(),
                s.cancelled_and_notified.clone(),
                future1.clone(),
                future2.clone(),
            ],
            None,
            Some(FIRST_EXCEPTION),
        );
        assert_set(
            &[&s.successful, &s.cancelled_and_notified, &future1],
            &r.done,
        );
        assert_set(&[&s.cancelled, &future2], &r.not_done);
        gate.open();
        Ok(())
    })
}

fn wait_test_first_exception_one_already_failed<E: Exec>() {
    with_executor::<E>(|executor| {
        let s = States::new(Some(42));
        let gate = Gate::new();
        let g = gate.clone();
        let future1: F = executor.submit(move || {
            g.wait();
            None
        })?;
        let r = wait(
            &[s.exception.clone(), future1.clone()],
            None,
            Some(FIRST_EXCEPTION),
        );
        assert_set(&[&s.exception], &r.done);
        assert_set(&[&future1], &r.not_done);
        gate.open();
        Ok(())
    })
}

fn wait_test_all_completed<E: Exec>() {
    with_executor::<E>(|executor| {
        let s = States::new(Some(42));
        let future1: F = executor.submit(|| divmod(2, 0).map(|_| None))?;
        let future2: F = executor.submit(|| Some(mul(2, 21)))?;
        let r = wait(
            &[
                s.successful.clone(),
                s.cancelled_and_notified.clone(),
                s.exception.clone(),
                future1.clone(),
                future2.clone(),
            ],
            None,
            Some(ALL_COMPLETED),
        );
        assert_set(
            &[
                &s.successful,
                &s.cancelled_and_notified,
                &s.exception,
                &future1,
                &future2,
            ],
            &r.done,
        );
        assert_set(&[], &r.not_done);
        Ok(())
    })
}

fn wait_test_timeout<E: Exec>() {
    with_executor::<E>(|executor| {
        let s = States::new(Some(42));
        let gate = Gate::new();
        let future1: F = executor.submit(|| Some(mul(6, 7)))?;
        let g = gate.clone();
        let future2: F = executor.submit(move || {
            g.wait();
            None
        })?;
        let r = wait(
            &[
                s.cancelled_and_notified.clone(),
                s.exception.clone(),
                s.successful.clone(),
                future1.clone(),
                future2.clone(),
            ],
            Some(Duration::from_secs(5)),
            Some(ALL_COMPLETED),
        );
        assert_set(
            &[
                &s.cancelled_and_notified,
                &s.exception,
                &s.successful,
                &future1,
            ],
            &r.done,
        );
        assert_set(&[&future2], &r.not_done);
        gate.open();
        Ok(())
    })
}

// CPython: test_concurrent_futures.ThreadPoolWaitTests.test_20369
#[test]
fn thread_pool_wait_test_20369() {
    wait_test_20369::<ThreadPoolExecutor>();
}

// CPython: test_concurrent_futures.ThreadPoolWaitTests.test_first_completed
#[test]
fn thread_pool_wait_test_first_completed() {
    wait_test_first_completed::<ThreadPoolExecutor>();
}

// CPython: test_concurrent_futures.ThreadPoolWaitTests.test_first_completed_some_already_completed
#[test]
fn thread_pool_wait_test_first_completed_some_already_completed() {
    wait_test_first_completed_some_already_completed::<ThreadPoolExecutor>();
}

// CPython: test_concurrent_futures.ThreadPoolWaitTests.test_first_exception
#[test]
fn thread_pool_wait_test_first_exception() {
    wait_test_first_exception::<ThreadPoolExecutor>();
}

// CPython: test_concurrent_futures.ThreadPoolWaitTests.test_first_exception_some_already_complete
#[test]
fn thread_pool_wait_test_first_exception_some_already_complete() {
    wait_test_first_exception_some_already_complete::<ThreadPoolExecutor>();
}

// CPython: test_concurrent_futures.ThreadPoolWaitTests.test_first_exception_one_already_failed
#[test]
fn thread_pool_wait_test_first_exception_one_already_failed() {
    wait_test_first_exception_one_already_failed::<ThreadPoolExecutor>();
}

// CPython: test_concurrent_futures.ThreadPoolWaitTests.test_all_completed
#[test]
fn thread_pool_wait_test_all_completed() {
    wait_test_all_completed::<ThreadPoolExecutor>();
}

// CPython: test_concurrent_futures.ThreadPoolWaitTests.test_timeout
#[test]
fn thread_pool_wait_test_timeout() {
    wait_test_timeout::<ThreadPoolExecutor>();
}

// CPython: test_concurrent_futures.ThreadPoolWaitTests.test_pending_calls_race
#[test]
fn thread_pool_wait_test_pending_calls_race() {
    // CPython also shortens the switch interval to provoke the race; our
    // threads switch as the OS pleases.
    with_executor::<ThreadPoolExecutor>(|executor| {
        let event = Event::new();
        let fs: Vec<Future<bool>> = (0..100)
            .map(|_| {
                let e = event.clone();
                executor.submit(move || e.wait(None))
            })
            .collect::<PyResult<_>>()?;
        event.set();
        wait(&fs, None, Some(ALL_COMPLETED));
        Ok(())
    })
}

// CPython: test_concurrent_futures.ProcessPoolSpawnWaitTest.test_20369
#[test]
fn process_pool_wait_test_20369() {
    wait_test_20369::<ProcessPoolExecutor>();
}

// CPython: test_concurrent_futures.ProcessPoolSpawnWaitTest.test_first_completed
#[test]
fn process_pool_wait_test_first_completed() {
    wait_test_first_completed::<ProcessPoolExecutor>();
}

// CPython: test_concurrent_futures.ProcessPoolSpawnWaitTest.test_first_completed_some_already_completed
#[test]
fn process_pool_wait_test_first_completed_some_already_completed() {
    wait_test_first_completed_some_already_completed::<ProcessPoolExecutor>();
}

// CPython: test_concurrent_futures.ProcessPoolSpawnWaitTest.test_first_exception
#[test]
fn process_pool_wait_test_first_exception() {
    wait_test_first_exception::<ProcessPoolExecutor>();
}

// CPython: test_concurrent_futures.ProcessPoolSpawnWaitTest.test_first_exception_some_already_complete
#[test]
fn process_pool_wait_test_first_exception_some_already_complete() {
    wait_test_first_exception_some_already_complete::<ProcessPoolExecutor>();
}

// CPython: test_concurrent_futures.ProcessPoolSpawnWaitTest.test_first_exception_one_already_failed
#[test]
fn process_pool_wait_test_first_exception_one_already_failed() {
    wait_test_first_exception_one_already_failed::<ProcessPoolExecutor>();
}

// CPython: test_concurrent_futures.ProcessPoolSpawnWaitTest.test_all_completed
#[test]
fn process_pool_wait_test_all_completed() {
    wait_test_all_completed::<ProcessPoolExecutor>();
}

// CPython: test_concurrent_futures.ProcessPoolSpawnWaitTest.test_timeout
#[test]
fn process_pool_wait_test_timeout() {
    wait_test_timeout::<ProcessPoolExecutor>();
}

// ---------------------------------------------------------------------------
// AsCompletedTests (ThreadPoolAsCompletedTest, ProcessPool*AsCompletedTest)

fn as_completed_test_no_timeout<E: Exec>() {
    with_executor::<E>(|executor| {
        let s = States::new(Some(42));
        let future1: F = executor.submit(|| Some(mul(2, 21)))?;
        let future2: F = executor.submit(|| Some(mul(7, 6)))?;
        let completed: Vec<F> = as_completed(
            &[
                s.cancelled_and_notified.clone(),
                s.exception.clone(),
                s.successful.clone(),
                future1.clone(),
                future2.clone(),
            ],
            None,
        )
        .collect::<PyResult<_>>()?;
        assert_set(
            &[
                &s.cancelled_and_notified,
                &s.exception,
                &s.successful,
                &future1,
                &future2,
            ],
            &completed,
        );
        Ok(())
    })
}

fn as_completed_test_zero_timeout<E: Exec>() {
    with_executor::<E>(|executor| {
        let s = States::new(Some(42));
        let gate = Gate::new();
        let g = gate.clone();
        let future1: F = executor.submit(move || {
            g.wait();
            None
        })?;
        let mut completed_futures = Vec::new();
        for future in as_completed(
            &[
                s.cancelled_and_notified.clone(),
                s.exception.clone(),
                s.successful.clone(),
                future1,
            ],
            Some(Duration::ZERO),
        ) {
            match future {
                Ok(f) => completed_futures.push(f),
                // except futures.TimeoutError: pass
                Err(e) if e.is_instance_of(&PyClass::TimeoutError) => break,
                Err(e) => return Err(e),
            }
        }
        assert_set(
            &[&s.cancelled_and_notified, &s.exception, &s.successful],
            &completed_futures,
        );
        gate.open();
        Ok(())
    })
}

fn as_completed_test_duplicate_futures<E: Exec>() {
    with_executor::<E>(|executor| {
        let future1: F = executor.submit(|| {
            sleep(2.0);
            None
        })?;
        // `itertools.repeat(future1, 3)`.
        let fs = vec![future1.clone(); 3];
        let completed: Vec<F> = as_completed(&fs, None).collect::<PyResult<_>>()?;
        assert_eq!(completed.len(), 1);
        Ok(())
    })
}

fn as_completed_test_correct_timeout_exception_msg<E: Exec>() {
    with_executor::<E>(|_| {
        let s = States::new(Some(42));
        let futures_list = [
            s.cancelled_and_notified.clone(),
            s.pending.clone(),
            s.running.clone(),
            s.successful.clone(),
        ];
        let r: PyResult<Vec<F>> = as_completed(&futures_list, Some(Duration::ZERO)).collect();
        let e = assert_raises(PyClass::TimeoutError, r);
        assert_eq!(e.message(), "2 (of 4) futures unfinished");
        Ok(())
    })
}

// CPython: test_concurrent_futures.ThreadPoolAsCompletedTest.test_no_timeout
#[test]
fn thread_pool_as_completed_test_no_timeout() {
    as_completed_test_no_timeout::<ThreadPoolExecutor>();
}

// CPython: test_concurrent_futures.ThreadPoolAsCompletedTest.test_zero_timeout
#[test]
fn thread_pool_as_completed_test_zero_timeout() {
    as_completed_test_zero_timeout::<ThreadPoolExecutor>();
}

// CPython: test_concurrent_futures.ThreadPoolAsCompletedTest.test_duplicate_futures
#[test]
fn thread_pool_as_completed_test_duplicate_futures() {
    as_completed_test_duplicate_futures::<ThreadPoolExecutor>();
}

// CPython: test_concurrent_futures.ThreadPoolAsCompletedTest.test_correct_timeout_exception_msg
#[test]
fn thread_pool_as_completed_test_correct_timeout_exception_msg() {
    as_completed_test_correct_timeout_exception_msg::<ThreadPoolExecutor>();
}

// CPython: test_concurrent_futures.ProcessPoolSpawnAsCompletedTest.test_no_timeout
#[test]
fn process_pool_as_completed_test_no_timeout() {
    as_completed_test_no_timeout::<ProcessPoolExecutor>();
}

// CPython: test_concurrent_futures.ProcessPoolSpawnAsCompletedTest.test_zero_timeout
#[test]
fn process_pool_as_completed_test_zero_timeout() {
    as_completed_test_zero_timeout::<ProcessPoolExecutor>();
}

// CPython: test_concurrent_futures.ProcessPoolSpawnAsCompletedTest.test_duplicate_futures
#[test]
fn process_pool_as_completed_test_duplicate_futures() {
    as_completed_test_duplicate_futures::<ProcessPoolExecutor>();
}

// CPython: test_concurrent_futures.ProcessPoolSpawnAsCompletedTest.test_correct_timeout_exception_msg
#[test]
fn process_pool_as_completed_test_correct_timeout_exception_msg() {
    as_completed_test_correct_timeout_exception_msg::<ProcessPoolExecutor>();
}

// ---------------------------------------------------------------------------
// ExecutorTest (ThreadPoolExecutorTest, ProcessPool*ExecutorTest)

fn executor_test_submit<E: Exec>() {
    with_executor::<E>(|executor| {
        let future: Future<i64> = executor.submit(|| pow(2, 8))?;
        assert_eq!(256, future.result(None)?);
        Ok(())
    })
}

/// `capture(*args, **kwargs)`: returns `(args, kwargs)`.
type Captured = (Vec<i64>, Vec<(&'static str, i64)>);

fn executor_test_submit_keyword<E: Exec>() {
    with_executor::<E>(|executor| {
        // submit(mul, 2, y=8): keyword arguments are the closure's call.
        let future: Future<i64> = executor.submit(|| mul(2, 8))?;
        assert_eq!(16, future.result(None)?);
        // submit(capture, 1, self=2, fn=3): `self` and `fn` reach the
        // function, not submit.
        let capture =
            |args: Vec<i64>, kwargs: Vec<(&'static str, i64)>| -> Captured { (args, kwargs) };
        let future: Future<Captured> =
            executor.submit(move || capture(vec![1], vec![("self", 2), ("fn", 3)]))?;
        assert_eq!(
            future.result(None)?,
            (vec![1], vec![("self", 2), ("fn", 3)])
        );
        Ok(())
    })
}

fn executor_test_map<E: Exec>() {
    with_executor::<E>(|executor| {
        let expected: Vec<i64> = (0..10).map(|i| pow(i, i)).collect();
        let pairs = || (0..10i64).zip(0..10i64);
        let got: Vec<i64> = executor
            .map(|(x, y)| pow(x, y), pairs(), None, None)?
            .collect::<PyResult<_>>()?;
        assert_eq!(got, expected);
        let got: Vec<i64> = executor
            .map(|(x, y)| pow(x, y), pairs(), None, Some(3))?
            .collect::<PyResult<_>>()?;
        assert_eq!(got, expected);
        Ok(())
    })
}

fn executor_test_map_exception<E: Exec>() {
    with_executor::<E>(|executor| {
        let mut i: MapIter<(i64, i64)> = executor.map(
            |(x, y)| divmod(x, y),
            [1, 1, 1, 1].into_iter().zip([2, 3, 0, 5]),
            None,
            None,
        )?;
        assert_eq!(i.next().unwrap()?, (0, 1));
        assert_eq!(i.next().unwrap()?, (0, 1));
        assert_raises(PyClass::ZeroDivisionError, i.next().unwrap());
        Ok(())
    })
}

fn executor_test_map_timeout<E: Exec>() {
    with_executor::<E>(|executor| {
        // map(time.sleep, [0, 0, 6], timeout=5): the third call outlasts
        // the timeout (here: until the gate opens after it).
        let gate = Gate::new();
        let g = gate.clone();
        let mut results = Vec::new();
        let mut timed_out = false;
        for r in executor.map(
            move |t: u32| {
                if t > 0 {
                    g.wait();
                }
            },
            [0, 0, 6],
            Some(Duration::from_secs(5)),
            None,
        )? {
            match r {
                Ok(v) => results.push(v),
                Err(e) if e.is_instance_of(&PyClass::TimeoutError) => {
                    timed_out = true;
                    break;
                }
                Err(e) => return Err(e),
            }
        }
        gate.open();
        assert!(timed_out, "expected TimeoutError");
        assert_eq!(results, [(), ()]);
        Ok(())
    })
}

fn executor_test_shutdown_race_issue12456<E: Exec>() {
    with_executor::<E>(|executor| {
        let n = WORKER_COUNT as usize + 1;
        let _ = executor.map(|x: i64| x.to_string(), vec![2; n], None, None)?;
        executor.shutdown(true, false);
        Ok(())
    })
}

/// `MyObject`; dropping it is CPython's weakref callback.
struct MyObject(Event);

impl MyObject {
    fn my_method(&self) {}
}

impl Drop for MyObject {
    fn drop(&mut self) {
        self.0.set();
    }
}

fn executor_test_no_stale_references<E: Exec>() {
    with_executor::<E>(|executor| {
        let my_object_collected = Event::new();
        let my_object = MyObject(my_object_collected.clone());
        // Deliberately discarding the future.
        drop::<Future<()>>(executor.submit(move || my_object.my_method())?);
        // `del my_object`: the closure owned the last reference.
        let collected = my_object_collected.wait(Some(30.0));
        assert!(collected, "Stale reference not collected within timeout.");
        Ok(())
    })
}

fn executor_test_max_workers_negative<E: Exec>() {
    with_executor::<E>(|_| {
        for number in [0, -1] {
            let e = assert_raises(PyClass::ValueError, E::make(Some(number)).map(|_| ()));
            assert!(
                e.message().contains("max_workers must be greater than 0"),
                "{e}"
            );
        }
        Ok(())
    })
}

// CPython: test_concurrent_futures.ThreadPoolExecutorTest.test_submit
#[test]
fn thread_pool_executor_test_submit() {
    executor_test_submit::<ThreadPoolExecutor>();
}

// CPython: test_concurrent_futures.ThreadPoolExecutorTest.test_submit_keyword
#[test]
fn thread_pool_executor_test_submit_keyword() {
    executor_test_submit_keyword::<ThreadPoolExecutor>();
}

// CPython: test_concurrent_futures.ThreadPoolExecutorTest.test_map
#[test]
fn thread_pool_executor_test_map() {
    executor_test_map::<ThreadPoolExecutor>();
}

// CPython: test_concurrent_futures.ThreadPoolExecutorTest.test_map_exception
#[test]
fn thread_pool_executor_test_map_exception() {
    executor_test_map_exception::<ThreadPoolExecutor>();
}

// CPython: test_concurrent_futures.ThreadPoolExecutorTest.test_map_timeout
#[test]
fn thread_pool_executor_test_map_timeout() {
    executor_test_map_timeout::<ThreadPoolExecutor>();
}

// CPython: test_concurrent_futures.ThreadPoolExecutorTest.test_shutdown_race_issue12456
#[test]
fn thread_pool_executor_test_shutdown_race_issue12456() {
    executor_test_shutdown_race_issue12456::<ThreadPoolExecutor>();
}

// CPython: test_concurrent_futures.ThreadPoolExecutorTest.test_no_stale_references
#[test]
fn thread_pool_executor_test_no_stale_references() {
    executor_test_no_stale_references::<ThreadPoolExecutor>();
}

// CPython: test_concurrent_futures.ThreadPoolExecutorTest.test_max_workers_negative
#[test]
fn thread_pool_executor_test_max_workers_negative() {
    executor_test_max_workers_negative::<ThreadPoolExecutor>();
}

// CPython: test_concurrent_futures.ThreadPoolExecutorTest.test_map_submits_without_iteration
#[test]
fn thread_pool_executor_test_map_submits_without_iteration() {
    with_executor::<ThreadPoolExecutor>(|executor| {
        let finished = Arc::new(Mutex::new(Vec::new()));
        let f = finished.clone();
        let _ = executor.map(move |n: i64| f.lock().unwrap().push(n), 0..10, None, None)?;
        executor.shutdown(true, false);
        // assertCountEqual(finished, range(10))
        let mut finished = finished.lock().unwrap().clone();
        finished.sort();
        assert_eq!(finished, (0..10).collect::<Vec<_>>());
        Ok(())
    })
}

// CPython: test_concurrent_futures.ThreadPoolExecutorTest.test_default_workers
#[test]
fn thread_pool_executor_test_default_workers() {
    with_executor::<ThreadPoolExecutor>(|_| {
        let executor = ThreadPoolExecutor::new(None)?;
        let expected = 32.min(executor_api::multiprocessing::cpu_count() + 4);
        assert_eq!(executor.max_workers(), expected);
        Ok(())
    })
}

// CPython: test_concurrent_futures.ThreadPoolExecutorTest.test_saturation
#[test]
fn thread_pool_executor_test_saturation() {
    with_executor::<ThreadPoolExecutor>(|_| {
        let executor = ThreadPoolExecutor::new(Some(4))?;
        let sem = Semaphore::new(Some(0))?;
        for _ in 0..15 * executor.max_workers() {
            let sem = sem.clone();
            drop::<Future<bool>>(executor.submit(move || sem.acquire(None, None))?);
        }
        assert_eq!(executor.live_threads(), executor.max_workers());
        for _ in 0..15 * executor.max_workers() {
            sem.release(None)?;
        }
        executor.shutdown(true, false);
        Ok(())
    })
}

// CPython: test_concurrent_futures.ThreadPoolExecutorTest.test_idle_thread_reuse
#[test]
fn thread_pool_executor_test_idle_thread_reuse() {
    with_executor::<ThreadPoolExecutor>(|_| {
        let executor = ThreadPoolExecutor::new(None)?;
        executor.submit(|| mul(21, 2))?.result(None)?;
        executor.submit(|| mul(6, 7))?.result(None)?;
        executor.submit(|| mul(3, 14))?.result(None)?;
        assert_eq!(executor.live_threads(), 1);
        executor.shutdown(true, false);
        Ok(())
    })
}

// CPython: test_concurrent_futures.ThreadPoolExecutorTest.test_executor_map_current_future_cancel
#[test]
fn thread_pool_executor_test_executor_map_current_future_cancel() {
    with_executor::<ThreadPoolExecutor>(|_| {
        let stop_event = Event::new();
        let log = Arc::new(Mutex::new(Vec::<String>::new()));
        let log_n_wait = {
            let (stop_event, log) = (stop_event.clone(), log.clone());
            move |ident: &str| {
                log.lock().unwrap().push(format!("ident='{ident}' started"));
                stop_event.wait(None);
                log.lock().unwrap().push(format!("ident='{ident}' stopped"));
            }
        };
        {
            let pool = ThreadPoolExecutor::new(Some(1))?;
            // Submit work to saturate the pool.
            let first = log_n_wait.clone();
            let fut: Future<()> = pool.submit(move || first("first"))?;
            {
                // with contextlib.closing(pool.map(..., timeout=0)) as gen:
                let mut gen = pool.map(
                    move |ident: &'static str| log_n_wait(ident),
                    ["second", "third"],
                    Some(Duration::ZERO),
                    None,
                )?;
                assert_raises(PyClass::TimeoutError, gen.next().unwrap());
            }
            stop_event.set();
            fut.result(None)?;
            pool.shutdown(true, false);
        }
        // 'second' is cancelled as a result of raising a TimeoutError,
        // 'third' because it remained in the collection of futures.
        assert_eq!(
            *log.lock().unwrap(),
            ["ident='first' started", "ident='first' stopped"]
        );
        Ok(())
    })
}

// CPython: test_concurrent_futures.ProcessPoolSpawnExecutorTest.test_submit
#[test]
fn process_pool_executor_test_submit() {
    executor_test_submit::<ProcessPoolExecutor>();
}

// CPython: test_concurrent_futures.ProcessPoolSpawnExecutorTest.test_submit_keyword
#[test]
fn process_pool_executor_test_submit_keyword() {
    executor_test_submit_keyword::<ProcessPoolExecutor>();
}

// CPython: test_concurrent_futures.ProcessPoolSpawnExecutorTest.test_map
#[test]
fn process_pool_executor_test_map() {
    executor_test_map::<ProcessPoolExecutor>();
}

// CPython: test_concurrent_futures.ProcessPoolSpawnExecutorTest.test_map_exception
#[test]
fn process_pool_executor_test_map_exception() {
    executor_test_map_exception::<ProcessPoolExecutor>();
}

// CPython: test_concurrent_futures.ProcessPoolSpawnExecutorTest.test_map_timeout
#[test]
fn process_pool_executor_test_map_timeout() {
    executor_test_map_timeout::<ProcessPoolExecutor>();
}

// CPython: test_concurrent_futures.ProcessPoolSpawnExecutorTest.test_shutdown_race_issue12456
#[test]
fn process_pool_executor_test_shutdown_race_issue12456() {
    executor_test_shutdown_race_issue12456::<ProcessPoolExecutor>();
}

// CPython: test_concurrent_futures.ProcessPoolSpawnExecutorTest.test_no_stale_references
#[test]
fn process_pool_executor_test_no_stale_references() {
    executor_test_no_stale_references::<ProcessPoolExecutor>();
}

// CPython: test_concurrent_futures.ProcessPoolSpawnExecutorTest.test_max_workers_negative
#[test]
fn process_pool_executor_test_max_workers_negative() {
    executor_test_max_workers_negative::<ProcessPoolExecutor>();
}

// CPython: test_concurrent_futures.ProcessPoolSpawnExecutorTest.test_map_chunksize
#[test]
fn process_pool_executor_test_map_chunksize() {
    with_executor::<ProcessPoolExecutor>(|executor| {
        let pairs = || (0..40i64).zip(0..40i64);
        let bad_map = || -> PyResult<Vec<i64>> {
            executor
                .map(|(x, y)| pow(x, y), pairs(), None, Some(-1))?
                .collect()
        };
        let reference: Vec<i64> = (0..40).map(|i| pow(i, i)).collect();
        for chunksize in [6, 50, 40] {
            let got: Vec<i64> = executor
                .map(|(x, y)| pow(x, y), pairs(), None, Some(chunksize))?
                .collect::<PyResult<_>>()?;
            assert_eq!(got, reference);
        }
        assert_raises(PyClass::ValueError, bad_map());
        Ok(())
    })
}

// CPython: test_concurrent_futures.ProcessPoolSpawnExecutorTest.test_saturation
#[test]
fn process_pool_executor_test_saturation() {
    with_executor::<ProcessPoolExecutor>(|executor| {
        let sem = Semaphore::new(Some(0))?;
        let job_count = 15 * executor.max_workers();
        for _ in 0..job_count {
            let sem = sem.clone();
            drop::<Future<bool>>(executor.submit(move || sem.acquire(None, None))?);
        }
        assert_eq!(executor.live_processes(), executor.max_workers());
        for _ in 0..job_count {
            sem.release(None)?;
        }
        Ok(())
    })
}

// CPython: test_concurrent_futures.ProcessPoolSpawnExecutorTest.test_idle_process_reuse_one
#[test]
fn process_pool_executor_test_idle_process_reuse_one() {
    with_executor::<ProcessPoolExecutor>(|executor| {
        assert!(executor.max_workers() >= 4);
        executor.submit(|| mul(21, 2))?.result(None)?;
        executor.submit(|| mul(6, 7))?.result(None)?;
        executor.submit(|| mul(3, 14))?.result(None)?;
        assert_eq!(executor.live_processes(), 1);
        Ok(())
    })
}

// CPython: test_concurrent_futures.ProcessPoolSpawnExecutorTest.test_idle_process_reuse_multiple
#[test]
fn process_pool_executor_test_idle_process_reuse_multiple() {
    with_executor::<ProcessPoolExecutor>(|executor| {
        assert!(executor.max_workers() <= 5);
        executor.submit(|| mul(12, 7))?.result(None)?;
        drop(executor.submit(|| mul(33, 25))?);
        executor.submit(|| mul(25, 26))?.result(None)?;
        drop(executor.submit(|| mul(18, 29))?);
        executor.submit(|| mul(1, 2))?.result(None)?;
        drop(executor.submit(|| mul(0, 9))?);
        assert!(executor.live_processes() <= 3);
        executor.shutdown(true, false);
        Ok(())
    })
}

// ---------------------------------------------------------------------------
// FutureTests

// CPython: test_concurrent_futures.FutureTests.test_done_callback_with_result
#[test]
fn future_tests_test_done_callback_with_result() {
    let callback_result = Arc::new(Mutex::new(None));
    let r = callback_result.clone();
    let f: Future<i64> = Future::new();
    f.add_done_callback(move |callback_future: &Future<i64>| -> PyResult<()> {
        *r.lock().unwrap() = Some(callback_future.result(None)?);
        Ok(())
    });
    f.set_result(5).unwrap();
    assert_eq!(Some(5), *callback_result.lock().unwrap());
}

// CPython: test_concurrent_futures.FutureTests.test_done_callback_with_exception
#[test]
fn future_tests_test_done_callback_with_exception() {
    let callback_exception = Arc::new(Mutex::new(None));
    let r = callback_exception.clone();
    let f: Future<i64> = Future::new();
    f.add_done_callback(move |callback_future: &Future<i64>| -> PyResult<()> {
        *r.lock().unwrap() = callback_future.exception(None)?;
        Ok(())
    });
    f.set_exception(PyException::with_class(PyClass::Exception, "test"))
        .unwrap();
    let e = callback_exception.lock().unwrap().clone().unwrap();
    // ('test',) == callback_exception.args
    assert_eq!(e.message(), "test");
}

// CPython: test_concurrent_futures.FutureTests.test_done_callback_with_cancel
#[test]
fn future_tests_test_done_callback_with_cancel() {
    let was_cancelled = Arc::new(Mutex::new(None));
    let r = was_cancelled.clone();
    let f: Future<i64> = Future::new();
    f.add_done_callback(move |callback_future: &Future<i64>| {
        *r.lock().unwrap() = Some(callback_future.cancelled());
    });
    assert!(f.cancel());
    assert_eq!(*was_cancelled.lock().unwrap(), Some(true));
}

// CPython: test_concurrent_futures.FutureTests.test_done_callback_raises
#[test]
fn future_tests_test_done_callback_raises() {
    // `support.captured_stderr()`: the logger's text, which goes to stderr
    // in CPython through logging's last resort.
    let raising_was_called = Arc::new(AtomicUsize::new(0));
    let fn_was_called = Arc::new(AtomicUsize::new(0));
    let output = logged_during(log::Level::Error, || {
        let r = raising_was_called.clone();
        let raising_fn = move |_: &Future<i64>| -> PyResult<()> {
            r.store(1, Ordering::SeqCst);
            Err(PyException::with_class(PyClass::Exception, "doh!"))
        };
        let c = fn_was_called.clone();
        let f: Future<i64> = Future::new();
        f.add_done_callback(raising_fn);
        f.add_done_callback(move |_: &Future<i64>| c.store(1, Ordering::SeqCst));
        f.set_result(5).unwrap();
    });
    assert_eq!(raising_was_called.load(Ordering::SeqCst), 1);
    assert_eq!(fn_was_called.load(Ordering::SeqCst), 1);
    assert!(
        output.iter().any(|l| l.contains("Exception: doh!")),
        "{output:?}"
    );
}

// CPython: test_concurrent_futures.FutureTests.test_done_callback_already_successful
#[test]
fn future_tests_test_done_callback_already_successful() {
    let callback_result = Arc::new(Mutex::new(None));
    let r = callback_result.clone();
    let f: Future<i64> = Future::new();
    f.set_result(5).unwrap();
    f.add_done_callback(move |callback_future: &Future<i64>| -> PyResult<()> {
        *r.lock().unwrap() = Some(callback_future.result(None)?);
        Ok(())
    });
    assert_eq!(Some(5), *callback_result.lock().unwrap());
}

// CPython: test_concurrent_futures.FutureTests.test_done_callback_already_failed
#[test]
fn future_tests_test_done_callback_already_failed() {
    let callback_exception = Arc::new(Mutex::new(None));
    let r = callback_exception.clone();
    let f: Future<i64> = Future::new();
    f.set_exception(PyException::with_class(PyClass::Exception, "test"))
        .unwrap();
    f.add_done_callback(move |callback_future: &Future<i64>| -> PyResult<()> {
        *r.lock().unwrap() = callback_future.exception(None)?;
        Ok(())
    });
    let e = callback_exception.lock().unwrap().clone().unwrap();
    assert_eq!(e.message(), "test");
}

// CPython: test_concurrent_futures.FutureTests.test_done_callback_already_cancelled
#[test]
fn future_tests_test_done_callback_already_cancelled() {
    let was_cancelled = Arc::new(Mutex::new(None));
    let r = was_cancelled.clone();
    let f: Future<i64> = Future::new();
    assert!(f.cancel());
    f.add_done_callback(move |callback_future: &Future<i64>| {
        *r.lock().unwrap() = Some(callback_future.cancelled());
    });
    assert_eq!(*was_cancelled.lock().unwrap(), Some(true));
}

// CPython: test_concurrent_futures.FutureTests.test_done_callback_raises_already_succeeded
#[test]
fn future_tests_test_done_callback_raises_already_succeeded() {
    let output = logged_during(log::Level::Error, || {
        let raising_fn = |_: &Future<i64>| -> PyResult<()> {
            Err(PyException::with_class(PyClass::Exception, "doh!"))
        };
        let f: Future<i64> = Future::new();
        // Set the result first to simulate a future that runs instantly,
        // effectively allowing the callback to be run immediately.
        f.set_result(5).unwrap();
        f.add_done_callback(raising_fn);
    });
    assert!(
        output
            .iter()
            .any(|l| l.contains("exception calling callback for") && l.contains("doh!")),
        "{output:?}"
    );
}

// CPython: test_concurrent_futures.FutureTests.test_repr
#[test]
fn future_tests_test_repr() {
    // CPython's repr has the object's address after `Future at`; ours has
    // none (see SKIPPED.md's note on this file).
    let s = States::new(42i64);
    assert_eq!(format!("{:?}", s.pending), "<Future state=pending>");
    assert_eq!(format!("{:?}", s.running), "<Future state=running>");
    assert_eq!(format!("{:?}", s.cancelled), "<Future state=cancelled>");
    assert_eq!(
        format!("{:?}", s.cancelled_and_notified),
        "<Future state=cancelled>"
    );
    assert_eq!(
        format!("{:?}", s.exception),
        "<Future state=finished raised OSError>"
    );
    assert_eq!(
        format!("{:?}", s.successful),
        "<Future state=finished returned int>"
    );
}

// CPython: test_concurrent_futures.FutureTests.test_cancel
#[test]
fn future_tests_test_cancel() {
    let s = States::new(5i64);
    // `_state` is private: the public predicates tell the same states apart.
    let (f1, f2, f3, f4, f5, f6) = (
        s.pending,
        s.running,
        s.cancelled,
        s.cancelled_and_notified,
        s.exception,
        s.successful,
    );
    assert!(f1.cancel());
    assert!(f1.cancelled());

    assert!(!f2.cancel());
    assert!(f2.running());

    assert!(f3.cancel());
    assert!(f3.cancelled());

    assert!(f4.cancel());
    assert!(f4.cancelled());

    assert!(!f5.cancel());
    assert!(f5.done() && !f5.cancelled());

    assert!(!f6.cancel());
    assert!(f6.done() && !f6.cancelled());
}

// CPython: test_concurrent_futures.FutureTests.test_cancelled
#[test]
fn future_tests_test_cancelled() {
    let s = States::new(42i64);
    assert!(!s.pending.cancelled());
    assert!(!s.running.cancelled());
    assert!(s.cancelled.cancelled());
    assert!(s.cancelled_and_notified.cancelled());
    assert!(!s.exception.cancelled());
    assert!(!s.successful.cancelled());
}

// CPython: test_concurrent_futures.FutureTests.test_done
#[test]
fn future_tests_test_done() {
    let s = States::new(42i64);
    assert!(!s.pending.done());
    assert!(!s.running.done());
    assert!(s.cancelled.done());
    assert!(s.cancelled_and_notified.done());
    assert!(s.exception.done());
    assert!(s.successful.done());
}

// CPython: test_concurrent_futures.FutureTests.test_running
#[test]
fn future_tests_test_running() {
    let s = States::new(42i64);
    assert!(!s.pending.running());
    assert!(s.running.running());
    assert!(!s.cancelled.running());
    assert!(!s.cancelled_and_notified.running());
    assert!(!s.exception.running());
    assert!(!s.successful.running());
}

// CPython: test_concurrent_futures.FutureTests.test_result_with_timeout
#[test]
fn future_tests_test_result_with_timeout() {
    let s = States::new(42i64);
    let zero = Some(Duration::ZERO);
    assert_raises(PyClass::TimeoutError, s.pending.result(zero));
    assert_raises(PyClass::TimeoutError, s.running.result(zero));
    assert_raises(PyClass::CancelledError, s.cancelled.result(zero));
    assert_raises(
        PyClass::CancelledError,
        s.cancelled_and_notified.result(zero),
    );
    assert_raises(PyClass::OSError, s.exception.result(zero));
    assert_eq!(s.successful.result(zero).unwrap(), 42);
}

/// Starts a thread that runs `then` on `f1` once the caller waits on it
/// (CPython's `time.sleep(1)`: "wait until the main thread is waiting").
fn when_waited_on(
    f1: &Future<i64>,
    then: impl FnOnce(&Future<i64>) + Send + 'static,
) -> std::thread::JoinHandle<()> {
    let f1 = f1.clone();
    std::thread::spawn(move || {
        wait_until("the main thread waits", || f1.waiters() > 0);
        then(&f1);
    })
}

// CPython: test_concurrent_futures.FutureTests.test_result_with_success
#[test]
fn future_tests_test_result_with_success() {
    watchdog(|| {
        let f1: Future<i64> = Future::new();
        let t = when_waited_on(&f1, |f1| f1.set_result(42).unwrap());
        assert_eq!(f1.result(Some(Duration::from_secs(5))).unwrap(), 42);
        t.join().unwrap();
    })
}

// CPython: test_concurrent_futures.FutureTests.test_result_with_cancel
#[test]
fn future_tests_test_result_with_cancel() {
    watchdog(|| {
        let f1: Future<i64> = Future::new();
        let t = when_waited_on(&f1, |f1| {
            f1.cancel();
        });
        // support.SHORT_TIMEOUT is 30 s.
        assert_raises(
            PyClass::CancelledError,
            f1.result(Some(Duration::from_secs(30))),
        );
        t.join().unwrap();
    })
}

// CPython: test_concurrent_futures.FutureTests.test_exception_with_timeout
#[test]
fn future_tests_test_exception_with_timeout() {
    let s = States::new(42i64);
    let zero = Some(Duration::ZERO);
    assert_raises(PyClass::TimeoutError, s.pending.exception(zero));
    assert_raises(PyClass::TimeoutError, s.running.exception(zero));
    assert_raises(PyClass::CancelledError, s.cancelled.exception(zero));
    assert_raises(
        PyClass::CancelledError,
        s.cancelled_and_notified.exception(zero),
    );
    let e = s.exception.exception(zero).unwrap().unwrap();
    assert!(e.is_instance_of(&PyClass::OSError));
    assert!(s.successful.exception(zero).unwrap().is_none());
}

// CPython: test_concurrent_futures.FutureTests.test_exception_with_success
#[test]
fn future_tests_test_exception_with_success() {
    watchdog(|| {
        let f1: Future<i64> = Future::new();
        // CPython finishes it with OSError() under `f1._condition`.
        let t = when_waited_on(&f1, |f1| {
            f1.set_exception(PyException::OSError(String::new()))
                .unwrap()
        });
        let e = f1
            .exception(Some(Duration::from_secs(30)))
            .unwrap()
            .unwrap();
        assert!(e.is_instance_of(&PyClass::OSError));
        t.join().unwrap();
    })
}

// CPython: test_concurrent_futures.FutureTests.test_multiple_set_result
#[test]
fn future_tests_test_multiple_set_result() {
    let f: Future<i64> = Future::new();
    f.set_result(1).unwrap();
    let e = assert_raises(PyClass::InvalidStateError, f.set_result(2));
    // CPython: 'FINISHED: <Future at 0x[0-9a-f]+ state=finished returned int>'
    assert_eq!(
        e.message(),
        "FINISHED: <Future state=finished returned int>"
    );
    assert!(f.done());
    assert_eq!(f.result(None).unwrap(), 1);
}

// CPython: test_concurrent_futures.FutureTests.test_multiple_set_exception
#[test]
fn future_tests_test_multiple_set_exception() {
    let f: Future<i64> = Future::new();
    let e = PyException::ValueError(String::new());
    f.set_exception(e.clone()).unwrap();
    let err = assert_raises(
        PyClass::InvalidStateError,
        f.set_exception(PyException::with_class(PyClass::Exception, "")),
    );
    // CPython: 'FINISHED: <Future at 0x[0-9a-f]+ state=finished raised ValueError>'
    assert_eq!(
        err.message(),
        "FINISHED: <Future state=finished raised ValueError>"
    );
    assert_eq!(f.exception(None).unwrap(), Some(e));
}
