//! Loom model of `ThreadPoolExecutor.shutdown(wait, cancel_futures)`
//! racing `submit`: the real executor (`thread_pool.rs`, its lock is
//! loom's under `--cfg loom`) on the real scheduler (registry, worker loop,
//! sleep protocol, `wait_for_workers`), with its one worker started as a
//! loom thread through the executor's `spawner` option.
//!
//! crossbeam-deque and async-task are not instrumented: their operations
//! are atomic steps of the model (loom switches threads only at loom
//! operations), so the model explores our protocol around them, not their
//! internals. Run with `scripts/test.sh loom`.
#![cfg(loom)]

use std::io;

use loom::thread;
use pyrt_executor::concurrent::futures::ThreadPoolExecutor;
use pyrt_executor::PyException;
use pyrt_scheduler::WorkerStart;

fn loom_spawner(start: WorkerStart) -> io::Result<()> {
    thread::spawn(move || start.run());
    Ok(())
}

fn shutdown_racing_submit(cancel_futures: bool) {
    pyrt_scheduler::loom_seam::model(2, move || {
        let ex = ThreadPoolExecutor::builder()
            .max_workers(Some(1))
            .spawner(loom_spawner)
            .build()
            .unwrap();
        let submitter = {
            let ex = ex.clone();
            thread::spawn(move || ex.submit(|| 7u32))
        };
        ex.shutdown(true, cancel_futures);
        match submitter.join().unwrap() {
            // Accepted before the shutdown: it runs, or with
            // `cancel_futures` it may be cancelled while still queued;
            // either way its future completes (no hang, no lost task).
            Ok(f) => match f.result(None) {
                Ok(v) => assert_eq!(v, 7),
                Err(PyException::CancelledError(_)) => assert!(cancel_futures),
                Err(e) => panic!("unexpected {e}"),
            },
            // Refused after the shutdown, with CPython's message.
            Err(e) => assert_eq!(
                e.to_string(),
                "RuntimeError: cannot schedule new futures after shutdown"
            ),
        }
    });
}

/// `shutdown(wait=True)` racing `submit`: a submit either is refused or
/// its task runs before the workers exit; shutdown returns (no deadlock).
#[test]
fn shutdown_wait_racing_submit() {
    shutdown_racing_submit(false);
}

/// `shutdown(wait=True, cancel_futures=True)` racing `submit`: an accepted
/// task runs or is cancelled, never lost; shutdown returns.
#[test]
fn shutdown_cancel_futures_racing_submit() {
    shutdown_racing_submit(true);
}
