//! Adversarial probes: panics in user `Drop` code must not break the future
//! state machine (issue 17).
//!
//! The claim every test checks: whatever user code panics — a captured
//! value's `Drop` when a queued call is cancelled (`cancel()`,
//! `shutdown(cancel_futures=True)`) or failed unrun (a broken pool), a
//! result's `Drop` when the last handle goes away on a worker or when
//! `set_result` refuses it — every transition completes, every waiter wakes,
//! every done-callback runs, and the panic is reported through
//! `sys.unraisablehook` as a `PanicException`.
//!
//! What CPython does: an exception raised by `__del__` cannot propagate; it
//! goes to `sys.unraisablehook` ("Exception ignored in: ...") and the
//! program goes on, so `cancel()` returns `True`, `shutdown` cancels every
//! queued call, and the futures' waiters and callbacks see them done.
//!
//! Each test runs under a watchdog: a hang is a failure with a message.

mod common;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use executor_api::concurrent::futures::{Future, ThreadPoolExecutor};
use executor_api::sys::set_unraisablehook;
use executor_api::threading::Event;
use executor_api::{PyClass, PyException};

/// How long a probe may run before it counts as hung.
const WATCHDOG: Duration = Duration::from_secs(30);

fn watchdog<R: Send + 'static>(name: &str, body: impl FnOnce() -> R + Send + 'static) -> R {
    common::watchdog_for(name, WATCHDOG, body)
}

/// A value whose `Drop` panics with its message (unless already unwinding).
#[derive(Clone)]
struct PanicOnDrop(&'static str);

impl Drop for PanicOnDrop {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            panic!("{}", self.0);
        }
    }
}

/// Every exception line the unraisable hook received, for all tests of this
/// binary (they run in parallel: each looks for its own panic message).
fn reports() -> &'static Mutex<Vec<String>> {
    static REPORTS: Mutex<Vec<String>> = Mutex::new(Vec::new());
    static INSTALL: std::sync::Once = std::sync::Once::new();
    INSTALL.call_once(|| {
        set_unraisablehook(|args| {
            let line = format!("{}", args.exc_value);
            REPORTS.lock().unwrap().push(line);
        })
    });
    &REPORTS
}

fn reported(message: &str) -> usize {
    let want = format!("PanicException: {message}");
    reports()
        .lock()
        .unwrap()
        .iter()
        .filter(|l| **l == want)
        .count()
}

/// A one-worker executor whose worker is held by a call waiting on the
/// returned event, so the next submissions stay queued.
fn held_executor() -> (ThreadPoolExecutor, Event, Future<()>) {
    let ex = ThreadPoolExecutor::new(Some(1)).unwrap();
    let (started, gate) = (Event::new(), Event::new());
    let blocker: Future<()> = ex
        .submit({
            let (started, gate) = (started.clone(), gate.clone());
            move || {
                started.set();
                gate.wait(None);
            }
        })
        .unwrap();
    assert!(started.wait(Some(20.0)), "the blocker started");
    (ex, gate, blocker)
}

/// Waits until `f` has a thread blocked in `result()`; returns that thread.
fn blocked_waiter(f: &Future<u64>) -> std::thread::JoinHandle<Result<u64, PyException>> {
    let g = f.clone();
    let t = std::thread::spawn(move || g.result(None));
    while f.waiters() == 0 {
        std::thread::yield_now();
    }
    t
}

#[test]
fn cancel_with_a_panicking_captured_drop_still_cancels_wakes_and_calls_back() {
    reports();
    watchdog("cancel", || {
        let (ex, gate, blocker) = held_executor();
        let p = PanicOnDrop("drop in cancel");
        let f: Future<u64> = ex
            .submit(move || {
                let _keep = &p;
                1
            })
            .unwrap();
        let called = Arc::new(AtomicUsize::new(0));
        f.add_done_callback({
            let called = called.clone();
            move |f: &Future<u64>| {
                assert!(f.cancelled());
                called.fetch_add(1, Ordering::SeqCst);
            }
        });
        let waiter = blocked_waiter(&f);
        let cancelled = catch_unwind(AssertUnwindSafe(|| f.cancel()));
        assert!(matches!(cancelled, Ok(true)), "cancel() returns True");
        assert!(f.cancelled() && f.done() && !f.running());
        let r = waiter.join().expect("the waiter does not panic");
        assert!(matches!(r, Err(e) if e.is_instance_of(&PyClass::CancelledError)));
        assert_eq!(called.load(Ordering::SeqCst), 1, "the callback ran once");
        assert_eq!(reported("drop in cancel"), 1, "the panic was reported");
        gate.set();
        blocker.result(None).unwrap();
        ex.shutdown(true, false);
    });
}

