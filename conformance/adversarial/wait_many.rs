//! Claim: `wait()` and `as_completed()` over thousands of futures with a
//! timeout report exactly what is done: `wait(timeout)` returns on time
//! with the finished calls in `done` and the blocked ones in `not_done`;
//! `as_completed(timeout)` yields every finished future once, then
//! `TimeoutError: N (of M) futures unfinished` with the exact N; once the
//! blocked calls are let go, `wait()` returns them all and a new
//! `as_completed()` yields each of the M futures exactly once. CPython: the
//! same (its waiters are woken by each completion under the futures'
//! conditions).

mod common;

use std::collections::HashSet;
use std::time::Duration;

use executor_api::concurrent::futures::{
    as_completed, wait, Future, ThreadPoolExecutor, FIRST_COMPLETED, FIRST_EXCEPTION,
};
use executor_api::threading::Event;
use executor_api::{PyException, PyResult};

const N: usize = 4_000;
const BLOCKED: usize = 3;

/// `N` quick calls (every 7th raising) and `BLOCKED` calls waiting on the
/// returned gate, interleaved.
fn futures(ex: &ThreadPoolExecutor) -> (Vec<Future<usize>>, Event) {
    let gate = Event::new();
    let fs = (0..N + BLOCKED)
        .map(|i| {
            let g = gate.clone();
            ex.submit(move || -> PyResult<usize> {
                if i % ((N + BLOCKED) / BLOCKED) == 1 {
                    g.wait(None);
                    Ok(usize::MAX)
                } else if i % 7 == 0 {
                    Err(PyException::ValueError(format!("{i}")))
                } else {
                    Ok(i)
                }
            })
            .unwrap()
        })
        .collect();
    (fs, gate)
}

fn is_gated(fs: &[Future<usize>], f: &Future<usize>) -> bool {
    let i = fs.iter().position(|g| g.ptr_eq(f)).unwrap();
    i % ((N + BLOCKED) / BLOCKED) == 1
}

#[test]
fn wait_and_as_completed_with_timeouts_over_thousands_of_futures() {
    common::watchdog("wait/as_completed over 4000 futures", || {
        // More workers than blocked calls, so the quick ones all finish.
        let ex = ThreadPoolExecutor::new(Some(BLOCKED as i64 + 2)).unwrap();
        let (fs, gate) = futures(&ex);
        // The quick calls all finish (the gated ones hold BLOCKED workers).
        let quick: Vec<Future<usize>> = fs.iter().filter(|f| !is_gated(&fs, f)).cloned().collect();
        assert_eq!(wait(&quick, None, None).not_done.len(), 0);

        let r = wait(&fs, Some(Duration::from_millis(20)), None);
        assert_eq!(r.done.len() + r.not_done.len(), fs.len());
        assert_eq!(
            r.not_done.len(),
            BLOCKED,
            "exactly the gated calls are not done"
        );
        assert!(r.not_done.iter().all(|f| !f.done()));

        let r = wait(&fs, Some(Duration::from_millis(20)), Some(FIRST_EXCEPTION));
        assert!(r.done.iter().any(|f| f.exception(None).unwrap().is_some()));

        let mut seen = 0;
        let mut err = None;
        for x in as_completed(&fs, Some(Duration::from_millis(20))) {
            match x {
                Ok(f) => {
                    assert!(f.done());
                    seen += 1;
                }
                Err(e) => err = Some(e.to_string()),
            }
        }
        assert_eq!(seen, fs.len() - BLOCKED);
        assert_eq!(
            err.as_deref(),
            Some(
                format!(
                    "TimeoutError: {BLOCKED} (of {}) futures unfinished",
                    fs.len()
                )
                .as_str()
            )
        );

        let first = Some(FIRST_COMPLETED);
        let r = wait(&fs[..1], None, first);
        assert_eq!(r.done.len(), 1);

        gate.set();
        let r = wait(&fs, None, None);
        assert_eq!((r.done.len(), r.not_done.len()), (fs.len(), 0));
        let mut ids = HashSet::new();
        for f in as_completed(&fs, Some(Duration::from_secs(30))) {
            let f = f.unwrap();
            assert!(ids.insert(fs.iter().position(|g| g.ptr_eq(&f)).unwrap()));
        }
        assert_eq!(ids.len(), fs.len(), "each future yielded exactly once");
        ex.shutdown(true, false);
    });
}
