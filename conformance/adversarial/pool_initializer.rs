//! Claim: a `Pool` whose initializer raises never runs a task on a worker
//! that was not initialized, and never hangs. CPython's
//! `multiprocessing.pool.ThreadPool` worker calls `initializer(*initargs)`
//! outside any `try`: the exception ends the worker thread (reported by
//! `threading.excepthook`), and the pool's maintenance thread replaces it,
//! again and again; no task ever runs, and a `map` waits forever. Ours
//! reports the initializer's exception the same way, and where CPython
//! would wait forever fails the tasks with `BrokenProcessPool` instead.
//! (Ours ran the function 100 times on workers whose initializer failed.)

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use executor_api::multiprocessing::Pool;
use executor_api::{PyClass, PyException};

#[test]
fn a_failing_initializer_runs_no_task_and_every_call_raises() {
    common::watchdog("Pool with a failing initializer", || {
        let ran = Arc::new(AtomicUsize::new(0));
        let pool = Pool::builder()
            .processes(Some(2))
            .initializer(|| Err::<(), _>(PyException::ValueError("no init".into())))
            .build();
        let pool = match pool {
            Ok(p) => p,
            Err(e) => panic!("CPython's Pool() itself does not raise here: {e}"),
        };
        let r = ran.clone();
        let m = pool.map(
            move |x: u64| {
                r.fetch_add(1, Ordering::Relaxed);
                x
            },
            0..100u64,
            None,
        );
        let e = m.expect_err("no worker is initialized");
        assert!(e.is_instance_of(&PyClass::BrokenProcessPool), "got {e}");
        let r = ran.clone();
        let a = pool.apply(move || {
            r.fetch_add(1, Ordering::Relaxed);
        });
        assert!(a.unwrap_err().is_instance_of(&PyClass::BrokenProcessPool));
        let r = ran.clone();
        let it = pool.imap(
            move |x: u64| {
                r.fetch_add(1, Ordering::Relaxed);
                x
            },
            0..10u64,
            None,
        );
        if let Ok(it) = it {
            for v in it {
                assert!(v.unwrap_err().is_instance_of(&PyClass::BrokenProcessPool));
            }
        }
        assert_eq!(
            ran.load(Ordering::Relaxed),
            0,
            "a task ran on an uninitialized worker"
        );
        pool.terminate();
        pool.join().unwrap();
    });
}

#[test]
fn an_initializer_failing_on_one_worker_only_keeps_tasks_off_it() {
    common::watchdog("Pool with one failing initializer", || {
        let inits = Arc::new(AtomicUsize::new(0));
        let i2 = inits.clone();
        let pool = Pool::builder()
            .processes(Some(2))
            .initializer(move || {
                if i2.fetch_add(1, Ordering::SeqCst) == 0 {
                    Err(PyException::ValueError("first fails".into()))
                } else {
                    Ok(())
                }
            })
            .build()
            .unwrap();
        // Whatever happens, it ends: results, or the broken pool's error.
        match pool.map(|x: u64| x, 0..100u64, None) {
            Ok(v) => assert_eq!(v, (0..100).collect::<Vec<_>>()),
            Err(e) => assert!(e.is_instance_of(&PyClass::BrokenProcessPool), "got {e}"),
        }
    });
}
