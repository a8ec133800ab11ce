//! Claim: `shutdown()` racing thousands of `submit()`s from several threads
//! accounts for every call. Each `submit` either raises `RuntimeError:
//! cannot schedule new futures after shutdown` or returns a future that
//! completes: with `shutdown(wait=True)` every accepted call has run when
//! it returns; with `cancel_futures=True` each accepted call ran or was
//! cancelled, never both, never neither. CPython: the same (its `submit`
//! checks `_shutdown` under `_shutdown_lock`, which `shutdown` takes).

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};

use executor_api::concurrent::futures::{Future, ThreadPoolExecutor};
use executor_api::PyException;

const SUBMITTERS: usize = 4;
const PER_SUBMITTER: usize = 2_500;

/// Starts the submitters, lets them get going, shuts down, and returns
/// (accepted futures, refusals, calls that ran).
fn race(cancel_futures: bool) -> (Vec<Future<usize>>, usize, usize) {
    let ex = ThreadPoolExecutor::new(Some(2)).unwrap();
    let ran = Arc::new(AtomicUsize::new(0));
    let submitted = Arc::new(AtomicUsize::new(0));
    let go = Arc::new(Barrier::new(SUBMITTERS + 1));
    let handles: Vec<_> = (0..SUBMITTERS)
        .map(|_| {
            let (ex, ran, submitted, go) = (ex.clone(), ran.clone(), submitted.clone(), go.clone());
            std::thread::spawn(move || {
                go.wait();
                let mut accepted = Vec::new();
                let mut refused = 0;
                for i in 0..PER_SUBMITTER {
                    let ran = ran.clone();
                    match ex.submit(move || {
                        ran.fetch_add(1, Ordering::Relaxed);
                        i
                    }) {
                        Ok(f) => accepted.push(f),
                        Err(e) => {
                            assert_eq!(
                                e.to_string(),
                                "RuntimeError: cannot schedule new futures after shutdown"
                            );
                            refused += 1;
                        }
                    }
                    submitted.fetch_add(1, Ordering::Relaxed);
                }
                (accepted, refused)
            })
        })
        .collect();
    go.wait();
    // Shut down once roughly a third of the submissions are in (a
    // condition, not a sleep: the race happens wherever it happens).
    while submitted.load(Ordering::Relaxed) < SUBMITTERS * PER_SUBMITTER / 3 {
        std::thread::yield_now();
    }
    ex.shutdown(true, cancel_futures);
    let ran_at_shutdown = ran.load(Ordering::SeqCst);
    let mut all = Vec::new();
    let mut refused = 0;
    for h in handles {
        let (a, r) = h.join().unwrap();
        all.extend(a);
        refused += r;
    }
    // Nothing runs after shutdown(wait=True) returned.
    assert_eq!(ran.load(Ordering::SeqCst), ran_at_shutdown);
    (all, refused, ran_at_shutdown)
}

#[test]
fn shutdown_wait_racing_submits_runs_every_accepted_call() {
    common::watchdog("shutdown(wait=True) vs 10k submits", || {
        for _ in 0..5 {
            let (accepted, refused, ran) = race(false);
            assert_eq!(accepted.len() + refused, SUBMITTERS * PER_SUBMITTER);
            assert!(accepted.iter().all(|f| f.done() && !f.cancelled()));
            assert_eq!(ran, accepted.len(), "every accepted call ran exactly once");
            for f in &accepted {
                f.result(None).unwrap();
            }
        }
    });
}

#[test]
fn shutdown_cancel_futures_racing_submits_runs_or_cancels_each_call() {
    common::watchdog("shutdown(cancel_futures=True) vs 10k submits", || {
        for _ in 0..5 {
            let (accepted, refused, ran) = race(true);
            assert_eq!(accepted.len() + refused, SUBMITTERS * PER_SUBMITTER);
            let cancelled = accepted.iter().filter(|f| f.cancelled()).count();
            let finished = accepted
                .iter()
                .filter(|f| f.done() && !f.cancelled())
                .count();
            assert_eq!(cancelled + finished, accepted.len(), "every future is done");
            assert_eq!(finished, ran, "a call ran iff its future finished");
            for f in accepted.iter().filter(|f| f.cancelled()) {
                assert!(matches!(
                    f.result(None),
                    Err(PyException::CancelledError(_))
                ));
            }
        }
    });
}
