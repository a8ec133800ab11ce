//! The checks every transport must pass: run on ranks-as-threads by
//! `tests/local.rs` (each its own `#[test]`) and under `mpirun` by
//! `tests/mpi.rs` (all in one job, on one executor).

#![allow(dead_code)]

use pyrt_executor::concurrent::futures::{
    as_completed, wait, Future, ThreadPoolExecutor, ALL_COMPLETED,
};
use pyrt_executor::{PyClass, PyException, PyResult, SystemExitCode};
use pyrt_mpi::{MpiPool, MpiPoolExecutor, Registry, RemoteFn};
use serde::{Deserialize, Serialize};
use std::sync::mpsc;
use std::time::Duration;

/// A value whose serialisation fails, like an object `pickle` refuses.
#[derive(Debug, Clone, Deserialize)]
pub struct Unpicklable;

impl Serialize for Unpicklable {
    fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
        Err(serde::ser::Error::custom(
            "cannot pickle '_thread.lock' object",
        ))
    }
}

pub fn my_err() -> PyClass {
    PyClass::user("MyErr", PyClass::ValueError)
}

/// The table every rank builds.
pub fn build(r: &mut Registry) {
    let _: RemoteFn<u64, u64> = r.register("square", |x: u64| x * x);
    let _: RemoteFn<(i64, i64), i64> = r.register("add", |(a, b): (i64, i64)| a + b);
    let _: RemoteFn<i64, i64> = r.register("half", |x: i64| -> PyResult<i64> {
        if x % 2 == 0 {
            Ok(x / 2)
        } else {
            Err(PyException::with_class(my_err(), format!("{x} is odd")))
        }
    });
    let _: RemoteFn<u32, u32> = r.register("boom", |x: u32| -> u32 {
        if x == 3 {
            panic!("three is not allowed");
        }
        x
    });
    let _: RemoteFn<Vec<u8>, Vec<u8>> = r.register("reverse", |mut v: Vec<u8>| {
        v.reverse();
        v
    });
    let _: RemoteFn<i64, ()> = r.register("exit", |code: i64| -> PyResult<()> {
        Err(PyException::SystemExit(SystemExitCode::Int(code)))
    });
    let _: RemoteFn<Unpicklable, u8> = r.register("takes_lock", |_: Unpicklable| 0u8);
    let _: RemoteFn<(), Unpicklable> = r.register("gives_lock", |_: ()| Unpicklable);
}

pub type Check = fn(&MpiPoolExecutor) -> PyResult<()>;

/// Every check that needs only the executor, by name.
pub const CHECKS: &[(&str, Check)] = &[
    ("submit_then_result", submit_then_result),
    (
        "raised_user_exception_keeps_its_class",
        raised_user_exception_keeps_its_class,
    ),
    (
        "panic_becomes_panic_exception",
        panic_becomes_panic_exception,
    ),
    ("system_exit_keeps_its_code", system_exit_keeps_its_code),
    (
        "unknown_function_fails_at_submit",
        unknown_function_fails_at_submit,
    ),
    (
        "unserialisable_argument_fails_at_submit",
        unserialisable_argument_fails_at_submit,
    ),
    (
        "unserialisable_result_fails_at_result",
        unserialisable_result_fails_at_result,
    ),
    (
        "map_keeps_order_with_and_without_chunks",
        map_keeps_order_with_and_without_chunks,
    ),
    (
        "map_stops_at_the_first_exception",
        map_stops_at_the_first_exception,
    ),
    ("futures_mix_with_local_ones", futures_mix_with_local_ones),
    ("done_callbacks_and_await", done_callbacks_and_await),
    ("large_payloads_cross", large_payloads_cross),
    ("every_rank_gets_work", every_rank_gets_work),
    ("pool_face", pool_face),
];

fn expect_class<T: std::fmt::Debug>(class: &PyClass, r: PyResult<T>) -> PyException {
    match r {
        Err(e) if e.is_instance_of(class) => e,
        other => panic!("expected {}, got {other:?}", class.name()),
    }
}

fn submit_then_result(ex: &MpiPoolExecutor) -> PyResult<()> {
    let square = ex.function::<u64, u64>("square")?;
    let f = ex.submit(&square, 12)?;
    assert_eq!(f.result(None)?, 144);
    assert!(f.done() && !f.cancelled());
    assert_eq!(
        f.result(Some(Duration::ZERO))?,
        144,
        "result() may be called again"
    );
    let add = ex.function::<(i64, i64), i64>("add")?;
    assert_eq!(ex.submit(&add, (40, 2))?.result(None)?, 42);
    Ok(())
}