#[test]
fn shutdown_cancel_futures_cancels_every_queued_call_despite_panicking_drops() {
    reports();
    watchdog("shutdown(cancel_futures=True)", || {
        let (ex, gate, blocker) = held_executor();
        let called = Arc::new(AtomicUsize::new(0));
        let queued: Vec<Future<u64>> = (0..5)
            .map(|i| {
                let p = PanicOnDrop("drop in shutdown");
                let f: Future<u64> = ex
                    .submit(move || {
                        let _keep = &p;
                        i
                    })
                    .unwrap();
                let called = called.clone();
                f.add_done_callback(move |_: &Future<u64>| {
                    called.fetch_add(1, Ordering::SeqCst);
                });
                f
            })
            .collect();
        let waiter = blocked_waiter(&queued[4]);
        let down = catch_unwind(AssertUnwindSafe(|| ex.shutdown(false, true)));
        assert!(down.is_ok(), "shutdown(cancel_futures=True) does not panic");
        for f in &queued {
            assert!(f.cancelled(), "every queued call is cancelled: {f:?}");
        }
        let r = waiter.join().expect("the waiter does not panic");
        assert!(matches!(r, Err(e) if e.is_instance_of(&PyClass::CancelledError)));
        assert_eq!(called.load(Ordering::SeqCst), 5, "every callback ran");
        assert_eq!(reported("drop in shutdown"), 5, "every panic was reported");
        gate.set();
        blocker.result(None).unwrap();
        ex.shutdown(true, false);
    });
}

#[test]
fn a_broken_pool_fails_a_queued_call_whose_captured_drop_panics() {
    reports();
    watchdog("broken pool", || {
        let started = Event::new();
        let gate = Event::new();
        let ex = ThreadPoolExecutor::builder()
            .max_workers(Some(1))
            .initializer({
                let (started, gate) = (started.clone(), gate.clone());
                move || -> Result<(), PyException> {
                    started.set();
                    gate.wait(None);
                    Err(PyException::ValueError("init failed".into()))
                }
            })
            .build()
            .unwrap();
        let p = PanicOnDrop("drop in broken pool");
        let f: Future<u64> = ex
            .submit(move || {
                let _keep = &p;
                1
            })
            .unwrap();
        assert!(started.wait(Some(20.0)));
        let called = Arc::new(AtomicUsize::new(0));
        f.add_done_callback({
            let called = called.clone();
            move |_: &Future<u64>| {
                called.fetch_add(1, Ordering::SeqCst);
            }
        });
        let waiter = blocked_waiter(&f);
        gate.set();
        let r = waiter.join().expect("the waiter does not panic");
        assert!(
            matches!(&r, Err(e) if e.is_instance_of(&PyClass::BrokenThreadPool)),
            "{r:?}"
        );
        assert!(f.done() && !f.running());
        // The worker runs the callbacks after it woke the waiters (as
        // CPython's set_exception does: notify_all, then the callbacks), and
        // reports the drop's panic after that: wait for both.
        common::eventually(WATCHDOG, || called.load(Ordering::SeqCst) > 0);
        assert_eq!(called.load(Ordering::SeqCst), 1);
        common::eventually(WATCHDOG, || reported("drop in broken pool") > 0);
        assert_eq!(reported("drop in broken pool"), 1);
        ex.shutdown(true, false);
    });
}

#[test]
fn a_result_whose_drop_panics_on_a_worker_is_reported_and_the_pool_goes_on() {
    reports();
    watchdog("result drop on a worker", || {
        let (ex, gate, blocker) = held_executor();
        // The only handle goes away while the call is queued: the worker
        // drops the result when it finishes.
        drop(
            ex.submit(|| PanicOnDrop("drop of a result"))
                .expect("submitted"),
        );
        let after: Future<u64> = ex.submit(|| 7).unwrap();
        gate.set();
        blocker.result(None).unwrap();
        assert_eq!(after.result(None).unwrap(), 7, "the pool goes on");
        ex.shutdown(true, false);
        assert_eq!(reported("drop of a result"), 1, "the panic was reported");
    });
}

#[test]
fn set_result_refused_with_a_panicking_value_raises_invalid_state() {
    reports();
    watchdog("set_result refused", || {
        let f: Future<PanicOnDrop> = Future::new();
        assert!(f.cancel());
        let r = catch_unwind(AssertUnwindSafe(|| {
            f.set_result(PanicOnDrop("drop of a refused result"))
        }));
        match r {
            Ok(Err(e)) => assert!(e.is_instance_of(&PyClass::InvalidStateError), "{e}"),
            other => panic!(
                "expected InvalidStateError, got a panic or Ok: {:?}",
                other.is_ok()
            ),
        }
        assert_eq!(reported("drop of a refused result"), 1);
    });
}

#[test]
fn a_panicking_callback_on_a_done_future_does_not_panic_the_caller() {
    reports();
    watchdog("callback on a done future", || {
        let f: Future<u64> = Future::new();
        f.set_result(1).unwrap();
        let later = Arc::new(AtomicUsize::new(0));
        let r = catch_unwind(AssertUnwindSafe(|| {
            f.add_done_callback(|_: &Future<u64>| -> () { panic!("callback boom") });
            let later = later.clone();
            f.add_done_callback(move |_: &Future<u64>| {
                later.fetch_add(1, Ordering::SeqCst);
            });
        }));
        assert!(r.is_ok(), "add_done_callback does not panic");
        assert_eq!(later.load(Ordering::SeqCst), 1);
    });
}
