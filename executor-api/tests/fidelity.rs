//! CPython's execution rules for executors (issue "fidelity of execution"):
//! `max_workers` is a limit on calls in progress, a waiting worker runs
//! nothing else, workers start one per `submit` while none is idle, and the
//! one place we differ — a call nobody else could ever run runs nested on
//! its waiter — happens under the call's own thread identity. Every wait
//! that could hang has a watchdog.
// Needs real threads (not on `wasm32-wasip1`, which has none).
#![cfg(any(not(target_family = "wasm"), target_feature = "atomics"))]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use pyrt_executor::concurrent::futures::{Future, ThreadPoolExecutor};
use pyrt_executor::queue::Queue;
use pyrt_executor::threading::{current_thread, get_ident, Event, Local, RLock};
use pyrt_executor::{PyClass, PyResult};

/// Runs `body` on its own thread and fails the test if it takes longer
/// than a minute (a hang), instead of hanging the suite.
fn watchdog<R: Send + 'static>(body: impl FnOnce() -> R + Send + 'static) -> R {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || tx.send(body()).unwrap());
    rx.recv_timeout(Duration::from_secs(60))
        .expect("hung: the watchdog fired")
}

#[test]
fn at_most_max_workers_calls_are_in_progress_whatever_they_block_on() {
    watchdog(|| -> PyResult<()> {
        let ex = ThreadPoolExecutor::new(Some(2))?;
        let gate = Event::new();
        let (now, peak) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let calls: Vec<Future<()>> = (0..10)
            .map(|_| {
                let (gate, now, peak) = (gate.clone(), now.clone(), peak.clone());
                ex.submit(move || {
                    let n = now.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(n, Ordering::SeqCst);
                    gate.wait(None);
                    now.fetch_sub(1, Ordering::SeqCst);
                })
            })
            .collect::<PyResult<_>>()?;
        // Two calls start and block; the other eight stay queued.
        while now.load(Ordering::SeqCst) < 2 {
            std::thread::yield_now();
        }
        let queued = calls.iter().filter(|f| !f.running() && !f.done()).count();
        assert_eq!(queued, 8);
        // So cancel() of a queued call succeeds, as in CPython.
        assert!(calls[9].cancel());
        gate.set();
        for f in &calls[..9] {
            f.result(None)?;
        }
        assert_eq!(peak.load(Ordering::SeqCst), 2);
        Ok(())
    })
    .unwrap();
}

#[test]
fn with_one_worker_calls_are_serialised_and_shutdown_cancels_every_queued_one() {
    watchdog(|| -> PyResult<()> {
        let ex = ThreadPoolExecutor::new(Some(1))?;
        let gate = Event::new();
        let g = gate.clone();
        let first: Future<bool> = ex.submit(move || g.wait(None))?;
        while !first.running() {
            std::thread::yield_now();
        }
        let rest: Vec<Future<u32>> = (0..5)
            .map(|i| ex.submit(move || i))
            .collect::<PyResult<_>>()?;
        ex.shutdown(false, true);
        assert!(
            rest.iter().all(Future::cancelled),
            "all five were still queued"
        );
        gate.set();
        assert!(first.result(None)?);
        Ok(())
    })
    .unwrap();
}

#[test]
fn workers_start_lazily_and_an_idle_one_is_reused() {
    watchdog(|| -> PyResult<()> {
        let ex = ThreadPoolExecutor::builder()
            .max_workers(Some(4))
            .thread_name_prefix("lazy")
            .build()?;
        assert_eq!(ex.stats().workers.len(), 4, "slots exist");
        for _ in 0..5 {
            // One call at a time: each finds the worker the last one left idle.
            let name = ex.submit(|| current_thread().name())?.result(None)?;
            assert_eq!(name, "lazy_0");
        }
        let started = ex.stats().workers.iter().filter(|w| w.executed > 0).count();
        assert_eq!(started, 1);
        Ok(())
    })
    .unwrap();
}

#[test]
fn a_timed_result_on_a_worker_times_out_instead_of_running_the_call() {
    // Every other worker is blocked and the awaited call is queued: an
    // untimed wait would run it nested (CPython deadlocks), but a timed one
    // is no deadlock in CPython, so it times out on time.
    watchdog(|| -> PyResult<()> {
        let ex = ThreadPoolExecutor::new(Some(2))?;
        let gate = Event::new();
        let g = gate.clone();
        let blocker: Future<bool> = ex.submit(move || g.wait(None))?;
        while !blocker.running() {
            std::thread::yield_now();
        }
        let slow = Event::new();
        let (ex2, s) = (ex.clone(), slow.clone());
        let waiter: Future<(String, Duration, Future<bool>)> =
            ex.submit(move || -> PyResult<_> {
                let awaited: Future<bool> = ex2.submit(move || s.wait(None))?;
                let t0 = Instant::now();
                let e = awaited.result(Some(Duration::from_millis(50))).unwrap_err();
                Ok((e.name().to_string(), t0.elapsed(), awaited))
            })?;
        let (name, took, awaited) = waiter.result(None)?;
        assert_eq!(name, "TimeoutError");
        assert!(took < Duration::from_secs(20), "took {took:?}");
        assert!(!awaited.running() || !awaited.done());
        slow.set();
        gate.set();
        assert!(awaited.result(None)?);
        blocker.result(None)?;
        Ok(())
    })
    .unwrap();
}

