//! Ports of CPython 3.11's `Lib/test/test_threading_local.py` (see `SKIPPED.md` for the
//! tests that cannot apply, with the reason).
//!
//! `BaseLocalTest` runs for `_thread._local` (`ThreadLocalTest`) and for the
//! pure-Python `_threading_local.local` (`PyThreadingLocalTest`); both are
//! [`Local`] here, the second named `local` as its class is. A Python
//! `local`'s attribute bag is one typed value per thread (a struct of
//! `Option` fields); a thread that has none gets `AttributeError`.

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use common::{watchdog, CheckedThread};
use executor_api::threading::{Event, Local, Thread};
use executor_api::PyClass;

/// `ThreadLocalTest._local` or `PyThreadingLocalTest._local`.
#[derive(Clone, Copy)]
enum Kind {
    Thread,
    Py,
}

impl Kind {
    /// `self._local()`.
    fn local<T: Send + 'static>(self) -> Local<T> {
        match self {
            Kind::Thread => Local::new(),
            Kind::Py => Local::new().named("local"),
        }
    }
}

/// `setattr(local, name, v)` on a bag of attributes: the thread's bag is
/// made empty first if it has none, as Python's per-thread `__dict__` is.
fn setattr<T: Default + Send + 'static>(l: &Local<T>, f: impl FnOnce(&mut T)) {
    if l.with(|v| v.is_none()) {
        l.set(T::default());
    }
    l.with(|v| f(v.expect("just set")));
}

/// CPython's `class Weak: pass`, reachable by `weakref.ref`.
struct WeakTarget;

#[derive(Default)]
struct RefsBag {
    weak: Option<Arc<WeakTarget>>,
    someothervar: Option<()>,
}

/// `_local_refs(n)`.
fn local_refs(kind: Kind, n: usize) {
    let local: Local<RefsBag> = kind.local();
    let weaklist: Arc<Mutex<Vec<Weak<WeakTarget>>>> = Arc::default();
    for _ in 0..n {
        let (l, wl) = (local.clone(), weaklist.clone());
        // `target(local, weaklist)`.
        let t = Thread::new(move || {
            let weak = Arc::new(WeakTarget);
            wl.lock().unwrap().push(Arc::downgrade(&weak));
            setattr(&l, |b| b.weak = Some(weak));
        });
        t.start().unwrap();
        t.join(None).unwrap();
    }
    let dead = || {
        weaklist
            .lock()
            .unwrap()
            .iter()
            .filter(|w| w.upgrade().is_none())
            .count()
    };
    assert_eq!(weaklist.lock().unwrap().len(), n);
    // XXX _threading_local keeps the local of the last stopped thread alive.
    let d = dead();
    assert!(d == n - 1 || d == n, "{d} of {n} dead");
    // Assignment to the same thread local frees it sometimes (!)
    setattr(&local, |b| b.someothervar = None);
    let d = dead();
    assert!(d == n - 1 || d == n, "({n}, {d})");
}

fn test_local_refs(kind: Kind) {
    watchdog(move || {
        local_refs(kind, 20);
        local_refs(kind, 50);
        local_refs(kind, 100);
    })
}

// CPython: test_threading_local.ThreadLocalTest.test_local_refs
#[test]
fn thread_local_test_local_refs() {
    test_local_refs(Kind::Thread)
}

// CPython: test_threading_local.PyThreadingLocalTest.test_local_refs
#[test]
fn py_threading_local_test_local_refs() {
    test_local_refs(Kind::Py)
}

#[derive(Default, Clone)]
struct XBag {
    x: Option<usize>,
}

