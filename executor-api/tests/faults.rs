//! Fault injection: a spawner that cannot start some worker threads.
//!
//! CPython's `submit` raises `RuntimeError: can't start new thread` when it
//! fails to start a worker (after queuing the call), and the executor goes
//! on with the threads it has. Ours does the same: workers start with the
//! submits that need them, a failed start is raised by that `submit`, and
//! work keeps running on the workers that did start.
//!
//! The other faults of the issue are covered in `tests/futures.rs`:
//! a panicking initializer breaks the pool for pending and later futures
//! (`a_panicking_initializer_breaks_the_pool_too`), a panicking
//! done-callback is reported and ignored
//! (`a_panicking_callback_is_ignored_and_others_still_run`), and dropping an
//! executor from its own task does not deadlock
//! (`dropping_the_last_handle_inside_a_task_does_not_deadlock`).
// Needs real threads (not on `wasm32-wasip1`, which has none).
#![cfg(any(not(target_family = "wasm"), target_feature = "atomics"))]

use std::collections::HashSet;
use std::io;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use pyrt_executor::concurrent::futures::{Future, ThreadPoolExecutor};
use pyrt_executor::PyResult;
use pyrt_scheduler::WorkerStart;

/// A spawner that starts std threads but fails its `fail_at`-th call
/// (counting from 0) and every call after it, like a process that hit its
/// thread limit. Records the names of the threads it started.
fn failing_spawner(
    fail_at: usize,
    started: Arc<Mutex<Vec<String>>>,
) -> impl Fn(WorkerStart) -> io::Result<()> + Send + Sync + 'static {
    let calls = AtomicUsize::new(0);
    move |start: WorkerStart| {
        if calls.fetch_add(1, Ordering::SeqCst) >= fail_at {
            return Err(io::Error::new(
                io::ErrorKind::WouldBlock,
                "Resource temporarily unavailable",
            ));
        }
        let name = start.name().to_owned();
        std::thread::Builder::new()
            .name(name.clone())
            .spawn(move || start.run())?;
        started.lock().unwrap().push(name);
        Ok(())
    }
}

#[test]
fn no_worker_started_is_a_runtime_error_from_submit() {
    let started = Arc::new(Mutex::new(Vec::new()));
    let ex = ThreadPoolExecutor::builder()
        .max_workers(Some(4))
        .spawner(failing_spawner(0, started.clone()))
        .build()
        .expect("the constructor starts no thread");
    let e = ex.submit(|| 0u32).unwrap_err();
    assert!(e.is_instance_of(&pyrt_executor::PyClass::RuntimeError));
    assert_eq!(e.to_string(), "RuntimeError: can't start new thread");
    assert!(started.lock().unwrap().is_empty());
    ex.shutdown(false, true);
}

#[test]
fn a_failed_worker_start_is_raised_by_submit_and_the_rest_keep_working() -> PyResult<()> {
    let started = Arc::new(Mutex::new(Vec::new()));
    let ex = ThreadPoolExecutor::builder()
        .max_workers(Some(4))
        .thread_name_prefix("faulty")
        .spawner(failing_spawner(2, started.clone()))
        .build()?;
    // Two calls that wait for each other make two workers start.
    let gate = pyrt_executor::threading::Event::new();
    let holders: Vec<Future<bool>> = (0..2)
        .map(|_| {
            let g = gate.clone();
            ex.submit(move || g.wait(None))
        })
        .collect::<PyResult<_>>()?;
    // The third finds no idle worker and cannot start one: CPython's submit
    // raises, and the call stays queued for the workers there are.
    let (ran_tx, ran_rx) = std::sync::mpsc::channel();
    let e = ex.submit(move || ran_tx.send(()).unwrap()).unwrap_err();
    assert_eq!(e.to_string(), "RuntimeError: can't start new thread");
    gate.set();
    for h in &holders {
        assert!(h.result(None)?);
    }
    ran_rx
        .recv()
        .expect("the queued call ran on a started worker");
    let started: HashSet<String> = started.lock().unwrap().iter().cloned().collect();
    assert_eq!(started.len(), 2);

    // Then the executor goes on with the two workers it has.
    let futures: Vec<Future<String>> = (0..200)
        .map(|_| ex.submit(|| std::thread::current().name().unwrap_or("?").to_owned()))
        .filter_map(Result::ok)
        .collect();
    assert!(!futures.is_empty());
    for f in &futures {
        let name = f.result(None)?;
        assert!(
            started.contains(&name),
            "ran on {name}, not a started worker"
        );
    }
    ex.shutdown(true, false);
    Ok(())
}
