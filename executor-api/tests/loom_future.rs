//! Loom models of `concurrent.futures.Future` (`executor-api/src/concurrent/
//! futures/future.rs` and `state.rs`): its real state machine — the atomic
//! state word and the listener lock are loom's under `--cfg loom` (through
//! `src/loom.rs`) — and the scheduler's real blocking wait
//! (`pyrt_scheduler::block_on_until`, loom's `Mutex`/`Condvar` through the
//! scheduler's `loom.rs` shim) behind `result()`.
//!
//! Loom runs every interleaving of the modelled threads (up to the
//! preemption bound); a waiter that is never woken shows up as all threads
//! blocked, which loom reports as a deadlock.
//!
//! Run with `scripts/test.sh loom` (`RUSTFLAGS="--cfg loom"`).
#![cfg(loom)]

use std::time::Duration;

use loom::sync::atomic::{AtomicUsize, Ordering};
use loom::sync::Arc;
use loom::thread;
use pyrt_executor::concurrent::futures::{wait, Future};
use pyrt_executor::PyException;

fn model(f: impl Fn() + Sync + Send + 'static) {
    pyrt_scheduler::loom_seam::model(3, f)
}

fn counting_callback(n: &Arc<AtomicUsize>) -> impl FnOnce(&Future<u32>) + Send + 'static {
    let n = n.clone();
    move |f: &Future<u32>| {
        // A callback only ever sees a done future.
        assert!(f.done());
        n.fetch_add(1, Ordering::SeqCst);
    }
}

/// A worker running the call (`set_running_or_notify_cancel` then
/// `set_result`, the executor's claim-and-run) vs `cancel()` vs
/// `add_done_callback` from a third thread: every callback runs exactly
/// once, after the future is done; `cancel` succeeds exactly when it came
/// before the worker claimed the call, and then the call never runs.
#[test]
fn completion_vs_cancel_vs_add_done_callback() {
    model(|| {
        let f: Future<u32> = Future::new();
        let early = Arc::new(AtomicUsize::new(0));
        let late = Arc::new(AtomicUsize::new(0));
        f.add_done_callback(counting_callback(&early));

        let worker = {
            let f = f.clone();
            thread::spawn(move || {
                let claimed = f.set_running_or_notify_cancel().unwrap();
                if claimed {
                    f.set_result(7).unwrap();
                }
                claimed
            })
        };
        let canceller = {
            let f = f.clone();
            thread::spawn(move || f.cancel())
        };
        f.add_done_callback(counting_callback(&late));

        let ran = worker.join().unwrap();
        let cancelled = canceller.join().unwrap();
        assert!(f.done());
        assert_eq!(early.load(Ordering::SeqCst), 1);
        assert_eq!(late.load(Ordering::SeqCst), 1);
        assert_ne!(ran, cancelled, "exactly one of run / cancel wins");
        assert_eq!(f.cancelled(), cancelled);
        if ran {
            assert_eq!(f.result(None).unwrap(), 7);
        } else {
            assert!(matches!(
                f.result(None),
                Err(PyException::CancelledError(_))
            ));
        }
    });
}

/// `set_result` vs `cancel` on a future still PENDING (Python's bare
/// `Future()`): exactly one succeeds, the other sees the final state
/// (`InvalidStateError` / `false`), and a callback runs once.
#[test]
fn set_result_vs_cancel_on_a_pending_future() {
    model(|| {
        let f: Future<u32> = Future::new();
        let calls = Arc::new(AtomicUsize::new(0));
        f.add_done_callback(counting_callback(&calls));
        let setter = {
            let f = f.clone();
            thread::spawn(move || f.set_result(1).is_ok())
        };
        let cancelled = f.cancel();
        let set = setter.join().unwrap();
        assert_ne!(set, cancelled);
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    });
}