/// Issue 3088: a thread switch inside a subclass's `__init__` must not lose
/// the per-thread value.
fn test_derived(kind: Kind) {
    watchdog(move || {
        // `class Local(self._local): def __init__(self): time.sleep(0.01)`
        let local: Local<XBag> = Local::with_init(|| {
            std::thread::sleep(Duration::from_millis(10)); // allow-sleep: the test's thread switch inside __init__
            XBag::default()
        });
        let local = match kind {
            Kind::Thread => local,
            Kind::Py => local.named("Local"),
        };
        // `with start_threads(...)`: all started, then all joined.
        let threads: Vec<CheckedThread> = (0..10)
            .map(|i| {
                let local = local.clone();
                CheckedThread::new(Thread::builder(), move || {
                    setattr(&local, |b| b.x = Some(i));
                    // Simply check that the variable is correctly set
                    assert_eq!(local.getattr("x").unwrap().x, Some(i));
                })
            })
            .collect();
        threads.iter().for_each(CheckedThread::start);
        threads.iter().for_each(CheckedThread::join);
    })
}

// CPython: test_threading_local.ThreadLocalTest.test_derived
#[test]
fn thread_local_test_derived() {
    test_derived(Kind::Thread)
}

// CPython: test_threading_local.PyThreadingLocalTest.test_derived
#[test]
fn py_threading_local_test_derived() {
    test_derived(Kind::Py)
}

#[derive(Default)]
struct FooBag {
    foo: Option<&'static str>,
}

/// bpo-6990: a `local` freed in a thread, then new ones made elsewhere,
/// must be empty in that thread.
fn test_derived_cycle_dealloc(kind: Kind) {
    watchdog(move || {
        // `class Local(self._local): pass`
        // (A subclass is named after itself whichever base it has.)
        let _ = kind;
        let make = || -> Local<FooBag> { Local::new().named("Local") };
        let locals: Arc<Mutex<Vec<Local<FooBag>>>> = Arc::default();
        let passed = Arc::new(AtomicBool::new(false));
        let (e1, e2) = (Event::new(), Event::new());
        let t = {
            let (locals, passed, e1, e2) = (locals.clone(), passed.clone(), e1.clone(), e2.clone());
            Thread::new(move || {
                // 1) a Local (in a cycle in CPython) with a value here
                let cycle = vec![make()];
                setattr(&cycle[0], |b| b.foo = Some("bar"));
                // 2) freed
                drop(cycle);
                e1.set();
                e2.wait(None);
                // 4) New Locals should be empty
                let all_empty = locals
                    .lock()
                    .unwrap()
                    .iter()
                    .all(|l| l.with(|b| b.and_then(|b| b.foo).is_none())); // not hasattr(local, 'foo')
                passed.store(all_empty, Ordering::SeqCst);
            })
        };
        t.start().unwrap();
        e1.wait(None);
        // 3) New Locals (CPython: recycling the original's address)
        *locals.lock().unwrap() = (0..10).map(|_| make()).collect();
        e2.set();
        t.join(None).unwrap();
        assert!(passed.load(Ordering::SeqCst));
    })
}

// CPython: test_threading_local.ThreadLocalTest.test_derived_cycle_dealloc
#[test]
fn thread_local_test_derived_cycle_dealloc() {
    test_derived_cycle_dealloc(Kind::Thread)
}

// CPython: test_threading_local.PyThreadingLocalTest.test_derived_cycle_dealloc
#[test]
fn py_threading_local_test_derived_cycle_dealloc() {
    test_derived_cycle_dealloc(Kind::Py)
}

/// Issue 1522237: a subclass whose `__init__` takes arguments can be built
/// with them. (`self._local(a=1)` / `self._local(1)`, CPython's `TypeError:
/// Initialization arguments are not supported`, do not compile here:
/// `Local::new` takes no arguments, a `compile_fail` doctest of `Local`.)
fn test_arguments(kind: Kind) {
    // (A subclass is named after itself whichever base it has.)
    let _ = kind;
    // `class MyLocal(self._local): def __init__(self, *args, **kwargs): pass`
    let my_local = |args: Vec<i32>, kwargs: Vec<(&'static str, i32)>| -> Local<()> {
        Local::with_init(move || {
            let _ = (&args, &kwargs);
        })
        .named("MyLocal")
    };
    let a = my_local(vec![], vec![("a", 1)]);
    let b = my_local(vec![1], vec![]);
    // `__init__` ran for the creating thread: each has its value here.
    assert_eq!(a.get(), Some(()));
    assert_eq!(b.get(), Some(()));
}

