//! Ports of CPython 3.11's `Lib/test/_test_multiprocessing.py` (see `SKIPPED.md` for the
//! tests that cannot apply, with the reason). The file runs each `_Test*`
//! class for processes, threads and managers; ours are threads, so these
//! are its `threads` variants (`multiprocessing.dummy`, `ThreadPool`) and,
//! for the manager-only classes, its `manager` variants.
//!
//! `assertTimingAlmostEqual` only checks anything when CPython's
//! `CHECK_TIMINGS` is set; we check that a timed wait lasted at least
//! (almost) its timeout and a non-blocking call did not wait.

mod common;

use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use common::{assert_raises, watchdog};
use executor_api::multiprocessing::pool::ThreadPool;
use executor_api::multiprocessing::{
    active_children, cpu_count, current_process, Array, Barrier, BoundedSemaphore, Condition,
    Connection, Event, JoinableQueue, Lock, Manager, Pipe, Pool, Process, Queue, RLock, RawArray,
    RawValue, Semaphore, Value,
};
use executor_api::threading::Thread;
use executor_api::{PyClass, PyException, PyResult};

const DELTA: f64 = 0.1;
const TIMEOUT1: f64 = 0.1;
const TIMEOUT2: f64 = 0.1;
const TIMEOUT3: f64 = 0.1;

/// `TimingWrapper`: the call's result and how long it took, in seconds.
fn timed<R>(f: impl FnOnce() -> R) -> (R, f64) {
    let t = Instant::now();
    let r = f();
    (r, t.elapsed().as_secs_f64())
}

/// `assertTimingAlmostEqual(elapsed, expected)`, with a loaded machine's
/// slack only upwards.
#[track_caller]
fn assert_timing(elapsed: f64, expected: f64) {
    assert!(
        elapsed >= expected - 0.02 && elapsed < expected + 5.0,
        "took {elapsed}s, expected about {expected}s"
    );
}

fn sleep(secs: f64) {
    std::thread::sleep(Duration::from_secs_f64(secs)); // allow-sleep: CPython's `time.sleep` work item
}

/// Loops until `pred` holds (where CPython sleeps to let threads get
/// there); the watchdog fails a test that never gets there.
fn wait_until(mut pred: impl FnMut() -> bool) {
    while !pred() {
        std::thread::sleep(Duration::from_millis(1)); // allow-sleep: poll of a condition (the watchdog bounds it)
    }
}

fn say_when() -> PyException {
    // class SayWhenError(ValueError)
    PyException::ValueError("Somebody said when".into())
}

/// `exception_throwing_generator(total, when)`: an `Err` item is the
/// generator raising (which ends it).
fn exception_throwing_generator(total: i64, when: i64) -> Vec<PyResult<i64>> {
    if when == -1 {
        return vec![Err(say_when())];
    }
    let mut items = Vec::new();
    for i in 0..total {
        if i == when {
            items.push(Err(say_when()));
            break;
        }
        items.push(Ok(i));
    }
    items
}

fn sqr(x: i64) -> i64 {
    x * x
}

fn sqr_wait(x: i64, wait: f64) -> i64 {
    sleep(wait);
    x * x
}

// ---------------------------------------------------------------- _TestProcess

// CPython: _test_multiprocessing._TestProcess.test_args_argument
#[test]
fn test_args_argument() {
    watchdog(|| {
        // args_cases = (1, "str", [1], (1,)), as a list or a tuple: the
        // target gets them as captured values.
        let cases: Vec<Vec<String>> = vec![
            vec!["1".into()],
            vec!["str".into()],
            vec!["[1]".into()],
            vec!["(1,)".into()],
        ];
        for args in cases {
            let q = Queue::new(Some(1));
            let (q2, a2) = (q.clone(), args.clone());
            let p = Process::new(move || q2.put(a2, None, None));
            p.set_daemon(true).unwrap();
            p.start().unwrap();
            let child_args = q.get(None, None).unwrap();
            assert_eq!(child_args, args);
            p.join(None).unwrap();
            q.close();
        }
    });
}

// CPython: _test_multiprocessing._TestProcess.test_process
#[test]
fn test_process() {
    watchdog(|| {
        let q: Queue<String> = Queue::new(Some(1));
        let q2 = q.clone();
        // args = (q, 1, 2), kwargs = {'hello': 23, 'bye': 2.54}
        let p = Process::with_name("SomeProcess", move || -> PyResult<()> {
            let current = current_process();
            q2.put("(1, 2)".into(), None, None)?;
            q2.put("{'hello': 23, 'bye': 2.54}".into(), None, None)?;
            q2.put(current.name, None, None)
        });
        p.set_daemon(true).unwrap();
        assert!(!p.is_alive());
        assert!(p.daemon());
        assert!(!active_children().contains(&p));
        assert_eq!(p.exitcode(), None);
        p.start().unwrap();
        assert_eq!(p.exitcode(), None);
        assert!(p.is_alive());
        assert!(active_children().contains(&p));
        assert_eq!(q.get(None, None).unwrap(), "(1, 2)");
        assert_eq!(q.get(None, None).unwrap(), "{'hello': 23, 'bye': 2.54}");
        assert_eq!(q.get(None, None).unwrap(), p.name());
        p.join(None).unwrap();
        assert_eq!(p.exitcode(), Some(0));
        assert!(!p.is_alive());
        assert!(!active_children().contains(&p));
        q.close();
    });
}

// CPython: _test_multiprocessing._TestProcess.test_cpu_count
#[test]
fn test_cpu_count() {
    let cpus: usize = cpu_count();
    assert!(cpus >= 1);
}

// CPython: _test_multiprocessing._TestProcess.test_active_children
#[test]
fn test_active_children() {
    watchdog(|| {
        let _: Vec<Process> = active_children();
        let p = Process::new(|| sleep(DELTA));
        assert!(!active_children().contains(&p));
        p.set_daemon(true).unwrap();
        p.start().unwrap();
        assert!(active_children().contains(&p));
        p.join(None).unwrap();
        assert!(!active_children().contains(&p));
    });
}

fn test_recursion_f(wconn: Arc<Connection<Vec<i32>>>, id: Vec<i32>) -> PyResult<()> {
    wconn.send(id.clone())?;
    if id.len() < 2 {
        for i in 0..2 {
            let (w, mut child) = (wconn.clone(), id.clone());
            child.push(i);
            let p = Process::new(move || test_recursion_f(w, child));
            p.start()?;
            p.join(None)?;
        }
    }
    Ok(())
}

// CPython: _test_multiprocessing._TestProcess.test_recursion
#[test]
fn test_recursion() {
    watchdog(|| {
        let (rconn, wconn) = Pipe(Some(false));
        let wconn = Arc::new(wconn); // open until the end, as in CPython
        test_recursion_f(wconn.clone(), vec![]).unwrap();
        // every process was joined, so everything was sent: no sleep needed
        let mut result = Vec::new();
        while rconn.poll(None).unwrap() {
            result.push(rconn.recv().unwrap());
        }
        let expected: Vec<Vec<i32>> = vec![
            vec![],
            vec![0],
            vec![0, 0],
            vec![0, 1],
            vec![1],
            vec![1, 0],
            vec![1, 1],
        ];
        assert_eq!(result, expected);
    });
}

// ------------------------------------------------------------------ _TestQueue

fn queue_empty<T>(q: &Queue<T>) -> bool {
    q.empty()
}

fn queue_full<T>(q: &Queue<T>, maxsize: usize) -> bool {
    q.qsize() == maxsize
}

// CPython: _test_multiprocessing._TestQueue.test_put
#[test]
fn test_put() {
    watchdog(|| {
        const MAXSIZE: usize = 6;
        let queue = Queue::new(Some(MAXSIZE as isize));
        let child_can_start = Event::new();
        let parent_can_continue = Event::new();
        let (q, start, cont) = (
            queue.clone(),
            child_can_start.clone(),
            parent_can_continue.clone(),
        );
        let proc = Process::new(move || -> PyResult<()> {
            start.wait(None);
            for _ in 0..6 {
                q.get(None, None)?;
            }
            cont.set();
            Ok(())
        });
        proc.set_daemon(true).unwrap();
        proc.start().unwrap();

        assert!(queue_empty(&queue));
        assert!(!queue_full(&queue, MAXSIZE));

        queue.put(1, None, None).unwrap();
        queue.put(2, Some(true), None).unwrap();
        queue.put(3, Some(true), None).unwrap();
        queue.put(4, Some(false), None).unwrap();
        queue.put(5, Some(false), None).unwrap();
        queue.put_nowait(6).unwrap();

        // (CPython sleeps for its feeder thread; ours has none.)
        assert!(!queue_empty(&queue));
        assert!(queue_full(&queue, MAXSIZE));

        let (r, t) = timed(|| queue.put(7, Some(false), None));
        assert_raises(PyClass::Full, r);
        assert_timing(t, 0.0);
        let (r, t) = timed(|| queue.put(7, Some(false), None));
        assert_raises(PyClass::Full, r);
        assert_timing(t, 0.0);
        let (r, t) = timed(|| queue.put_nowait(7));
        assert_raises(PyClass::Full, r);
        assert_timing(t, 0.0);
        let (r, t) = timed(|| queue.put(7, Some(true), Some(TIMEOUT1)));
        assert_raises(PyClass::Full, r);
        assert_timing(t, TIMEOUT1);
        let (r, t) = timed(|| queue.put(7, Some(false), Some(TIMEOUT2)));
        assert_raises(PyClass::Full, r);
        assert_timing(t, 0.0);
        let (r, t) = timed(|| queue.put(7, Some(true), Some(TIMEOUT3)));
        assert_raises(PyClass::Full, r);
        assert_timing(t, TIMEOUT3);

        child_can_start.set();
        parent_can_continue.wait(None);

        assert!(queue_empty(&queue));
        assert!(!queue_full(&queue, MAXSIZE));

        proc.join(None).unwrap();
        queue.close();
    });
}

