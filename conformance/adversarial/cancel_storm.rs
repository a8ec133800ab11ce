//! Claim: a storm of `cancel()` calls from several threads on thousands of
//! queued futures, while the workers free up and start taking them, leaves
//! every future in exactly one end state: each call either ran (its future
//! finished) or was cancelled (it never runs), each future's done-callback
//! runs exactly once, and `cancel()` agrees with the end state (`True` for
//! a cancelled future, also when called again, `False` once it ran).
//! CPython: the same (`cancel` and the worker's
//! `set_running_or_notify_cancel` both take the future's condition).

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use executor_api::concurrent::futures::{Future, ThreadPoolExecutor};
use executor_api::threading::Event;

const N: usize = 5_000;
const CANCELLERS: usize = 4;

#[test]
fn concurrent_cancels_of_thousands_of_queued_futures_leave_one_end_state_each() {
    common::watchdog("cancel storm", || {
        for _ in 0..5 {
            let ex = ThreadPoolExecutor::new(Some(2)).unwrap();
            let gate = Event::new();
            // Both workers wait at the gate, so the N calls stay queued
            // until the storm has started.
            let blockers: Vec<Future<bool>> = (0..2)
                .map(|_| {
                    let g = gate.clone();
                    ex.submit(move || g.wait(None)).unwrap()
                })
                .collect();
            let ran = Arc::new(AtomicUsize::new(0));
            let callbacks = Arc::new(AtomicUsize::new(0));
            let fs: Arc<Vec<Future<usize>>> = Arc::new(
                (0..N)
                    .map(|i| {
                        let ran = ran.clone();
                        let f = ex
                            .submit(move || {
                                ran.fetch_add(1, Ordering::Relaxed);
                                i
                            })
                            .unwrap();
                        let c = callbacks.clone();
                        f.add_done_callback(move |_| {
                            c.fetch_add(1, Ordering::Relaxed);
                        });
                        f
                    })
                    .collect(),
            );
            let cancellers: Vec<_> = (0..CANCELLERS)
                .map(|k| {
                    let fs = fs.clone();
                    let gate = gate.clone();
                    std::thread::spawn(move || {
                        // Each canceller walks all futures from its own
                        // starting point; the first opens the gate half-way.
                        let mut won = 0;
                        for j in 0..N {
                            if k == 0 && j == N / 2 {
                                gate.set();
                            }
                            if fs[(j + k * N / CANCELLERS) % N].cancel() {
                                won += 1;
                            }
                        }
                        won
                    })
                })
                .collect();
            for c in cancellers {
                c.join().unwrap();
            }
            gate.set();
            for b in blockers {
                assert!(b.result(None).unwrap());
            }
            ex.shutdown(true, false);
            let cancelled = fs.iter().filter(|f| f.cancelled()).count();
            let finished: Vec<&Future<usize>> = fs.iter().filter(|f| !f.cancelled()).collect();
            assert!(fs.iter().all(Future::done));
            assert_eq!(finished.len(), ran.load(Ordering::SeqCst));
            assert_eq!(cancelled + finished.len(), N);
            assert_eq!(
                callbacks.load(Ordering::SeqCst),
                N,
                "one callback per future"
            );
            // cancel() agrees with the end state, also called again.
            assert!(fs.iter().filter(|f| f.cancelled()).all(|f| f.cancel()));
            assert!(finished.iter().all(|f| !f.cancel()));
            for f in finished {
                assert!(f.result(None).unwrap() < N);
            }
        }
    });
}
