//! Corner cases where we once differed from CPython 3.11 (issue 11 §5).

use std::sync::mpsc;
use std::time::Duration;

use pyrt_executor::concurrent::futures::{as_completed, wait, Future, ALL_COMPLETED};
use pyrt_executor::queue::Queue;
use pyrt_executor::{PyException, PyResult};

/// Runs `body` on its own thread and fails if it does not finish in time
/// (a regression here would otherwise hang the test run).
fn watchdog<R: Send + 'static>(body: impl FnOnce() -> R + Send + 'static) -> R {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(body());
    });
    rx.recv_timeout(Duration::from_secs(30))
        .expect("the test body did not finish within 30s")
}

#[test]
fn wait_counts_a_repeated_future_once() {
    let done: Future<u8> = Future::new();
    done.set_result(1).unwrap();
    let pending: Future<u8> = Future::new();
    let fs = [done.clone(), done.clone(), pending.clone(), pending.clone()];
    let r = wait(&fs, Some(Duration::ZERO), Some(ALL_COMPLETED));
    assert_eq!((r.done.len(), r.not_done.len()), (1, 1));
    assert!(r.done[0].ptr_eq(&done) && r.not_done[0].ptr_eq(&pending));
}

#[test]
fn as_completed_yields_a_repeated_future_once_and_counts_it_once() {
    let done: Future<u8> = Future::new();
    done.set_result(1).unwrap();
    let pending: Future<u8> = Future::new();
    let fs = [done.clone(), pending.clone(), done.clone(), pending.clone()];
    let out: Vec<PyResult<Future<u8>>> = as_completed(&fs, Some(Duration::ZERO)).collect();
    assert_eq!(out.len(), 2, "{out:?}");
    assert!(out[0].as_ref().unwrap().ptr_eq(&done));
    assert_eq!(
        out[1].as_ref().unwrap_err().to_string(),
        "TimeoutError: 1 (of 2) futures unfinished"
    );
}

#[test]
fn non_blocking_queue_calls_ignore_a_negative_timeout() {
    let q: Queue<u8> = Queue::new(Some(1));
    assert_eq!(
        q.get(Some(false), Some(-1.0)),
        Err(PyException::Empty(String::new()))
    );
    q.put(1, None, None).unwrap();
    assert_eq!(
        q.put(2, Some(false), Some(-1.0)),
        Err(PyException::Full(String::new()))
    );
    // Blocking calls still check it.
    assert!(matches!(
        q.put(2, None, Some(-1.0)),
        Err(PyException::ValueError(_))
    ));
}

#[test]
fn multiprocessing_queues_treat_a_negative_timeout_as_no_wait() {
    let q: pyrt_executor::multiprocessing::Queue<u8> =
        pyrt_executor::multiprocessing::Queue::new(Some(1));
    assert_eq!(
        q.get(None, Some(-1.0)),
        Err(PyException::Empty(String::new()))
    );
    assert_eq!(
        q.get(Some(false), Some(-1.0)),
        Err(PyException::Empty(String::new()))
    );
    q.put(1, None, None).unwrap();
    assert_eq!(
        q.put(2, None, Some(-1.0)),
        Err(PyException::Full(String::new()))
    );
    assert_eq!(
        q.put(2, Some(false), Some(-1.0)),
        Err(PyException::Full(String::new()))
    );
}

#[test]
fn event_set_then_clear_still_wakes_every_waiter() {
    use pyrt_executor::threading::Event;
    const N: usize = 8;
    watchdog(|| {
        let e = Event::new();
        let waiters: Vec<_> = (0..N)
            .map(|_| {
                let e = e.clone();
                std::thread::spawn(move || e.wait(None))
            })
            .collect();
        while e.waiter_count() < N {
            std::thread::yield_now();
        }
        e.set();
        e.clear();
        for w in waiters {
            assert!(w.join().unwrap(), "a waiter present at set() returns True");
        }
        assert!(!e.is_set());
    });
}

fn overflow() -> PyException {
    PyException::OverflowError("timestamp out of range for platform time_t".into())
}

