//! `concurrent.futures` behaviour, checked against what CPython 3.11 does.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

use pyrt_executor::concurrent::futures::{
    as_completed, wait, Future, ProcessPoolExecutor, ThreadPoolExecutor, ALL_COMPLETED,
    FIRST_COMPLETED, FIRST_EXCEPTION,
};
use pyrt_executor::{PyException, PyResult};

/// A task that reports it started, then blocks until released.
fn blocker(ex: &ThreadPoolExecutor) -> (Future<&'static str>, mpsc::Sender<()>) {
    let (started_tx, started_rx) = mpsc::channel();
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let f = ex
        .submit(move || {
            started_tx.send(()).unwrap();
            release_rx.recv().unwrap();
            "released"
        })
        .unwrap();
    started_rx.recv().unwrap();
    (f, release_tx)
}

#[test]
fn submit_and_result_like_the_issue_example() -> PyResult<()> {
    let ex = ThreadPoolExecutor::new(Some(4))?;
    let f: Future<u64> = ex.submit(move || 6 * 7)?;
    let v: u64 = f.result(None)?;
    assert_eq!(v, 42);
    assert_eq!(f.result(None)?, 42, "result() can be called again");
    assert!(f.done() && !f.running() && !f.cancelled());
    ex.shutdown(true, false);
    Ok(())
}

#[test]
fn max_workers_zero_is_a_value_error() {
    let e = ThreadPoolExecutor::new(Some(0)).unwrap_err();
    assert_eq!(
        e.to_string(),
        "ValueError: max_workers must be greater than 0"
    );
    let e = ProcessPoolExecutor::new(Some(0)).unwrap_err();
    assert_eq!(
        e.to_string(),
        "ValueError: max_workers must be greater than 0"
    );
}

#[test]
fn default_max_workers_is_cpythons() {
    let ex = ThreadPoolExecutor::new(None).unwrap();
    let cpu = pyrt_scheduler::default_parallelism();
    assert_eq!(ex.max_workers(), (cpu + 4).min(32));
}

#[test]
fn map_keeps_order_and_raises_at_the_failing_item() -> PyResult<()> {
    let ex = ThreadPoolExecutor::new(Some(3))?;
    let out: Vec<u64> = ex
        .map(|x: u64| x + 1, 0..10u64, None, None)?
        .collect::<PyResult<_>>()?;
    assert_eq!(out, (1..=10).collect::<Vec<_>>());

    let mut it = ex.map(
        |x: u64| -> PyResult<u64> {
            if x == 3 {
                Err(PyException::ValueError(format!("bad item {x}")))
            } else {
                Ok(x * 10)
            }
        },
        0..6u64,
        None,
        None,
    )?;
    assert_eq!(it.next(), Some(Ok(0)));
    assert_eq!(it.next(), Some(Ok(10)));
    assert_eq!(it.next(), Some(Ok(20)));
    assert_eq!(
        it.next().unwrap().unwrap_err().to_string(),
        "ValueError: bad item 3"
    );
    assert_eq!(it.next(), None, "the generator is finished after raising");
    Ok(())
}

#[test]
fn map_timeout_raises_timeout_error() -> PyResult<()> {
    let ex = ThreadPoolExecutor::new(Some(1))?;
    let (_f, release) = blocker(&ex);
    let mut it = ex.map(|x: u32| x, 0..2u32, Some(Duration::from_millis(20)), None)?;
    let e = it.next().unwrap().unwrap_err();
    assert_eq!(e.to_string(), "TimeoutError");
    release.send(()).unwrap();
    Ok(())
}

#[test]
fn cancel_succeeds_only_while_queued() -> PyResult<()> {
    let ex = ThreadPoolExecutor::new(Some(1))?;
    let (running, release) = blocker(&ex);
    let queued = ex.submit(|| 1)?;
    assert!(running.running());
    assert!(!running.cancel(), "a running call cannot be cancelled");
    assert!(queued.cancel());
    assert!(queued.cancel(), "cancelling twice still reports cancelled");
    assert!(queued.cancelled() && queued.done());
    assert_eq!(
        queued.result(None).unwrap_err().to_string(),
        "CancelledError"
    );
    release.send(()).unwrap();
    assert_eq!(running.result(None)?, "released");
    Ok(())
}

