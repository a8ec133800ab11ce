//! `threading`: CPython's behaviour and messages, and blocking inside the
//! pool without starving it.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use pyrt_executor::concurrent::futures::{Future, ThreadPoolExecutor};
use pyrt_executor::threading::{
    active_count, current_thread, enumerate, get_ident, main_thread, Barrier, BoundedSemaphore,
    Condition, Event, Local, Lock, RLock, Semaphore, Thread, Timer,
};
use pyrt_executor::{PyException, PyResult};

fn msg(e: PyException) -> String {
    e.to_string()
}

#[test]
fn lock_acquire_release_and_errors() -> PyResult<()> {
    let l = Lock::new();
    assert!(l.acquire(None, None)?);
    assert!(l.locked());
    assert!(!l.acquire(Some(false), None)?);
    assert!(!l.acquire(Some(true), Some(0.01))?);
    assert_eq!(
        msg(l.acquire(Some(false), Some(1.0)).unwrap_err()),
        "ValueError: can't specify a timeout for a non-blocking call"
    );
    assert_eq!(
        msg(l.acquire(Some(true), Some(-2.0)).unwrap_err()),
        "ValueError: timeout value must be positive"
    );
    // Any thread may release a Lock.
    let l2 = l.clone();
    std::thread::spawn(move || l2.release().unwrap())
        .join()
        .unwrap();
    assert_eq!(
        msg(l.release().unwrap_err()),
        "RuntimeError: release unlocked lock"
    );
    {
        let _g = l.with()?;
        assert!(l.locked());
    }
    assert!(!l.locked());
    Ok(())
}

#[test]
fn rlock_is_reentrant_and_owned() -> PyResult<()> {
    let r = RLock::new();
    r.acquire(None, None)?;
    r.acquire(None, None)?;
    let r2 = r.clone();
    let other = std::thread::spawn(move || {
        (
            r2.acquire(Some(false), None).unwrap(),
            r2.release().unwrap_err().to_string(),
        )
    })
    .join()
    .unwrap();
    assert_eq!(
        other,
        (
            false,
            "RuntimeError: cannot release un-acquired lock".into()
        )
    );
    r.release()?;
    r.release()?;
    assert!(r.release().is_err());
    Ok(())
}

#[test]
fn condition_producer_consumer() -> PyResult<()> {
    let cond = Condition::new(None);
    let items: Arc<Mutex<Vec<u32>>> = Arc::default();
    let consumers: Vec<_> = (0..3)
        .map(|_| {
            let cond = cond.clone();
            let items = items.clone();
            std::thread::spawn(move || -> PyResult<u32> {
                let _g = cond.with()?;
                assert!(cond.wait_for(|| !items.lock().unwrap().is_empty(), None)?);
                Ok(items.lock().unwrap().pop().unwrap())
            })
        })
        .collect();
    for i in 1..=3 {
        let _g = cond.with()?;
        items.lock().unwrap().push(i);
        cond.notify(None)?;
    }
    let mut got: Vec<u32> = consumers
        .into_iter()
        .map(|c| c.join().unwrap().unwrap())
        .collect();
    got.sort();
    assert_eq!(got, vec![1, 2, 3]);
    Ok(())
}

#[test]
fn condition_errors_and_timeouts() -> PyResult<()> {
    let cond = Condition::new(Some(Lock::new().into()));
    assert_eq!(
        msg(cond.wait(Some(0.0)).unwrap_err()),
        "RuntimeError: cannot wait on un-acquired lock"
    );
    assert_eq!(
        msg(cond.notify(None).unwrap_err()),
        "RuntimeError: cannot notify on un-acquired lock"
    );
    let _g = cond.with()?;
    assert!(!cond.wait(Some(0.01))?);
    assert!(!cond.wait_for(|| false, Some(0.01))?);
    cond.notify_all()?;
    Ok(())
}