fn raised_user_exception_keeps_its_class(ex: &MpiPoolExecutor) -> PyResult<()> {
    let half = ex.function::<i64, i64>("half")?;
    let e = expect_class(&my_err(), ex.submit(&half, 7)?.result(None));
    assert!(e.is_instance_of(&PyClass::ValueError));
    assert_eq!(e.to_string(), "MyErr: 7 is odd");
    let f = ex.submit(&half, 9)?;
    assert_eq!(
        f.exception(None)?.map(|e| e.to_string()),
        Some("MyErr: 9 is odd".into())
    );
    Ok(())
}

fn panic_becomes_panic_exception(ex: &MpiPoolExecutor) -> PyResult<()> {
    let boom = ex.function::<u32, u32>("boom")?;
    let e = expect_class(&PyClass::PanicException, ex.submit(&boom, 3)?.result(None));
    assert_eq!(
        e,
        PyException::PanicException("three is not allowed".into())
    );
    assert!(!e.is_instance_of(&PyClass::Exception));
    // The rank lives on.
    assert_eq!(ex.submit(&boom, 4)?.result(None)?, 4);
    Ok(())
}

fn system_exit_keeps_its_code(ex: &MpiPoolExecutor) -> PyResult<()> {
    let exit = ex.function::<i64, ()>("exit")?;
    let e = ex.submit(&exit, 3)?.result(None).unwrap_err();
    assert_eq!(e, PyException::SystemExit(SystemExitCode::Int(3)));
    Ok(())
}

fn unknown_function_fails_at_submit(ex: &MpiPoolExecutor) -> PyResult<()> {
    let nope: RemoteFn<u64, u64> = RemoteFn::new("nope");
    let e = ex.submit(&nope, 1).unwrap_err();
    assert_eq!(e.to_string(), "KeyError: 'nope'");
    let wrong: RemoteFn<String, u64> = RemoteFn::new("square");
    expect_class(&PyClass::TypeError, ex.submit(&wrong, "x".into()));
    expect_class(
        &PyClass::TypeError,
        ex.map(&wrong, vec!["x".to_string()], None, None),
    );
    expect_class(&PyClass::TypeError, ex.function::<u64, String>("square"));
    Ok(())
}

fn unserialisable_argument_fails_at_submit(ex: &MpiPoolExecutor) -> PyResult<()> {
    let takes_lock = ex.function::<Unpicklable, u8>("takes_lock")?;
    let e = expect_class(&PyClass::TypeError, ex.submit(&takes_lock, Unpicklable));
    assert!(
        e.to_string()
            .contains("cannot serialize argument of 'takes_lock'"),
        "{e}"
    );
    expect_class(
        &PyClass::TypeError,
        ex.map(&takes_lock, vec![Unpicklable, Unpicklable], None, Some(2)),
    );
    // The executor still works.
    assert_eq!(
        ex.submit(&ex.function::<u64, u64>("square")?, 3)?
            .result(None)?,
        9
    );
    Ok(())
}

fn unserialisable_result_fails_at_result(ex: &MpiPoolExecutor) -> PyResult<()> {
    // CPython's ProcessPoolExecutor: a result that cannot be pickled is
    // the future's exception; the worker lives on.
    let gives_lock = ex.function::<(), Unpicklable>("gives_lock")?;
    let e = expect_class(
        &PyClass::TypeError,
        ex.submit(&gives_lock, ())?.result(None),
    );
    assert!(
        e.to_string()
            .contains("cannot serialize result of 'gives_lock'"),
        "{e}"
    );
    assert_eq!(
        ex.submit(&ex.function::<u64, u64>("square")?, 4)?
            .result(None)?,
        16
    );
    Ok(())
}

