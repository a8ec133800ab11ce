//! Ports of CPython 3.11's `Lib/test/test_threading.py` (see `SKIPPED.md` for the
//! tests that cannot apply, with the reason).
//!
//! CPython runs these tests in `MainThread`, a non-daemon thread, so the
//! threads they make default to non-daemon; the tests whose assertions see
//! that (`repr`, `daemon`) run in a non-daemon `Thread` here
//! ([`common::in_python_thread`]). Assertions made inside threads go
//! through [`CheckedThread`], so that they fail the test.

mod common;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

use common::{assert_raises, in_python_thread, watchdog, CheckedThread};
use executor_api::threading::{
    current_thread, enumerate, get_ident, get_native_id, main_thread, stack_size, BoundedSemaphore,
    Event, Lock, RLock, Semaphore, Thread, Timer,
};
use executor_api::{PyClass, PyException, PyResult, SystemExitCode};

/// `repr(t)`.
fn repr(t: &Thread) -> String {
    format!("{t:?}")
}

/// Whether `name` is `Thread-N` followed by `tail`.
fn is_default_name(name: &str, tail: &str) -> bool {
    name.strip_prefix("Thread-")
        .and_then(|rest| rest.strip_suffix(tail))
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

// CPython: test_threading.ThreadTests.test_name
#[test]
fn thread_tests_test_name() {
    let thread = Thread::builder().name("myname1").build(|| ());
    assert_eq!(thread.name(), "myname1");

    // Convert int name to str
    let thread = Thread::builder().name(123.to_string()).build(|| ());
    assert_eq!(thread.name(), "123");

    // target name is ignored if name is specified
    let thread = Thread::builder()
        .target_name("func")
        .name("myname2")
        .build(|| ());
    assert_eq!(thread.name(), "myname2");

    // CPython patches `threading._counter` to expect `Thread-2`, `-3`, `-5`;
    // ours counts for the whole process, so the number is any number.
    let thread = Thread::builder().name("").build(|| ());
    assert!(is_default_name(&thread.name(), ""), "{}", thread.name());

    let thread = Thread::new(|| ());
    assert!(is_default_name(&thread.name(), ""), "{}", thread.name());

    let thread = Thread::builder().target_name("func").build(|| ());
    assert!(
        is_default_name(&thread.name(), " (func)"),
        "{}",
        thread.name()
    );
}

// CPython: test_threading.ThreadTests.test_args_argument
#[test]
fn thread_tests_test_args_argument() {
    watchdog(|| {
        // bpo-45735: a list or a tuple as *args*: here the closure captures
        // the argument either way; each target checks the one it gets.
        fn run<A: Send + 'static>(arg: A, target: impl FnOnce(A) + Send + 'static) {
            let t = CheckedThread::new(Thread::builder(), move || target(arg));
            t.start();
            t.join();
        }
        let num_list = [1];
        let num_tuple = (1,);
        let str_list = ["str"];
        let str_tuple = ("str",);
        let list_in_tuple = (vec![1],);
        let tuple_in_list = [(1,)];
        run(num_list[0], |arg| assert_eq!(arg, 1));
        run(num_tuple.0, |arg| assert_eq!(arg, 1));
        run(str_list[0], |arg| assert_eq!(arg, "str"));
        run(str_tuple.0, |arg| assert_eq!(arg, "str"));
        run(list_in_tuple.0, |arg| assert_eq!(arg, vec![1]));
        run(tuple_in_list[0], |arg| assert_eq!(arg, (1,)));
    })
}

/// CPython's `Counter`.
#[derive(Default)]
struct Counter(AtomicI64);