// CPython: test_threading_local.ThreadLocalTest.test_arguments
#[test]
fn thread_local_test_arguments() {
    test_arguments(Kind::Thread)
}

// CPython: test_threading_local.PyThreadingLocalTest.test_arguments
#[test]
fn py_threading_local_test_arguments() {
    test_arguments(Kind::Py)
}

#[derive(Default, Clone)]
struct XyBag {
    x: Option<&'static str>,
    y: Option<&'static str>,
}

/// `_test_one_class(c)`: a value set in one thread is not seen in another.
fn test_one_class(obj: Local<XyBag>, class: &str) {
    watchdog({
        let class = class.to_string();
        move || {
            let failed: Arc<Mutex<String>> =
                Arc::new(Mutex::new("No error message set or cleared.".into()));
            let (e1, e2) = (Event::new(), Event::new());
            let t1 = {
                let (obj, e1, e2) = (obj.clone(), e1.clone(), e2.clone());
                Thread::new(move || {
                    setattr(&obj, |b| b.x = Some("foo"));
                    setattr(&obj, |b| b.y = Some("bar"));
                    obj.with(|b| b.unwrap().y = None); // del obj.y
                    e1.set();
                    e2.wait(None);
                })
            };
            let t2 = {
                let (obj, failed) = (obj.clone(), failed.clone());
                Thread::new(move || match obj.getattr("x") {
                    // This is expected -- we haven't set obj.x in this thread yet!
                    Err(e) if e.is_instance_of(&PyClass::AttributeError) => {
                        assert_eq!(
                            e.to_string(),
                            format!("AttributeError: '{class}' object has no attribute 'x'")
                        );
                        failed.lock().unwrap().clear();
                    }
                    other => {
                        *failed.lock().unwrap() = format!(
                            "Incorrectly got value {:?} from class {class}\n",
                            other.map(|b| b.x)
                        );
                    }
                })
            };
            t1.start().unwrap();
            e1.wait(None);
            t2.start().unwrap();
            t2.join(None).unwrap();
            // The test is done; just let t1 know it can exit, and wait for it.
            e2.set();
            t1.join(None).unwrap();
            let failed = failed.lock().unwrap();
            assert!(failed.is_empty(), "{failed}");
        }
    })
}

// CPython: test_threading_local.ThreadLocalTest.test_threading_local
#[test]
fn thread_local_test_threading_local() {
    test_one_class(Kind::Thread.local(), "_thread._local")
}

// CPython: test_threading_local.PyThreadingLocalTest.test_threading_local
#[test]
fn py_threading_local_test_threading_local() {
    test_one_class(Kind::Py.local(), "local")
}

// CPython: test_threading_local.ThreadLocalTest.test_threading_local_subclass
#[test]
fn thread_local_test_threading_local_subclass() {
    // `class LocalSubclass(self._local): """To test that subclasses behave properly."""`
    test_one_class(Local::new().named("LocalSubclass"), "LocalSubclass")
}

// CPython: test_threading_local.PyThreadingLocalTest.test_threading_local_subclass
#[test]
fn py_threading_local_test_threading_local_subclass() {
    test_one_class(Local::new().named("LocalSubclass"), "LocalSubclass")
}

/// gh-100892: `local` objects made while another thread exits.
fn test_threading_local_clear_race(kind: Kind) {
    watchdog(move || {
        // `_testcapi.call_in_temporary_c_thread(lambda: None, False)`: a
        // thread not started through `threading`.
        let temporary = std::thread::spawn(|| ());
        for _ in 0..1000 {
            let _: Local<u8> = kind.local();
        }
        temporary.join().unwrap();
    })
}

// CPython: test_threading_local.ThreadLocalTest.test_threading_local_clear_race
#[test]
fn thread_local_test_threading_local_clear_race() {
    test_threading_local_clear_race(Kind::Thread)
}

// CPython: test_threading_local.PyThreadingLocalTest.test_threading_local_clear_race
#[test]
fn py_threading_local_test_threading_local_clear_race() {
    test_threading_local_clear_race(Kind::Py)
}