// CPython: _test_multiprocessing._TestQueue.test_get
#[test]
fn test_get() {
    watchdog(|| {
        let queue = Queue::new(None);
        let child_can_start = Event::new();
        let parent_can_continue = Event::new();
        let (q, start, cont) = (
            queue.clone(),
            child_can_start.clone(),
            parent_can_continue.clone(),
        );
        let proc = Process::new(move || -> PyResult<()> {
            start.wait(None);
            for i in 2..=5 {
                q.put(i, None, None)?;
            }
            cont.set();
            Ok(())
        });
        proc.set_daemon(true).unwrap();
        proc.start().unwrap();

        assert!(queue_empty(&queue));
        child_can_start.set();
        parent_can_continue.wait(None);
        assert!(!queue_empty(&queue));

        assert_eq!(queue.get(Some(true), None).unwrap(), 2);
        assert_eq!(queue.get(Some(true), None).unwrap(), 3);
        assert_eq!(queue.get(None, Some(1.0)).unwrap(), 4);
        assert_eq!(queue.get_nowait().unwrap(), 5);

        assert!(queue_empty(&queue));

        let (r, t) = timed(|| queue.get(Some(false), None));
        assert_raises(PyClass::Empty, r);
        assert_timing(t, 0.0);
        let (r, t) = timed(|| queue.get(Some(false), None));
        assert_raises(PyClass::Empty, r);
        assert_timing(t, 0.0);
        let (r, t) = timed(|| queue.get_nowait());
        assert_raises(PyClass::Empty, r);
        assert_timing(t, 0.0);
        let (r, t) = timed(|| queue.get(Some(true), Some(TIMEOUT1)));
        assert_raises(PyClass::Empty, r);
        assert_timing(t, TIMEOUT1);
        let (r, t) = timed(|| queue.get(Some(false), Some(TIMEOUT2)));
        assert_raises(PyClass::Empty, r);
        assert_timing(t, 0.0);
        let (r, t) = timed(|| queue.get(None, Some(TIMEOUT3)));
        assert_raises(PyClass::Empty, r);
        assert_timing(t, TIMEOUT3);

        proc.join(None).unwrap();
        queue.close();
    });
}

// CPython: _test_multiprocessing._TestQueue.test_qsize
#[test]
fn test_qsize() {
    let q = Queue::new(None);
    assert_eq!(q.qsize(), 0);
    q.put(1, None, None).unwrap();
    assert_eq!(q.qsize(), 1);
    q.put(5, None, None).unwrap();
    assert_eq!(q.qsize(), 2);
    q.get(None, None).unwrap();
    assert_eq!(q.qsize(), 1);
    q.get(None, None).unwrap();
    assert_eq!(q.qsize(), 0);
    q.close();
}

// CPython: _test_multiprocessing._TestQueue.test_task_done
#[test]
fn test_task_done() {
    watchdog(|| {
        let queue: JoinableQueue<Option<i32>> = JoinableQueue::new(None);
        let workers: Vec<Process> = (0..4)
            .map(|_| {
                let q = queue.clone();
                Process::new(move || -> PyResult<()> {
                    // for obj in iter(q.get, None)
                    while q.get(None, None)?.is_some() {
                        sleep(DELTA);
                        q.task_done()?;
                    }
                    Ok(())
                })
            })
            .collect();
        for p in &workers {
            p.set_daemon(true).unwrap();
            p.start().unwrap();
        }
        for i in 0..10 {
            queue.put(Some(i), None, None).unwrap();
        }
        queue.join();
        for _ in &workers {
            queue.put(None, None, None).unwrap();
        }
        for p in &workers {
            p.join(None).unwrap();
        }
        queue.close();
    });
}

// CPython: _test_multiprocessing._TestQueue.test_timeout
#[test]
fn queue_test_timeout() {
    let q: Queue<i32> = Queue::new(None);
    let start = Instant::now();
    assert_raises(PyClass::Empty, q.get(Some(true), Some(0.200)));
    let delta = start.elapsed().as_secs_f64();
    assert!(delta >= 0.100);
    q.close();
}

// CPython: _test_multiprocessing._TestQueue.test_closed_queue_put_get_exceptions
#[test]
fn test_closed_queue_put_get_exceptions() {
    let queues: [Queue<&str>; 2] = [Queue::new(None), JoinableQueue::new(None)];
    for q in queues {
        q.close();
        let e = assert_raises(PyClass::ValueError, q.put("foo", None, None));
        assert!(e.message().contains("is closed"), "{e}");
        let e = assert_raises(PyClass::ValueError, q.get(None, None));
        assert!(e.message().contains("is closed"), "{e}");
    }
}

// ------------------------------------------------------------------- _TestLock

// CPython: _test_multiprocessing._TestLock.test_lock
#[test]
fn test_lock() {
    let lock = Lock::new();
    assert!(lock.acquire(None, None).unwrap());
    assert!(!lock.acquire(Some(false), None).unwrap());
    lock.release().unwrap();
    // (ValueError, threading.ThreadError): ThreadError is RuntimeError
    let e = lock.release().unwrap_err();
    assert!(e.is_instance_of(&PyClass::ValueError) || e.is_instance_of(&PyClass::RuntimeError));
}

// CPython: _test_multiprocessing._TestLock.test_rlock
#[test]
fn test_rlock() {
    let lock = RLock::new();
    assert!(lock.acquire(None, None).unwrap());
    assert!(lock.acquire(None, None).unwrap());
    assert!(lock.acquire(None, None).unwrap());
    lock.release().unwrap();
    lock.release().unwrap();
    lock.release().unwrap();
    let e = lock.release().unwrap_err();
    assert!(e.is_instance_of(&PyClass::AssertionError) || e.is_instance_of(&PyClass::RuntimeError));
}

// CPython: _test_multiprocessing._TestLock.test_lock_context
#[test]
fn test_lock_context() {
    let lock = Lock::new();
    let _g = lock.with().unwrap();
}

// -------------------------------------------------------------- _TestSemaphore
//
// `get_value(sem)` raises NotImplementedError for our semaphores (no
// value is exposed, as on macOS), so `assertReturnsIfImplemented` passes
// those checks, as it does there.

fn check_semaphore(sem: &Semaphore) {
    assert!(sem.acquire(None, None).unwrap());
    assert!(sem.acquire(None, None).unwrap());
    assert!(!sem.acquire(Some(false), None).unwrap());
    sem.release(None).unwrap();
    sem.release(None).unwrap();
}

// CPython: _test_multiprocessing._TestSemaphore.test_semaphore
#[test]
fn test_semaphore() {
    let sem = Semaphore::new(Some(2)).unwrap();
    check_semaphore(&sem);
    sem.release(None).unwrap();
    sem.release(None).unwrap();
}

// CPython: _test_multiprocessing._TestSemaphore.test_bounded_semaphore
#[test]
fn test_bounded_semaphore() {
    let sem = BoundedSemaphore::new(Some(2)).unwrap();
    check_semaphore(&sem);
}

// -------------------------------------------------------------- _TestCondition

/// A semaphore whose value can be read, as CPython's `get_value(sem)`
/// does for a `threading.Semaphore` (`sem._value`).
#[derive(Clone)]
struct CountedSemaphore {
    sem: Semaphore,
    value: Arc<AtomicI64>,
}

impl CountedSemaphore {
    fn new(value: i64) -> Self {
        CountedSemaphore {
            sem: Semaphore::new(Some(value)).unwrap(),
            value: Arc::new(AtomicI64::new(value)),
        }
    }
    fn acquire(&self) {
        assert!(self.sem.acquire(None, None).unwrap());
        self.value.fetch_sub(1, Ordering::SeqCst);
    }
    fn release(&self) {
        self.value.fetch_add(1, Ordering::SeqCst);
        self.sem.release(None).unwrap();
    }
    fn get_value(&self) -> i64 {
        self.value.load(Ordering::SeqCst)
    }
}

/// `_TestCondition.f`.
fn cond_f(
    cond: Condition,
    sleeping: CountedSemaphore,
    woken: CountedSemaphore,
    timeout: Option<f64>,
) -> PyResult<()> {
    cond.acquire(None, None)?;
    sleeping.release();
    cond.wait(timeout)?;
    woken.release();
    cond.release()
}

/// Starts `f` once as a `Process` and once as a `threading.Thread`, as the
/// condition tests do; returns their joins.
fn start_process_and_thread(
    cond: &Condition,
    sleeping: &CountedSemaphore,
    woken: &CountedSemaphore,
    timeout: Option<f64>,
) -> (Process, Thread) {
    let (c, s, w) = (cond.clone(), sleeping.clone(), woken.clone());
    let p = Process::new(move || cond_f(c, s, w, timeout));
    p.set_daemon(true).unwrap();
    p.start().unwrap();
    let (c, s, w) = (cond.clone(), sleeping.clone(), woken.clone());
    let t = Thread::builder()
        .daemon(Some(true))
        .build(move || cond_f(c, s, w, timeout));
    t.start().unwrap();
    (p, t)
}

/// `assertReachesEventually(func, value)`: loops until it holds (the
/// watchdog bounds it), then checks it still holds after `DELTA`.
fn assert_reaches_eventually(func: impl Fn() -> i64, value: i64) {
    wait_until(|| func() == value);
    sleep(DELTA);
    assert_eq!(func(), value);
}

// CPython: _test_multiprocessing._TestCondition.test_notify
#[test]
fn test_notify() {
    watchdog(|| {
        let cond = Condition::new(None);
        let sleeping = CountedSemaphore::new(0);
        let woken = CountedSemaphore::new(0);
        let (p, t) = start_process_and_thread(&cond, &sleeping, &woken, None);

        // wait for both children to start sleeping
        sleeping.acquire();
        sleeping.acquire();

        // check no process/thread has woken up
        sleep(DELTA);
        assert_eq!(woken.get_value(), 0);

        // wake up one process/thread
        cond.acquire(None, None).unwrap();
        cond.notify(None).unwrap();
        cond.release().unwrap();

        // check one process/thread has woken up
        assert_reaches_eventually(|| woken.get_value(), 1);

        // wake up another
        cond.acquire(None, None).unwrap();
        cond.notify(None).unwrap();
        cond.release().unwrap();

        // check other has woken up
        assert_reaches_eventually(|| woken.get_value(), 2);
        p.join(None).unwrap();
        t.join(None).unwrap();
    });
}

