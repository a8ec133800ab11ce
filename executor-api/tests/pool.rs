//! `multiprocessing.Pool` behaviour, checked against what CPython 3.11 does.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

use pyrt_executor::multiprocessing::{cpu_count, Pool};
use pyrt_executor::{PyException, PyResult};

#[test]
fn map_like_the_issue_example() -> PyResult<()> {
    let pool = Pool::new(Some(2))?;
    let out: Vec<u64> = pool.map(|x: u64| x * x, 0..1000u64, None)?;
    assert_eq!(out, (0..1000u64).map(|x| x * x).collect::<Vec<_>>());
    Ok(())
}

#[test]
fn processes_zero_is_a_value_error_and_none_is_cpu_count() {
    let e = Pool::new(Some(0)).unwrap_err();
    assert_eq!(
        e.to_string(),
        "ValueError: Number of processes must be at least 1"
    );
    assert_eq!(Pool::new(None).unwrap().processes(), cpu_count());
}

#[test]
fn map_raises_the_first_failing_item_by_position() -> PyResult<()> {
    let pool = Pool::new(Some(2))?;
    let r: PyResult<Vec<u32>> = pool.map(
        |x: u32| -> PyResult<u32> {
            if x % 1000 == 999 {
                Err(PyException::ValueError(format!("bad {x}")))
            } else {
                Ok(x)
            }
        },
        0..10_000u32,
        None,
    );
    // Several items fail; the lowest index among those processed is raised,
    // and processing stops early, so it is one of the failing items.
    let e = r.unwrap_err();
    assert!(e.to_string().starts_with("ValueError: bad "), "{e}");
    let r: PyResult<Vec<u32>> = pool.map(
        |x: u32| -> u32 {
            if x == 77 {
                panic!("item 77 exploded")
            }
            x
        },
        0..100u32,
        Some(10),
    );
    assert_eq!(
        r.unwrap_err().to_string(),
        "PanicException: item 77 exploded"
    );
    Ok(())
}

#[test]
fn chunksize_zero_is_a_value_error() {
    let pool = Pool::new(Some(1)).unwrap();
    let e = pool.map(|x: u8| x, 0..3u8, Some(0)).unwrap_err();
    assert_eq!(e.to_string(), "ValueError: Chunksize must be 1+, not 0");
}

#[test]
fn starmap_apply_and_apply_async() -> PyResult<()> {
    let pool = Pool::new(Some(2))?;
    let sums: Vec<i64> = pool.starmap(|(a, b): (i64, i64)| a + b, vec![(1, 2), (3, 4)], None)?;
    assert_eq!(sums, vec![3, 7]);
    assert_eq!(pool.apply(|| "hello".len())?, 5);

    let seen = Arc::new(Mutex::new(None));
    let s = seen.clone();
    let r = pool.apply_async(
        || 6 * 7,
        Some(Box::new(move |v: &i32| *s.lock().unwrap() = Some(*v))),
        None,
    )?;
    assert_eq!(r.get(None)?, 42);
    // The callback ran before get() returned, as in CPython.
    assert_eq!(*seen.lock().unwrap(), Some(42));
    assert!(r.ready());
    assert_eq!(r.successful(), Ok(true));
    Ok(())
}

#[test]
fn async_results_report_errors_and_readiness() -> PyResult<()> {
    let pool = Pool::new(Some(1))?;
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let blocked = pool.apply_async(
        move || {
            release_rx.recv().unwrap();
            1
        },
        None,
        None,
    )?;
    let e = blocked.successful().unwrap_err();
    assert_eq!(
        e.to_string(),
        "ValueError: <multiprocessing.pool.ApplyResult object> not ready"
    );
    assert_eq!(
        blocked.get(Some(Duration::from_millis(10))).unwrap_err(),
        PyException::MpTimeoutError(String::new()),
        "multiprocessing.TimeoutError, not the builtin one"
    );
    release_tx.send(()).unwrap();
    blocked.wait(None);
    assert_eq!(blocked.get(None)?, 1);

    let errors = Arc::new(Mutex::new(Vec::new()));
    let e2 = errors.clone();
    let failing: pyrt_executor::multiprocessing::AsyncResult<u8> = pool.apply_async(
        || -> PyResult<u8> { Err(PyException::KeyError("'missing'".into())) },
        None,
        Some(Box::new(move |e: &PyException| {
            e2.lock().unwrap().push(e.to_string())
        })),
    )?;
    assert_eq!(
        failing.get(None).unwrap_err().to_string(),
        "KeyError: 'missing'"
    );
    assert_eq!(*errors.lock().unwrap(), vec!["KeyError: 'missing'"]);
    assert_eq!(failing.successful(), Ok(false));
    Ok(())
}