fn map_keeps_order_with_and_without_chunks(ex: &MpiPoolExecutor) -> PyResult<()> {
    let square = ex.function::<u64, u64>("square")?;
    let want: Vec<u64> = (0..1000u64).map(|x| x * x).collect();
    for chunksize in [None, Some(1), Some(7), Some(1000), Some(5000)] {
        let got: Vec<u64> = ex
            .map(&square, 0..1000u64, None, chunksize)?
            .collect::<PyResult<_>>()?;
        assert_eq!(got, want, "chunksize {chunksize:?}");
    }
    assert_eq!(ex.map(&square, Vec::new(), None, Some(3))?.count(), 0);
    let e = ex.map(&square, 0..3u64, None, Some(0)).unwrap_err();
    assert_eq!(e.to_string(), "ValueError: chunksize must be >= 1.");
    let got: Vec<u64> = ex
        .map(&square, 0..10u64, Some(Duration::from_secs(60)), Some(3))?
        .collect::<PyResult<_>>()?;
    assert_eq!(got, want[..10]);
    Ok(())
}

fn map_stops_at_the_first_exception(ex: &MpiPoolExecutor) -> PyResult<()> {
    let half = ex.function::<i64, i64>("half")?;
    for chunksize in [1, 2] {
        let mut it = ex.map(&half, vec![2, 4, 5, 6, 8], None, Some(chunksize))?;
        if chunksize == 1 {
            assert_eq!(it.next(), Some(Ok(1)));
            assert_eq!(it.next(), Some(Ok(2)));
        } else {
            // [2, 4] is a chunk that succeeds; [5, 6] fails as a whole.
            assert_eq!(it.next(), Some(Ok(1)));
            assert_eq!(it.next(), Some(Ok(2)));
        }
        let e = it.next().expect("an item").unwrap_err();
        assert_eq!(e.to_string(), "MyErr: 5 is odd");
        assert!(it.next().is_none(), "map ends at its exception");
    }
    Ok(())
}

fn futures_mix_with_local_ones(ex: &MpiPoolExecutor) -> PyResult<()> {
    let square = ex.function::<u64, u64>("square")?;
    let local = ThreadPoolExecutor::new(Some(2))?;
    let mut fs: Vec<Future<u64>> = (1..=6u64)
        .map(|x| ex.submit(&square, x))
        .collect::<PyResult<_>>()?;
    fs.push(local.submit(|| 1000u64)?);
    let done = wait(&fs, None, Some(ALL_COMPLETED));
    assert_eq!(done.done.len(), 7);
    assert!(done.not_done.is_empty());
    let total: u64 = as_completed(&fs, None)
        .map(|f| f?.result(None))
        .sum::<PyResult<u64>>()?;
    assert_eq!(total, 91 + 1000);
    local.shutdown(true, false);
    Ok(())
}

fn done_callbacks_and_await(ex: &MpiPoolExecutor) -> PyResult<()> {
    let square = ex.function::<u64, u64>("square")?;
    let (tx, rx) = mpsc::channel();
    let f = ex.submit(&square, 5)?;
    f.add_done_callback(move |done: &Future<u64>| {
        let _ = tx.send(done.result(Some(Duration::ZERO)));
    });
    assert_eq!(
        rx.recv_timeout(Duration::from_secs(60))
            .expect("callback ran"),
        Ok(25)
    );
    let g = ex.submit(&square, 6)?;
    assert_eq!(futures_lite::future::block_on(g)?, 36);
    Ok(())
}

fn large_payloads_cross(ex: &MpiPoolExecutor) -> PyResult<()> {
    let reverse = ex.function::<Vec<u8>, Vec<u8>>("reverse")?;
    let big: Vec<u8> = (0..4 << 20).map(|i: u32| (i % 251) as u8).collect();
    let mut want = big.clone();
    want.reverse();
    assert_eq!(ex.submit(&reverse, big)?.result(None)?, want);
    Ok(())
}

fn every_rank_gets_work(ex: &MpiPoolExecutor) -> PyResult<()> {
    let before: Vec<u64> = ex.stats().iter().map(|s| s.calls).collect();
    let square = ex.function::<u64, u64>("square")?;
    let n = 4 * ex.max_workers() as u64;
    let fs: Vec<_> = (0..n)
        .map(|x| ex.submit(&square, x))
        .collect::<PyResult<_>>()?;
    for f in &fs {
        f.result(None)?;
    }
    let stats = ex.stats();
    assert_eq!(stats.len(), ex.num_workers());
    assert_eq!(
        ex.max_workers(),
        stats.iter().map(|s| s.threads).sum::<usize>()
    );
    for (s, b) in stats.iter().zip(before) {
        assert!(s.calls > b, "rank {} got no call: {stats:?}", s.rank);
    }
    Ok(())
}

