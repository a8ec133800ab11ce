//! The executor on ranks that are threads of this process
//! ([`pyrt_mpi::LocalTransport`]): the checks of `tests/common` (which
//! `tests/mpi.rs` runs under `mpirun`), and those that need to hold a call
//! running on a rank, which only threads sharing an `Event` can do.

mod common;

use pyrt_executor::concurrent::futures::Future;
use pyrt_executor::threading::Event;
use pyrt_executor::{PyClass, PyResult};
use pyrt_mpi::{
    run_local, run_local_with, MpiCommExecutor, MpiPool, MpiPoolExecutor, Registry, RemoteFn,
};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

const WATCHDOG: Duration = Duration::from_secs(120);

/// Runs `body` on a thread; a body that has not returned after
/// [`WATCHDOG`] fails the test instead of hanging it.
fn watchdog<R: Send + 'static>(body: impl FnOnce() -> R + Send + 'static) -> R {
    let (tx, rx) = mpsc::channel();
    let handle = std::thread::spawn(move || {
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(body));
        let _ = tx.send(());
        r
    });
    match rx.recv_timeout(WATCHDOG) {
        Ok(()) => match handle.join().expect("the body's panic is caught") {
            Ok(r) => r,
            Err(p) => std::panic::resume_unwind(p),
        },
        Err(_) => panic!("hung: no result after {WATCHDOG:?}"),
    }
}

fn check(name: &str) {
    let (_, f) = *common::CHECKS
        .iter()
        .find(|(n, _)| *n == name)
        .expect("a check of that name");
    watchdog(move || run_local(3, common::build, f)).expect(name);
}