// CPython: _test_multiprocessing._TestCondition.test_notify_all
#[test]
fn test_notify_all() {
    watchdog(|| {
        let cond = Condition::new(None);
        let sleeping = CountedSemaphore::new(0);
        let woken = CountedSemaphore::new(0);
        let mut joins = Vec::new();

        // start some threads/processes which will timeout
        for _ in 0..3 {
            joins.push(start_process_and_thread(
                &cond,
                &sleeping,
                &woken,
                Some(TIMEOUT1),
            ));
        }
        // wait for them all to sleep
        for _ in 0..6 {
            sleeping.acquire();
        }
        // check they have all timed out
        for _ in 0..6 {
            woken.acquire();
        }
        assert_eq!(woken.get_value(), 0);

        // start some more threads/processes
        for _ in 0..3 {
            joins.push(start_process_and_thread(&cond, &sleeping, &woken, None));
        }
        // wait for them to all sleep
        for _ in 0..6 {
            sleeping.acquire();
        }
        // check no process/thread has woken up
        sleep(DELTA);
        assert_eq!(woken.get_value(), 0);

        // wake them all up
        cond.acquire(None, None).unwrap();
        cond.notify_all().unwrap();
        cond.release().unwrap();

        // check they have all woken
        assert_reaches_eventually(|| woken.get_value(), 6);
        for (p, t) in joins {
            p.join(None).unwrap();
            t.join(None).unwrap();
        }
    });
}

// CPython: _test_multiprocessing._TestCondition.test_notify_n
#[test]
fn test_notify_n() {
    watchdog(|| {
        let cond = Condition::new(None);
        let sleeping = CountedSemaphore::new(0);
        let woken = CountedSemaphore::new(0);
        let mut joins = Vec::new();
        for _ in 0..3 {
            joins.push(start_process_and_thread(&cond, &sleeping, &woken, None));
        }
        for _ in 0..6 {
            sleeping.acquire();
        }
        sleep(DELTA);
        assert_eq!(woken.get_value(), 0);

        // wake some of them up
        cond.acquire(None, None).unwrap();
        cond.notify(Some(2)).unwrap();
        cond.release().unwrap();
        assert_reaches_eventually(|| woken.get_value(), 2);

        // wake the rest of them
        cond.acquire(None, None).unwrap();
        cond.notify(Some(4)).unwrap();
        cond.release().unwrap();
        assert_reaches_eventually(|| woken.get_value(), 6);

        // doesn't do anything more
        cond.acquire(None, None).unwrap();
        cond.notify(Some(3)).unwrap();
        cond.release().unwrap();
        assert_eq!(woken.get_value(), 6);
        for (p, t) in joins {
            p.join(None).unwrap();
            t.join(None).unwrap();
        }
    });
}

// CPython: _test_multiprocessing._TestCondition.test_timeout
#[test]
fn condition_test_timeout() {
    let cond = Condition::new(None);
    cond.acquire(None, None).unwrap();
    let (res, t) = timed(|| cond.wait(Some(TIMEOUT1)));
    cond.release().unwrap();
    assert!(!res.unwrap());
    assert_timing(t, TIMEOUT1);
}

// CPython: _test_multiprocessing._TestCondition.test_waitfor
#[test]
fn test_waitfor() {
    watchdog(|| {
        let cond = Condition::new(None);
        let state = Value::new(-1i32);
        let (c, s) = (cond.clone(), state.clone());
        let p = Process::new(move || -> PyResult<()> {
            let _g = c.with()?;
            s.set(0);
            c.notify(None)?;
            let result = c.wait_for(|| s.get() == 4, None)?;
            if !result || s.get() != 4 {
                return Err(executor_api::sys::exit(1));
            }
            Ok(())
        });
        p.set_daemon(true).unwrap();
        p.start().unwrap();

        {
            let _g = cond.with().unwrap();
            let result = cond.wait_for(|| state.get() == 0, None).unwrap();
            assert!(result);
            assert_eq!(state.get(), 0);
        }
        for _ in 0..4 {
            sleep(0.01);
            let _g = cond.with().unwrap();
            state.set(state.get() + 1);
            cond.notify(None).unwrap();
        }
        p.join(None).unwrap();
        assert_eq!(p.exitcode(), Some(0));
    });
}

// CPython: _test_multiprocessing._TestCondition.test_waitfor_timeout
#[test]
fn test_waitfor_timeout() {
    watchdog(|| {
        let cond = Condition::new(None);
        let state = Value::new(0i32);
        let success = Value::new(false);
        let sem = Semaphore::new(Some(0)).unwrap();
        let (c, st, su, se) = (cond.clone(), state.clone(), success.clone(), sem.clone());
        let p = Process::new(move || -> PyResult<()> {
            se.release(None)?;
            let _g = c.with()?;
            let expected = 0.100;
            let dt = Instant::now();
            let result = c.wait_for(|| st.get() == 4, Some(expected))?;
            let dt = dt.elapsed().as_secs_f64();
            if !result && expected - 0.02 <= dt {
                su.set(true);
            }
            Ok(())
        });
        p.set_daemon(true).unwrap();
        p.start().unwrap();
        assert!(sem.acquire(None, Some(300.0)).unwrap());

        // Only increment 3 times, so state == 4 is never reached.
        for _ in 0..3 {
            sleep(0.010);
            let _g = cond.with().unwrap();
            state.set(state.get() + 1);
            cond.notify(None).unwrap();
        }
        p.join(None).unwrap();
        assert!(success.get());
    });
}

// CPython: _test_multiprocessing._TestCondition.test_wait_result
#[test]
fn test_wait_result() {
    watchdog(|| {
        // pid is None (no signal to send) for threads
        let c = Condition::new(None);
        let _g = c.with().unwrap();
        assert!(!c.wait(Some(0.0)).unwrap());
        assert!(!c.wait(Some(0.1)).unwrap());
        let c2 = c.clone();
        let p = Process::new(move || -> PyResult<()> {
            {
                let _g = c2.with()?;
                c2.notify(None)?;
            }
            sleep(1.0);
            Ok(())
        });
        p.start().unwrap();
        assert!(c.wait(Some(60.0)).unwrap());
        p.join(None).unwrap();
    });
}

// ------------------------------------------------------------------ _TestEvent

// CPython: _test_multiprocessing._TestEvent.test_event
#[test]
fn test_event() {
    watchdog(|| {
        let event = Event::new();
        assert!(!event.is_set());
        let (r, t) = timed(|| event.wait(Some(0.0)));
        assert!(!r);
        assert_timing(t, 0.0);
        let (r, t) = timed(|| event.wait(Some(TIMEOUT1)));
        assert!(!r);
        assert_timing(t, TIMEOUT1);

        event.set();
        assert!(event.is_set());
        let (r, t) = timed(|| event.wait(None));
        assert!(r);
        assert_timing(t, 0.0);
        let (r, t) = timed(|| event.wait(Some(TIMEOUT1)));
        assert!(r);
        assert_timing(t, 0.0);

        event.clear();
        let e = event.clone();
        let p = Process::new(move || {
            sleep(TIMEOUT2);
            e.set();
        });
        p.set_daemon(true).unwrap();
        p.start().unwrap();
        assert!(event.wait(None));
        p.join(None).unwrap();
    });
}

// ---------------------------------------------------------------- _TestBarrier

const N: usize = 5;
const DEFAULT_TIMEOUT: f64 = 30.0;

/// `DummyList` for threads (a list used as an atomic counter).
#[derive(Clone, Default)]
struct DummyList(Arc<AtomicUsize>);

