//! Claim: a chain of futures where each call waits for the one submitted
//! before it (`prev = ex.submit(lambda p=prev: p.result() + 1)`, N times)
//! finishes on any number of workers, for any N, without aborting. In
//! CPython the calls start in submission order from one FIFO queue, so the
//! oldest call in progress always waits for a call that already finished:
//! the chain runs through with at most `max_workers` threads and no
//! nesting. (Ours hung at N = 1000 on 2 or 4 workers and overflowed the
//! stack at N = 10 000.)

mod common;

use executor_api::concurrent::futures::{Future, ThreadPoolExecutor};
use executor_api::PyResult;

fn chain(workers: i64, n: u64) {
    let ex = ThreadPoolExecutor::new(Some(workers)).unwrap();
    let mut prev: Future<u64> = ex.submit(|| 0u64).unwrap();
    for _ in 0..n {
        let p = prev.clone();
        prev = ex
            .submit(move || -> PyResult<u64> { Ok(p.result(None)? + 1) })
            .unwrap();
    }
    assert_eq!(prev.result(None).unwrap(), n);
    assert!(ex.live_threads() <= workers as usize);
    ex.shutdown(true, false);
}

#[test]
fn a_chain_of_1000_on_1_worker() {
    common::watchdog("chain of 1000 on 1 worker", || chain(1, 1000));
}

#[test]
fn a_chain_of_1000_on_2_workers() {
    common::watchdog("chain of 1000 on 2 workers", || chain(2, 1000));
}

#[test]
fn a_chain_of_1000_on_4_workers() {
    common::watchdog("chain of 1000 on 4 workers", || chain(4, 1000));
}

#[test]
fn a_chain_of_10000_on_2_workers() {
    common::watchdog("chain of 10000 on 2 workers", || chain(2, 10_000));
}

#[test]
fn a_chain_of_10000_on_32_workers() {
    common::watchdog("chain of 10000 on 32 workers", || chain(32, 10_000));
}

/// The chain built from the far end: each call waits for one submitted
/// *after* it. On one worker CPython deadlocks (the waiter holds the only
/// thread); ours runs the awaited call nested on the waiter, and a nesting
/// deeper than the stack allows must raise `RecursionError`, never abort.
#[test]
fn a_reversed_chain_on_1_worker_raises_recursion_error_instead_of_overflowing() {
    common::watchdog("reversed chain of 100000 on 1 worker", || {
        use executor_api::PyClass;
        use std::sync::{Arc, OnceLock};
        let ex = ThreadPoolExecutor::new(Some(1)).unwrap();
        let n = 100_000usize;
        let slots: Arc<Vec<OnceLock<Future<u64>>>> =
            Arc::new((0..n).map(|_| OnceLock::new()).collect());
        let gate = executor_api::threading::Event::new();
        let mut futures = Vec::with_capacity(n);
        for i in 0..n {
            let (slots, gate) = (slots.clone(), gate.clone());
            futures.push(
                ex.submit(move || -> PyResult<u64> {
                    gate.wait(None);
                    match slots.get(i + 1).and_then(|s| s.get()) {
                        Some(next) => Ok(next.result(None)? + 1),
                        None => Ok(0),
                    }
                })
                .unwrap(),
            );
        }
        for (slot, f) in slots.iter().zip(&futures) {
            slot.set(f.clone()).ok();
        }
        gate.set();
        match futures[0].result(None) {
            Ok(v) => assert_eq!(v, (n - 1) as u64),
            Err(e) => assert!(
                e.is_instance_of(&PyClass::RecursionError),
                "expected RecursionError, got {e}"
            ),
        }
        drop(slots);
        ex.shutdown(true, false);
    });
}