macro_rules! checks {
    ($($name:ident)*) => { $(#[test] fn $name() { check(stringify!($name)); })* };
}

checks! {
    submit_then_result
    raised_user_exception_keeps_its_class
    panic_becomes_panic_exception
    system_exit_keeps_its_code
    unknown_function_fails_at_submit
    unserialisable_argument_fails_at_submit
    map_keeps_order_with_and_without_chunks
    map_stops_at_the_first_exception
    futures_mix_with_local_ones
    done_callbacks_and_await
    large_payloads_cross
    every_rank_gets_work
    pool_face
}

#[test]
fn every_common_check_has_a_test_here() {
    let here = include_str!("local.rs");
    for (name, _) in common::CHECKS {
        assert!(
            here.contains(&format!("\n    {name}\n")),
            "{name} is not run by tests/local.rs"
        );
    }
}

#[test]
fn shutdown_closes_submissions() {
    watchdog(|| run_local(3, common::build, common::shutdown_closes_submissions)).unwrap();
}

/// A registry with `gate`, whose calls wait for `open`; each rank gets
/// one thread, so two calls hold both worker ranks of a 3-rank job.
fn gated(open: Event) -> impl Fn(&mut Registry) + Send + Sync + 'static {
    move |r: &mut Registry| {
        common::build(r);
        let open = open.clone();
        let _: RemoteFn<u64, u64> = r.register("gate", move |x: u64| {
            open.wait(None);
            x
        });
    }
}

fn one_thread() -> pyrt_mpi::MpiExecutorBuilder {
    MpiCommExecutor::builder()
        .threads_per_rank(Some(1))
        .prefetch_per_rank(Some(0))
}

/// The gate's handle and the two calls holding both ranks.
type Held = (RemoteFn<u64, u64>, Vec<Future<u64>>);

/// Two gate calls hold both ranks.
fn hold_both(ex: &MpiPoolExecutor) -> PyResult<Held> {
    assert_eq!(ex.max_workers(), 2);
    let gate = ex.function::<u64, u64>("gate")?;
    let running = vec![ex.submit(&gate, 1)?, ex.submit(&gate, 2)?];
    Ok((gate, running))
}

#[test]
fn cancel_works_while_queued_at_the_master_only() {
    let open = Event::new();
    let o = open.clone();
    watchdog(move || {
        run_local_with(one_thread(), 3, gated(o.clone()), |ex| {
            let (gate, running) = hold_both(ex)?;
            let queued = ex.submit(&gate, 3)?;
            assert!(!queued.running() && !queued.done());
            assert!(queued.cancel());
            assert!(queued.cancelled());
            expect_cancelled(queued.result(None));
            // Sent calls are running: cancel() refuses.
            assert!(running.iter().all(|f| f.running() && !f.cancel()));
            o.set();
            assert_eq!(running[0].result(None)? + running[1].result(None)?, 3);
            Ok(())
        })
    })
    .unwrap();
    assert!(open.is_set());
}

fn expect_cancelled<T: std::fmt::Debug>(r: PyResult<T>) {
    match r {
        Err(e) if e.is_instance_of(&PyClass::CancelledError) => {}
        other => panic!("expected CancelledError, got {other:?}"),
    }
}

#[test]
fn result_timeout_raises_timeout_error() {
    let open = Event::new();
    let o = open.clone();
    watchdog(move || {
        run_local_with(one_thread(), 3, gated(o.clone()), |ex| {
            let (gate, running) = hold_both(ex)?;
            let e = running[0]
                .result(Some(Duration::from_millis(20)))
                .unwrap_err();
            assert_eq!(e.to_string(), "TimeoutError");
            // map's timeout counts from the call and cancels what is left.
            let mut it = ex.map(&gate, vec![10, 11], Some(Duration::from_millis(20)), None)?;
            assert_eq!(
                it.next().map(|r| r.unwrap_err().to_string()),
                Some("TimeoutError".into())
            );
            assert!(it.next().is_none());
            o.set();
            for f in running {
                f.result(None)?;
            }
            Ok(())
        })
    })
    .unwrap();
}

#[test]
fn shutdown_cancel_futures_cancels_the_queue_and_finishes_the_rest() {
    let open = Event::new();
    let o = open.clone();
    watchdog(move || {
        run_local_with(one_thread(), 3, gated(o.clone()), |ex| {
            let (gate, running) = hold_both(ex)?;
            let queued: Vec<Future<u64>> = (0..5)
                .map(|x| ex.submit(&gate, x))
                .collect::<PyResult<_>>()?;
            ex.shutdown(false, true);
            assert!(queued.iter().all(Future::cancelled));
            // Open the gate only now: the queue was cancelled while both
            // ranks were busy.
            o.set();
            ex.shutdown(true, false);
            assert_eq!(running[0].result(Some(Duration::ZERO))?, 1);
            assert_eq!(running[1].result(Some(Duration::ZERO))?, 2);
            Ok(())
        })
    })
    .unwrap();
}

#[test]
fn pool_terminate_cancels_its_queued_calls() {
    let open = Event::new();
    let o = open.clone();
    watchdog(move || {
        run_local_with(one_thread(), 3, gated(o.clone()), |ex| {
            let (gate, running) = hold_both(ex)?;
            let pool = MpiPool::new(ex);
            let queued = pool.apply_async(&gate, 7)?;
            pool.terminate();
            expect_cancelled(queued.get(None));
            pool.join()?;
            o.set();
            for f in running {
                f.result(None)?;
            }
            Ok(())
        })
    })
    .unwrap();
}

#[test]
fn a_job_of_one_rank_serves_itself() {
    watchdog(|| {
        run_local(1, common::build, |ex| {
            assert_eq!(ex.num_workers(), 1);
            let square = ex.function::<u64, u64>("square")?;
            assert_eq!(ex.submit(&square, 11)?.result(None)?, 121);
            Ok(())
        })
    })
    .unwrap();
}

#[test]
fn an_arc_registry_is_the_same_everywhere() {
    // Each rank builds its own table; handles made on rank 0 name
    // functions every rank has.
    let built = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let b = built.clone();
    watchdog(move || {
        run_local(
            4,
            move |r| {
                b.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                common::build(r);
            },
            |ex| {
                assert_eq!(ex.size(), 4);
                assert_eq!(ex.num_workers(), 3);
                Ok(())
            },
        )
    })
    .unwrap();
    assert_eq!(built.load(std::sync::atomic::Ordering::SeqCst), 4);
}