#[test]
fn shutdown_with_cancel_futures_cancels_queued_work_and_waits_for_running() -> PyResult<()> {
    let ex = ThreadPoolExecutor::new(Some(1))?;
    let (running, release) = blocker(&ex);
    let queued: Vec<Future<u32>> = (0..5)
        .map(|i| ex.submit(move || i))
        .collect::<PyResult<_>>()?;
    let ex2 = ex.clone();
    let waiter = std::thread::spawn(move || ex2.shutdown(true, true));
    // Queued calls are cancelled by shutdown before the running one ends.
    for f in &queued {
        let e = f.result(None).unwrap_err();
        assert_eq!(e, PyException::CancelledError(String::new()));
    }
    release.send(()).unwrap();
    waiter.join().unwrap();
    assert_eq!(running.result(None)?, "released");
    Ok(())
}

#[test]
fn submit_after_shutdown_is_a_runtime_error() {
    let ex = ThreadPoolExecutor::new(Some(2)).unwrap();
    ex.shutdown(true, false);
    let e = ex.submit(|| 1).unwrap_err();
    assert_eq!(
        e.to_string(),
        "RuntimeError: cannot schedule new futures after shutdown"
    );
}

#[test]
fn shutdown_wait_runs_all_queued_work() {
    let ex = ThreadPoolExecutor::new(Some(2)).unwrap();
    let count = Arc::new(AtomicUsize::new(0));
    for _ in 0..1000 {
        let count = count.clone();
        ex.submit(move || count.fetch_add(1, Ordering::SeqCst))
            .unwrap();
    }
    ex.shutdown(true, false);
    assert_eq!(count.load(Ordering::SeqCst), 1000);
}

#[test]
fn dropping_the_last_handle_waits_like_leaving_a_with_block() {
    let count = Arc::new(AtomicUsize::new(0));
    {
        let ex = ThreadPoolExecutor::new(Some(2)).unwrap();
        for _ in 0..100 {
            let count = count.clone();
            ex.submit(move || count.fetch_add(1, Ordering::SeqCst))
                .unwrap();
        }
    }
    assert_eq!(count.load(Ordering::SeqCst), 100);
}

#[test]
fn dropping_the_last_handle_inside_a_task_does_not_deadlock() {
    let ex = ThreadPoolExecutor::new(Some(2)).unwrap();
    let queued = {
        let inner = ex.clone();
        ex.submit(move || inner.submit(|| 5).unwrap())
            .unwrap()
            .result(None)
            .unwrap()
    };
    // Hand the last handle to a task and drop ours: the task drops it.
    let (tx, rx) = mpsc::channel();
    let last = ex.clone();
    ex.submit(move || {
        drop(last);
        tx.send(()).unwrap();
    })
    .unwrap();
    drop(ex);
    rx.recv().unwrap();
    assert_eq!(queued.result(None).unwrap(), 5);
}

#[test]
fn add_done_callback_runs_once_at_completion_or_at_once_if_done() -> PyResult<()> {
    let ex = ThreadPoolExecutor::new(Some(1))?;
    let (f, release) = blocker(&ex);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    f.add_done_callback(move |f| s.lock().unwrap().push(f.result(None).unwrap()));
    assert!(seen.lock().unwrap().is_empty());
    release.send(()).unwrap();
    f.result(None)?;
    ex.shutdown(true, false); // the callback ran on the worker before it exited
    assert_eq!(*seen.lock().unwrap(), vec!["released"]);
    let s = seen.clone();
    f.add_done_callback(move |_| s.lock().unwrap().push("late"));
    assert_eq!(*seen.lock().unwrap(), vec!["released", "late"]);
    Ok(())
}