#[test]
fn semaphores_count_and_bound() -> PyResult<()> {
    assert_eq!(
        msg(Semaphore::new(Some(-1)).unwrap_err()),
        "ValueError: semaphore initial value must be >= 0"
    );
    let s = Semaphore::new(Some(2))?;
    assert!(s.acquire(None, None)?);
    assert!(s.acquire(None, None)?);
    assert!(!s.acquire(Some(false), None)?);
    assert!(!s.acquire(Some(true), Some(0.01))?);
    assert_eq!(
        msg(s.acquire(Some(false), Some(1.0)).unwrap_err()),
        "ValueError: can't specify timeout for non-blocking acquire"
    );
    s.release(Some(2))?;
    s.release(None)?; // unbounded: fine
    let b = BoundedSemaphore::new(None)?;
    assert!(b.acquire(None, None)?);
    b.release(None)?;
    assert_eq!(
        msg(b.release(None).unwrap_err()),
        "ValueError: Semaphore released too many times"
    );
    // At most `value` holders at once.
    let sem = Semaphore::new(Some(2))?;
    let inside = Arc::new(AtomicUsize::new(0));
    let max = Arc::new(AtomicUsize::new(0));
    std::thread::scope(|sc| {
        for _ in 0..6 {
            let (sem, inside, max) = (sem.clone(), inside.clone(), max.clone());
            sc.spawn(move || {
                for _ in 0..200 {
                    let _g = sem.with().unwrap();
                    let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                    max.fetch_max(now, Ordering::SeqCst);
                    inside.fetch_sub(1, Ordering::SeqCst);
                }
            });
        }
    });
    assert!(max.load(Ordering::SeqCst) <= 2);
    Ok(())
}

#[test]
fn event_set_clear_wait() {
    let e = Event::new();
    assert!(!e.wait(Some(0.01)));
    assert!(!e.wait(Some(-1.0)));
    let e2 = e.clone();
    let t = std::thread::spawn(move || e2.wait(None));
    e.set();
    assert!(t.join().unwrap());
    e.clear();
    assert!(!e.is_set());
}

#[test]
fn barrier_indices_action_abort_reset_timeout() -> PyResult<()> {
    let actions = Arc::new(AtomicUsize::new(0));
    let a = actions.clone();
    let b = Barrier::new(
        3,
        Some(Arc::new(move || {
            a.fetch_add(1, Ordering::SeqCst);
            Ok(())
        })),
        None,
    );
    for _round in 0..2 {
        let mut idx: Vec<usize> = std::thread::scope(|s| {
            let hs: Vec<_> = (0..3)
                .map(|_| {
                    let b = b.clone();
                    s.spawn(move || b.wait(None).unwrap())
                })
                .collect();
            hs.into_iter().map(|h| h.join().unwrap()).collect()
        });
        idx.sort();
        assert_eq!(idx, vec![0, 1, 2]);
    }
    assert_eq!(actions.load(Ordering::SeqCst), 2);
    assert_eq!((b.parties(), b.n_waiting(), b.broken()), (3, 0, false));

    // A timeout breaks the barrier for everyone.
    let e = b.wait(Some(0.01)).unwrap_err();
    assert_eq!(e.name(), "BrokenBarrierError");
    assert!(b.broken());
    assert_eq!(b.wait(None).unwrap_err().name(), "BrokenBarrierError");
    b.reset();
    assert!(!b.broken());

    // Abort wakes a waiter with BrokenBarrierError.
    let b2 = Barrier::new(2, None, None);
    let waiter = {
        let b2 = b2.clone();
        std::thread::spawn(move || b2.wait(None))
    };
    while b2.n_waiting() == 0 {
        std::thread::yield_now();
    }
    b2.abort();
    assert_eq!(
        waiter.join().unwrap().unwrap_err().name(),
        "BrokenBarrierError"
    );
    Ok(())
}

#[test]
fn threads_start_join_names_and_errors() -> PyResult<()> {
    let ran = Arc::new(AtomicUsize::new(0));
    let r = ran.clone();
    let t = Thread::builder().target_name("work").build(move || {
        r.fetch_add(1, Ordering::SeqCst);
    });
    assert!(t.name().starts_with("Thread-") && t.name().ends_with(" (work)"));
    assert_eq!(
        msg(t.join(None).unwrap_err()),
        "RuntimeError: cannot join thread before it is started"
    );
    assert_eq!(t.ident(), None);
    t.start()?;
    assert_eq!(
        msg(t.start().unwrap_err()),
        "RuntimeError: threads can only be started once"
    );
    t.join(None)?;
    assert!(!t.is_alive());
    assert_eq!(ran.load(Ordering::SeqCst), 1);
    assert!(t.ident().is_some() && t.ident() != Some(get_ident()));

    // A thread sees itself; joining yourself is an error.
    let gate = Event::new();
    let g = gate.clone();
    let me = Thread::builder()
        .name("self-joiner")
        .build(move || -> PyResult<()> {
            let cur = current_thread();
            assert_eq!(cur.name(), "self-joiner");
            let e = cur.join(None).unwrap_err();
            assert_eq!(e.to_string(), "RuntimeError: cannot join current thread");
            g.wait(None);
            Ok(())
        });
    me.start()?;
    assert!(me.is_alive());
    assert!(enumerate().iter().any(|t| t.name() == "self-joiner"));
    assert!(active_count() >= 2);
    gate.set();
    me.join(None)?;
    assert_eq!(main_thread().name(), "MainThread");

    // A raising target ends its thread; the exception is reported.
    let bad = Thread::new(|| -> PyResult<()> { Err(PyException::ValueError("boom".into())) });
    bad.start()?;
    bad.join(None)?;
    assert!(!bad.is_alive());
    Ok(())
}