#[test]
fn map_async_with_callback() -> PyResult<()> {
    let pool = Pool::new(Some(2))?;
    let total = Arc::new(AtomicUsize::new(0));
    let t = total.clone();
    let r = pool.map_async(
        |x: usize| x * 2,
        0..100usize,
        None,
        Some(Box::new(move |v: &Vec<usize>| {
            t.store(v.iter().sum(), Ordering::SeqCst)
        })),
        None,
    )?;
    assert_eq!(r.get(None)?.len(), 100);
    assert_eq!(total.load(Ordering::SeqCst), 9900);
    Ok(())
}

fn two_fails(x: u32) -> PyResult<u32> {
    if x == 2 {
        Err(PyException::ValueError("two".into()))
    } else {
        Ok(x * 10)
    }
}

#[test]
fn imap_is_ordered_and_goes_on_after_an_error() -> PyResult<()> {
    let pool = Pool::new(Some(2))?;
    let out: Vec<PyResult<u32>> = pool.imap(two_fails, 0..5u32, None)?.collect();
    let two = PyException::ValueError("two".into());
    assert_eq!(out, vec![Ok(0), Ok(10), Err(two.clone()), Ok(30), Ok(40)]);
    // With chunks, CPython's generator over chunks ends at the failing one.
    let out: Vec<PyResult<u32>> = pool.imap(two_fails, 0..5u32, Some(2))?.collect();
    assert_eq!(out, vec![Ok(0), Ok(10), Err(two)]);
    Ok(())
}

#[test]
fn imap_unordered_yields_every_result_once() -> PyResult<()> {
    let pool = Pool::new(Some(2))?;
    let mut out: Vec<u32> = pool
        .imap_unordered(|x: u32| x + 1, 0..50u32, Some(3))?
        .collect::<PyResult<_>>()?;
    out.sort();
    assert_eq!(out, (1..=50).collect::<Vec<_>>());
    Ok(())
}

#[test]
fn close_join_terminate_and_pool_not_running() -> PyResult<()> {
    let pool = Pool::new(Some(2))?;
    assert_eq!(
        pool.join().unwrap_err().to_string(),
        "ValueError: Pool is still running"
    );
    let r = pool.apply_async(|| 5, None, None)?;
    pool.close();
    assert_eq!(
        pool.map(|x: u8| x, 0..2u8, None).unwrap_err().to_string(),
        "ValueError: Pool not running"
    );
    assert_eq!(
        pool.apply(|| 1).unwrap_err().to_string(),
        "ValueError: Pool not running"
    );
    pool.join()?;
    // Work queued before close() still ran.
    assert_eq!(r.get(None)?, 5);

    let pool = Pool::new(Some(1))?;
    pool.terminate();
    assert_eq!(
        pool.apply_async(|| 1, None, None).unwrap_err().to_string(),
        "ValueError: Pool not running"
    );
    pool.join()?;
    Ok(())
}

#[test]
fn initializer_runs_on_each_worker_and_a_failing_one_breaks_tasks() -> PyResult<()> {
    let count = Arc::new(AtomicUsize::new(0));
    let c = count.clone();
    let pool = Pool::builder()
        .processes(Some(2))
        .initializer(move || {
            c.fetch_add(1, Ordering::SeqCst);
        })
        .build()?;
    assert_eq!(pool.map(|x: u8| x, 0..10u8, None)?.len(), 10);
    pool.close();
    pool.join()?;
    assert_eq!(count.load(Ordering::SeqCst), 2);

    let broken = Pool::builder()
        .processes(Some(1))
        .initializer(|| -> PyResult<()> { Err(PyException::OSError("no".into())) })
        .build()?;
    let e = broken.apply(|| 1).unwrap_err();
    assert_eq!(e.name(), "BrokenProcessPool"); // as the docs say; map fails the same way
    Ok(())
}

#[test]
fn map_on_a_skewed_input_matches_sequential() -> PyResult<()> {
    let pool = Pool::new(Some(2))?;
    let work = |x: u64| -> u64 {
        let reps = if x < 50 { 2000 } else { 20 };
        (0..reps).fold(x, |a, i| a.wrapping_mul(31).wrapping_add(i))
    };
    let expected: Vec<u64> = (0..1000u64).map(work).collect();
    assert_eq!(pool.map(work, 0..1000u64, None)?, expected);
    Ok(())
}