#[test]
fn huge_timeouts_raise_overflow_error_where_cpython_does() {
    use pyrt_executor::threading::{Condition, Lock, RLock, Semaphore, TIMEOUT_MAX};
    assert_eq!(TIMEOUT_MAX, 9_223_372_036.0);
    let huge = Some(1e100);
    assert_eq!(Lock::new().acquire(None, huge), Err(overflow()));
    assert_eq!(Lock::new().acquire(Some(false), huge), Err(overflow()));
    assert_eq!(RLock::new().acquire(None, huge), Err(overflow()));
    assert_eq!(Lock::new().acquire(None, Some(TIMEOUT_MAX)), Ok(true));
    assert_eq!(
        Lock::new().acquire(None, Some(f64::NAN)),
        Err(PyException::ValueError(
            "Invalid value NaN (not a number)".into()
        ))
    );
    // A semaphore, a condition's wait_for and a queue convert the timeout
    // only when they have to wait.
    let s = Semaphore::new(Some(1)).unwrap();
    assert_eq!(s.acquire(None, huge), Ok(true));
    assert_eq!(s.acquire(None, huge), Err(overflow()));
    let c = Condition::new(None);
    let _held = c.with().unwrap();
    assert_eq!(c.wait(huge), Err(overflow()));
    assert_eq!(c.wait_for(|| 7u8, huge), Ok(7));
    assert_eq!(c.wait_for(|| false, huge), Err(overflow()));
    let q: Queue<u8> = Queue::new(Some(1));
    assert_eq!(q.get(None, huge), Err(overflow()));
    q.put(1, None, huge).unwrap();
    assert_eq!(q.put(2, None, huge), Err(overflow()));
    assert_eq!(q.get(None, huge), Ok(1));
}

#[test]
fn condition_wait_for_returns_the_predicates_last_value() {
    use pyrt_executor::threading::Condition;
    use std::sync::{Arc, Mutex};
    watchdog(|| {
        let c = Condition::new(None);
        let items: Arc<Mutex<Vec<u8>>> = Arc::default();
        let producer = {
            let (c, items) = (c.clone(), items.clone());
            std::thread::spawn(move || {
                let _held = c.with().unwrap();
                items.lock().unwrap().push(5);
                c.notify(None).unwrap();
            })
        };
        let _held = c.with().unwrap();
        let got = c.wait_for(|| items.lock().unwrap().clone(), None).unwrap();
        assert_eq!(got, vec![5]);
        assert_eq!(c.wait_for(|| None::<u8>, Some(0.0)).unwrap(), None);
        drop(_held);
        producer.join().unwrap();
    });
}

/// A gate closed until `open`: blocks with std primitives, so the pool does
/// not see a blocked task (no spare worker starts to run the queued ones).
#[derive(Default)]
struct Gate {
    open: std::sync::Mutex<bool>,
    cv: std::sync::Condvar,
}

impl Gate {
    fn open(&self) {
        *self.open.lock().unwrap() = true;
        self.cv.notify_all();
    }

    fn wait(&self) {
        let mut open = self.open.lock().unwrap();
        while !*open {
            open = self.cv.wait(open).unwrap();
        }
    }
}

mod executor_map {
    use super::*;
    use pyrt_executor::concurrent::futures::{ProcessPoolExecutor, ThreadPoolExecutor};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    /// A one-worker executor whose worker is blocked until the gate opens.
    fn blocked_executor() -> (ThreadPoolExecutor, Arc<Gate>) {
        let ex = ThreadPoolExecutor::new(Some(1)).unwrap();
        let gate = Arc::new(Gate::default());
        let started = Arc::new(Gate::default());
        {
            let (gate, started) = (gate.clone(), started.clone());
            ex.submit(move || {
                started.open();
                gate.wait();
            })
            .unwrap();
        }
        started.wait();
        (ex, gate)
    }

    #[test]
    fn a_timeout_cancels_the_calls_not_started_including_the_awaited_one() {
        watchdog(|| {
            let (ex, gate) = blocked_executor();
            let calls = Arc::new(AtomicUsize::new(0));
            let c = calls.clone();
            let mut it = ex
                .map(
                    move |x: u32| {
                        c.fetch_add(1, Ordering::SeqCst);
                        x
                    },
                    0..3,
                    Some(Duration::from_millis(20)),
                    None,
                )
                .unwrap();
            assert_eq!(
                it.next(),
                Some(Err(PyException::TimeoutError(String::new())))
            );
            assert_eq!(it.next(), None, "the generator is finished");
            gate.open();
            ex.shutdown(true, false);
            assert_eq!(calls.load(Ordering::SeqCst), 0);
        });
    }

    #[test]
    fn dropping_an_untouched_iterator_cancels_nothing() {
        watchdog(|| {
            let (ex, gate) = blocked_executor();
            let calls = Arc::new(AtomicUsize::new(0));
            let c = calls.clone();
            let it = ex
                .map(
                    move |x: u32| {
                        c.fetch_add(1, Ordering::SeqCst);
                        x
                    },
                    0..3,
                    None,
                    None,
                )
                .unwrap();
            drop(it);
            gate.open();
            ex.shutdown(true, false);
            assert_eq!(calls.load(Ordering::SeqCst), 3);
        });
    }

