//! executor-api's own tests, run in a browser.
//!
//! `build.rs` copies the test files named in its `FILES` list
//! (`executor-api/tests/*.rs`) and registers every `#[test]` in them. The
//! page `tools/browser-test/suite/index.html` loads this module through
//! worker-bootstrap's `pyrt.js`, so the tests run in the program worker and
//! every pool they build runs on Web Workers. `tools/browser-test/run.mjs`
//! calls `run_test` once per test and fails the tier on any failure.
//!
//! `SKIP` lists the tests that cannot run in a browser, with the reason;
//! everything else must pass.

#![deny(missing_docs)]
#![cfg(all(target_arch = "wasm32", target_os = "unknown"))]

extern crate pyrt_executor as executor_api;
extern crate pyrt_scheduler as scheduler;

use std::cell::RefCell;
use std::panic::{self, AssertUnwindSafe};

use wasm_bindgen::prelude::*;
use worker_bootstrap as _;

/// One registered test.
pub(crate) struct Test {
    name: &'static str,
    should_panic: bool,
    ignored: bool,
    run: fn() -> Result<(), String>,
}

/// What a test body returned: `()` or a `Result`.
pub(crate) trait Outcome {
    fn into_result(self) -> Result<(), String>;
}

impl Outcome for () {
    fn into_result(self) -> Result<(), String> {
        Ok(())
    }
}

impl<E: std::fmt::Debug> Outcome for Result<(), E> {
    fn into_result(self) -> Result<(), String> {
        self.map_err(|e| format!("returned Err({e:?})"))
    }
}

pub(crate) fn outcome(o: impl Outcome) -> Result<(), String> {
    o.into_result()
}

mod threads;

macro_rules! test_file {
    ($name:ident) => {
        #[allow(dead_code, unused_imports, clippy::all)]
        mod $name {
            include!(concat!(env!("OUT_DIR"), "/", stringify!($name), ".rs"));
        }
    };
}
test_file!(futures);
test_file!(queue);
test_file!(channels);
test_file!(asyncio);
test_file!(threading);
test_file!(multiprocessing);
test_file!(pool);
test_file!(par_iter);

// Generated: `crate::outcome(test())` is the point even when a test
// returns `()`, and each test is pushed under its own `#[cfg]`s.
#[allow(clippy::unit_arg, clippy::vec_init_then_push)]
mod registry {
    include!(concat!(env!("OUT_DIR"), "/registry.rs"));
}

/// Tests that cannot run in a browser, and why (everything else must pass).
pub const SKIP: &[(&str, &str)] = &[];

thread_local! {
    /// The last panic message of this thread, kept by the hook for the
    /// report (the hook runs on the panicking thread).
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

#[derive(serde::Serialize)]
struct Listed {
    name: &'static str,
    skip: Option<&'static str>,
}

/// Every registered test, with the reason it is skipped if it is.
#[wasm_bindgen]
pub fn list_tests() -> Result<JsValue, JsError> {
    let listed: Vec<Listed> = registry::all()
        .iter()
        .map(|t| Listed {
            name: t.name,
            skip: SKIP
                .iter()
                .find(|(n, _)| *n == t.name)
                .map(|(_, why)| *why)
                .or(t.ignored.then_some("#[ignore]")),
        })
        .collect();
    for (name, _) in SKIP {
        if !listed.iter().any(|l| l.name == *name) {
            return Err(JsError::new(&format!("SKIP names no test: {name}")));
        }
    }
    Ok(serde_wasm_bindgen::to_value(&listed)?)
}

#[derive(serde::Serialize)]
struct Report {
    name: String,
    passed: bool,
    message: String,
}

/// Runs one test and reports `{name, passed, message}`.
#[wasm_bindgen]
pub fn run_test(name: &str) -> Result<JsValue, JsError> {
    let tests = registry::all();
    let test = tests
        .iter()
        .find(|t| t.name == name)
        .ok_or_else(|| JsError::new(&format!("no test named {name}")))?;
    panic::set_hook(Box::new(|info| {
        LAST_PANIC.with(|p| *p.borrow_mut() = Some(info.to_string()));
    }));
    LAST_PANIC.with(|p| p.borrow_mut().take());
    let result = panic::catch_unwind(AssertUnwindSafe(test.run));
    let last_panic = LAST_PANIC.with(|p| p.borrow_mut().take().unwrap_or_default());
    let (passed, message) = match (result, test.should_panic) {
        (Ok(Ok(())), false) => (true, String::new()),
        (Ok(Ok(())), true) => (false, "did not panic (#[should_panic])".into()),
        (Ok(Err(e)), _) => (false, e),
        (Err(_), true) => (true, String::new()),
        (Err(_), false) => (false, format!("panicked: {last_panic}")),
    };
    Ok(serde_wasm_bindgen::to_value(&Report {
        name: name.into(),
        passed,
        message,
    })?)
}

/// Builds `ThreadPoolExecutor(workers)` and runs one task per worker: the
/// number of results, or the Python error (`RuntimeError: can't start new
/// thread` when the host could not start a Web Worker).
#[wasm_bindgen]
pub fn start_executor(workers: usize) -> Result<usize, JsError> {
    use executor_api::concurrent::futures::ThreadPoolExecutor;
    let run = || -> executor_api::PyResult<usize> {
        let ex = ThreadPoolExecutor::new(Some(workers as i64))?;
        let fs = (0..workers)
            .map(|i| ex.submit(move || i))
            .collect::<executor_api::PyResult<Vec<_>>>()?;
        let n = fs.iter().filter(|f| f.result(None).is_ok()).count();
        ex.shutdown(true, false);
        Ok(n)
    };
    run().map_err(|e| JsError::new(&e.to_string()))
}
