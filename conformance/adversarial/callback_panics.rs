//! Claim: a panic in any kind of user callback becomes a Python exception
//! where CPython would have one, and never stops the machinery around it:
//! a panicking done-callback is reported and the other callbacks and every
//! waiter still run (CPython logs `exception calling callback for ...` and
//! goes on); a panicking `Pool` `callback=`/`error_callback=` is reported
//! and the pool goes on (CPython's result handler dies: we differ, see
//! docs/python-mapping.md); a panicking `Thread` target or `Timer` function
//! reaches `threading.excepthook` and `join()` returns (CPython: the
//! exception reaches the hook); a panicking `Barrier` action raises in its
//! thread and breaks the barrier for the others (`BrokenBarrierError`); a
//! panicking `executor.map` function raises from the iteration. Each is
//! repeated, so a leaked lock or a stuck state shows as a hang.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use executor_api::concurrent::futures::{Future, ThreadPoolExecutor};
use executor_api::multiprocessing::{AsyncResult, Pool};
use executor_api::threading::{
    default_excepthook, set_excepthook, Action, Barrier, Event, Thread, Timer,
};
use executor_api::{PyException, PyResult};

#[test]
fn a_panicking_done_callback_stops_no_other_callback_nor_waiter() {
    common::watchdog("panicking done-callbacks", || {
        let ex = ThreadPoolExecutor::new(Some(2)).unwrap();
        for _ in 0..100 {
            let gate = Event::new();
            let g = gate.clone();
            let f: Future<u32> = ex
                .submit(move || {
                    g.wait(None);
                    7
                })
                .unwrap();
            let ran = Arc::new(AtomicUsize::new(0));
            for k in 0..3 {
                let ran = ran.clone();
                f.add_done_callback(move |_| -> () {
                    ran.fetch_add(1, Ordering::SeqCst);
                    if k == 1 {
                        panic!("callback {k}");
                    }
                });
            }
            let waiter = {
                let f = f.clone();
                std::thread::spawn(move || f.result(None))
            };
            gate.set();
            assert_eq!(waiter.join().unwrap().unwrap(), 7);
            assert_eq!(f.result(None).unwrap(), 7);
            // Added after completion: runs at once, its panic stays inside.
            let r2 = ran.clone();
            f.add_done_callback(move |_| -> () {
                r2.fetch_add(1, Ordering::SeqCst);
                panic!("late callback");
            });
            // The callbacks run on the worker after the waiters are woken
            // (CPython's `set_result` too): wait until all four ran.
            while ran.load(Ordering::SeqCst) < 4 {
                std::thread::yield_now();
            }
            assert_eq!(ran.load(Ordering::SeqCst), 4);
        }
        ex.shutdown(true, false);
    });
}

#[test]
fn panicking_pool_callbacks_leave_the_pool_running() {
    common::watchdog("panicking Pool callbacks", || {
        let pool = Pool::new(Some(2)).unwrap();
        for i in 0..50u32 {
            let ok = pool
                .apply_async(
                    move || i,
                    Some(Box::new(|_: &u32| panic!("callback"))),
                    None,
                )
                .unwrap();
            let err: AsyncResult<u32> = pool
                .apply_async(
                    move || -> PyResult<u32> { Err(PyException::ValueError(format!("{i}"))) },
                    None,
                    Some(Box::new(|_: &PyException| panic!("error_callback"))),
                )
                .unwrap();
            assert_eq!(ok.get(None).unwrap(), i);
            assert_eq!(
                err.get(None).unwrap_err().to_string(),
                format!("ValueError: {i}")
            );
        }
        assert_eq!(
            pool.map(|x: u32| x + 1, 0..100u32, None).unwrap().len(),
            100
        );
        pool.close();
        pool.join().unwrap();
    });
}

#[test]
fn panicking_thread_targets_and_timers_reach_the_excepthook() {
    common::watchdog("panicking Thread/Timer", || {
        let seen: Arc<Mutex<Vec<String>>> = Arc::new(Mutex::new(Vec::new()));
        let s = seen.clone();
        set_excepthook(move |args| {
            s.lock().unwrap().push(args.exc_type.clone());
        });
        for i in 0..20 {
            let t = Thread::new(move || -> () { panic!("target {i}") });
            t.start().unwrap();
            t.join(None).unwrap();
            let timer = Timer::new(0.0, move || -> () { panic!("timer {i}") });
            timer.start().unwrap();
            timer.join(None).unwrap();
        }
        set_excepthook(default_excepthook);
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 40, "{seen:?}");
        assert!(seen.iter().all(|c| c == "PanicException"), "{seen:?}");
    });
}

#[test]
fn a_panicking_barrier_action_breaks_the_barrier_for_the_others() {
    common::watchdog("panicking Barrier action", || {
        for _ in 0..50 {
            let action: Action = Arc::new(|| -> PyResult<()> { panic!("action") });
            let b = Barrier::new(3, Some(action), None);
            let ts: Vec<_> = (0..3)
                .map(|_| {
                    let b = b.clone();
                    std::thread::spawn(move || b.wait(None))
                })
                .collect();
            let mut outcomes: Vec<String> = ts
                .into_iter()
                .map(|t| t.join().unwrap().unwrap_err().name().to_string())
                .collect();
            outcomes.sort();
            assert_eq!(
                outcomes,
                ["BrokenBarrierError", "BrokenBarrierError", "PanicException"]
            );
            assert!(b.broken());
        }
    });
}

#[test]
fn a_panicking_map_function_raises_from_the_iteration() {
    common::watchdog("panicking executor.map", || {
        let ex = ThreadPoolExecutor::new(Some(2)).unwrap();
        for _ in 0..50 {
            let it = ex
                .map(
                    |x: u32| {
                        if x == 5 {
                            panic!("map {x}");
                        }
                        x
                    },
                    0..10u32,
                    None,
                    None,
                )
                .unwrap();
            let r: Vec<PyResult<u32>> = it.collect();
            assert_eq!(r.len(), 6);
            assert_eq!(r[5].as_ref().unwrap_err().name(), "PanicException");
        }
        ex.shutdown(true, false);
    });
}
