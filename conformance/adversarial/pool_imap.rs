//! Claim: `Pool.imap` and `Pool.imap_unordered` are lazy: the first result
//! comes while the input is still being read, over an endless input too.
//! CPython's task-feeder thread reads the iterable as the pool goes, so
//! `next(pool.imap(f, itertools.count()))` returns at once (its feeder then
//! reads on without bound; ours reads a bounded window ahead). And
//! `Pool.map` over an iterable that raises part-way raises that exception
//! before running anything: CPython's `map` makes a `list` of an iterable
//! without `__len__` first. (Ours consumed the whole input before the first
//! result: over an endless one it never yielded and grew until OOM.)

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use executor_api::multiprocessing::Pool;
use executor_api::{PyException, PyResult};

/// An endless `itertools.count()` that counts how many items were read.
fn counting(read: &Arc<AtomicUsize>) -> impl Iterator<Item = u64> + Send + 'static {
    let read = read.clone();
    (0u64..).inspect(move |_| {
        read.fetch_add(1, Ordering::Relaxed);
    })
}

#[test]
fn imap_over_an_endless_input_yields_in_order_and_reads_a_bounded_window() {
    common::watchdog("imap over count()", || {
        let pool = Pool::new(Some(2)).unwrap();
        let read = Arc::new(AtomicUsize::new(0));
        let mut it = pool.imap(|x: u64| x * 2, counting(&read), None).unwrap();
        let first: Vec<u64> = it.by_ref().take(100).map(|r| r.unwrap()).collect();
        assert_eq!(first, (0..100).map(|x| x * 2).collect::<Vec<_>>());
        let n = read.load(Ordering::Relaxed);
        assert!(
            n < 100_000,
            "read {n} items of an endless input for 100 results"
        );
        drop(it);
        pool.terminate();
    });
}

#[test]
fn imap_with_chunks_over_an_endless_input_is_lazy_too() {
    common::watchdog("imap(chunksize=7) over count()", || {
        let pool = Pool::new(Some(2)).unwrap();
        let read = Arc::new(AtomicUsize::new(0));
        let mut it = pool.imap(|x: u64| x + 1, counting(&read), Some(7)).unwrap();
        let first: Vec<u64> = it.by_ref().take(50).map(|r| r.unwrap()).collect();
        assert_eq!(first, (1..51).collect::<Vec<_>>());
        assert!(read.load(Ordering::Relaxed) < 100_000);
    });
}

#[test]
fn imap_unordered_over_an_endless_input_is_lazy() {
    common::watchdog("imap_unordered over count()", || {
        let pool = Pool::new(Some(2)).unwrap();
        let read = Arc::new(AtomicUsize::new(0));
        let it = pool
            .imap_unordered(|x: u64| x, counting(&read), None)
            .unwrap();
        let mut first: Vec<u64> = it.take(100).map(|r| r.unwrap()).collect();
        first.sort_unstable();
        first.dedup();
        assert_eq!(first.len(), 100, "100 distinct results");
        assert!(read.load(Ordering::Relaxed) < 100_000);
    });
}

#[test]
fn lazy_imap_still_yields_every_result_of_a_finite_input() {
    common::watchdog("imap over 0..50_000", || {
        let pool = Pool::new(Some(2)).unwrap();
        let out: Vec<u64> = pool
            .imap(|x: u64| x * 3, 0..50_000u64, Some(3))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        assert_eq!(out, (0..50_000).map(|x| x * 3).collect::<Vec<_>>());
        let mut un: Vec<u64> = pool
            .imap_unordered(|x: u64| x, 0..50_000u64, None)
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        un.sort_unstable();
        assert_eq!(un, (0..50_000).collect::<Vec<_>>());
    });
}

#[test]
fn imap_errors_stay_at_their_position() {
    common::watchdog("imap with raising calls", || {
        let pool = Pool::new(Some(2)).unwrap();
        let out: Vec<PyResult<u64>> = pool
            .imap(
                |x: u64| {
                    if x % 10 == 3 {
                        Err(PyException::ValueError(format!("{x}")))
                    } else {
                        Ok(x)
                    }
                },
                0..1000u64,
                None,
            )
            .unwrap()
            .collect();
        assert_eq!(out.len(), 1000);
        for (i, r) in out.iter().enumerate() {
            match r {
                Ok(v) => assert_eq!(*v as usize, i),
                Err(e) => assert_eq!(e.to_string(), format!("ValueError: {i}")),
            }
        }
    });
}

#[test]
fn try_imap_over_an_endless_input_that_raises_late_is_lazy() {
    common::watchdog("try_imap raising at item 1M", || {
        let pool = Pool::new(Some(2)).unwrap();
        let read = Arc::new(AtomicUsize::new(0));
        let items = counting(&read).map(|i| {
            if i == 1_000_000 {
                Err(PyException::ValueError("late".into()))
            } else {
                Ok(i)
            }
        });
        let first: Vec<u64> = pool
            .try_imap(|x: u64| x, items, None)
            .unwrap()
            .take(10)
            .map(|r| r.unwrap())
            .collect();
        assert_eq!(first, (0..10).collect::<Vec<_>>());
        assert!(read.load(Ordering::Relaxed) < 100_000);
    });
}

#[test]
fn map_over_an_input_raising_part_way_raises_it_before_running_anything() {
    common::watchdog("try_map raising at item 500", || {
        let pool = Pool::new(Some(2)).unwrap();
        let ran = Arc::new(AtomicUsize::new(0));
        let r2 = ran.clone();
        let items = (0..1000).map(|i| {
            if i == 500 {
                Err(PyException::KeyError("'500'".into()))
            } else {
                Ok(i)
            }
        });
        let e = pool
            .try_map(
                move |x: i32| {
                    r2.fetch_add(1, Ordering::Relaxed);
                    x
                },
                items,
                None,
            )
            .unwrap_err();
        assert_eq!(e.to_string(), "KeyError: '500'");
        assert_eq!(
            ran.load(Ordering::Relaxed),
            0,
            "nothing runs: list(iterable) raised first"
        );
    });
}