impl Counter {
    fn inc(&self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
    fn dec(&self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
    fn get(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// CPython's `TestThread(name, testcase, sema, mutex, nrunning)`.
fn test_thread(
    name: String,
    sema: Semaphore,
    mutex: RLock,
    nrunning: Arc<Counter>,
    seed: u64,
) -> CheckedThread {
    CheckedThread::new(Thread::builder().name(name), move || {
        // `random.random() / 10000.0` seconds.
        let delay = Duration::from_nanos(seed.wrapping_mul(6364136223846793005) % 100_000);
        let _s = sema.with().unwrap();
        {
            let _m = mutex.with().unwrap();
            nrunning.inc();
            assert!(nrunning.get() <= 3);
        }
        std::thread::sleep(delay); // allow-sleep: CPython's random work time inside the semaphore
        {
            let _m = mutex.with().unwrap();
            nrunning.dec();
            assert!(nrunning.get() >= 0);
        }
    })
}

// CPython: test_threading.ThreadTests.test_various_ops
#[test]
fn thread_tests_test_various_ops() {
    in_python_thread(|| {
        const NUMTASKS: usize = 10;
        // no more than 3 of the 10 can run at once
        let sema = BoundedSemaphore::new(Some(3)).unwrap();
        let mutex = RLock::new();
        let numrunning = Arc::new(Counter::default());
        let mut threads = vec![];
        for i in 0..NUMTASKS {
            let t = test_thread(
                format!("<thread {i}>"),
                sema.clone(),
                mutex.clone(),
                numrunning.clone(),
                i as u64 + 1,
            );
            assert_eq!(t.thread.ident(), None);
            // `^<TestThread\(.*, initial\)>$` (our class is `Thread`)
            let r = repr(&t.thread);
            assert!(
                r.starts_with("<Thread(") && r.ends_with(", initial)>"),
                "{r}"
            );
            t.start();
            threads.push(t);
        }
        let mut native_ids: HashSet<Option<u64>> =
            threads.iter().map(|t| t.thread.native_id()).collect();
        native_ids.insert(Some(get_native_id()));
        assert!(!native_ids.contains(&None));
        assert_eq!(native_ids.len(), NUMTASKS + 1);
        for t in &threads {
            t.join();
            assert!(!t.thread.is_alive());
            assert_ne!(t.thread.ident(), Some(0));
            assert!(t.thread.ident().is_some());
            // `^<TestThread\(.*, stopped -?\d+\)>$`
            let r = repr(&t.thread);
            let status = r
                .strip_prefix("<Thread(")
                .and_then(|r| r.strip_suffix(")>"))
                .and_then(|r| r.rsplit_once(", stopped "))
                .map(|(_, ident)| ident.trim_start_matches('-'));
            assert!(
                status.is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())),
                "{r}"
            );
        }
        assert_eq!(numrunning.get(), 0);
    })
}

/// `test_various_ops` with `threading.stack_size(size)` set, then reset.
fn various_ops_with_stack(size: i64) {
    // (CPython skips when the platform refuses; ours accepts these sizes.)
    stack_size(Some(size)).unwrap();
    let r = std::panic::catch_unwind(thread_tests_test_various_ops);
    stack_size(Some(0)).unwrap();
    if let Err(p) = r {
        std::panic::resume_unwind(p);
    }
}

// CPython: test_threading.ThreadTests.test_various_ops_small_stack
#[test]
fn thread_tests_test_various_ops_small_stack() {
    // run with a small(ish) thread stack size (256 KiB)
    various_ops_with_stack(262144)
}

// CPython: test_threading.ThreadTests.test_various_ops_large_stack
#[test]
fn thread_tests_test_various_ops_large_stack() {
    // run with a large thread stack size (1 MiB)
    various_ops_with_stack(0x100000)
}

// CPython: test_threading.ThreadTests.test_ident_of_no_threading_threads
#[test]
fn thread_tests_test_ident_of_no_threading_threads() {
    watchdog(|| {
        // The ident still must work for the main thread and dummy threads.
        assert!(current_thread().ident().is_some());
        let done = Event::new();
        let ident: Arc<Mutex<Vec<Option<u64>>>> = Arc::default();
        let (d, i) = (done.clone(), ident.clone());
        // `_thread.start_new_thread(f, ())`, which returns the thread's ident.
        let (tx, rx) = mpsc::channel();
        let h = std::thread::spawn(move || {
            tx.send(get_ident()).unwrap();
            i.lock().unwrap().push(current_thread().ident());
            d.set();
        });
        let tid = rx.recv().unwrap();
        done.wait(None);
        assert_eq!(ident.lock().unwrap()[0], Some(tid));
        h.join().unwrap();
    })
}

// CPython: test_threading.ThreadTests.test_foreign_thread
#[test]
fn thread_tests_test_foreign_thread() {
    watchdog(|| {
        // A "foreign" thread can use the threading module: current_thread()
        // makes its dummy thread object.
        let mutex = Lock::new();
        mutex.acquire(None, None).unwrap();
        let m = mutex.clone();
        let (tx, rx) = mpsc::channel();
        let h = std::thread::spawn(move || {
            tx.send((get_ident(), current_thread())).unwrap();
            m.release().unwrap();
        });
        // Wait for the thread to finish.
        mutex.acquire(None, None).unwrap();
        h.join().unwrap();
        // (`threading._active[tid]` is private: the dummy comes back here.)
        let (tid, dummy) = rx.recv().unwrap();
        assert_eq!(dummy.ident(), Some(tid));
        // Issue 29376
        assert!(dummy.is_alive());
        assert!(repr(&dummy).contains("_DummyThread"), "{}", repr(&dummy));
    })
}

// CPython: test_threading.ThreadTests.test_enumerate_after_join
#[test]
fn thread_tests_test_enumerate_after_join() {
    watchdog(|| {
        // #1703448: a thread still returned by enumerate() after join().
        for i in 1..100 {
            let t = Thread::new(|| ());
            t.start().unwrap();
            t.join(None).unwrap();
            let l = enumerate();
            assert!(
                !l.iter().any(|x| x.ptr_eq(&t)),
                "#1703448 triggered after {i} trials: {l:?}"
            );
        }
    })
}

/// CPython's `RunSelfFunction`: a thread whose target refers back to the
/// object holding the thread.
struct RunSelfFunction {
    should_raise: bool,
    thread: Mutex<Option<Thread>>,
}

impl RunSelfFunction {
    fn new(should_raise: bool) -> Arc<Self> {
        let this = Arc::new(RunSelfFunction {
            should_raise,
            thread: Mutex::new(None),
        });
        // `target=self._run, args=(self,), kwargs={'yet_another': self}`
        let (me, other_ref, yet_another) = (this.clone(), this.clone(), this.clone());
        let thread = Thread::new(move || me._run(other_ref, yet_another));
        *this.thread.lock().unwrap() = Some(thread.clone());
        thread.start().unwrap();
        this
    }

    fn _run(&self, _other_ref: Arc<Self>, _yet_another: Arc<Self>) -> PyResult<()> {
        if self.should_raise {
            return Err(PyException::SystemExit(SystemExitCode::None));
        }
        Ok(())
    }

    fn join(&self) {
        let t = self.thread.lock().unwrap().clone().unwrap();
        t.join(None).unwrap();
    }
}

// CPython: test_threading.ThreadTests.test_no_refcycle_through_target
#[test]
fn thread_tests_test_no_refcycle_through_target() {
    watchdog(|| {
        let cyclic_object = RunSelfFunction::new(false);
        let weak_cyclic_object = Arc::downgrade(&cyclic_object);
        cyclic_object.join();
        drop(cyclic_object);
        assert!(
            weak_cyclic_object.upgrade().is_none(),
            "{} references still around",
            weak_cyclic_object.strong_count()
        );

        let raising_cyclic_object = RunSelfFunction::new(true);
        let weak_raising_cyclic_object = Arc::downgrade(&raising_cyclic_object);
        raising_cyclic_object.join();
        drop(raising_cyclic_object);
        assert!(
            weak_raising_cyclic_object.upgrade().is_none(),
            "{} references still around",
            weak_raising_cyclic_object.strong_count()
        );
    })
}

// CPython: test_threading.ThreadTests.test_repr_daemon
#[test]
fn thread_tests_test_repr_daemon() {
    in_python_thread(|| {
        let t = Thread::new(|| ());
        assert!(!repr(&t).contains("daemon"), "{}", repr(&t));
        t.set_daemon(true).unwrap();
        assert!(repr(&t).contains("daemon"), "{}", repr(&t));
    })
}

// CPython: test_threading.ThreadTests.test_daemon_param
#[test]
fn thread_tests_test_daemon_param() {
    in_python_thread(|| {
        let t = Thread::new(|| ());
        assert!(!t.daemon());
        let t = Thread::builder().daemon(Some(false)).build(|| ());
        assert!(!t.daemon());
        let t = Thread::builder().daemon(Some(true)).build(|| ());
        assert!(t.daemon());
    })
}

// CPython: test_threading.ThreadTests.test_main_thread
#[test]
fn thread_tests_test_main_thread() {
    // The main thread is the one running `run_main` (the test harness's own
    // main thread runs no test); what it saw is checked after it returns.
    let seen = watchdog(|| {
        let seen: Arc<Mutex<Vec<(&str, bool)>>> = Arc::default();
        let s = seen.clone();
        let _ = executor_api::run_main(move || {
            let main = main_thread();
            s.lock()
                .unwrap()
                .push(("name", main.name() == "MainThread"));
            s.lock()
                .unwrap()
                .push(("is current", main.ident() == current_thread().ident()));
            s.lock()
                .unwrap()
                .push(("is get_ident", main.ident() == Some(get_ident())));
            let s2 = s.clone();
            let th = Thread::new(move || {
                s2.lock().unwrap().push((
                    "other thread",
                    main_thread().ident() != current_thread().ident(),
                ));
            });
            th.start()?;
            th.join(None)
        });
        let seen = seen.lock().unwrap().clone();
        seen
    });
    assert_eq!(seen.len(), 4, "{seen:?}");
    for (what, ok) in seen {
        assert!(ok, "{what}");
    }
}

// CPython: test_threading.ThreadTests.test_repr_stopped
#[test]
fn thread_tests_test_repr_stopped() {
    watchdog(|| {
        // Verify that "stopped" shows up in repr(Thread) appropriately.
        let (started, finish) = (Lock::new(), Lock::new());
        started.acquire(None, None).unwrap();
        finish.acquire(None, None).unwrap();
        let (s, f) = (started.clone(), finish.clone());
        let t = Thread::new(move || -> PyResult<()> {
            s.release()?;
            f.acquire(None, None)?;
            Ok(())
        });
        t.start().unwrap();
        started.acquire(None, None).unwrap();
        assert!(repr(&t).contains("started"), "{}", repr(&t));
        finish.release().unwrap();
        // "stopped" should appear in the repr in a reasonable amount of
        // time, all on its own (no join() first).
        const LOOKING_FOR: &str = "stopped";
        for _ in 0..500 {
            if repr(&t).contains(LOOKING_FOR) {
                break;
            }
            std::thread::sleep(Duration::from_millis(10)); // allow-sleep: CPython's bounded poll for the repr to say stopped
        }
        assert!(repr(&t).contains(LOOKING_FOR), "{}", repr(&t)); // we waited at least 5 seconds
        t.join(None).unwrap();
    })
}

// CPython: test_threading.ThreadTests.test_BoundedSemaphore_limit
#[test]
fn thread_tests_test_bounded_semaphore_limit() {
    watchdog(|| {
        // BoundedSemaphore should raise ValueError if released too often.
        for limit in 1..10 {
            let bs = BoundedSemaphore::new(Some(limit)).unwrap();
            let threads: Vec<Thread> = (0..limit)
                .map(|_| {
                    let bs = bs.clone();
                    Thread::new(move || bs.acquire(None, None).map(|_| ()))
                })
                .collect();
            threads.iter().for_each(|t| t.start().unwrap());
            threads.iter().for_each(|t| t.join(None).unwrap());
            let threads: Vec<Thread> = (0..limit)
                .map(|_| {
                    let bs = bs.clone();
                    Thread::new(move || bs.release(None))
                })
                .collect();
            threads.iter().for_each(|t| t.start().unwrap());
            threads.iter().for_each(|t| t.join(None).unwrap());
            assert_raises(PyClass::ValueError, bs.release(None));
        }
    })
}

// CPython: test_threading.ThreadTests.test_boolean_target
#[test]
fn thread_tests_test_boolean_target() {
    watchdog(|| {
        // bpo-41149: a target whose truth value is False must still run (a
        // thread does nothing only when its target is None).
        struct BooleanTarget {
            ran: AtomicBool,
        }
        impl BooleanTarget {
            fn __bool__(&self) -> bool {
                false
            }
            fn __call__(&self) {
                self.ran.store(true, Ordering::SeqCst);
            }
        }
        let target = Arc::new(BooleanTarget {
            ran: AtomicBool::new(false),
        });
        assert!(!target.__bool__());
        let t2 = target.clone();
        let thread = Thread::new(move || t2.__call__());
        thread.start().unwrap();
        thread.join(None).unwrap();
        assert!(target.ran.load(Ordering::SeqCst));
    })
}

// CPython: test_threading.ThreadTests.test_leak_without_join
#[test]
fn thread_tests_test_leak_without_join() {
    watchdog(|| {
        // bpo-37788: a thread never joined does not leak.
        // `threading_helper.wait_threads_exit()` waits for the thread count
        // to come back; other tests run meanwhile, so we wait for this one.
        let t = Thread::new(|| ());
        t.start().unwrap();
        let started = std::time::Instant::now();
        while t.is_alive() || enumerate().iter().any(|x| x.ptr_eq(&t)) {
            assert!(started.elapsed() < Duration::from_secs(60), "never exited");
            std::thread::sleep(Duration::from_millis(1)); // allow-sleep: bounded poll until it exits
        }
    })
}

// CPython: test_threading.ThreadingExceptionTests.test_start_thread_again
#[test]
fn threading_exception_tests_test_start_thread_again() {
    let thread = Thread::new(|| ());
    thread.start().unwrap();
    let e = assert_raises(PyClass::RuntimeError, thread.start());
    assert_eq!(
        e.to_string(),
        "RuntimeError: threads can only be started once"
    );
    thread.join(None).unwrap();
}

// CPython: test_threading.ThreadingExceptionTests.test_joining_current_thread
#[test]
fn threading_exception_tests_test_joining_current_thread() {
    let current_thread = current_thread();
    let e = assert_raises(PyClass::RuntimeError, current_thread.join(None));
    assert_eq!(e.to_string(), "RuntimeError: cannot join current thread");
}

// CPython: test_threading.ThreadingExceptionTests.test_joining_inactive_thread
#[test]
fn threading_exception_tests_test_joining_inactive_thread() {
    let thread = Thread::new(|| ());
    let e = assert_raises(PyClass::RuntimeError, thread.join(None));
    assert_eq!(
        e.to_string(),
        "RuntimeError: cannot join thread before it is started"
    );
}

// CPython: test_threading.ThreadingExceptionTests.test_daemonize_active_thread
#[test]
fn threading_exception_tests_test_daemonize_active_thread() {
    let thread = Thread::new(|| ());
    thread.start().unwrap();
    let e = assert_raises(PyClass::RuntimeError, thread.set_daemon(true));
    assert_eq!(
        e.to_string(),
        "RuntimeError: cannot set daemon status of active thread"
    );
    thread.join(None).unwrap();
}

// CPython: test_threading.ThreadingExceptionTests.test_releasing_unacquired_lock
#[test]
fn threading_exception_tests_test_releasing_unacquired_lock() {
    let lock = Lock::new();
    let e = assert_raises(PyClass::RuntimeError, lock.release());
    assert_eq!(e.to_string(), "RuntimeError: release unlocked lock");
}

// CPython: test_threading.ThreadingExceptionTests.test_multithread_modify_file_noerror
#[test]
fn threading_exception_tests_test_multithread_modify_file_noerror() {
    watchdog(|| {
        // issue25872: 100 threads, one after another, rewrite one file.
        let testfn = std::env::temp_dir().join(format!("@test_{}_tmp", std::process::id()));
        let threads: Vec<CheckedThread> = (0..100)
            .map(|_| {
                let path = testfn.clone();
                CheckedThread::new(Thread::builder(), move || {
                    std::fs::write(&path, " ").unwrap();
                })
            })
            .collect();
        for t in &threads {
            t.start();
            t.join();
        }
        let _ = std::fs::remove_file(&testfn);
    })
}

type SpyCall = (Vec<&'static str>, HashMap<&'static str, &'static str>);

// CPython: test_threading.TimerTests.test_init_immutable_default_args
#[test]
fn timer_tests_test_init_immutable_default_args() {
    watchdog(|| {
        // Issue 17435: each timer's default args/kwargs are its own (a fresh
        // `[]` and `{}`), so changing one timer's does not affect another.
        let callback_args: Arc<Mutex<Vec<SpyCall>>> = Arc::default();
        let callback_event = Event::new();
        let callback_spy = || {
            let (calls, event) = (callback_args.clone(), callback_event.clone());
            move |args: Vec<&'static str>, kwargs: HashMap<&'static str, &'static str>| {
                calls.lock().unwrap().push((args, kwargs));
                event.set();
            }
        };
        // `Timer(0.01, self._callback_spy)`: args=None, kwargs=None.
        let timer1 = Timer::with_args(0.01, callback_spy(), Vec::new(), HashMap::new());
        timer1.start().unwrap();
        callback_event.wait(None);
        timer1.args().push("blah");
        timer1.kwargs().insert("foo", "bar");
        callback_event.clear();
        let timer2 = Timer::with_args(0.01, callback_spy(), Vec::new(), HashMap::new());
        timer2.start().unwrap();
        callback_event.wait(None);
        let calls = callback_args.lock().unwrap().clone();
        assert_eq!(calls.len(), 2);
        assert_eq!(
            calls,
            vec![(vec![], HashMap::new()), (vec![], HashMap::new())]
        );
        timer1.join(None).unwrap();
        timer2.join(None).unwrap();
    })
}