#[test]
fn timer_fires_or_is_cancelled() -> PyResult<()> {
    let fired = Event::new();
    let f = fired.clone();
    let t = Timer::new(0.0, move || f.set());
    t.start()?;
    t.join(None)?;
    assert!(fired.is_set());
    let count = Arc::new(AtomicUsize::new(0));
    let c = count.clone();
    let t = Timer::new(1e6, move || {
        c.fetch_add(1, Ordering::SeqCst);
    });
    t.start()?;
    t.cancel();
    t.join(None)?;
    assert_eq!(count.load(Ordering::SeqCst), 0);
    Ok(())
}

#[test]
fn local_values_are_per_thread() {
    let l: Local<String> = Local::new();
    l.set("main".into());
    std::thread::scope(|s| {
        s.spawn(|| {
            assert_eq!(l.get(), None);
            l.set("other".into());
            assert_eq!(l.get().as_deref(), Some("other"));
        });
    });
    assert_eq!(l.get().as_deref(), Some("main"));
    assert_eq!(l.take().as_deref(), Some("main"));
    assert_eq!(l.get(), None);
}

#[test]
fn waits_inside_a_one_worker_pool_are_rescued_only_when_asked() -> PyResult<()> {
    // CPython's one thread would block in `e.wait()` forever; the opt-in
    // starvation rescue runs the setter on an extra worker.
    let ex = ThreadPoolExecutor::builder()
        .max_workers(Some(1))
        .starvation_rescue(std::time::Duration::from_millis(20))
        .build()?;
    let event = Event::new();
    let lock = Lock::new();
    lock.acquire(None, None)?;
    let sem = Semaphore::new(Some(0))?;
    let (e, l, s) = (event.clone(), lock.clone(), sem.clone());
    let waiter: Future<bool> = ex.submit(move || -> PyResult<bool> {
        let a = e.wait(None);
        let b = l.acquire(None, None)?;
        let c = s.acquire(None, None)?;
        Ok(a && b && c)
    })?;
    let (e, l, s) = (event.clone(), lock.clone(), sem.clone());
    let setter: Future<()> = ex.submit(move || -> PyResult<()> {
        e.set();
        l.release()?;
        s.release(None)
    })?;
    assert!(waiter.result(None)?);
    setter.result(None)?;
    Ok(())
}

#[test]
fn condition_wait_inside_the_pool() -> PyResult<()> {
    // Room for the three waiters and the notifier at once (with fewer
    // workers CPython would deadlock).
    let ex = ThreadPoolExecutor::new(Some(4))?;
    let cond = Condition::new(None);
    let ready = Arc::new(AtomicUsize::new(0));
    let waiters: Vec<Future<()>> = (0..3)
        .map(|_| {
            let (cond, ready) = (cond.clone(), ready.clone());
            ex.submit(move || -> PyResult<()> {
                let _g = cond.with()?;
                cond.wait_for(|| ready.load(Ordering::SeqCst) > 0, None)?;
                Ok(())
            })
        })
        .collect::<PyResult<_>>()?;
    let (c, r) = (cond.clone(), ready.clone());
    let notifier: Future<()> = ex.submit(move || -> PyResult<()> {
        let _g = c.with()?;
        r.store(1, Ordering::SeqCst);
        c.notify_all()
    })?;
    notifier.result(None)?;
    for w in &waiters {
        w.result(None)?;
    }
    Ok(())
}

