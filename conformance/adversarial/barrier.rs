//! Claim: a `threading.Barrier` can be reused for as many generations as
//! the program likes; a waiter returns its index unless somebody aborted,
//! reset, timed out or had the action fail. CPython's `Barrier` keeps a
//! `_state` (filling, draining, resetting, broken) and a `_count`: a thread
//! arriving while the previous generation still drains waits for it to
//! drain, so `Barrier(2)` cycled by 3 or 4 threads never raises
//! `BrokenBarrierError`. (Ours raised it after a few hundred passes: a slow
//! waiter of generation g saw g+1 released and took that for a break.)

mod common;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use executor_api::threading::{Action, Barrier, Thread};
use executor_api::PyResult;

/// `threads` threads pass `Barrier(parties)` until `generations` have
/// been released; then one of them sets `stop` and aborts the barrier, so
/// that nobody waits for a partner who has left. Any `BrokenBarrierError`
/// before `stop` is spurious.
fn cycle(parties: usize, threads: usize, generations: usize, with_action: bool) {
    let actions = Arc::new(AtomicUsize::new(0));
    let a = actions.clone();
    let action: Option<Action> = with_action.then(|| {
        Arc::new(move || -> PyResult<()> {
            a.fetch_add(1, Ordering::Relaxed);
            Ok(())
        }) as Action
    });
    let b = Barrier::new(parties, action, None);
    let released = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let spurious = Arc::new(AtomicUsize::new(0));
    let ts: Vec<Thread> = (0..threads)
        .map(|_| {
            let (b, released, stop, spurious) =
                (b.clone(), released.clone(), stop.clone(), spurious.clone());
            let t = Thread::new(move || {
                while !stop.load(Ordering::SeqCst) {
                    match b.wait(None) {
                        Ok(i) => {
                            assert!(i < parties, "index {i} out of 0..{parties}");
                            if i == 0 && released.fetch_add(1, Ordering::SeqCst) + 1 >= generations
                            {
                                stop.store(true, Ordering::SeqCst);
                                b.abort();
                            }
                        }
                        Err(_) => {
                            if !stop.load(Ordering::SeqCst) {
                                spurious.fetch_add(1, Ordering::SeqCst);
                            }
                            return;
                        }
                    }
                }
            });
            t.start().unwrap();
            t
        })
        .collect();
    for t in &ts {
        t.join(None).unwrap();
    }
    assert_eq!(
        spurious.load(Ordering::SeqCst),
        0,
        "BrokenBarrierError while nobody broke the barrier"
    );
    let done = released.load(Ordering::SeqCst);
    assert!(done >= generations, "{done} generations");
    if with_action {
        // The action runs once per generation, before its release.
        assert!(actions.load(Ordering::Relaxed) >= done);
    }
}

#[test]
fn barrier_2_cycled_by_4_threads_never_breaks() {
    common::watchdog("Barrier(2) x 4 threads x 2000", || cycle(2, 4, 4000, false));
}

#[test]
fn barrier_2_cycled_by_3_threads_with_an_action_never_breaks() {
    common::watchdog("Barrier(2, action) x 3 threads", || cycle(2, 3, 3000, true));
}

#[test]
fn barrier_3_cycled_by_6_threads_never_breaks() {
    common::watchdog("Barrier(3) x 6 threads", || cycle(3, 6, 2000, false));
}
