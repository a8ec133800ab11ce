//! Claim: shutting an executor down from inside another one never hangs.
//! Two executors whose workers each `shutdown(wait=True)` (or drop, i.e.
//! leave the `with` block of) the other's wait for each other's exit: a
//! wait that can only end with the waiting thread's own exit. CPython's
//! `shutdown(wait=True)` joins the threads, and `Thread.join` refuses the
//! one join it can see is hopeless: `RuntimeError: cannot join current
//! thread`. We refuse every such wait: the second waiter of the cycle does
//! not wait (`Pool.join()` raises that `RuntimeError`), so both calls
//! return and both executors finish. (Ours hung forever.)

mod common;

use std::sync::{Arc, Mutex};

use executor_api::concurrent::futures::{Future, ThreadPoolExecutor};
use executor_api::multiprocessing::Pool;
use executor_api::threading::Event;
use executor_api::{PyException, PyResult};

/// Runs `a_body(b)` on a worker of `a` and `b_body(a)` on a worker of `b`,
/// both inside at once.
fn cross<T: Send + 'static>(
    a_body: impl FnOnce() -> T + Send + 'static,
    b_body: impl FnOnce() -> T + Send + 'static,
    a: &ThreadPoolExecutor,
    b: &ThreadPoolExecutor,
) -> (Future<()>, Future<()>, Arc<Mutex<Vec<T>>>) {
    let out = Arc::new(Mutex::new(Vec::new()));
    let (in_a, in_b) = (Event::new(), Event::new());
    let (ia, ib, oa) = (in_a.clone(), in_b.clone(), out.clone());
    let fa = a
        .submit(move || {
            ia.set();
            ib.wait(None);
            let r = a_body();
            oa.lock().unwrap().push(r);
        })
        .unwrap();
    let (ia, ib, ob) = (in_a, in_b, out.clone());
    let fb = b
        .submit(move || {
            ib.set();
            ia.wait(None);
            let r = b_body();
            ob.lock().unwrap().push(r);
        })
        .unwrap();
    (fa, fb, out)
}

#[test]
fn two_executors_shutting_each_other_down_from_inside_both_return() {
    common::watchdog("cross shutdown(wait=True)", || {
        for _ in 0..50 {
            let a = ThreadPoolExecutor::new(Some(2)).unwrap();
            let b = ThreadPoolExecutor::new(Some(2)).unwrap();
            let (a2, b2) = (a.clone(), b.clone());
            let (fa, fb, _) = cross(
                move || b2.shutdown(true, false),
                move || a2.shutdown(true, false),
                &a,
                &b,
            );
            fa.result(None).unwrap();
            fb.result(None).unwrap();
            a.shutdown(true, false);
            b.shutdown(true, false);
            assert_eq!(a.live_threads() + b.live_threads(), 0);
        }
    });
}

#[test]
fn two_executors_dropping_each_other_from_inside_both_return() {
    common::watchdog("cross drop", || {
        for _ in 0..50 {
            let a = ThreadPoolExecutor::new(Some(2)).unwrap();
            let b = ThreadPoolExecutor::new(Some(2)).unwrap();
            // Each task holds the last handle of the other executor.
            let (a_handle, b_handle) = (a.clone(), b.clone());
            let (fa, fb, _) = cross(move || drop(b_handle), move || drop(a_handle), &a, &b);
            let watch_a = a.clone();
            let watch_b = b.clone();
            drop(a);
            drop(b);
            fa.result(None).unwrap();
            fb.result(None).unwrap();
            drop((watch_a, watch_b));
        }
    });
}

#[test]
fn a_ring_of_three_executors_shutting_the_next_down_returns() {
    common::watchdog("ring of 3 shutdowns", || {
        for _ in 0..20 {
            let ex: Vec<ThreadPoolExecutor> = (0..3)
                .map(|_| ThreadPoolExecutor::new(Some(1)).unwrap())
                .collect();
            let inside: Vec<Event> = (0..3).map(|_| Event::new()).collect();
            let fs: Vec<Future<()>> = (0..3)
                .map(|i| {
                    let next = ex[(i + 1) % 3].clone();
                    let all = inside.clone();
                    ex[i]
                        .submit(move || {
                            all[i].set();
                            all.iter().for_each(|e| {
                                e.wait(None);
                            });
                            next.shutdown(true, false);
                        })
                        .unwrap()
                })
                .collect();
            for f in fs {
                f.result(None).unwrap();
            }
        }
    });
}

#[test]
fn two_pools_joining_each_other_from_inside_raise_cannot_join_current_thread() {
    common::watchdog("cross Pool.join", || {
        let a = Arc::new(Pool::new(Some(1)).unwrap());
        let b = Arc::new(Pool::new(Some(1)).unwrap());
        let (in_a, in_b) = (Event::new(), Event::new());
        let (a2, b2) = (a.clone(), b.clone());
        let (ia, ib) = (in_a.clone(), in_b.clone());
        let ra = a
            .apply_async(
                move || -> PyResult<()> {
                    ia.set();
                    ib.wait(None);
                    b2.close();
                    b2.join()
                },
                None,
                None,
            )
            .unwrap();
        let rb = b
            .apply_async(
                move || -> PyResult<()> {
                    in_b.set();
                    in_a.wait(None);
                    a2.close();
                    a2.join()
                },
                None,
                None,
            )
            .unwrap();
        let outcomes: Vec<PyResult<()>> = vec![ra.get(None), rb.get(None)];
        let refused: Vec<&PyException> = outcomes.iter().filter_map(|r| r.as_ref().err()).collect();
        assert_eq!(
            refused.len(),
            1,
            "exactly the second waiter is refused: {outcomes:?}"
        );
        assert_eq!(
            refused[0].to_string(),
            "RuntimeError: cannot join current thread"
        );
    });
}
