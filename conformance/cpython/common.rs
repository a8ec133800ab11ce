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