fn pool_face(ex: &MpiPoolExecutor) -> PyResult<()> {
    let square = ex.function::<u64, u64>("square")?;
    let half = ex.function::<i64, i64>("half")?;
    let add = ex.function::<(i64, i64), i64>("add")?;
    let pool = MpiPool::new(ex);
    assert_eq!(
        pool.map(&square, 0..100u64, None)?,
        (0..100u64).map(|x| x * x).collect::<Vec<_>>()
    );
    assert_eq!(pool.map(&square, 0..10u64, Some(3))?[9], 81);
    assert_eq!(pool.starmap(&add, vec![(1, 2), (3, 4)], None)?, vec![3, 7]);
    // map runs every item, then raises the first exception to arrive (CPython's
    // MapResult keeps the first failed chunk it is told of): 3's or 5's, as the
    // ranks finish (pool_map_raises_the_first_exception_to_arrive orders them).
    let e = pool.map(&half, vec![2, 3, 4, 5], Some(1)).unwrap_err();
    let e = e.to_string();
    assert!(e == "MyErr: 3 is odd" || e == "MyErr: 5 is odd", "{e}");
    // imap with one item per task goes on after an exception.
    let got: Vec<String> = pool
        .imap(&half, vec![2, 3, 4], None)?
        .map(|r| r.map_or_else(|e| e.to_string(), |v| v.to_string()))
        .collect();
    assert_eq!(got, ["1", "MyErr: 3 is odd", "2"]);
    let mut unordered: Vec<u64> = pool
        .imap_unordered(&square, 0..50u64, Some(4))?
        .collect::<PyResult<_>>()?;
    unordered.sort_unstable();
    assert_eq!(unordered, (0..50u64).map(|x| x * x).collect::<Vec<_>>());
    // imap_unordered, one item per task: an exception is yielded once and
    // the others still come.
    let got: Vec<PyResult<i64>> = pool.imap_unordered(&half, vec![2, 3, 4], None)?.collect();
    assert_eq!(got.iter().filter(|r| r.is_ok()).count(), 2, "{got:?}");
    assert!(got.contains(&Err(PyException::with_class(my_err(), "3 is odd"))));
    // Bigger chunks: the first failed chunk ends the iteration (CPython's
    // generator over the chunks), whether or not [2, 4] came first.
    let mut it = pool.imap_unordered(&half, vec![2, 4, 3, 6], Some(2))?;
    let got: Vec<PyResult<i64>> = it.by_ref().collect();
    let oks: Vec<i64> = got.iter().filter_map(|r| r.clone().ok()).collect();
    assert!(oks.is_empty() || oks == [1, 2], "{got:?}");
    assert_eq!(
        got.last().map(|r| r.clone().unwrap_err().to_string()),
        Some("MyErr: 3 is odd".into())
    );
    assert!(it.next().is_none());
    // imap with chunks: the failed chunk ends it too.
    let got: Vec<String> = pool
        .imap(&half, vec![2, 4, 3, 6, 8, 10], Some(2))?
        .map(|r| r.map_or_else(|e| e.to_string(), |v| v.to_string()))
        .collect();
    assert_eq!(got, ["1", "2", "MyErr: 3 is odd"]);
    let r = pool.apply_async(&square, 9)?;
    assert_eq!(r.get(Some(Duration::from_secs(60)))?, 81);
    assert!(r.successful()?);
    assert_eq!(pool.apply(&add, (2, 2))?, 4);
    expect_class(&PyClass::ValueError, pool.join());
    expect_class(&PyClass::ValueError, pool.map(&square, 0..3u64, Some(0)));
    pool.close();
    assert_eq!(
        pool.map(&square, 0..3u64, None).unwrap_err().to_string(),
        "ValueError: Pool not running"
    );
    pool.join()?;
    Ok(())
}

/// The last check: shutdown closes submissions.
pub fn shutdown_closes_submissions(ex: &MpiPoolExecutor) -> PyResult<()> {
    let square = ex.function::<u64, u64>("square")?;
    let f = ex.submit(&square, 2)?;
    ex.shutdown(true, false);
    assert_eq!(
        f.result(Some(Duration::ZERO))?,
        4,
        "accepted calls finish before shutdown returns"
    );
    let e = ex.submit(&square, 2).unwrap_err();
    assert_eq!(
        e.to_string(),
        "RuntimeError: cannot schedule new futures after shutdown"
    );
    ex.shutdown(true, false); // idempotent
    Ok(())
}