#[test]
fn a_panicking_callback_is_ignored_and_others_still_run() -> PyResult<()> {
    let ex = ThreadPoolExecutor::new(Some(1))?;
    let f = ex.submit(|| 3)?;
    f.result(None)?;
    let ran = Arc::new(AtomicUsize::new(0));
    f.add_done_callback::<()>(|_| panic!("callback failed"));
    let r = ran.clone();
    f.add_done_callback(move |_| {
        r.fetch_add(1, Ordering::SeqCst);
    });
    assert_eq!(ran.load(Ordering::SeqCst), 1);
    assert_eq!(f.result(None)?, 3);
    Ok(())
}

#[test]
fn callbacks_of_cancelled_futures_run() -> PyResult<()> {
    let ex = ThreadPoolExecutor::new(Some(1))?;
    let (_running, release) = blocker(&ex);
    let queued = ex.submit(|| 1)?;
    let (tx, rx) = mpsc::channel();
    queued.add_done_callback(move |f| tx.send(f.cancelled()).unwrap());
    assert!(queued.cancel());
    assert!(rx.recv().unwrap());
    release.send(()).unwrap();
    Ok(())
}

#[test]
fn result_and_exception_time_out() -> PyResult<()> {
    let ex = ThreadPoolExecutor::new(Some(1))?;
    let (f, release) = blocker(&ex);
    let e = f.result(Some(Duration::from_millis(10))).unwrap_err();
    assert_eq!(e.to_string(), "TimeoutError");
    let e = f.exception(Some(Duration::from_millis(10))).unwrap_err();
    assert_eq!(e, PyException::TimeoutError(String::new()));
    release.send(()).unwrap();
    assert_eq!(f.exception(None)?, None);
    Ok(())
}

#[test]
fn a_raising_task_reraises_from_result_and_exception_returns_it() -> PyResult<()> {
    let ex = ThreadPoolExecutor::new(Some(2))?;
    let f: Future<u32> =
        ex.submit(|| -> PyResult<u32> { Err(PyException::new("MyError", "custom failure")) })?;
    let e = f.result(None).unwrap_err();
    assert_eq!(e.to_string(), "MyError: custom failure");
    assert_eq!(f.exception(None)?, Some(e));
    Ok(())
}

#[test]
fn a_panicking_task_becomes_an_error_and_the_pool_keeps_its_size() -> PyResult<()> {
    let ex = ThreadPoolExecutor::new(Some(1))?;
    let f: Future<u32> = ex.submit(|| -> u32 { panic!("division by zero") })?;
    let e = f.result(None).unwrap_err();
    assert_eq!(e.to_string(), "PanicException: division by zero");
    // The single worker survived.
    assert_eq!(ex.submit(|| 9)?.result(None)?, 9);
    assert_eq!(ex.stats().workers.len(), 1);
    Ok(())
}

#[test]
fn nested_submit_result_completes_with_one_worker() -> PyResult<()> {
    fn fib(ex: ThreadPoolExecutor, n: u64) -> u64 {
        if n < 2 {
            return n;
        }
        let e1 = ex.clone();
        let a = ex.submit(move || fib(e1, n - 1)).unwrap();
        let e2 = ex.clone();
        let b = ex.submit(move || fib(e2, n - 2)).unwrap();
        a.result(None).unwrap() + b.result(None).unwrap()
    }
    let ex = ThreadPoolExecutor::new(Some(1))?;
    let inner = ex.clone();
    assert_eq!(ex.submit(move || fib(inner, 15))?.result(None)?, 610);
    Ok(())
}

const BROKEN: &str =
    "BrokenThreadPool: A thread initializer failed, the thread pool is not usable anymore";

fn outcome_of_submit(ex: &ThreadPoolExecutor) -> PyException {
    match ex.submit(|| 1) {
        Ok(f) => f.result(None).unwrap_err(),
        Err(e) => e,
    }
}