/// `result(None)` racing completion on another thread: the waiter's waker
/// registration and the completer's hand-off of the wakers never miss each
/// other, so the waiter always returns the value (no lost wake-up).
#[test]
fn result_racing_completion_is_never_lost() {
    model(|| {
        let f: Future<u32> = Future::new();
        let completer = {
            let f = f.clone();
            thread::spawn(move || f.set_result(5).unwrap())
        };
        assert_eq!(f.result(None).unwrap(), 5);
        completer.join().unwrap();
    });
}

/// `wait(fs)` (ALL_COMPLETED) over two futures completed by two other
/// threads: the waiter registers once and, re-polled with the same waker,
/// only checks the condition (`wait.rs`, `Until::registered`). Each
/// completion still wakes it, so it returns with both done, never hangs.
#[test]
fn wait_all_completed_racing_two_completions() {
    model(|| {
        let fs: Vec<Future<u32>> = vec![Future::new(), Future::new()];
        let completers: Vec<_> = fs
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let f = f.clone();
                thread::spawn(move || f.set_result(i as u32).unwrap())
            })
            .collect();
        let got = wait(&fs, None, None);
        assert_eq!((got.done.len(), got.not_done.len()), (2, 0));
        for c in completers {
            c.join().unwrap();
        }
    });
}

/// `result(timeout)` racing completion: it returns the value or
/// `TimeoutError`, never anything else, and a later `result()` returns the
/// value. (Loom has no clock; a zero timeout makes the "deadline passed"
/// branch reachable in every interleaving.)
#[test]
fn result_with_timeout_racing_completion() {
    model(|| {
        let f: Future<u32> = Future::new();
        let completer = {
            let f = f.clone();
            thread::spawn(move || f.set_result(5).unwrap())
        };
        match f.result(Some(Duration::ZERO)) {
            Ok(v) => assert_eq!(v, 5),
            Err(PyException::TimeoutError(_)) => {}
            Err(e) => panic!("unexpected {e}"),
        }
        assert_eq!(f.result(None).unwrap(), 5);
        completer.join().unwrap();
    });
}

/// Two `set_result` calls race on a `Future()`: exactly one wins, the other
/// gets CPython's `InvalidStateError` naming the finished state (the loser
/// may have to wait out the winner's COMPLETING), and `result()` is the
/// winner's value.
#[test]
fn two_set_results_race() {
    model(|| {
        let f: Future<u32> = Future::new();
        let other = {
            let f = f.clone();
            thread::spawn(move || f.set_result(1))
        };
        let mine = f.set_result(2);
        let theirs = other.join().unwrap();
        let winner = match (&mine, &theirs) {
            (Ok(()), Err(e)) | (Err(e), Ok(())) => {
                assert!(
                    e.to_string().starts_with("InvalidStateError: FINISHED: "),
                    "{e}"
                );
                if mine.is_ok() {
                    2
                } else {
                    1
                }
            }
            _ => panic!("exactly one set_result wins: {mine:?} {theirs:?}"),
        };
        assert_eq!(f.result(None).unwrap(), winner);
    });
}

/// `into_result` on one handle vs `result()` on another, on a finished
/// future: the value moves out exactly once, `result()` either clones it
/// first or raises `InvalidStateError` after, and never reads a moved-out
/// value (the READING / TAKEN bits of `state.rs`).
#[test]
fn into_result_vs_result_on_another_handle() {
    model(|| {
        let f: Future<u32> = Future::new();
        f.set_result(9).unwrap();
        let mover = {
            let f = f.clone();
            thread::spawn(move || f.into_result(None))
        };
        let seen = f.result(None);
        assert_eq!(mover.join().unwrap().unwrap(), 9);
        match seen {
            Ok(v) => assert_eq!(v, 9),
            Err(PyException::InvalidStateError(_)) => {}
            Err(e) => panic!("unexpected {e}"),
        }
        assert!(matches!(
            f.result(None),
            Err(PyException::InvalidStateError(_))
        ));
    });
}