#[test]
fn a_waiter_is_never_buried_under_a_call_that_blocks() {
    // CPython finishes this; helping used to hang it: A waits for B; while
    // it waits it must not pick up C, which blocks on a queue that only
    // the main thread feeds after A is done.
    watchdog(|| -> PyResult<()> {
        let ex = ThreadPoolExecutor::new(Some(2))?;
        let q: Queue<u32> = Queue::new(None);
        let ex2 = ex.clone();
        let a: Future<u32> = ex.submit(move || -> PyResult<u32> {
            let b: Future<u32> = ex2.submit(|| 1)?;
            b.result(None)
        })?;
        let q2 = q.clone();
        let c: Future<u32> = ex.submit(move || q2.get(None, None))?;
        assert_eq!(a.result(None)?, 1);
        q.put(2, None, None)?;
        assert_eq!(c.result(None)?, 2);
        Ok(())
    })
    .unwrap();
}

#[test]
fn a_nested_call_run_on_its_waiter_is_another_thread() {
    watchdog(|| -> PyResult<()> {
        let ex = ThreadPoolExecutor::builder()
            .max_workers(Some(1))
            .thread_name_prefix("solo")
            .build()?;
        let local: Local<&'static str> = Local::new();
        let ex2 = ex.clone();
        let outer: Future<(String, String, bool, bool, bool)> =
            ex.submit(move || -> PyResult<_> {
                local.set("outer");
                let (outer_ident, outer_name) = (get_ident(), current_thread().name());
                let l = local.clone();
                let inner: Future<(u64, String, Option<&'static str>)> =
                    ex2.submit(move || (get_ident(), current_thread().name(), l.get()))?;
                let (ident, name, seen) = inner.result(None)?;
                Ok((
                    outer_name,
                    name,
                    ident != outer_ident,
                    seen.is_none(),
                    local.get() == Some("outer"),
                ))
            })?;
        let (outer_name, inner_name, other_ident, own_local, kept) = outer.result(None)?;
        assert_eq!(outer_name, "solo_0");
        assert_eq!(inner_name, "solo_1", "named like the next worker");
        assert!(other_ident, "its own get_ident()");
        assert!(own_local, "its own threading.local values");
        assert!(kept, "and it did not overwrite the waiter's");
        Ok(())
    })
    .unwrap();
}

#[test]
fn a_nested_call_does_not_enter_an_rlock_its_waiter_holds() {
    // The waiter holds the RLock; the nested call is another thread, so a
    // non-blocking acquire fails, as it would in CPython.
    watchdog(|| -> PyResult<()> {
        let ex = ThreadPoolExecutor::new(Some(1))?;
        let lock = RLock::new();
        let ex2 = ex.clone();
        let l = lock.clone();
        let outer: Future<bool> = ex.submit(move || -> PyResult<bool> {
            let _held = l.with()?;
            let l2 = l.clone();
            let inner: Future<bool> = ex2.submit(move || l2.acquire(Some(false), None))?;
            inner.result(None)
        })?;
        assert!(!outer.result(None)?);
        Ok(())
    })
    .unwrap();
}

fn chain(ex: ThreadPoolExecutor, depth: usize) -> PyResult<usize> {
    if depth == 0 {
        return Ok(0);
    }
    let ex2 = ex.clone();
    let f: Future<usize> = ex.submit(move || chain(ex2, depth - 1))?;
    Ok(f.result(None)? + 1)
}

#[test]
fn a_chain_of_nested_calls_deeper_than_the_stack_raises_recursion_error() {
    watchdog(|| -> PyResult<()> {
        let ex = ThreadPoolExecutor::new(Some(1))?;
        // Shallow chains finish on one worker (CPython would deadlock).
        assert_eq!(chain(ex.clone(), 50)?, 50);
        let e = chain(ex.clone(), 5000).unwrap_err();
        assert!(e.is_instance_of(&PyClass::RecursionError));
        assert!(e.is_instance_of(&PyClass::RuntimeError));
        assert_eq!(
            e.to_string(),
            "RecursionError: maximum recursion depth exceeded"
        );
        // The worker lives on.
        assert_eq!(ex.submit(|| 7)?.result(None)?, 7);
        Ok(())
    })
    .unwrap();
}

#[test]
fn calls_start_in_submission_order_from_inside_and_outside() {
    watchdog(|| -> PyResult<()> {
        let ex = ThreadPoolExecutor::new(Some(1))?;
        let order = Arc::new(std::sync::Mutex::new(Vec::new()));
        let (o, ex2) = (order.clone(), ex.clone());
        let gate = Event::new();
        let g = gate.clone();
        let first: Future<PyResult<()>> = ex.submit(move || {
            g.wait(None);
            o.lock().unwrap().push("t1");
            let o2 = o.clone();
            ex2.submit(move || o2.lock().unwrap().push("t3")).map(drop)
        })?;
        let o = order.clone();
        let second: Future<()> = ex.submit(move || o.lock().unwrap().push("t2"))?;
        gate.set();
        first.result(None)??;
        second.result(None)?;
        ex.shutdown(true, false);
        // CPython's one FIFO queue: t2 was queued before t1 submitted t3.
        assert_eq!(*order.lock().unwrap(), vec!["t1", "t2", "t3"]);
        Ok(())
    })
    .unwrap();
}

#[test]
fn asyncio_run_on_a_worker_blocks_it_like_a_thread() {
    watchdog(|| -> PyResult<()> {
        let ex = ThreadPoolExecutor::new(Some(2))?;
        let ex2 = ex.clone();
        let outer: Future<(u32, String)> = ex.submit(move || -> PyResult<_> {
            let inner: Future<String> = ex2.submit(|| current_thread().name())?;
            let me = current_thread().name();
            let name = pyrt_executor::asyncio::run(inner)?;
            assert_ne!(name, me, "the awaited call ran on the other worker");
            Ok((1, name))
        })?;
        assert_eq!(outer.result(None)?.0, 1);
        Ok(())
    })
    .unwrap();
}

#[test]
fn local_values_of_a_nested_call_are_dropped_when_it_returns() {
    watchdog(|| -> PyResult<()> {
        let ex = ThreadPoolExecutor::new(Some(1))?;
        let local: Local<Arc<()>> = Local::new();
        let ex2 = ex.clone();
        let outer: Future<(bool, bool)> = ex.submit(move || -> PyResult<_> {
            let mine = Arc::new(());
            local.set(mine.clone());
            let l = local.clone();
            // Runs nested on this worker (nobody else could run it).
            let inner: Future<std::sync::Weak<()>> = ex2.submit(move || {
                let v = Arc::new(());
                l.set(v.clone());
                Arc::downgrade(&v)
            })?;
            let weak = inner.result(None)?;
            Ok((
                weak.upgrade().is_none(),
                local.get().is_some_and(|v| Arc::ptr_eq(&v, &mine)),
            ))
        })?;
        let (inner_dropped, outer_kept) = outer.result(None)?;
        assert!(inner_dropped, "the nested call's value ended with it");
        assert!(outer_kept, "the waiter's own value is untouched");
        Ok(())
    })
    .unwrap();
}

#[test]
fn local_values_are_dropped_when_their_thread_ends_or_the_local_does() {
    watchdog(|| -> PyResult<()> {
        let local: Local<Arc<()>> = Local::new();
        // A `threading.Thread`: gone before `join()` returns.
        let (l, (tx, rx)) = (local.clone(), mpsc::channel());
        let t = pyrt_executor::threading::Thread::new(move || {
            let v = Arc::new(());
            tx.send(Arc::downgrade(&v)).unwrap();
            l.set(v);
        });
        t.start()?;
        t.join(None)?;
        assert!(rx.recv().unwrap().upgrade().is_none());
        // Any other OS thread: gone when it exits.
        let l = local.clone();
        let weak = std::thread::spawn(move || {
            let v = Arc::new(());
            l.set(v.clone());
            Arc::downgrade(&v)
        })
        .join()
        .unwrap();
        assert!(weak.upgrade().is_none());
        // The local itself: values of threads still running go with it.
        let v = Arc::new(());
        local.set(v.clone());
        let weak = Arc::downgrade(&v);
        drop(v);
        drop(local);
        assert!(weak.upgrade().is_none());
        Ok(())
    })
    .unwrap();
}

#[test]
fn a_local_read_by_one_thread_does_not_wait_for_another_threads_closure() {
    watchdog(|| -> PyResult<()> {
        let l: Local<u8> = Local::new();
        l.set(1);
        let (read, l2) = (Event::new(), l.clone());
        let r = read.clone();
        l.with(|v| -> PyResult<()> {
            // While this closure holds our value, another thread uses its own.
            let t = pyrt_executor::threading::Thread::new(move || {
                l2.set(2);
                if l2.get() == Some(2) {
                    r.set();
                }
            });
            t.start()?;
            assert!(read.wait(Some(30.0)), "the other thread was blocked");
            t.join(None)?;
            assert_eq!(v.copied(), Some(1));
            Ok(())
        })?;
        Ok(())
    })
    .unwrap();
}