#[test]
fn a_failing_initializer_breaks_the_pool() {
    let ex = ThreadPoolExecutor::builder()
        .max_workers(Some(2))
        .initializer(|| -> PyResult<()> { Err(PyException::ValueError("no init".into())) })
        .build()
        .unwrap();
    // Pending or later: every future fails with BrokenThreadPool.
    assert_eq!(outcome_of_submit(&ex).to_string(), BROKEN);
    assert_eq!(outcome_of_submit(&ex).to_string(), BROKEN);
    // Once broken is known, submit itself raises.
    assert_eq!(ex.submit(|| 3).unwrap_err().to_string(), BROKEN);
}

#[test]
fn the_first_submit_succeeds_even_when_the_initializer_fails() {
    // CPython runs initializers in threads started by `submit`, after the
    // work is queued, so the first `submit` never raises; repeat to give a
    // racing initializer every chance.
    for _ in 0..50 {
        let ex = ThreadPoolExecutor::builder()
            .max_workers(Some(1))
            .initializer(|| -> PyResult<()> { Err(PyException::ValueError("no".into())) })
            .build()
            .unwrap();
        let f = ex.submit(|| 1).expect("the first submit is queued");
        assert_eq!(f.result(None).unwrap_err().to_string(), BROKEN);
        assert_eq!(ex.submit(|| 2).unwrap_err().to_string(), BROKEN);
    }
}

#[test]
fn a_panicking_initializer_breaks_the_pool_too() {
    let ex = ThreadPoolExecutor::builder()
        .max_workers(Some(1))
        .initializer(|| -> () { panic!("init exploded") })
        .build()
        .unwrap();
    assert_eq!(outcome_of_submit(&ex).to_string(), BROKEN);
}

#[test]
fn initializer_runs_on_every_worker_thread_with_the_prefix() {
    let names = Arc::new(Mutex::new(Vec::new()));
    let n = names.clone();
    let ex = ThreadPoolExecutor::builder()
        .max_workers(Some(2))
        .thread_name_prefix("calc")
        .initializer(move || {
            n.lock()
                .unwrap()
                .push(pyrt_executor::threading::current_thread().name())
        })
        .build()
        .unwrap();
    // Workers start with the submits that need them: two calls that wait
    // for each other need two.
    let barrier = pyrt_executor::threading::Barrier::new(2, None, None);
    let calls: Vec<Future<usize>> = (0..2)
        .map(|_| {
            let b = barrier.clone();
            ex.submit(move || b.wait(None)).unwrap()
        })
        .collect();
    for c in &calls {
        c.result(None).unwrap();
    }
    ex.shutdown(true, false);
    let mut names = names.lock().unwrap().clone();
    names.sort();
    assert_eq!(names, vec!["calc_0", "calc_1"]);
}

