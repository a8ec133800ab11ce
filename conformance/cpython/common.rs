//! What every ported CPython test file shares: a watchdog (CPython's tests
//! use `support.SHORT_TIMEOUT`-style joins; ours fail instead of hanging)
//! and helpers for asserting Python exceptions by class and message.
#![allow(dead_code)]

use std::sync::mpsc;
use std::time::Duration;

use executor_api::{PyClass, PyException};

/// How long a ported test may run before it counts as hung (CPython's
/// `support.LONG_TIMEOUT` is 5 minutes; ours are shorter tests).
pub const WATCHDOG: Duration = Duration::from_secs(120);

/// Runs `body` on its own thread and panics if it has not returned within
/// [`WATCHDOG`], so a hang fails the test instead of the suite. A panic in
/// `body` is resumed on the caller.
pub fn watchdog<R: Send + 'static>(body: impl FnOnce() -> R + Send + 'static) -> R {
    let (tx, rx) = mpsc::channel();
    let handle = std::thread::spawn(move || {
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(body));
        let _ = tx.send(());
        r
    });
    match rx.recv_timeout(WATCHDOG) {
        Ok(()) => match handle.join().expect("the body's panic is caught") {
            Ok(r) => r,
            Err(p) => std::panic::resume_unwind(p),
        },
        Err(_) => panic!("hung: no result after {WATCHDOG:?}"),
    }
}

/// `self.assertRaises(cls)`: `r` is an error of class `class` (or a subclass).
#[track_caller]
pub fn assert_raises<T: std::fmt::Debug>(class: PyClass, r: Result<T, PyException>) -> PyException {
    match r {
        Err(e) if e.is_instance_of(&class) => e,
        other => panic!("expected {}, got {other:?}", class.name()),
    }
}

/// A `threading.Thread` whose target may assert (CPython's tests call
/// `self.assertEqual` inside threads; a failure there fails the test): the
/// target's panic is kept, and [`CheckedThread::join`] panics with it.
#[derive(Clone)]
pub struct CheckedThread {
    /// The thread object.
    pub thread: executor_api::threading::Thread,
    panic: std::sync::Arc<std::sync::Mutex<Option<Box<dyn std::any::Any + Send>>>>,
}

impl CheckedThread {
    /// Builds (does not start) a thread from `builder` running `target`.
    pub fn new(
        builder: executor_api::threading::ThreadBuilder,
        target: impl FnOnce() + Send + 'static,
    ) -> Self {
        let panic = std::sync::Arc::new(std::sync::Mutex::new(None));
        let p = panic.clone();
        let thread = builder.build(move || {
            if let Err(e) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(target)) {
                *p.lock().unwrap() = Some(e);
            }
        });
        CheckedThread { thread, panic }
    }

    /// `start()`.
    pub fn start(&self) {
        self.thread.start().expect("start");
    }

    /// `join()`, then the target's panic, if any, on the caller.
    pub fn join(&self) {
        self.thread.join(None).expect("join");
        if let Some(p) = self.panic.lock().unwrap().take() {
            std::panic::resume_unwind(p);
        }
    }
}

/// Runs `body` in a non-daemon [`executor_api::threading::Thread`], as
/// CPython runs its tests in `MainThread` (threads it makes default to
/// non-daemon), inside [`watchdog`].
pub fn in_python_thread(body: impl FnOnce() + Send + 'static) {
    watchdog(move || {
        let t = CheckedThread::new(
            executor_api::threading::Thread::builder().daemon(Some(false)),
            body,
        );
        t.start();
        t.join();
    })
}