impl DummyList {
    fn append(&self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
    fn len(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

/// `setUp`/`tearDown`: `Barrier(N, timeout=defaultTimeout)`, aborted at the
/// end.
struct BarrierCase {
    barrier: Barrier,
}

impl BarrierCase {
    fn new() -> Self {
        BarrierCase {
            barrier: Barrier::new(N, None, Some(DEFAULT_TIMEOUT)),
        }
    }
}

impl Drop for BarrierCase {
    fn drop(&mut self) {
        self.barrier.abort();
    }
}

/// `run_threads(f, args)`: `f` in `N - 1` processes (`Bunch`) and here,
/// then waits for all of them; a child that failed (a failed `assert` in
/// it) fails the test.
fn run_threads(f: impl Fn() -> PyResult<()> + Send + Sync + 'static) {
    let f = Arc::new(f);
    let procs: Vec<Process> = (0..N - 1)
        .map(|_| {
            let f = f.clone();
            let p = Process::new(move || f());
            p.start().unwrap();
            p
        })
        .collect();
    f().unwrap();
    for p in procs {
        p.join(None).unwrap();
        assert_eq!(p.exitcode(), Some(0));
    }
}

fn multipass(barrier: &Barrier, results: &[DummyList; 2], n: usize) -> PyResult<()> {
    let m = barrier.parties();
    assert_eq!(m, N);
    for i in 0..n {
        results[0].append();
        assert_eq!(results[1].len(), i * m);
        barrier.wait(None)?;
        results[1].append();
        assert_eq!(results[0].len(), (i + 1) * m);
        barrier.wait(None)?;
    }
    assert_eq!(barrier.n_waiting(), 0);
    assert!(!barrier.broken());
    Ok(())
}

fn barrier_passes(passes: usize) {
    watchdog(move || {
        let case = BarrierCase::new();
        let b = case.barrier.clone();
        let results = [DummyList::default(), DummyList::default()];
        run_threads(move || multipass(&b, &results, passes));
    });
}

// CPython: _test_multiprocessing._TestBarrier.test_barrier
#[test]
fn test_barrier() {
    barrier_passes(1);
}

// CPython: _test_multiprocessing._TestBarrier.test_barrier_10
#[test]
fn test_barrier_10() {
    barrier_passes(10);
}

// CPython: _test_multiprocessing._TestBarrier.test_wait_return
#[test]
fn test_wait_return() {
    watchdog(|| {
        let case = BarrierCase::new();
        let queue = Queue::new(None);
        let (b, q) = (case.barrier.clone(), queue.clone());
        run_threads(move || {
            let res = b.wait(None)?;
            q.put(res, None, None)
        });
        let results: Vec<usize> = (0..N).map(|_| queue.get(None, None).unwrap()).collect();
        assert_eq!(results.iter().filter(|&&r| r == 0).count(), 1);
        queue.close();
    });
}

// CPython: _test_multiprocessing._TestBarrier.test_action
#[test]
fn test_action() {
    watchdog(|| {
        let results = DummyList::default();
        let r = results.clone();
        // action=AppendTrue(results)
        let barrier = Barrier::new(
            N,
            Some(Arc::new(move || {
                r.append();
                Ok(())
            })),
            None,
        );
        let (b, r) = (barrier.clone(), results.clone());
        run_threads(move || {
            b.wait(None)?;
            if r.len() != 1 {
                return Err(PyException::RuntimeError(String::new()));
            }
            Ok(())
        });
        assert_eq!(results.len(), 1);
    });
}

// CPython: _test_multiprocessing._TestBarrier.test_abort
#[test]
fn test_abort() {
    watchdog(|| {
        let case = BarrierCase::new();
        let (results1, results2) = (DummyList::default(), DummyList::default());
        let (b, r1, r2) = (case.barrier.clone(), results1.clone(), results2.clone());
        run_threads(move || {
            let attempt = (|| -> PyResult<()> {
                let i = b.wait(None)?;
                if i == N / 2 {
                    return Err(PyException::RuntimeError(String::new()));
                }
                b.wait(None)?;
                r1.append();
                Ok(())
            })();
            match attempt {
                Err(e) if e.is_instance_of(&PyClass::BrokenBarrierError) => r2.append(),
                Err(e) if e.is_instance_of(&PyClass::RuntimeError) => b.abort(),
                other => other?,
            }
            Ok(())
        });
        assert_eq!(results1.len(), 0);
        assert_eq!(results2.len(), N - 1);
        assert!(case.barrier.broken());
    });
}

// CPython: _test_multiprocessing._TestBarrier.test_reset
#[test]
fn test_reset() {
    watchdog(|| {
        let case = BarrierCase::new();
        let results: [DummyList; 3] = Default::default();
        let (b, r) = (case.barrier.clone(), results.clone());
        run_threads(move || {
            let i = b.wait(None)?;
            if i == N / 2 {
                // Wait until the other threads are all in the barrier.
                wait_until(|| b.n_waiting() >= N - 1);
                b.reset();
            } else {
                match b.wait(None) {
                    Ok(_) => r[0].append(),
                    Err(e) if e.is_instance_of(&PyClass::BrokenBarrierError) => r[1].append(),
                    Err(e) => return Err(e),
                }
            }
            // Now, pass the barrier again
            b.wait(None)?;
            r[2].append();
            Ok(())
        });
        assert_eq!(results[0].len(), 0);
        assert_eq!(results[1].len(), N - 1);
        assert_eq!(results[2].len(), N);
    });
}

// CPython: _test_multiprocessing._TestBarrier.test_abort_and_reset
#[test]
fn test_abort_and_reset() {
    watchdog(|| {
        let case = BarrierCase::new();
        let results: [DummyList; 3] = Default::default();
        let barrier2 = Barrier::new(N, None, None);
        let (b, b2, r) = (case.barrier.clone(), barrier2.clone(), results.clone());
        run_threads(move || {
            let attempt = (|| -> PyResult<()> {
                let i = b.wait(None)?;
                if i == N / 2 {
                    return Err(PyException::RuntimeError(String::new()));
                }
                b.wait(None)?;
                r[0].append();
                Ok(())
            })();
            match attempt {
                Err(e) if e.is_instance_of(&PyClass::BrokenBarrierError) => r[1].append(),
                Err(e) if e.is_instance_of(&PyClass::RuntimeError) => b.abort(),
                other => other?,
            }
            // Synchronize and reset the barrier.
            if b2.wait(None)? == N / 2 {
                b.reset();
            }
            b2.wait(None)?;
            b.wait(None)?;
            r[2].append();
            Ok(())
        });
        assert_eq!(results[0].len(), 0);
        assert_eq!(results[1].len(), N - 1);
        assert_eq!(results[2].len(), N);
    });
}

// CPython: _test_multiprocessing._TestBarrier.test_timeout
#[test]
fn barrier_test_timeout() {
    watchdog(|| {
        let case = BarrierCase::new();
        let results = DummyList::default();
        let (b, r) = (case.barrier.clone(), results.clone());
        run_threads(move || {
            let i = b.wait(None)?;
            if i == N / 2 {
                // One thread is late!
                sleep(1.0);
            }
            match b.wait(Some(0.5)) {
                Err(e) if e.is_instance_of(&PyClass::BrokenBarrierError) => r.append(),
                other => {
                    other?;
                }
            }
            Ok(())
        });
        assert_eq!(results.len(), case.barrier.parties());
    });
}

// CPython: _test_multiprocessing._TestBarrier.test_default_timeout
#[test]
fn test_default_timeout() {
    watchdog(|| {
        let _case = BarrierCase::new();
        let barrier = Barrier::new(N, None, Some(0.5));
        let results = DummyList::default();
        let (b, r) = (barrier.clone(), results.clone());
        run_threads(move || {
            let i = b.wait(Some(DEFAULT_TIMEOUT))?;
            if i == N / 2 {
                // One thread is later than the default timeout
                sleep(1.0);
            }
            match b.wait(None) {
                Err(e) if e.is_instance_of(&PyClass::BrokenBarrierError) => r.append(),
                other => {
                    other?;
                }
            }
            Ok(())
        });
        assert_eq!(results.len(), barrier.parties());
    });
}

// CPython: _test_multiprocessing._TestBarrier.test_single_thread
#[test]
fn test_single_thread() {
    let b = Barrier::new(1, None, None);
    b.wait(None).unwrap();
    b.wait(None).unwrap();
}

// CPython: _test_multiprocessing._TestBarrier.test_thousand
#[test]
fn test_thousand() {
    watchdog(|| {
        let case = BarrierCase::new();
        let passes = 1000;
        let lock = Lock::new();
        let (conn, child_conn) = Pipe(Some(false));
        let child_conn = Arc::new(child_conn);
        let mut procs = Vec::new();
        for _ in 0..N {
            let (b, c, l) = (case.barrier.clone(), child_conn.clone(), lock.clone());
            let p = Process::new(move || -> PyResult<()> {
                for i in 0..passes {
                    b.wait(None)?;
                    let _g = l.with()?;
                    c.send(i)?;
                }
                Ok(())
            });
            p.start().unwrap();
            procs.push(p);
        }
        for i in 0..passes {
            for _ in 0..N {
                assert_eq!(conn.recv().unwrap(), i);
            }
        }
        for p in procs {
            p.join(None).unwrap();
        }
    });
}

// ------------------------------------------------------------------ _TestValue

/// `codes_values`: ('i', 4343, 24234), ('d', 3.625, -4.25), ('h', -232,
/// 234), ('q', 2**33, 2**34), ('c', b'x', b'y'); the Rust types replace
/// the typecodes.
#[derive(Clone, Debug, PartialEq)]
enum Code {
    I(i32),
    D(f64),
    H(i16),
    Q(i64),
    C(u8),
}

fn codes_values() -> Vec<(Code, Code)> {
    vec![
        (Code::I(4343), Code::I(24234)),
        (Code::D(3.625), Code::D(-4.25)),
        (Code::H(-232), Code::H(234)),
        (Code::Q(1 << 33), Code::Q(1 << 34)),
        (Code::C(b'x'), Code::C(b'y')),
    ]
}

fn check_values(values: Vec<RawValue<Code>>) {
    for (sv, cv) in values.iter().zip(codes_values()) {
        assert_eq!(sv.get(), cv.0);
    }
    let vs = values.clone();
    let proc = Process::new(move || {
        for (sv, cv) in vs.iter().zip(codes_values()) {
            sv.set(cv.1);
        }
    });
    proc.set_daemon(true).unwrap();
    proc.start().unwrap();
    proc.join(None).unwrap();
    for (sv, cv) in values.iter().zip(codes_values()) {
        assert_eq!(sv.get(), cv.1);
    }
}

// CPython: _test_multiprocessing._TestValue.test_value
#[test]
fn test_value() {
    watchdog(|| {
        let values: Vec<Value<Code>> = codes_values()
            .into_iter()
            .map(|(v, _)| Value::new(v))
            .collect();
        check_values(values.iter().map(|v| v.get_obj().clone()).collect());
    });
}

// CPython: _test_multiprocessing._TestValue.test_rawvalue
#[test]
fn test_rawvalue() {
    watchdog(|| {
        check_values(
            codes_values()
                .into_iter()
                .map(|(v, _)| RawValue::new(v))
                .collect(),
        )
    });
}

/// `assertEqual(lock, lock3)`: the same lock, seen from another thread
/// while it is held here.
fn same_lock(lock: &RLock, other: &RLock) -> bool {
    let _g = lock.with().unwrap();
    let other = other.clone();
    let t = std::thread::spawn(move || other.acquire(Some(false), None).unwrap());
    !t.join().unwrap()
}

// CPython: _test_multiprocessing._TestValue.test_getobj_getlock
#[test]
fn test_getobj_getlock() {
    let val1 = Value::new(5i32);
    let _lock1: &RLock = val1.get_lock();
    let _obj1: &RawValue<i32> = val1.get_obj();
    // lock=None is the default
    let val2 = Value::new(5i32);
    let _lock2 = val2.get_lock();
    let _obj2 = val2.get_obj();
    // (our shared values take an RLock, the default kind)
    let lock = RLock::new();
    let val3 = Value::with_lock(5i32, lock.clone());
    let lock3 = val3.get_lock();
    let _obj3 = val3.get_obj();
    assert!(same_lock(&lock, lock3));
    // lock=False: a RawValue, which has neither get_lock nor get_obj (no
    // such methods: checked by the compiler); lock='navalue' cannot be
    // written (the AttributeError is a type error here).
    let arr4: RawValue<i32> = Value::unlocked(5);
    assert_eq!(arr4.get(), 5);
    let arr5 = RawValue::new(5i32);
    assert_eq!(arr5.get(), 5);
}

// ------------------------------------------------------------------ _TestArray

/// `_TestArray.f`: prefix sums in place.
fn prefix_sums(get: impl Fn(isize) -> i32, set: impl Fn(isize, i32), len: usize) {
    for i in 1..len as isize {
        set(i, get(i) + get(i - 1));
    }
}

fn check_array(arr: RawArray<i32>) {
    let mut seq = vec![680, 626, 934, 821, 150, 233, 548, 982, 714, 831];
    assert_eq!(arr.len(), seq.len());
    assert_eq!(arr.get(3).unwrap(), seq[3]);
    assert_eq!(arr.get_slice(Some(2), Some(7)), seq[2..7].to_vec());
    // arr[4:8] = seq[4:8] = array.array('i', [1, 2, 3, 4])
    arr.set_slice(Some(4), Some(8), vec![1, 2, 3, 4]).unwrap();
    seq.splice(4..8, [1, 2, 3, 4]);
    assert_eq!(arr.get_slice(None, None), seq);
    {
        let s = Mutex::new(&mut seq);
        let len = s.lock().unwrap().len();
        prefix_sums(
            |i| s.lock().unwrap()[i as usize],
            |i, v| s.lock().unwrap()[i as usize] = v,
            len,
        );
    }
    let a = arr.clone();
    let p = Process::new(move || {
        let len = a.len();
        prefix_sums(|i| a.get(i).unwrap(), |i, v| a.set(i, v).unwrap(), len);
    });
    p.set_daemon(true).unwrap();
    p.start().unwrap();
    p.join(None).unwrap();
    assert_eq!(arr.get_slice(None, None), seq);
}

// CPython: _test_multiprocessing._TestArray.test_array
#[test]
fn test_array() {
    watchdog(|| {
        let seq = vec![680, 626, 934, 821, 150, 233, 548, 982, 714, 831];
        check_array(Array::new(seq).get_obj().clone());
    });
}

// CPython: _test_multiprocessing._TestArray.test_rawarray
#[test]
fn test_rawarray() {
    watchdog(|| {
        check_array(RawArray::new(vec![
            680, 626, 934, 821, 150, 233, 548, 982, 714, 831,
        ]))
    });
}

// CPython: _test_multiprocessing._TestArray.test_array_from_size
#[test]
fn test_array_from_size() {
    let size = 10;
    for _ in 0..3 {
        let arr = Array::<i32>::with_size(size);
        assert_eq!(arr.len(), size);
        assert_eq!(arr.to_vec(), vec![0; size]);
        arr.set_slice(None, None, 0..10).unwrap();
        assert_eq!(arr.to_vec(), (0..10).collect::<Vec<i32>>());
    }
    // (and the size check of slice assignment CPython's ctypes makes)
    let arr = Array::<i32>::with_size(size);
    let e = assert_raises(PyClass::ValueError, arr.set_slice(None, None, 0..9));
    assert_eq!(
        e.to_string(),
        "ValueError: Can only assign sequence of same size"
    );
}

// CPython: _test_multiprocessing._TestArray.test_getobj_getlock_obj
#[test]
fn test_getobj_getlock_obj() {
    let arr1 = Array::new((0..10).collect::<Vec<i32>>());
    let _lock1: &RLock = arr1.get_lock();
    let _obj1: &RawArray<i32> = arr1.get_obj();
    let arr2 = Array::new((0..10).collect::<Vec<i32>>());
    let _lock2 = arr2.get_lock();
    let _obj2 = arr2.get_obj();
    let lock = RLock::new();
    let arr3 = Array::with_lock((0..10).collect::<Vec<i32>>(), lock.clone());
    let lock3 = arr3.get_lock();
    let _obj3 = arr3.get_obj();
    assert!(same_lock(&lock, lock3));
    // lock=False / RawArray: no get_lock, no get_obj (a RawArray)
    let arr4: RawArray<i32> = Array::unlocked((0..10).collect());
    assert_eq!(arr4.len(), 10);
    let arr5 = RawArray::new((0..10).collect::<Vec<i32>>());
    assert_eq!(arr5.len(), 10);
}

// ------------------------------------------------------------- _TestContainers

/// The items of the lists in `test_list`: ints, and the `'hello'`
/// appended later.
#[derive(Clone, Debug, PartialEq)]
enum Item {
    Int(i64),
    Str(&'static str),
}

fn ints(r: impl IntoIterator<Item = i64>) -> Vec<Item> {
    r.into_iter().map(Item::Int).collect()
}

// CPython: _test_multiprocessing._TestContainers.test_list
#[test]
fn test_list() {
    let m = Manager::new();
    let a = m.list(ints(0..10));
    assert_eq!(a.get_slice(None, None), ints(0..10));
    let b = m.list(vec![]);
    assert_eq!(b.get_slice(None, None), vec![]);
    b.extend(ints(0..5));
    assert_eq!(b.get_slice(None, None), ints(0..5));
    assert_eq!(b.get(2).unwrap(), Item::Int(2));
    assert_eq!(b.get_slice(Some(2), Some(10)), ints([2, 3, 4]));
    b.imul(2);
    assert_eq!(
        b.get_slice(None, None),
        ints([0, 1, 2, 3, 4, 0, 1, 2, 3, 4])
    );
    // b + [5, 6]
    let mut sum = b.to_vec();
    sum.extend(ints([5, 6]));
    assert_eq!(sum, ints([0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 5, 6]));
    assert_eq!(a.get_slice(None, None), ints(0..10));
    let d = vec![a.clone(), b.clone()];
    let e = m.list(d);
    assert_eq!(
        e.to_vec()
            .iter()
            .map(|l| l.get_slice(None, None))
            .collect::<Vec<_>>(),
        vec![ints(0..10), ints([0, 1, 2, 3, 4, 0, 1, 2, 3, 4])]
    );
    let f = m.list(vec![a.clone()]);
    a.append(Item::Str("hello"));
    let mut expected = ints(0..10);
    expected.push(Item::Str("hello"));
    assert_eq!(f.get(0).unwrap().get_slice(None, None), expected);
}

// CPython: _test_multiprocessing._TestContainers.test_list_proxy_in_list
#[test]
fn test_list_proxy_in_list() {
    let m = Manager::new();
    let a = m.list((0..3).map(|_| m.list(vec![0, 1, 2])).collect());
    assert_eq!(
        a.to_vec()
            .iter()
            .map(|l| l.get_slice(None, None))
            .collect::<Vec<_>>(),
        vec![vec![0, 1, 2]; 3]
    );
    a.get(0).unwrap().set(-1, 55).unwrap();
    assert_eq!(a.get(0).unwrap().get_slice(None, None), vec![0, 1, 55]);
    for i in 1..3 {
        assert_eq!(a.get(i).unwrap().get_slice(None, None), vec![0, 1, 2]);
    }
    assert_eq!(a.get(1).unwrap().pop(None).unwrap(), 2);
    assert_eq!(a.get(1).unwrap().len(), 2);
    for i in [0, 2] {
        assert_eq!(a.get(i).unwrap().len(), 3);
    }
    drop(a);
    // b.append(b): a list holding itself (a cycle of shared handles)
    #[derive(Clone)]
    struct Node(#[allow(dead_code)] executor_api::multiprocessing::ListProxy<Node>);
    let b = m.list(vec![]);
    b.append(Node(b.clone()));
    assert_eq!(b.len(), 1);
    drop(b);
}

// CPython: _test_multiprocessing._TestContainers.test_dict
#[test]
fn test_dict() {
    let d = Manager::new().dict();
    let indices: Vec<u32> = (65..70).collect();
    for &i in &indices {
        d.set(i, char::from_u32(i).unwrap());
    }
    let expected: std::collections::HashMap<u32, char> = indices
        .iter()
        .map(|&i| (i, char::from_u32(i).unwrap()))
        .collect();
    // a dict compares equal whatever its order
    assert_eq!(
        d.copy()
            .into_iter()
            .collect::<std::collections::HashMap<_, _>>(),
        expected
    );
    let mut keys = d.keys();
    keys.sort();
    assert_eq!(keys, indices);
    let mut values = d.values();
    values.sort();
    assert_eq!(
        values,
        indices
            .iter()
            .map(|&i| char::from_u32(i).unwrap())
            .collect::<Vec<_>>()
    );
    let mut items = d.items();
    items.sort();
    let mut expected: Vec<_> = expected.into_iter().collect();
    expected.sort();
    assert_eq!(items, expected);
}

// CPython: _test_multiprocessing._TestContainers.test_nested_queue
#[test]
fn test_nested_queue() {
    let m = Manager::new();
    let a = m.list(vec![]); // Test queue inside list
    a.append(m.queue(None));
    a.get(0).unwrap().put(123, None, None).unwrap();
    assert_eq!(a.get(0).unwrap().get(None, None).unwrap(), 123);
    let b = m.dict(); // Test queue inside dict
    b.set(0, m.queue(None));
    b.get(&0).unwrap().put(456, None, None).unwrap();
    assert_eq!(b.get(&0).unwrap().get(None, None).unwrap(), 456);
}

// CPython: _test_multiprocessing._TestContainers.test_namespace
#[test]
fn test_namespace() {
    let n = Manager::new().namespace();
    n.set("name", "Bob");
    n.set("job", "Builder");
    n.set("_hidden", "hidden");
    assert_eq!(
        (n.get("name").unwrap(), n.get("job").unwrap()),
        ("Bob", "Builder")
    );
    n.del("job").unwrap();
    assert_eq!(n.to_string(), "Namespace(name='Bob')");
    assert!(n.has("name"));
    assert!(!n.has("job"));
}

// ------------------------------------------------------------------- _TestPool
//
// The `threads` variant: `multiprocessing.pool.ThreadPool`.

/// `setUpClass`: `cls.pool = cls.Pool(4)`, shared by the tests.
fn pool() -> &'static ThreadPool {
    static POOL: OnceLock<ThreadPool> = OnceLock::new();
    POOL.get_or_init(|| ThreadPool::new(Some(4)).unwrap())
}

// CPython: _test_multiprocessing._TestPool.test_apply
#[test]
fn test_apply() {
    watchdog(|| {
        assert_eq!(pool().apply(|| sqr(5)).unwrap(), sqr(5));
        assert_eq!(pool().apply(|| sqr(3)).unwrap(), sqr(3));
    });
}

// CPython: _test_multiprocessing._TestPool.test_map
#[test]
fn test_map() {
    watchdog(|| {
        let expected: Vec<i64> = (0..10).map(sqr).collect();
        assert_eq!(pool().map(sqr, 0..10, None).unwrap(), expected);
        let expected: Vec<i64> = (0..100).map(sqr).collect();
        assert_eq!(pool().map(sqr, 0..100, Some(20)).unwrap(), expected);
    });
}

fn mul((x, y): (i64, i64)) -> i64 {
    x * y
}

// CPython: _test_multiprocessing._TestPool.test_starmap
#[test]
fn test_starmap() {
    watchdog(|| {
        let tuples: Vec<(i64, i64)> = (0..10).zip((0..10).rev()).collect();
        let expected: Vec<i64> = tuples.iter().copied().map(mul).collect();
        assert_eq!(pool().starmap(mul, tuples, None).unwrap(), expected);
        let tuples: Vec<(i64, i64)> = (0..100).zip((0..100).rev()).collect();
        let expected: Vec<i64> = tuples.iter().copied().map(mul).collect();
        assert_eq!(pool().starmap(mul, tuples, Some(20)).unwrap(), expected);
    });
}

// CPython: _test_multiprocessing._TestPool.test_starmap_async
#[test]
fn test_starmap_async() {
    watchdog(|| {
        let tuples: Vec<(i64, i64)> = (0..100).zip((0..100).rev()).collect();
        let expected: Vec<i64> = tuples.iter().copied().map(mul).collect();
        let r = pool().starmap_async(mul, tuples, None, None, None).unwrap();
        assert_eq!(r.get(None).unwrap(), expected);
    });
}

// CPython: _test_multiprocessing._TestPool.test_map_async
#[test]
fn test_map_async() {
    watchdog(|| {
        let r = pool().map_async(sqr, 0..10, None, None, None).unwrap();
        assert_eq!(r.get(None).unwrap(), (0..10).map(sqr).collect::<Vec<_>>());
    });
}

/// `int(s)`.
fn int(s: &'static str) -> PyResult<i64> {
    s.parse().map_err(|_| {
        PyException::ValueError(format!("invalid literal for int() with base 10: '{s}'"))
    })
}

// CPython: _test_multiprocessing._TestPool.test_map_async_callbacks
#[test]
fn test_map_async_callbacks() {
    watchdog(|| {
        #[derive(Debug)]
        enum Arg {
            Result(Vec<i64>),
            Error(PyException),
        }
        let call_args: Arc<Mutex<Vec<Arg>>> = Arc::default();
        let (c1, c2) = (call_args.clone(), call_args.clone());
        pool()
            .map_async(
                int,
                ["1"],
                None,
                Some(Box::new(move |v: &Vec<i64>| {
                    c1.lock().unwrap().push(Arg::Result(v.clone()))
                })),
                Some(Box::new(move |e: &PyException| {
                    c2.lock().unwrap().push(Arg::Error(e.clone()))
                })),
            )
            .unwrap()
            .wait(None);
        assert_eq!(call_args.lock().unwrap().len(), 1);
        assert!(matches!(&call_args.lock().unwrap()[0], Arg::Result(v) if v == &vec![1]));
        let (c1, c2) = (call_args.clone(), call_args.clone());
        pool()
            .map_async(
                int,
                ["a"],
                None,
                Some(Box::new(move |v: &Vec<i64>| {
                    c1.lock().unwrap().push(Arg::Result(v.clone()))
                })),
                Some(Box::new(move |e: &PyException| {
                    c2.lock().unwrap().push(Arg::Error(e.clone()))
                })),
            )
            .unwrap()
            .wait(None);
        assert_eq!(call_args.lock().unwrap().len(), 2);
        assert!(
            matches!(&call_args.lock().unwrap()[1], Arg::Error(e) if e.is_instance_of(&PyClass::ValueError))
        );
    });
}

// CPython: _test_multiprocessing._TestPool.test_map_chunksize
#[test]
fn test_map_chunksize() {
    watchdog(|| {
        let r = pool()
            .map_async(sqr, Vec::<i64>::new(), Some(1), None, None)
            .unwrap();
        if let Err(e) = r.get(Some(Duration::from_secs_f64(TIMEOUT1))) {
            assert!(
                !e.is_instance_of(&PyClass::MpTimeoutError),
                "pool.map_async with chunksize stalled on null list"
            );
            panic!("{e}");
        }
    });
}

// CPython: _test_multiprocessing._TestPool.test_map_handle_iterable_exception
#[test]
fn test_map_handle_iterable_exception() {
    watchdog(|| {
        // SayWhenError seen at the very first of the iterable
        assert_raises(
            PyClass::ValueError,
            pool().try_map(sqr, exception_throwing_generator(1, -1), Some(1)),
        );
        // again, make sure it's reentrant
        assert_raises(
            PyClass::ValueError,
            pool().try_map(sqr, exception_throwing_generator(1, -1), Some(1)),
        );
        assert_raises(
            PyClass::ValueError,
            pool().try_map(sqr, exception_throwing_generator(10, 3), Some(1)),
        );
        // SpecialIterable: its __next__ raises at once
        let special = || std::iter::once(Err::<i64, _>(say_when()));
        assert_raises(PyClass::ValueError, pool().try_map(sqr, special(), Some(1)));
        assert_raises(PyClass::ValueError, pool().try_map(sqr, special(), Some(1)));
    });
}

// CPython: _test_multiprocessing._TestPool.test_async
#[test]
fn test_async() {
    watchdog(|| {
        let res = pool()
            .apply_async(|| sqr_wait(7, TIMEOUT1), None, None)
            .unwrap();
        let (r, t) = timed(|| res.get(None));
        assert_eq!(r.unwrap(), 49);
        assert_timing(t, TIMEOUT1);
    });
}

// CPython: _test_multiprocessing._TestPool.test_async_timeout
#[test]
fn test_async_timeout() {
    watchdog(|| {
        let p = ThreadPool::new(Some(3)).unwrap();
        let event = Event::new();
        let e = event.clone();
        // sqr(6, TIMEOUT2 + SHORT_TIMEOUT, event): waits on the event
        let res = p
            .apply_async(
                move || {
                    e.wait(Some(TIMEOUT2 + 30.0));
                    36
                },
                None,
                None,
            )
            .unwrap();
        let (r, t) = timed(|| res.get(Some(Duration::from_secs_f64(TIMEOUT2))));
        assert_raises(PyClass::MpTimeoutError, r);
        assert_timing(t, TIMEOUT2);
        event.set();
        p.terminate();
        p.join().unwrap();
    });
}

// CPython: _test_multiprocessing._TestPool.test_imap
#[test]
fn test_imap() {
    watchdog(|| {
        let it = pool().imap(sqr, 0..10, None).unwrap();
        assert_eq!(
            it.collect::<PyResult<Vec<_>>>().unwrap(),
            (0..10).map(sqr).collect::<Vec<_>>()
        );
        let mut it = pool().imap(sqr, 0..10, None).unwrap();
        for i in 0..10 {
            assert_eq!(it.next().unwrap().unwrap(), i * i);
        }
        assert!(it.next().is_none()); // StopIteration
        let mut it = pool().imap(sqr, 0..1000, Some(100)).unwrap();
        for i in 0..1000 {
            assert_eq!(it.next().unwrap().unwrap(), i * i);
        }
        assert!(it.next().is_none());
    });
}

// CPython: _test_multiprocessing._TestPool.test_imap_handle_iterable_exception
#[test]
fn test_imap_handle_iterable_exception() {
    watchdog(|| {
        // SayWhenError seen at the very first of the iterable
        let mut it = pool()
            .try_imap(sqr, exception_throwing_generator(1, -1), Some(1))
            .unwrap();
        assert_raises(PyClass::ValueError, it.next().unwrap());
        // again, make sure it's reentrant
        let mut it = pool()
            .try_imap(sqr, exception_throwing_generator(1, -1), Some(1))
            .unwrap();
        assert_raises(PyClass::ValueError, it.next().unwrap());

        let mut it = pool()
            .try_imap(sqr, exception_throwing_generator(10, 3), Some(1))
            .unwrap();
        for i in 0..3 {
            assert_eq!(it.next().unwrap().unwrap(), i * i);
        }
        assert_raises(PyClass::ValueError, it.next().unwrap());

        // SayWhenError seen at start of problematic chunk's results
        let mut it = pool()
            .try_imap(sqr, exception_throwing_generator(20, 7), Some(2))
            .unwrap();
        for i in 0..6 {
            assert_eq!(it.next().unwrap().unwrap(), i * i);
        }
        assert_raises(PyClass::ValueError, it.next().unwrap());
        let mut it = pool()
            .try_imap(sqr, exception_throwing_generator(20, 7), Some(4))
            .unwrap();
        for i in 0..4 {
            assert_eq!(it.next().unwrap().unwrap(), i * i);
        }
        assert_raises(PyClass::ValueError, it.next().unwrap());
    });
}

// CPython: _test_multiprocessing._TestPool.test_imap_unordered
#[test]
fn test_imap_unordered() {
    watchdog(|| {
        let mut got = pool()
            .imap_unordered(sqr, 0..10, None)
            .unwrap()
            .collect::<PyResult<Vec<_>>>()
            .unwrap();
        got.sort();
        assert_eq!(got, (0..10).map(sqr).collect::<Vec<_>>());
        let mut got = pool()
            .imap_unordered(sqr, 0..1000, Some(100))
            .unwrap()
            .collect::<PyResult<Vec<_>>>()
            .unwrap();
        got.sort();
        assert_eq!(got, (0..1000).map(sqr).collect::<Vec<_>>());
    });
}

/// `with assertRaises(SayWhenError): for i in range(n): value = next(it);
/// assertIn(value, expected_values); expected_values.remove(value)`.
fn expect_say_when_within(mut it: impl Iterator<Item = PyResult<i64>>, n: i64) {
    let mut expected_values: Vec<i64> = (0..n).map(sqr).collect();
    for _ in 0..n {
        match it.next() {
            Some(Ok(value)) => {
                let pos = expected_values.iter().position(|&v| v == value);
                assert!(pos.is_some(), "{value} not in {expected_values:?}");
                expected_values.remove(pos.unwrap());
            }
            Some(Err(e)) => {
                assert!(e.is_instance_of(&PyClass::ValueError), "{e}");
                return;
            }
            None => panic!("StopIteration, expected SayWhenError"),
        }
    }
    panic!("SayWhenError not raised");
}

// CPython: _test_multiprocessing._TestPool.test_imap_unordered_handle_iterable_exception
#[test]
fn test_imap_unordered_handle_iterable_exception() {
    watchdog(|| {
        let mut it = pool()
            .try_imap_unordered(sqr, exception_throwing_generator(1, -1), Some(1))
            .unwrap();
        assert_raises(PyClass::ValueError, it.next().unwrap());
        let mut it = pool()
            .try_imap_unordered(sqr, exception_throwing_generator(1, -1), Some(1))
            .unwrap();
        assert_raises(PyClass::ValueError, it.next().unwrap());
        let it = pool()
            .try_imap_unordered(sqr, exception_throwing_generator(10, 3), Some(1))
            .unwrap();
        expect_say_when_within(it, 10);
        let it = pool()
            .try_imap_unordered(sqr, exception_throwing_generator(20, 7), Some(2))
            .unwrap();
        expect_say_when_within(it, 20);
    });
}

// CPython: _test_multiprocessing._TestPool.test_make_pool
#[test]
fn test_make_pool() {
    assert_raises(PyClass::ValueError, ThreadPool::new(Some(-1)));
    assert_raises(PyClass::ValueError, ThreadPool::new(Some(0)));
    let p = ThreadPool::new(Some(3)).unwrap();
    assert_eq!(p.processes(), 3); // len(p._pool)
    p.close();
    p.join().unwrap();
}

// CPython: _test_multiprocessing._TestPool.test_terminate
#[test]
fn pool_test_terminate() {
    watchdog(|| {
        // Simulate slow tasks which take "forever" to complete
        let p = ThreadPool::new(Some(3)).unwrap();
        let forever = Event::new();
        let f = forever.clone();
        let args = vec![300.0; 10_000]; // support.LONG_TIMEOUT
        let _result = p
            .map_async(move |t: f64| f.wait(Some(t)), args, Some(1), None, None)
            .unwrap();
        p.terminate();
        // A process would be killed; the three running calls are threads,
        // which finish their sleep: end it so that join() returns.
        forever.set();
        p.join().unwrap();
    });
}

// CPython: _test_multiprocessing._TestPool.test_empty_iterable
#[test]
fn test_empty_iterable() {
    watchdog(|| {
        let p = ThreadPool::new(Some(1)).unwrap();
        let empty = Vec::<i64>::new;
        assert_eq!(p.map(sqr, empty(), None).unwrap(), Vec::<i64>::new());
        assert_eq!(p.imap(sqr, empty(), None).unwrap().count(), 0);
        assert_eq!(p.imap_unordered(sqr, empty(), None).unwrap().count(), 0);
        assert_eq!(
            p.map_async(sqr, empty(), None, None, None)
                .unwrap()
                .get(None)
                .unwrap(),
            Vec::<i64>::new()
        );
        p.close();
        p.join().unwrap();
    });
}

// CPython: _test_multiprocessing._TestPool.test_context
// (CPython runs it for processes only; our Pool is the one there is.)
#[test]
fn pool_test_context() {
    watchdog(|| {
        let l: Vec<i64> = (0..10).collect();
        let expected: Vec<i64> = l.iter().copied().map(sqr).collect();
        let p = Pool::new(Some(2)).unwrap();
        {
            let p = p.enter().unwrap();
            let r = p.map_async(sqr, l.clone(), None, None, None).unwrap();
            assert_eq!(r.get(None).unwrap(), expected);
            p.terminate(); // __exit__
        }
        p.join().unwrap();
        assert_raises(PyClass::ValueError, p.map_async(sqr, l, None, None, None));
    });
}

// CPython: _test_multiprocessing._TestPool.test_wrapped_exception
#[test]
fn test_wrapped_exception() {
    watchdog(|| {
        let p = ThreadPool::new(Some(1)).unwrap();
        {
            let p = p.enter().unwrap();
            let r: PyResult<()> = p.apply(|| Err(PyException::RuntimeError("foo".into())));
            let e = assert_raises(PyClass::RuntimeError, r);
            assert_eq!(e.to_string(), "RuntimeError: foo");
            p.terminate();
        }
        p.join().unwrap();
    });
}

// CPython: _test_multiprocessing._TestPool.test_map_no_failfast
#[test]
fn test_map_no_failfast() {
    watchdog(|| {
        let t_start = Instant::now();
        let p = ThreadPool::new(Some(2)).unwrap();
        let r = {
            let p = p.enter().unwrap();
            // raise_large_valuerror(wait)
            let r: PyResult<Vec<()>> = p.map(
                |wait: f64| -> PyResult<()> {
                    sleep(wait);
                    Err(PyException::ValueError("x".repeat(1024 * 1024)))
                },
                [0.0, 1.0],
                None,
            );
            sleep(0.5);
            p.close();
            p.join().unwrap();
            p.terminate();
            r
        };
        assert_raises(PyClass::ValueError, r);
        // check that we indeed waited for all jobs
        assert!(t_start.elapsed().as_secs_f64() > 0.9);
    });
}

// CPython: _test_multiprocessing._TestPool.test_enter
#[test]
fn test_enter() {
    let pool = ThreadPool::new(Some(1)).unwrap();
    {
        let p = pool.enter().unwrap();
        p.terminate(); // call pool.terminate()
    }
    // pool is no longer running
    let e = assert_raises(PyClass::ValueError, pool.enter());
    assert_eq!(e.to_string(), "ValueError: Pool not running");
    pool.join().unwrap();
}

// ------------------------------------------------------- _TestPoolWorkerErrors

// CPython: _test_multiprocessing._TestPoolWorkerErrors.test_async_error_callback
#[test]
fn test_async_error_callback() {
    watchdog(|| {
        let p = Pool::new(Some(2)).unwrap();
        let scratchpad: Arc<Mutex<Option<PyException>>> = Arc::default();
        let s = scratchpad.clone();
        let res: executor_api::multiprocessing::AsyncResult<()> = p
            .apply_async(
                || -> PyResult<()> { Err(PyException::KeyError("'key'".into())) },
                None,
                Some(Box::new(move |e: &PyException| {
                    *s.lock().unwrap() = Some(e.clone())
                })),
            )
            .unwrap();
        assert_raises(PyClass::KeyError, res.get(None));
        let got = scratchpad.lock().unwrap().clone();
        assert!(got.is_some_and(|e| e.is_instance_of(&PyClass::KeyError)));
        p.close();
        p.join().unwrap();
    });
}

// ----------------------------------------------------- _TestPoolWorkerLifetime

// CPython: _test_multiprocessing._TestPoolWorkerLifetime.test_pool_worker_lifetime_early_close
#[test]
fn test_pool_worker_lifetime_early_close() {
    watchdog(|| {
        let p = Pool::builder()
            .processes(Some(3))
            .maxtasksperchild(Some(1))
            .build()
            .unwrap();
        let results: Vec<_> = (0..6)
            .map(|i| p.apply_async(move || sqr_wait(i, 0.3), None, None).unwrap())
            .collect();
        p.close();
        p.join().unwrap();
        for (j, res) in results.iter().enumerate() {
            assert_eq!(res.get(None).unwrap(), sqr(j as i64));
        }
    });
}

// CPython: _test_multiprocessing._TestPoolWorkerLifetime.test_pool_maxtasksperchild_invalid
#[test]
fn test_pool_maxtasksperchild_invalid() {
    // 0.5 and "12" are not integers: the parameter's type refuses them
    for value in [0, -1] {
        let r = Pool::builder()
            .processes(Some(3))
            .maxtasksperchild(Some(value))
            .build();
        assert_raises(PyClass::ValueError, r);
    }
}

// ------------------------------------------------------------- _TestConnection

/// The messages of `test_connection`: objects and bytes on one pipe.
#[derive(Clone, Debug, PartialEq)]
enum Msg {
    Seq(Vec<Option<f64>>),
    None,
    Bytes(Vec<u8>),
}

impl From<Vec<u8>> for Msg {
    fn from(b: Vec<u8>) -> Msg {
        Msg::Bytes(b)
    }
}

impl From<Msg> for Vec<u8> {
    fn from(m: Msg) -> Vec<u8> {
        match m {
            Msg::Bytes(b) => b,
            other => format!("{other:?}").into_bytes(), // (a pickle, in CPython)
        }
    }
}

const SENTINEL: &[u8] = b"";

// CPython: _test_multiprocessing._TestConnection.test_connection
#[test]
fn test_connection() {
    watchdog(|| {
        let (conn, child_conn) = Pipe::<Msg>(None);
        let child_conn = Arc::new(child_conn);
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let child = child_conn.clone();
        // `_echo`: in CPython it echoes with recv_bytes/send_bytes, which
        // carry an object's pickle; without pickles it echoes each message
        // as it is, objects and bytes alike, until SENTINEL.
        let p = Process::new(move || -> PyResult<()> {
            loop {
                match child.recv()? {
                    Msg::Bytes(b) if b == SENTINEL => break,
                    m => child.send(m)?,
                }
            }
            let _ = tx.send(());
            Ok(())
        });
        p.set_daemon(true).unwrap();
        p.start().unwrap();

        let seq = vec![Some(1.0), Some(2.25), None];
        let msg = b"hello world".to_vec();
        conn.send(Msg::Seq(seq.clone())).unwrap();
        assert_eq!(conn.recv().unwrap(), Msg::Seq(seq));
        conn.send_bytes(&msg, None, None).unwrap();
        assert_eq!(conn.recv_bytes(None).unwrap(), msg);

        let (r, t) = timed(|| conn.poll(None));
        assert!(!r.unwrap());
        assert_timing(t, 0.0);
        let (r, t) = timed(|| conn.poll(Some(-1.0)));
        assert!(!r.unwrap());
        assert_timing(t, 0.0);
        let (r, t) = timed(|| conn.poll(Some(TIMEOUT1)));
        assert!(!r.unwrap());
        assert_timing(t, TIMEOUT1);

        conn.send(Msg::None).unwrap();
        // (CPython sleeps 0.1 s for the echo; poll waits for it)
        let (r, t) = timed(|| conn.poll(Some(60.0)));
        assert!(r.unwrap());
        assert_timing(t, 0.0);
        assert_eq!(conn.recv().unwrap(), Msg::None);

        let really_big_msg = vec![b'X'; 1024 * 1024 * 16]; // 16Mb
        conn.send_bytes(&really_big_msg, None, None).unwrap();
        assert_eq!(conn.recv_bytes(None).unwrap(), really_big_msg);

        conn.send_bytes(SENTINEL, None, None).unwrap(); // tell child to quit
        rx.recv().unwrap();
        child_conn.close();

        assert!(conn.readable());
        assert!(conn.writable());
        assert_raises(PyClass::EOFError, conn.recv());
        assert_raises(PyClass::EOFError, conn.recv_bytes(None));
        p.join(None).unwrap();
    });
}

// CPython: _test_multiprocessing._TestConnection.test_duplex_false
#[test]
fn test_duplex_false() {
    let (reader, writer) = Pipe(Some(false));
    writer.send(1).unwrap();
    assert_eq!(reader.recv().unwrap(), 1);
    assert!(reader.readable());
    assert!(!reader.writable());
    assert!(!writer.readable());
    assert!(writer.writable());
    assert_raises(PyClass::OSError, reader.send(2));
    assert_raises(PyClass::OSError, writer.recv());
    assert_raises(PyClass::OSError, writer.poll(None));
}

// CPython: _test_multiprocessing._TestConnection.test_spawn_close
#[test]
fn test_spawn_close() {
    watchdog(|| {
        let (conn, child_conn) = Pipe::<Vec<u8>>(None);
        // The child gets its own end; the parent's handle on it is the
        // one closed right after the start (a clone of a descriptor in
        // CPython, the same object here: the child owns it).
        let p = Process::new(move || echo_bytes(child_conn));
        p.set_daemon(true).unwrap();
        p.start().unwrap();
        let msg = b"hello".to_vec();
        conn.send_bytes(&msg, None, None).unwrap();
        assert_eq!(conn.recv_bytes(None).unwrap(), msg);
        conn.send_bytes(SENTINEL, None, None).unwrap();
        conn.close();
        p.join(None).unwrap();
        assert_eq!(p.exitcode(), Some(0));
    });
}

/// `_echo` on a pipe of bytes.
fn echo_bytes(conn: Connection<Vec<u8>>) -> PyResult<()> {
    loop {
        let msg = conn.recv_bytes(None)?;
        if msg == SENTINEL {
            break;
        }
        conn.send_bytes(&msg, None, None)?;
    }
    conn.close();
    Ok(())
}

// CPython: _test_multiprocessing._TestConnection.test_sendbytes
// (CPython runs it for processes only; our Pipe is the one there is.)
#[test]
fn test_sendbytes() {
    let msg = b"abcdefghijklmnopqrstuvwxyz";
    let (a, b) = Pipe::<Vec<u8>>(None);
    a.send_bytes(msg, None, None).unwrap();
    assert_eq!(b.recv_bytes(None).unwrap(), msg);
    a.send_bytes(msg, Some(5), None).unwrap();
    assert_eq!(b.recv_bytes(None).unwrap(), &msg[5..]);
    a.send_bytes(msg, Some(7), Some(8)).unwrap();
    assert_eq!(b.recv_bytes(None).unwrap(), &msg[7..7 + 8]);
    a.send_bytes(msg, Some(26), None).unwrap();
    assert_eq!(b.recv_bytes(None).unwrap(), b"");
    a.send_bytes(msg, Some(26), Some(0)).unwrap();
    assert_eq!(b.recv_bytes(None).unwrap(), b"");
    assert_raises(PyClass::ValueError, a.send_bytes(msg, Some(27), None));
    assert_raises(PyClass::ValueError, a.send_bytes(msg, Some(22), Some(5)));
    assert_raises(PyClass::ValueError, a.send_bytes(msg, Some(26), Some(1)));
    assert_raises(PyClass::ValueError, a.send_bytes(msg, Some(-1), None));
    assert_raises(PyClass::ValueError, a.send_bytes(msg, Some(4), Some(-1)));
}

// CPython: _test_multiprocessing._TestConnection.test_context
#[test]
fn connection_test_context() {
    let (a, b) = Pipe(None);
    {
        // with a, b:
        a.send(1729).unwrap();
        assert_eq!(b.recv().unwrap(), 1729);
        assert!(!a.closed());
        assert!(!b.closed());
        a.close();
        b.close();
    }
    assert!(a.closed());
    assert!(b.closed());
    assert_raises(PyClass::OSError, a.recv());
    assert_raises(PyClass::OSError, b.recv());
}

// ------------------------------------------------------------------- _TestPoll

// CPython: _test_multiprocessing._TestPoll.test_empty_string
#[test]
fn test_empty_string() {
    let (a, b) = Pipe::<Vec<u8>>(None);
    assert!(!a.poll(None).unwrap());
    b.send_bytes(b"", None, None).unwrap();
    assert!(a.poll(None).unwrap());
    assert!(a.poll(None).unwrap());
}

// CPython: _test_multiprocessing._TestPoll.test_strings
#[test]
fn test_strings() {
    watchdog(|| {
        let strings: Vec<&'static [u8]> = vec![b"hello", b"", b"a", b"b", b"", b"bye", b"", b"lop"];
        let (a, b) = Pipe::<Vec<u8>>(None);
        let sent = strings.clone();
        let p = Process::new(move || -> PyResult<()> {
            for s in sent {
                sleep(0.1);
                b.send_bytes(s, None, None)?;
            }
            b.close();
            Ok(())
        });
        p.start().unwrap();
        for s in strings {
            for _ in 0..200 {
                if a.poll(Some(0.01)).unwrap() {
                    break;
                }
            }
            let x = a.recv_bytes(None).unwrap();
            assert_eq!(s, x);
        }
        p.join(None).unwrap();
    });
}

// CPython: _test_multiprocessing._TestPoll.test_boundaries
#[test]
fn test_boundaries() {
    watchdog(|| {
        let (r, w) = Pipe::<Vec<u8>>(Some(false));
        let r = Arc::new(r);
        let polling = Event::new();
        let (r2, polling2) = (r.clone(), polling.clone());
        let p = Process::new(move || -> PyResult<()> {
            // Polling may "pull" a message in, but never part of one.
            polling2.set();
            r2.poll(Some(5.0))?;
            Ok(())
        });
        p.start().unwrap();
        // (CPython sleeps 2 s for the child to be polling)
        polling.wait(None);
        let l: [&[u8]; 2] = [b"first", b"second"];
        for obj in l {
            w.send_bytes(obj, None, None).unwrap();
        }
        w.close();
        p.join(None).unwrap();
        let got = r.recv_bytes(None).unwrap();
        assert!(l.contains(&got.as_slice()), "{got:?}");
    });
}

// CPython: _test_multiprocessing._TestPoll.test_dont_merge
#[test]
fn test_dont_merge() {
    watchdog(|| {
        let (a, b) = Pipe::<Vec<u8>>(None);
        assert!(!a.poll(Some(0.0)).unwrap());
        assert!(!a.poll(Some(0.1)).unwrap());
        let p = Process::new(move || -> PyResult<()> {
            b.send_bytes(b"a", None, None)?;
            b.send_bytes(b"b", None, None)?;
            b.send_bytes(b"cd", None, None)
        });
        p.start().unwrap();
        assert_eq!(a.recv_bytes(None).unwrap(), b"a");
        assert!(a.poll(Some(1.0)).unwrap());
        assert!(a.poll(Some(1.0)).unwrap());
        assert_eq!(a.recv_bytes(None).unwrap(), b"b");
        assert!(a.poll(Some(1.0)).unwrap());
        assert!(a.poll(Some(1.0)).unwrap());
        assert!(a.poll(Some(0.0)).unwrap());
        assert_eq!(a.recv_bytes(None).unwrap(), b"cd");
        p.join(None).unwrap();
    });
}