#[test]
fn a_task_holding_a_lock_does_not_run_other_tasks_inside_its_critical_section() -> PyResult<()> {
    // With one worker, task A holds an RLock and waits for an Event that a
    // later task C sets. Task B (queued before C) takes the same RLock. If A
    // helped while holding the lock, B would enter the critical section on
    // A's thread ("reentrantly") while A is inside it.
    let ex = ThreadPoolExecutor::new(Some(1))?;
    let rlock = RLock::new();
    let inside = Arc::new(AtomicUsize::new(0));
    let overlap = Arc::new(AtomicUsize::new(0));
    let event = Event::new();
    let started = Event::new();
    let (l, i, e, s) = (
        rlock.clone(),
        inside.clone(),
        event.clone(),
        started.clone(),
    );
    let a: Future<()> = ex.submit(move || -> PyResult<()> {
        let _g = l.with()?;
        i.fetch_add(1, Ordering::SeqCst);
        s.set();
        e.wait(None);
        i.fetch_sub(1, Ordering::SeqCst);
        Ok(())
    })?;
    started.wait(None);
    let (l, i, o) = (rlock.clone(), inside.clone(), overlap.clone());
    let b: Future<()> = ex.submit(move || -> PyResult<()> {
        let _g = l.with()?;
        if i.load(Ordering::SeqCst) > 0 {
            o.fetch_add(1, Ordering::SeqCst);
        }
        Ok(())
    })?;
    // The setter runs on another thread: A parks (it holds a lock) instead
    // of running B and C on its own stack.
    let e = event.clone();
    std::thread::spawn(move || e.set()).join().unwrap();
    a.result(None)?;
    b.result(None)?;
    assert_eq!(overlap.load(Ordering::SeqCst), 0);
    Ok(())
}

#[test]
#[should_panic(expected = "lent to an enclosing Local::with")]
fn using_a_local_inside_its_own_with_panics_instead_of_deadlocking() {
    let l: Local<u8> = Local::new();
    l.set(1);
    l.with(|_| l.get());
}

#[test]
fn a_local_subclass_init_runs_once_per_thread_and_names_its_errors() {
    let runs = Arc::new(AtomicUsize::new(0));
    let r = runs.clone();
    let l: Local<usize> =
        Local::with_init(move || r.fetch_add(1, Ordering::SeqCst)).named("MyLocal");
    assert_eq!(l.get(), Some(0));
    let l2 = l.clone();
    std::thread::spawn(move || {
        assert_eq!(l2.take_attr("x").unwrap(), 1);
        assert_eq!(
            l2.getattr("x").unwrap_err().to_string(),
            "AttributeError: 'MyLocal' object has no attribute 'x'"
        );
    })
    .join()
    .unwrap();
    assert_eq!(
        runs.load(Ordering::SeqCst),
        2,
        "__init__ ran once in each thread"
    );
}

/// Uses about `n` KiB of stack (each level keeps a 1 KiB buffer alive).
fn deep(n: u32) -> u32 {
    let buf = std::hint::black_box([n as u8; 1024]);
    if n == 0 {
        return 0;
    }
    let below = deep(n - 1);
    // Used after the call: the buffer stays on this frame during it.
    std::hint::black_box(&buf);
    1 + below
}

#[test]
fn a_thread_built_with_stack_size_runs_recursion_the_default_stack_cannot_hold() -> PyResult<()> {
    // ~6 MiB of frames: past std's 2 MiB default, within the 32 MiB asked for.
    let t = Thread::builder()
        .stack_size(32 << 20)
        .build(|| assert_eq!(deep(6 * 1024), 6 * 1024));
    t.start()?;
    t.join(None)?;
    Ok(())
}

#[test]
fn a_pool_built_with_stack_size_gives_its_workers_that_stack() -> PyResult<()> {
    use pyrt_executor::concurrent::futures::ThreadPoolExecutor;
    let ex = ThreadPoolExecutor::builder()
        .max_workers(Some(1))
        .stack_size(8 << 20)
        .build()?;
    let left = ex
        .submit(pyrt_scheduler::ext::remaining_stack)?
        .result(None)?;
    let left = left.expect("a worker knows its stack");
    // More than std's 2 MiB default could leave, no more than asked for.
    assert!(left > 4 << 20 && left <= 8 << 20, "{left}");
    Ok(())
}

/// The permit count holds 2**63 - 1 permits (`threading/permits.rs`):
/// a release past that raises `OverflowError` and changes nothing, where
/// CPython's unbounded int would grow (docs/python-mapping.md).
#[test]
fn semaphore_release_past_63_bits_raises_overflow_error() -> PyResult<()> {
    let s = Semaphore::new(Some(i64::MAX))?;
    assert_eq!(
        msg(s.release(None).unwrap_err()),
        "OverflowError: semaphore value cannot exceed 9223372036854775807"
    );
    assert_eq!(
        format!("{s:?}"),
        "<threading.Semaphore: value=9223372036854775807>"
    );
    assert!(s.acquire(Some(false), None)?);
    s.release(None)?; // back at the top, which fits
    Ok(())
}
