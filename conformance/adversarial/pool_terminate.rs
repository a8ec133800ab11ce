//! Claim: `Pool.map` racing `Pool.terminate()` from another thread ends
//! with a result or a Python exception, never a Rust panic. CPython's
//! `terminate()` kills the workers; a `map` already waiting then never
//! returns (its result is never set), and a `map` after it raises
//! `ValueError: Pool not running`. Ours finishes the calls that started
//! and raises `CancelledError` for the rest (documented), or `ValueError`.
//! (Ours let `install: the pool shut down before running the task` panic
//! out of `Pool.map` in 11-37 of 400 races.)

mod common;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use executor_api::multiprocessing::Pool;
use executor_api::threading::{Event, Thread};
use executor_api::{PyClass, PyResult};

#[test]
fn map_racing_terminate_returns_a_result_or_raises() {
    common::watchdog("400 map/terminate races", || {
        let (mut ok, mut raised) = (0, 0);
        for round in 0..400 {
            let pool = Arc::new(Pool::new(Some(2)).unwrap());
            let go = Event::new();
            let (p, g) = (pool.clone(), go.clone());
            let killer = Thread::new(move || -> PyResult<()> {
                g.wait(None);
                p.terminate();
                Ok(())
            });
            killer.start().unwrap();
            go.set();
            let r = catch_unwind(AssertUnwindSafe(|| {
                pool.map(|x: u64| x + 1, 0..(round % 7 * 50) as u64, None)
            }));
            killer.join(None).unwrap();
            match r {
                Err(p) => panic!(
                    "round {round}: a Rust panic escaped Pool.map: {:?}",
                    p.downcast_ref::<String>()
                        .map(String::as_str)
                        .or(p.downcast_ref::<&str>().copied())
                ),
                Ok(Ok(v)) => {
                    assert_eq!(v.len(), round % 7 * 50);
                    ok += 1;
                }
                Ok(Err(e)) => {
                    assert!(
                        e.is_instance_of(&PyClass::CancelledError)
                            || e.to_string() == "ValueError: Pool not running",
                        "round {round}: unexpected {e}"
                    );
                    raised += 1;
                }
            }
        }
        assert_eq!(ok + raised, 400);
    });
}

#[test]
fn apply_and_map_async_racing_terminate_never_panic() {
    common::watchdog("map_async/terminate races", || {
        for round in 0..300 {
            let pool = Arc::new(Pool::new(Some(2)).unwrap());
            let p = pool.clone();
            let killer = Thread::new(move || p.terminate());
            killer.start().unwrap();
            let r = catch_unwind(AssertUnwindSafe(|| -> PyResult<usize> {
                let a = pool.map_async(|x: u64| x, 0..100u64, None, None, None)?;
                let b = pool.apply(move || round)?;
                Ok(a.get(None)?.len() + b - round)
            }));
            killer.join(None).unwrap();
            assert!(r.is_ok(), "round {round}: a Rust panic escaped");
        }
    });
}