#[test]
fn wait_all_first_completed_and_first_exception() -> PyResult<()> {
    let ex = ThreadPoolExecutor::new(Some(2))?;
    let (slow, release) = blocker(&ex);
    let fast = ex.submit(|| "fast")?;
    fast.result(None)?;
    let r = wait(&[slow.clone(), fast.clone()], None, Some(FIRST_COMPLETED));
    assert_eq!(r.done.len(), 1);
    assert!(r.done[0].ptr_eq(&fast));
    assert!(r.not_done[0].ptr_eq(&slow));

    let r = wait(
        std::slice::from_ref(&slow),
        Some(Duration::from_millis(10)),
        Some(ALL_COMPLETED),
    );
    assert_eq!(
        (r.done.len(), r.not_done.len()),
        (0, 1),
        "timeout returns, never raises"
    );

    let failing: Future<&'static str> =
        ex.submit(|| -> PyResult<&'static str> { Err(PyException::KeyError("'k'".into())) })?;
    let r = wait(
        &[slow.clone(), failing.clone()],
        None,
        Some(FIRST_EXCEPTION),
    );
    assert_eq!(r.done.len(), 1);
    assert!(r.done[0].ptr_eq(&failing));

    release.send(()).unwrap();
    let r = wait(&[slow, fast, failing], None, None);
    assert_eq!((r.done.len(), r.not_done.len()), (3, 0));
    Ok(())
}

#[test]
fn as_completed_yields_in_completion_order_and_times_out() -> PyResult<()> {
    let ex = ThreadPoolExecutor::new(Some(2))?;
    let (slow, release) = blocker(&ex);
    let fast = ex.submit(|| "fast")?;
    let mut it = as_completed(
        &[slow.clone(), fast.clone()],
        Some(Duration::from_millis(100)),
    );
    let first = it.next().unwrap()?;
    assert!(first.ptr_eq(&fast));
    let e = it.next().unwrap().unwrap_err();
    assert_eq!(e.to_string(), "TimeoutError: 1 (of 2) futures unfinished");
    assert!(it.next().is_none());
    release.send(()).unwrap();
    let order: Vec<&str> = as_completed(&[slow, fast], None)
        .map(|f| f.unwrap().result(None).unwrap())
        .collect();
    assert_eq!(order.len(), 2);
    Ok(())
}

#[test]
fn futures_can_be_awaited() -> PyResult<()> {
    let ex = ThreadPoolExecutor::new(Some(2))?;
    let f = ex.submit(|| 20)?;
    let g = ex.submit(|| 22)?;
    let sum = futures_lite::future::block_on(async { f.await.unwrap() + g.await.unwrap() });
    assert_eq!(sum, 42);
    Ok(())
}

#[test]
fn standalone_futures_set_result_and_exception() {
    let f: Future<u8> = Future::new();
    assert!(!f.done());
    assert_eq!(f.set_running_or_notify_cancel(), Ok(true));
    f.set_result(7).unwrap();
    assert_eq!(f.result(None), Ok(7));
    assert_eq!(f.set_result(8).unwrap_err().name(), "InvalidStateError");
    let g: Future<u8> = Future::new();
    assert!(g.cancel());
    assert_eq!(g.set_running_or_notify_cancel(), Ok(false));
}

#[test]
fn one_million_tasks_from_four_threads_are_counted_exactly() {
    let ex = ThreadPoolExecutor::new(Some(2)).unwrap();
    let count = Arc::new(AtomicUsize::new(0));
    let per_thread = 250_000usize;
    let sum: u64 = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|t| {
                let ex = ex.clone();
                let count = count.clone();
                s.spawn(move || {
                    let mut futures = Vec::with_capacity(1024);
                    let mut sum = 0u64;
                    for i in 0..per_thread {
                        let count = count.clone();
                        let v = (t * per_thread + i) as u64;
                        futures.push(
                            ex.submit(move || {
                                count.fetch_add(1, Ordering::Relaxed);
                                v
                            })
                            .unwrap(),
                        );
                        if futures.len() == 1024 {
                            sum += futures
                                .drain(..)
                                .map(|f| f.result(None).unwrap())
                                .sum::<u64>();
                        }
                    }
                    sum + futures
                        .drain(..)
                        .map(|f| f.result(None).unwrap())
                        .sum::<u64>()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    });
    let n = 4 * per_thread as u64;
    assert_eq!(count.load(Ordering::SeqCst) as u64, n);
    assert_eq!(sum, n * (n - 1) / 2);
}

#[test]
fn process_pool_executor_maps_with_chunks() -> PyResult<()> {
    let ex = ProcessPoolExecutor::new(None)?;
    assert_eq!(ex.max_workers(), pyrt_scheduler::default_parallelism());
    let out: Vec<u64> = ex
        .map(|x: u64| x * x, 0..100u64, None, Some(7))?
        .collect::<PyResult<_>>()?;
    assert_eq!(out, (0..100u64).map(|x| x * x).collect::<Vec<_>>());
    let it = ex.map(
        |x: u64| -> PyResult<u64> {
            if x == 5 {
                Err(PyException::ZeroDivisionError("division by zero".into()))
            } else {
                Ok(x)
            }
        },
        0..10u64,
        None,
        Some(3),
    )?;
    let got: Vec<PyResult<u64>> = it.collect();
    // The chunk [3, 4, 5] raised: none of its items come out (CPython's
    // `_process_chunk` is a list comprehension).
    assert_eq!(got.len(), 4);
    assert_eq!(
        got[3].clone().unwrap_err().to_string(),
        "ZeroDivisionError: division by zero"
    );
    Ok(())
}