    #[test]
    fn dropping_a_started_iterator_cancels_the_calls_not_started() {
        watchdog(|| {
            let ex = ThreadPoolExecutor::new(Some(1)).unwrap();
            let gate = Arc::new(Gate::default());
            let calls = Arc::new(AtomicUsize::new(0));
            let (c, g) = (calls.clone(), gate.clone());
            let mut it = ex
                .map(
                    move |x: u32| {
                        c.fetch_add(1, Ordering::SeqCst);
                        if x == 1 {
                            g.wait();
                        }
                        x
                    },
                    0..4,
                    None,
                    None,
                )
                .unwrap();
            assert_eq!(it.next(), Some(Ok(0)));
            drop(it); // item 1 is running or queued; 2 and 3 are queued
            gate.open();
            ex.shutdown(true, false);
            assert!(
                calls.load(Ordering::SeqCst) <= 2,
                "items 2 and 3 were cancelled"
            );
        });
    }

    #[test]
    fn a_failing_chunk_yields_none_of_its_items() {
        let ex = ProcessPoolExecutor::new(Some(2)).unwrap();
        let out: Vec<PyResult<u32>> = ex
            .map(
                |x: u32| {
                    if x == 4 {
                        Err(PyException::ValueError("bad 4".into()))
                    } else {
                        Ok(x)
                    }
                },
                0..9,
                None,
                Some(3),
            )
            .unwrap()
            .collect();
        assert_eq!(
            out,
            vec![
                Ok(0),
                Ok(1),
                Ok(2),
                Err(PyException::ValueError("bad 4".into()))
            ]
        );
    }
}

mod pool_map {
    use super::*;
    use pyrt_executor::multiprocessing::Pool;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    fn failing_at(bad: &'static [u32], calls: Arc<AtomicUsize>) -> impl Fn(u32) -> PyResult<u32> {
        move |x| {
            calls.fetch_add(1, Ordering::SeqCst);
            if bad.contains(&x) {
                Err(PyException::ValueError(format!("bad {x}")))
            } else {
                Ok(x)
            }
        }
    }

    #[test]
    fn every_item_runs_after_one_raised() {
        let pool = Pool::new(Some(2)).unwrap();
        for chunksize in [Some(1), None] {
            let calls = Arc::new(AtomicUsize::new(0));
            let r: PyResult<Vec<u32>> = pool.map(failing_at(&[0], calls.clone()), 0..10, chunksize);
            assert_eq!(r, Err(PyException::ValueError("bad 0".into())));
            assert_eq!(calls.load(Ordering::SeqCst), 10, "chunksize={chunksize:?}");
            let calls = Arc::new(AtomicUsize::new(0));
            let r = pool.map_async(
                failing_at(&[0], calls.clone()),
                0..10,
                chunksize,
                None,
                None,
            );
            let r: PyResult<Vec<u32>> = r.unwrap().get(None);
            assert_eq!(r, Err(PyException::ValueError("bad 0".into())));
            assert_eq!(calls.load(Ordering::SeqCst), 10, "chunksize={chunksize:?}");
        }
    }

    #[test]
    fn a_chunk_stops_at_its_first_exception_and_the_first_failure_is_raised() {
        // One worker: chunks finish in order, so the first failure in
        // completion order is the first by position, as CPython reports.
        let pool = Pool::new(Some(1)).unwrap();
        let calls = Arc::new(AtomicUsize::new(0));
        let r: PyResult<Vec<u32>> = pool.map(failing_at(&[3, 7], calls.clone()), 0..10, Some(4));
        assert_eq!(r, Err(PyException::ValueError("bad 3".into())));
        // Chunks [0..4) and [4..8) stop after 3 and 7; [8, 9] runs.
        assert_eq!(calls.load(Ordering::SeqCst), 4 + 4 + 2);
        let calls = Arc::new(AtomicUsize::new(0));
        let r: PyResult<Vec<u32>> = pool.map(failing_at(&[3, 7], calls.clone()), 0..10, Some(1));
        assert_eq!(r, Err(PyException::ValueError("bad 3".into())));
        assert_eq!(calls.load(Ordering::SeqCst), 10);
    }

    #[test]
    fn terminate_stops_a_running_map_async() {
        watchdog(|| {
            let pool = Pool::new(Some(1)).unwrap();
            let (started, gate) = (Arc::new(Gate::default()), Arc::new(Gate::default()));
            let calls = Arc::new(AtomicUsize::new(0));
            let r = {
                let (started, gate, calls) = (started.clone(), gate.clone(), calls.clone());
                pool.map_async(
                    move |x: u32| {
                        calls.fetch_add(1, Ordering::SeqCst);
                        if x == 0 {
                            started.open();
                            gate.wait();
                        }
                        x
                    },
                    0..10,
                    Some(1),
                    None,
                    None,
                )
                .unwrap()
            };
            started.wait();
            let queued = pool.apply_async(|| 1u32, None, None).unwrap();
            pool.terminate();
            gate.open();
            assert_eq!(r.get(None), Err(PyException::CancelledError(String::new())));
            assert_eq!(
                queued.get(None),
                Err(PyException::CancelledError(String::new()))
            );
            assert_eq!(calls.load(Ordering::SeqCst), 1, "queued items did not run");
        });
    }
}
