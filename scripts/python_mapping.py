#!/usr/bin/env python3
"""The transpiler contract: which Rust item a Python API becomes, typed.

    python3 scripts/python_mapping.py          # regenerate everything below
    python3 scripts/python_mapping.py --check  # fail if anything is stale

Writes docs/python-mapping.json (one entry per Python API; its schema is
docs/python-mapping.schema.json), docs/python-mapping.md (the same for
people) and conformance/tests/mapping_signatures.rs (a Rust test that
assigns every mapped item to a `fn` pointer of its declared signature, so
code whose signature no longer matches the contract does not compile).

Nothing Rust-typed is written by hand here: signatures, parameter and
return types come from rustdoc's JSON for pyrt-executor (nightly rustdoc,
run by this script; NIGHTLY picks the toolchain), and Python signatures,
defaults and kinds from this CPython (3.11). The rows below say only what
the code cannot: the pairing, how each Python parameter is passed, what is
raised, notes, and what we do not have. A fixed message in `raises` must
be spelled somewhere in pyrt-executor's source, and every public item of
pyrt-executor must have a row or a RUST_ONLY reason: the error lists the
ones that have neither. `--check` is run by the native tier; after
changing a public signature, rerun this script.
"""

import difflib
import importlib
import json
import os
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from rustdoc_api import STD_IMPORTS, Api, build_json  # noqa: E402
from mapping_check import (CRATE, ContractError, python_kind, python_params,  # noqa: E402
                           resolve_python, rust_item, short_ptr)

ROOT = pathlib.Path(__file__).resolve().parent.parent
JSON_OUT = ROOT / "docs" / "python-mapping.json"
MD_OUT = ROOT / "docs" / "python-mapping.md"
RS_OUT = ROOT / "conformance" / "tests" / "mapping_signatures.rs"

# How a Python parameter reaches the Rust call, when not as the Rust
# argument of the same name.
CLOSURE = ("closure", "captured by the Rust closure: `move || f(a, b)`")
KWCLOSURE = ("closure", "captured by the Rust closure: `move || f(k=v)` becomes `move || f(v)`")


def B(path, note=""):
    """Passed through a builder method."""
    return ("builder", f"{CRATE}::{path}", note)


def T(note):
    """Replaced by a Rust type parameter."""
    return ("type", note)


def I(note):
    """Accepted by CPython, without effect here (or always its default)."""
    return ("ignored", note)


def M(note):
    """Not supported."""
    return ("missing", note)


def V(path, note=""):
    """Passed by calling another Rust item instead (a second constructor,
    a setter)."""
    return ("method", f"{CRATE}::{path}", note)


ROWS = []
_module = None


def module(name):
    global _module
    _module = name


def A(python, rust=None, notes="", *, sig=None, kind=None, p=None, raises=(), also=(),
      ex=None, trait=None, status="available", reason=None, builder=None):
    """One Python API. `rust`: the Rust path under pyrt_executor (None when
    missing); `sig`: the Python signature when CPython cannot give it;
    `p`: Python parameter -> Rust argument name, or CLOSURE/B(...)/T/I/M;
    `raises`: "Class: fixed message" or "Class"; `also`: other Rust items
    for the same API (Duration helpers, variants); `ex`: example types for
    generics; `trait`: the trait whose impl is the API (`Debug` for repr);
    `builder`: (start, finish) paths when keyword arguments go through a
    builder."""
    ROWS.append(dict(module=_module, python=python, rust=rust and f"{CRATE}::{rust}", notes=notes,
                     sig=sig, kind=kind, p=p or {}, raises=list(raises),
                     also=[f"{CRATE}::{a}" for a in also], ex=ex or {}, trait=trait,
                     status=status, reason=reason,
                     builder=builder and tuple(f"{CRATE}::{b}" for b in builder)))


def MISSING(python, reason, *, sig=None, kind=None):
    A(python, None, sig=sig, kind=kind, status="missing", reason=reason)


# ---------------------------------------------------------------------------
module("concurrent.futures")
CF = "concurrent::futures"
A("concurrent.futures.ThreadPoolExecutor", f"{CF}::ThreadPoolExecutor::new",
  "None = min(32, os.cpu_count() + 4). Dropping the last handle = leaving the `with` block "
  "(shutdown(wait=True)).",
  p={"thread_name_prefix": B(f"{CF}::ThreadPoolExecutorBuilder::thread_name_prefix"),
     "initializer": B(f"{CF}::ThreadPoolExecutorBuilder::initializer"),
     "initargs": ("closure", "captured by the initializer closure")},
  builder=(f"{CF}::ThreadPoolExecutor::builder", f"{CF}::ThreadPoolExecutorBuilder::build"),
  raises=["ValueError: max_workers must be greater than 0"],
  also=[f"{CF}::ThreadPoolExecutorBuilder::max_workers", f"{CF}::ThreadPoolExecutorBuilder::stack_size",
        f"{CF}::ThreadPoolExecutorBuilder::starvation_rescue",
        f"{CF}::default_max_workers"])
A("concurrent.futures.ThreadPoolExecutor.__exit__", f"{CF}::ThreadPoolExecutor::shutdown",
  "Leaving the block: dropping the last clone calls shutdown(wait=True, cancel_futures=False).",
  sig="__exit__(exc_type, exc_val, exc_tb)",
  p={"exc_type": I("scope end"), "exc_val": I("scope end"), "exc_tb": I("scope end")})
A("concurrent.futures.ThreadPoolExecutor.__enter__", f"{CF}::ThreadPoolExecutor",
  "Returns the executor itself: `with ThreadPoolExecutor(4) as ex:` is `let ex = ThreadPoolExecutor::new(Some(4))?;`.",
  sig="__enter__()")
A("concurrent.futures.ThreadPoolExecutor.submit", f"{CF}::ThreadPoolExecutor::submit",
  "A closure returning PyResult<T> 'raises'; annotate the Future<T> type.",
  p={"fn": "f", "args": CLOSURE, "kwargs": KWCLOSURE},
  raises=["RuntimeError: cannot schedule new futures after shutdown",
          "RuntimeError: cannot schedule new futures after interpreter shutdown",
          "BrokenThreadPool: A thread initializer failed, the thread pool is not usable anymore",
          "RuntimeError: can't start new thread"])
A("concurrent.futures.ThreadPoolExecutor.map", f"{CF}::ThreadPoolExecutor::map",
  "Several iterables: zip them into one of tuples. chunksize is accepted and ignored, as in CPython. Yields "
  "PyResult<T>; the first error or a TimeoutError ends the iteration and cancels the calls not started, as does "
  "dropping the iterator once advanced.",
  p={"fn": "f", "iterables": ("argument", "iterable", "one iterable; zip several into tuples")},
  raises=["RuntimeError: cannot schedule new futures after shutdown", "TimeoutError"])
A("concurrent.futures.ThreadPoolExecutor.shutdown", f"{CF}::ThreadPoolExecutor::shutdown", "",
  p={"wait": ("argument", "wait", "no default in Rust: pass true"),
     "cancel_futures": ("argument", "cancel_futures", "no default in Rust: pass false")})
A("concurrent.futures.ThreadPoolExecutor._threads", f"{CF}::ThreadPoolExecutor::live_threads",
  "len(executor._threads): the workers running now (started lazily); 0 after shutdown(wait=True).",
  sig="_threads", kind="attribute")
A("concurrent.futures.ThreadPoolExecutor._max_workers", f"{CF}::ThreadPoolExecutor::max_workers", "",
  sig="_max_workers", kind="attribute")
A("concurrent.futures.ProcessPoolExecutor", f"{CF}::ProcessPoolExecutor::new",
  "Threads, not processes; None = os.cpu_count(). Leaving `with` = dropping the last handle.",
  p={"mp_context": I("no processes: there is no start method"),
     "initializer": V(f"{CF}::ProcessPoolExecutor::with_initializer"),
     "initargs": ("closure", "captured by the initializer closure"),
     "max_tasks_per_child": M("workers are threads and are never replaced")},
  raises=["ValueError: max_workers must be greater than 0"],
  also=[f"{CF}::ProcessPoolExecutor::with_initializer"])
A("concurrent.futures.ProcessPoolExecutor.__enter__", f"{CF}::ProcessPoolExecutor",
  "Returns the executor itself: `with ProcessPoolExecutor(4) as ex:` is `let ex = ProcessPoolExecutor::new(Some(4))?;`.",
  sig="__enter__()")
A("concurrent.futures.ProcessPoolExecutor.__exit__", f"{CF}::ProcessPoolExecutor::shutdown",
  "Leaving the block: dropping the last clone calls shutdown(wait=True, cancel_futures=False).",
  sig="__exit__(exc_type, exc_val, exc_tb)",
  p={"exc_type": I("scope end"), "exc_val": I("scope end"), "exc_tb": I("scope end")})
A("concurrent.futures.ProcessPoolExecutor.submit", f"{CF}::ProcessPoolExecutor::submit", "No pickling: the closure runs on a thread.",
  p={"fn": "f", "args": CLOSURE, "kwargs": KWCLOSURE},
  raises=["RuntimeError: cannot schedule new futures after shutdown"])
A("concurrent.futures.ProcessPoolExecutor.map", f"{CF}::ProcessPoolExecutor::map",
  "A chunk that raises yields none of its items and ends the iteration there (CPython's _process_chunk).",
  p={"fn": "f", "iterables": ("argument", "iterable", "one iterable; zip several into tuples")},
  raises=["ValueError: chunksize must be >= 1.", "TimeoutError"])
A("concurrent.futures.ProcessPoolExecutor.shutdown", f"{CF}::ProcessPoolExecutor::shutdown", "",
  p={"wait": ("argument", "wait", "no default in Rust: pass true"),
     "cancel_futures": ("argument", "cancel_futures", "no default in Rust: pass false")})
A("concurrent.futures.ProcessPoolExecutor._processes", f"{CF}::ProcessPoolExecutor::live_processes",
  "len(executor._processes): workers started on demand, as the spawn context.", sig="_processes", kind="attribute")
A("concurrent.futures.ProcessPoolExecutor._max_workers", f"{CF}::ProcessPoolExecutor::max_workers", "",
  sig="_max_workers", kind="attribute")
A("concurrent.futures.Executor", f"{CF}::Executor", "Object-safe: `&dyn Executor`; `submit_job` submits a job returning nothing.",
  sig="Executor()", ex={"Self": f"{CRATE}::{CF}::ThreadPoolExecutor", "dyn": True},
  also=[f"{CF}::Executor::submit_job", f"{CF}::Executor::thread_pool"])
A("concurrent.futures.Executor.submit", f"{CF}::ThreadPoolExecutor::submit",
  "Each executor's own submit (ThreadPoolExecutor, ProcessPoolExecutor); on a `&dyn Executor`, submit_job.",
  p={"fn": "f", "args": CLOSURE, "kwargs": KWCLOSURE}, also=[f"{CF}::ProcessPoolExecutor::submit"],
  raises=["RuntimeError: cannot schedule new futures after shutdown"])
A("concurrent.futures.Executor.map", f"{CF}::ThreadPoolExecutor::map", "Each executor's own map.",
  p={"fn": "f", "iterables": ("argument", "iterable", "one iterable; zip several into tuples")},
  also=[f"{CF}::ProcessPoolExecutor::map"],
  raises=["RuntimeError: cannot schedule new futures after shutdown", "TimeoutError"])
A("concurrent.futures.Executor.shutdown", f"{CF}::ThreadPoolExecutor::shutdown", "Each executor's own shutdown.",
  p={"wait": ("argument", "wait", "no default in Rust: pass true"),
     "cancel_futures": ("argument", "cancel_futures", "no default in Rust: pass false")},
  also=[f"{CF}::ProcessPoolExecutor::shutdown"])
A("concurrent.futures.Future", f"{CF}::Future::new", "Future() made by hand, for set_result/set_exception.")
A("concurrent.futures.Future.result", f"{CF}::Future::result",
  "Blocks like a Python thread; where CPython would deadlock (a worker waiting for a queued call of its own pool, "
  "every other worker blocked) the call runs nested on the waiter. into_result moves the value out (T not Clone).",
  raises=["TimeoutError", "CancelledError"], also=[f"{CF}::Future::into_result"])
A("concurrent.futures.Future.exception", f"{CF}::Future::exception", "", raises=["TimeoutError", "CancelledError"])
A("concurrent.futures.Future.done", f"{CF}::Future::done")
A("concurrent.futures.Future.running", f"{CF}::Future::running")
A("concurrent.futures.Future.cancelled", f"{CF}::Future::cancelled")
A("concurrent.futures.Future.cancel", f"{CF}::Future::cancel", "Succeeds only while queued.")
A("concurrent.futures.Future.add_done_callback", f"{CF}::Future::add_done_callback",
  "The callback may return PyResult<()>; an Err or a panic is logged on the concurrent.futures logger and the "
  "other callbacks still run.")
A("concurrent.futures.Future.set_result", f"{CF}::Future::set_result", "", p={"result": "value"},
  raises=["InvalidStateError"])
A("concurrent.futures.Future.set_exception", f"{CF}::Future::set_exception", "", raises=["InvalidStateError"])
A("concurrent.futures.Future.set_running_or_notify_cancel", f"{CF}::Future::set_running_or_notify_cancel", "",
  raises=["RuntimeError: Future in unexpected state"])
A("concurrent.futures.Future.__repr__", f"{CF}::Future",
  "`<Future state=finished returned int>` (no address); the type name is python_type_name::<T>().",
  sig="__repr__()", trait="std::fmt::Debug", also=[f"{CF}::python_type_name"])
A("concurrent.futures.Future.__await__", f"{CF}::Future",
  "`f.await`: Future<T> is a std::future::Future<Output = PyResult<T>>.", sig="__await__()", kind="method",
  trait="std::future::Future")
A("concurrent.futures.wait", f"{CF}::wait", "fs is a set: a future listed twice appears once.",
  raises=["ValueError: Invalid return condition: '<value>'"] and [])
A("concurrent.futures.as_completed", f"{CF}::as_completed",
  "Yields PyResult<Future<T>>: `TimeoutError: N (of M) futures unfinished` as an item when the timeout expires; "
  "duplicates are yielded once.", raises=["TimeoutError"])
A("concurrent.futures.FIRST_COMPLETED", f"{CF}::FIRST_COMPLETED")
A("concurrent.futures.FIRST_EXCEPTION", f"{CF}::FIRST_EXCEPTION")
A("concurrent.futures.ALL_COMPLETED", f"{CF}::ALL_COMPLETED")
A("concurrent.futures._base.DoneAndNotDoneFutures", f"{CF}::DoneAndNotDone", "The result of wait(): fields done, not_done.",
  sig="DoneAndNotDoneFutures(done, not_done)", p={"done": I("a field"), "not_done": I("a field")},
  also=[f"{CF}::DoneAndNotDone::done", f"{CF}::DoneAndNotDone::not_done"])
A("concurrent.futures._base.LOGGER", "report::FUTURES_LOGGER",
  "logging.getLogger('concurrent.futures'): a log::Log logger; records have this target. Failing done-callbacks "
  "(error) and initializers (critical = log's Error); with no logger, CPython's lastResort text on stderr.",
  kind="constant")

# ---------------------------------------------------------------------------
module("threading")
TH = "threading"
A("threading.Thread", f"{TH}::Thread::builder",
  "Thread::new(target) for a bare Thread(target=f). target_name gives CPython's default name 'Thread-N (f)'.",
  p={"group": I("must be None, as in CPython"), "target": B(f"{TH}::ThreadBuilder::build"),
     "name": B(f"{TH}::ThreadBuilder::name"), "args": CLOSURE, "kwargs": KWCLOSURE,
     "daemon": B(f"{TH}::ThreadBuilder::daemon")},
  builder=(f"{TH}::Thread::builder", f"{TH}::ThreadBuilder::build"),
  also=[f"{TH}::Thread::new", f"{TH}::ThreadBuilder::target_name", f"{TH}::ThreadBuilder::stack_size"])
A("threading.Thread.start", f"{TH}::Thread::start", "",
  raises=["RuntimeError: threads can only be started once", "RuntimeError: can't start new thread"])
A("threading.Thread.join", f"{TH}::Thread::join", "",
  raises=["RuntimeError: cannot join thread before it is started", "RuntimeError: cannot join current thread",
          "ValueError: 'timeout' must be a non-negative number"], also=[f"{TH}::Thread::join_timeout"])
A("threading.Thread.is_alive", f"{TH}::Thread::is_alive")
A("threading.Thread.name", f"{TH}::Thread::name", "Setting it: set_name.", sig="name", kind="attribute",
  also=[f"{TH}::Thread::set_name"])
A("threading.Thread.ident", f"{TH}::Thread::ident", "None before start().", sig="ident", kind="attribute")
A("threading.Thread.native_id", f"{TH}::Thread::native_id", "None before start().", sig="native_id", kind="attribute")
A("threading.Thread.daemon", f"{TH}::Thread::daemon", "Setting it (before start()): set_daemon.", sig="daemon",
  kind="attribute", also=[f"{TH}::Thread::set_daemon"],
  raises=["RuntimeError: cannot set daemon status of active thread"])
A("threading.Thread.__repr__", f"{TH}::Thread", "CPython's text: <Thread(Thread-1, stopped daemon 7)>.",
  sig="__repr__()", trait="std::fmt::Debug")
MISSING("threading.Thread.run", "a subclass overriding run() becomes the target closure; there is no method to override",
        sig="run()")
A("threading.current_thread", f"{TH}::current_thread")
A("threading.main_thread", f"{TH}::main_thread", "run_main's thread; without run_main the std thread named main.")
A("threading.get_ident", f"{TH}::get_ident", "Small integers (the main thread's is 1), not addresses.", sig="get_ident()")
A("threading.get_native_id", f"{TH}::get_native_id", "", sig="get_native_id()")
A("threading.active_count", f"{TH}::active_count")
A("threading.enumerate", f"{TH}::enumerate")
A("threading.stack_size", f"{TH}::stack_size",
  "Returns the previous setting; 0 = the platform default; for threads started afterwards (pool workers: "
  "their builder's stack_size).", sig="stack_size(size=0)",
  p={"size": ("argument", "size", "None reads the setting without changing it")},
  raises=["ValueError: size must be 0 or a positive value", "ValueError"])
A("threading.TIMEOUT_MAX", f"{TH}::TIMEOUT_MAX", "9223372036.0, CPython's value on Linux.")
A("threading.excepthook", f"{TH}::excepthook", "The hook in place; calling it: excepthook()(&args). "
  "Assigning threading.excepthook = hook is set_excepthook(hook).", sig="excepthook(args, /)",
  p={"args": I("the returned hook takes it")}, also=[f"{TH}::set_excepthook"])
A("threading.__excepthook__", f"{TH}::default_excepthook",
  "'Exception in thread NAME:' and the exception's last line on stderr; SystemExit is silent.",
  sig="__excepthook__(args, /)")
A("threading.ExceptHookArgs", f"{TH}::ExceptHookArgs::new", "exc_traceback is always None (no tracebacks).",
  sig="ExceptHookArgs(exc_type, exc_value, exc_traceback, thread)",
  p={"exc_type": I("derived from exc_value"), "exc_traceback": I("always None")},
  also=[f"{TH}::ExceptHookArgs::exc_type", f"{TH}::ExceptHookArgs::exc_value",
        f"{TH}::ExceptHookArgs::exc_traceback", f"{TH}::ExceptHookArgs::thread"])
A("threading.Lock", f"{TH}::Lock::new", "", kind="class", sig="Lock()")
A("threading.Lock.acquire", f"{TH}::Lock::acquire",
  "None timeout = -1. A timeout past TIMEOUT_MAX is OverflowError: timestamp out of range for platform time_t "
  "(even non-blocking), NaN a ValueError. acquire_timeout takes a Duration.",
  sig="acquire(blocking=True, timeout=-1)",
  raises=["ValueError: can't specify a timeout for a non-blocking call", "ValueError: timeout value must be positive",
          "OverflowError: timestamp out of range for platform time_t"],
  also=[f"{TH}::Lock::acquire_timeout"])
A("threading.Lock.release", f"{TH}::Lock::release", "", sig="release()", raises=["RuntimeError: release unlocked lock"])
A("threading.Lock.locked", f"{TH}::Lock::locked", "", sig="locked()")
A("threading.Lock.__enter__", f"{TH}::Lock::with", "`with lock:` is `let _g = lock.with()?;`; the guard's drop is __exit__.",
  sig="__enter__()", also=[f"{TH}::LockGuard"])
A("threading.Lock.__exit__", f"{TH}::LockGuard", "Dropping the guard `with()` returned releases the lock.",
  sig="__exit__(*args)", trait="Drop", p={"args": I("scope end")})
A("threading.Lock.__repr__", f"{TH}::Lock", "<unlocked _thread.lock object> (no address).", sig="__repr__()",
  trait="std::fmt::Debug")
A("threading.RLock", f"{TH}::RLock::new", "", kind="class", sig="RLock()")
A("threading.RLock.acquire", f"{TH}::RLock::acquire", "Huge timeouts: as Lock.acquire.",
  sig="acquire(blocking=True, timeout=-1)",
  raises=["ValueError: can't specify a timeout for a non-blocking call"], also=[f"{TH}::RLock::acquire_timeout"])
A("threading.RLock.release", f"{TH}::RLock::release", "", sig="release()",
  raises=["RuntimeError: cannot release un-acquired lock"])
A("threading.RLock.__enter__", f"{TH}::RLock::with", "The guard's drop is __exit__.", sig="__enter__()",
  also=[f"{TH}::RLockGuard"])
A("threading.RLock.__exit__", f"{TH}::RLockGuard", "Dropping the guard `with()` returned releases one level.",
  sig="__exit__(*args)", trait="Drop", p={"args": I("scope end")})
A("threading.RLock._is_owned", f"{TH}::RLock::is_owned", "True if the calling thread owns it.", sig="_is_owned()")
A("threading.RLock._recursion_count", f"{TH}::RLock::recursion_count", "0 if another thread owns it.",
  sig="_recursion_count()")
A("threading.RLock._release_save", f"{TH}::RLock::release_save", "", sig="_release_save()",
  raises=["RuntimeError: cannot release un-acquired lock"])
A("threading.RLock._acquire_restore", f"{TH}::RLock::acquire_restore", "", sig="_acquire_restore(state, /)",
  p={"state": "saved"})
A("threading.RLock.__repr__", f"{TH}::RLock", "<locked _thread.RLock object owner=1 count=2> (no address).",
  sig="__repr__()", trait="std::fmt::Debug")
A("threading.Condition", f"{TH}::Condition::new", "None = a new RLock; a Lock or RLock converts with .into().",
  also=[f"{TH}::ConditionLock"])
A("threading.Condition.acquire", f"{TH}::Condition::acquire", "", sig="acquire(blocking=True, timeout=-1)",
  raises=["ValueError: can't specify a timeout for a non-blocking call"])
A("threading.Condition.release", f"{TH}::Condition::release", "", sig="release()",
  raises=["RuntimeError: cannot release un-acquired lock", "RuntimeError: release unlocked lock"])
A("threading.Condition.__enter__", f"{TH}::Condition::with", "The guard's drop is __exit__.",
  also=[f"{TH}::ConditionGuard"])
A("threading.Condition.__exit__", f"{TH}::ConditionGuard", "Dropping the guard `with()` returned releases the lock.",
  trait="Drop", p={"args": I("scope end")})
A("threading.Condition.wait", f"{TH}::Condition::wait", "A timeout past TIMEOUT_MAX is OverflowError.",
  raises=["RuntimeError: cannot wait on un-acquired lock"], also=[f"{TH}::Condition::wait_timeout"])
A("threading.Condition.wait_for", f"{TH}::Condition::wait_for",
  "Returns the predicate's last value of any Truthy type (bool, numbers, Option, String, Vec, ...).",
  raises=["RuntimeError: cannot wait on un-acquired lock"], also=[f"{TH}::Truthy"], ex={"Self": "bool"})
A("threading.Condition.notify", f"{TH}::Condition::notify", "",
  raises=["RuntimeError: cannot notify on un-acquired lock"])
A("threading.Condition.notify_all", f"{TH}::Condition::notify_all", "",
  raises=["RuntimeError: cannot notify on un-acquired lock"])
A("threading.Condition._is_owned", f"{TH}::Condition::is_owned", "A plain Lock: whether anybody holds it, as in CPython.")
A("threading.Condition._release_save", f"{TH}::Condition::release_save", "The lock's RuntimeError if not held.",
  sig="_release_save()",
  raises=["RuntimeError: cannot release un-acquired lock", "RuntimeError: release unlocked lock"])
A("threading.Condition._acquire_restore", f"{TH}::Condition::acquire_restore", "", sig="_acquire_restore(x)",
  p={"x": "saved"})
A("threading.Condition.__repr__", f"{TH}::Condition",
  "<Condition(<unlocked _thread.RLock object owner=0 count=0>, 0)>.", trait="std::fmt::Debug")
A("threading.Semaphore", f"{TH}::Semaphore::new", "", raises=["ValueError: semaphore initial value must be >= 0"])
A("threading.Semaphore.acquire", f"{TH}::Semaphore::acquire",
  "A huge timeout is OverflowError only when it must wait, as in CPython.",
  raises=["ValueError: can't specify timeout for non-blocking acquire"], also=[f"{TH}::Semaphore::acquire_timeout"])
A("threading.Semaphore.release", f"{TH}::Semaphore::release",
  "The value is held in 63 bits: a release past 2**63 - 1 permits raises OverflowError "
  "(CPython's is an unbounded int).",
  raises=["ValueError: n must be one or more", "OverflowError: semaphore value cannot exceed 9223372036854775807"])
A("threading.Semaphore.__enter__", f"{TH}::Semaphore::with", "The guard's drop is __exit__.", sig="__enter__()",
  also=[f"{TH}::SemaphoreGuard"])
A("threading.Semaphore.__exit__", f"{TH}::SemaphoreGuard", "Dropping the guard `with()` returned is release().",
  trait="Drop", p={"t": I("scope end"), "v": I("scope end"), "tb": I("scope end")})
A("threading.Semaphore.__repr__", f"{TH}::Semaphore", "<threading.Semaphore: value=3> (no address).",
  trait="std::fmt::Debug")
A("threading.BoundedSemaphore", f"{TH}::BoundedSemaphore::new", "A Semaphore that checks its bound.",
  raises=["ValueError: semaphore initial value must be >= 0", "ValueError: Semaphore released too many times"],
  also=[f"{TH}::Semaphore::bounded"])
A("threading.Event", f"{TH}::Event::new")
A("threading.Event.set", f"{TH}::Event::set")
A("threading.Event.clear", f"{TH}::Event::clear")
A("threading.Event.is_set", f"{TH}::Event::is_set")
A("threading.Event.wait", f"{TH}::Event::wait",
  "A waiter present at set() returns True even if clear() follows at once; a timeout past TIMEOUT_MAX waits "
  "forever instead of CPython's OverflowError (no error channel).", also=[f"{TH}::Event::wait_timeout"])
A("threading.Event.__repr__", f"{TH}::Event", "<threading.Event: unset>.", trait="std::fmt::Debug")
A("threading.Barrier", f"{TH}::Barrier::new", "action: Arc<dyn Fn() -> PyResult<()> + Send + Sync>.",
  also=[f"{TH}::Action"])
A("threading.Barrier.wait", f"{TH}::Barrier::wait", "Returns the arrival index.",
  raises=["BrokenBarrierError"], also=[f"{TH}::Barrier::wait_timeout"])
A("threading.Barrier.reset", f"{TH}::Barrier::reset")
A("threading.Barrier.abort", f"{TH}::Barrier::abort")
A("threading.Barrier.parties", f"{TH}::Barrier::parties", "", kind="attribute")
A("threading.Barrier.n_waiting", f"{TH}::Barrier::n_waiting", "", kind="attribute")
A("threading.Barrier.broken", f"{TH}::Barrier::broken", "", kind="attribute")
A("threading.Barrier.__repr__", f"{TH}::Barrier", "<threading.Barrier: waiters=0/3>.", trait="std::fmt::Debug")
A("threading.local", f"{TH}::Local::new",
  "The attribute bag becomes one value type T: set/get/with. A thread's value is dropped when that thread ends; "
  "class MyLocal(local) with __init__ is Local::with_init(..).named(\"MyLocal\").", sig="local()",
  also=[f"{TH}::Local::with_init", f"{TH}::Local::named", f"{TH}::Local::set", f"{TH}::Local::get",
        f"{TH}::Local::with", f"{TH}::Local::take"])
A("threading.local.__getattribute__", f"{TH}::Local::getattr", "local.x", sig="__getattribute__(name, /)",
  p={"name": "attr"}, raises=["AttributeError"])
A("threading.local.__delattr__", f"{TH}::Local::take_attr", "del local.x", sig="__delattr__(name, /)",
  p={"name": "attr"}, raises=["AttributeError"])
A("threading.Timer", f"{TH}::Timer::with_args",
  "Timer::new(interval, f) without args; any Clone types as args/kwargs; the function gets copies of what the "
  "timer holds when it fires.", also=[f"{TH}::Timer::new"], ex={"A": "u64", "K": "u64"})
A("threading.Timer.start", f"{TH}::Timer::start", "", sig="start()",
  raises=["RuntimeError: threads can only be started once", "RuntimeError: can't start new thread"])
A("threading.Timer.cancel", f"{TH}::Timer::cancel")
A("threading.Timer.join", f"{TH}::Timer::join", "", sig="join(timeout=None)",
  raises=["RuntimeError: cannot join thread before it is started", "RuntimeError: cannot join current thread"])
A("threading.Timer.is_alive", f"{TH}::Timer::is_alive", "", sig="is_alive()")
A("threading.Timer.interval", f"{TH}::Timer::interval", "Set before start() to take effect: set_interval.",
  sig="interval", kind="attribute", also=[f"{TH}::Timer::set_interval"])
A("threading.Timer.finished", f"{TH}::Timer::finished", "Set by cancel() and when the timer is done.",
  sig="finished", kind="attribute")
A("threading.Timer.args", f"{TH}::Timer::args", "A guard over the timer's value, changeable until it fires.",
  sig="args", kind="attribute")
A("threading.Timer.kwargs", f"{TH}::Timer::kwargs", "A guard over the timer's value.", sig="kwargs", kind="attribute")

# ---------------------------------------------------------------------------
module("queue")
Q = "queue"
A("queue.Queue", f"{Q}::Queue::new", "Clones are the same queue.")
A("queue.LifoQueue", f"{Q}::LifoQueue::new")
A("queue.PriorityQueue", f"{Q}::PriorityQueue::new",
  "Items are PyOrd (Python's '<'; tuples and lists compare like Python's); heapq's order, step for step.",
  also=[f"{Q}::PyOrd", f"{Q}::PyOrd::py_lt", f"{Q}::lt_not_supported"], ex={"Self": "u64"})
A("queue.Queue.put", f"{Q}::Queue::put",
  "On Full the item is dropped (put_or_return gives it back); block=False ignores the timeout.",
  raises=["Full", "ValueError: 'timeout' must be a non-negative number"],
  also=[f"{Q}::Queue::put_timeout", f"{Q}::Queue::put_or_return"])
A("queue.PriorityQueue.put", f"{Q}::PriorityQueue::put",
  "Queue.put on a PriorityQueue: `q.put((priority, item))` puts a tuple, ordered by PyOrd (Python's '<').",
  raises=["Full", "ValueError: 'timeout' must be a non-negative number"], ex={"T": "(u64, u64)"})
A("queue.Queue.get", f"{Q}::Queue::get", "block=False ignores the timeout (even -1).",
  raises=["Empty", "ValueError: 'timeout' must be a non-negative number"], also=[f"{Q}::Queue::get_timeout"])
A("queue.Queue.put_nowait", f"{Q}::Queue::put_nowait", "", raises=["Full"])
A("queue.Queue.get_nowait", f"{Q}::Queue::get_nowait", "", raises=["Empty"])
A("queue.Queue.qsize", f"{Q}::Queue::qsize")
A("queue.Queue.empty", f"{Q}::Queue::empty")
A("queue.Queue.full", f"{Q}::Queue::full")
A("queue.Queue.task_done", f"{Q}::Queue::task_done", "", raises=["ValueError: task_done() called too many times"])
A("queue.Queue.join", f"{Q}::Queue::join")
A("queue.Queue.unfinished_tasks", f"{Q}::Queue::unfinished_tasks", "", sig="unfinished_tasks", kind="attribute")
A("queue.Queue.maxsize", f"{Q}::Queue::maxsize", "q.maxsize = n is set_maxsize; read by every later put.",
  sig="maxsize", kind="attribute", also=[f"{Q}::Queue::set_maxsize"])
A("queue.Queue._put", f"{Q}::BaseQueue::with_store",
  "class Q(Queue) overriding _put/_get/_qsize: BaseQueue::with_store(maxsize, store) with impl Store<T>.",
  sig="_put(item)", p={"item": I("Store::push gets it")},
  also=[f"{Q}::Store", f"{Q}::Fifo", f"{Q}::Lifo", f"{Q}::Priority"], ex={"S": f"{CRATE}::queue::Fifo<u64>", "Self": f"{CRATE}::queue::Fifo<u64>"})
A("queue.SimpleQueue", f"{Q}::SimpleQueue::new")
A("queue.SimpleQueue.put", f"{Q}::SimpleQueue::put", "Never blocks: block and timeout are ignored, as in CPython.",
  p={"block": "_block", "timeout": "_timeout"})
A("queue.SimpleQueue.put_nowait", f"{Q}::SimpleQueue::put_nowait")
A("queue.SimpleQueue.get", f"{Q}::SimpleQueue::get", "", raises=["Empty"], also=[f"{Q}::SimpleQueue::get_timeout"])
A("queue.SimpleQueue.get_nowait", f"{Q}::SimpleQueue::get_nowait", "", raises=["Empty"])
A("queue.SimpleQueue.empty", f"{Q}::SimpleQueue::empty")
A("queue.SimpleQueue.qsize", f"{Q}::SimpleQueue::qsize")

# ---------------------------------------------------------------------------
module("multiprocessing")
MP = "multiprocessing"
A("multiprocessing.Pool", f"{MP}::Pool::new", "Threads. Leaving `with Pool() as p:` = drop = terminate().",
  p={"initializer": B(f"{MP}::PoolBuilder::initializer"), "initargs": ("closure", "captured by the initializer closure"),
     "maxtasksperchild": B(f"{MP}::PoolBuilder::maxtasksperchild", "checked; workers are not replaced")},
  builder=(f"{MP}::Pool::builder", f"{MP}::PoolBuilder::build"),
  raises=["ValueError: Number of processes must be at least 1",
          "ValueError: maxtasksperchild must be a positive int or None"],
  also=[f"{MP}::PoolBuilder::processes", f"{MP}::pool::ThreadPool"])
A("multiprocessing.pool.Pool.__enter__", f"{MP}::Pool::enter", "", sig="__enter__()",
  raises=["ValueError: Pool not running"])
A("multiprocessing.pool.Pool.__exit__", f"{MP}::Pool", "Dropping the last handle is terminate(), as CPython's __exit__.",
  trait="Drop", p={"exc_type": I("scope end"), "exc_val": I("scope end"), "exc_tb": I("scope end")})
A("multiprocessing.pool.Pool.map", f"{MP}::Pool::map",
  "chunksize=None splits adaptively; every item runs even after one raised, then the first exception to happen is "
  "raised. An iterable that raises: try_map with PyResult items.", p={"func": "f"},
  raises=["ValueError: Pool not running"], also=[f"{MP}::Pool::try_map"])
A("multiprocessing.pool.Pool.starmap", f"{MP}::Pool::starmap", "pool.starmap(|(a, b)| f(a, b), items, None)",
  p={"func": "f"}, ex={"I": "Vec<(u64, u64)>", "F": "fn((u64, u64)) -> u64"},
  raises=["ValueError: Pool not running"])
A("multiprocessing.pool.Pool.apply", f"{MP}::Pool::apply", "", p={"func": "f", "args": CLOSURE, "kwds": KWCLOSURE},
  raises=["ValueError: Pool not running"])
A("multiprocessing.pool.Pool.apply_async", f"{MP}::Pool::apply_async",
  "A callback that raises is logged on multiprocessing and the pool goes on.",
  p={"func": "f", "args": CLOSURE, "kwds": KWCLOSURE}, also=[f"{MP}::Callback", f"{MP}::ErrorCallback"],
  raises=["ValueError: Pool not running"])
A("multiprocessing.pool.Pool.map_async", f"{MP}::Pool::map_async",
  "After terminate() its unstarted items are skipped and get() raises CancelledError.", p={"func": "f"},
  raises=["ValueError: Pool not running"])
A("multiprocessing.pool.Pool.starmap_async", f"{MP}::Pool::starmap_async", "", p={"func": "f"},
  ex={"I": "Vec<(u64, u64)>", "F": "fn((u64, u64)) -> u64"},
  raises=["ValueError: Pool not running"])
A("multiprocessing.pool.Pool.imap", f"{MP}::Pool::imap", "chunksize=1 goes on after an error; a failing chunk ends it.",
  p={"func": "f"}, also=[f"{MP}::Pool::try_imap"],
  raises=["ValueError: Pool not running"])
A("multiprocessing.pool.Pool.imap_unordered", f"{MP}::Pool::imap_unordered", "", p={"func": "f"},
  also=[f"{MP}::Pool::try_imap_unordered", f"{MP}::IMapUnordered"],
  raises=["ValueError: Pool not running"])
A("multiprocessing.pool.Pool.close", f"{MP}::Pool::close")
A("multiprocessing.pool.Pool.terminate", f"{MP}::Pool::terminate", "Also stops a running map/map_async between items.")
A("multiprocessing.pool.Pool.join", f"{MP}::Pool::join", "", raises=["ValueError: Pool is still running"])
A("multiprocessing.pool.Pool._processes", f"{MP}::Pool::processes", "", sig="_processes", kind="attribute")
A("multiprocessing.pool.ThreadPool", f"{MP}::pool::ThreadPool::new", "The same type as Pool.",
  p={"initializer": B(f"{MP}::PoolBuilder::initializer"), "initargs": ("closure", "captured by the initializer closure")},
  raises=["ValueError: Number of processes must be at least 1"])
A("multiprocessing.pool.AsyncResult.get", f"{MP}::AsyncResult::get", "",
  raises=["TimeoutError"])
A("multiprocessing.pool.AsyncResult.wait", f"{MP}::AsyncResult::wait")
A("multiprocessing.pool.AsyncResult.ready", f"{MP}::AsyncResult::ready")
A("multiprocessing.pool.AsyncResult.successful", f"{MP}::AsyncResult::successful", "",
  raises=["ValueError: <multiprocessing.pool.ApplyResult object> not ready"] and ["ValueError"])
A("multiprocessing.Process", f"{MP}::Process::new",
  "A thread; exitcode 1 when the target raised ('Process NAME:' and the exception on stderr), a SystemExit's code.",
  p={"group": I("must be None"), "target": "target", "name": V(f"{MP}::Process::with_name"),
     "args": CLOSURE, "kwargs": KWCLOSURE, "daemon": V(f"{MP}::Process::set_daemon", "before start()")},
  also=[f"{MP}::Process::with_name", f"{MP}::Process::set_daemon"])
A("multiprocessing.Process.start", f"{MP}::Process::start", "", raises=["AssertionError: cannot start a process twice"])
A("multiprocessing.Process.join", f"{MP}::Process::join", "",
  raises=["AssertionError: can only join a started process"])
A("multiprocessing.Process.is_alive", f"{MP}::Process::is_alive")
A("multiprocessing.Process.exitcode", f"{MP}::Process::exitcode", "", kind="attribute")
A("multiprocessing.Process.pid", f"{MP}::Process::pid", "A thread id.", kind="attribute")
A("multiprocessing.Process.ident", f"{MP}::Process::ident", "", kind="attribute")
A("multiprocessing.Process.name", f"{MP}::Process::name", "", kind="attribute")
A("multiprocessing.Process.daemon", f"{MP}::Process::daemon", "Setting it: set_daemon before start().",
  kind="attribute", raises=["AssertionError: process has already started"])
MISSING("multiprocessing.Process.terminate", "a thread cannot be stopped from outside; end the target cooperatively "
        "(an Event it checks)")
MISSING("multiprocessing.Process.kill", "as terminate(): a thread cannot be killed")
A("multiprocessing.current_process", f"{MP}::current_process", "current_process().name", also=[f"{MP}::ProcessInfo::name"])
A("multiprocessing.active_children", f"{MP}::active_children", "The running processes the caller started.")
A("multiprocessing.cpu_count", f"{MP}::cpu_count")
A("multiprocessing.Queue", f"{MP}::Queue::new", "On threads: no feeder thread, no pickling.")
A("multiprocessing.JoinableQueue", f"{MP}::JoinableQueue::new", "The same type as multiprocessing.Queue.")
A("multiprocessing.queues.Queue.put", f"{MP}::Queue::put", "", raises=["Full"])
A("multiprocessing.queues.Queue.get", f"{MP}::Queue::get", "", raises=["Empty"])
A("multiprocessing.queues.Queue.put_nowait", f"{MP}::Queue::put_nowait", "", raises=["Full"])
A("multiprocessing.queues.Queue.get_nowait", f"{MP}::Queue::get_nowait", "", raises=["Empty"])
A("multiprocessing.queues.Queue.qsize", f"{MP}::Queue::qsize")
A("multiprocessing.queues.Queue.empty", f"{MP}::Queue::empty")
A("multiprocessing.queues.Queue.full", f"{MP}::Queue::full")
A("multiprocessing.queues.Queue.close", f"{MP}::Queue::close")
A("multiprocessing.queues.Queue.join_thread", f"{MP}::Queue::join_thread")
A("multiprocessing.queues.Queue.cancel_join_thread", f"{MP}::Queue::cancel_join_thread")
A("multiprocessing.queues.JoinableQueue.task_done", f"{MP}::Queue::task_done", "",
  raises=["ValueError: task_done() called too many times"])
A("multiprocessing.queues.JoinableQueue.join", f"{MP}::Queue::join")
A("multiprocessing.Pipe", f"{MP}::Pipe", "let (a, b) = Pipe::<T>(None);")
A("multiprocessing.connection.Connection.send", f"{MP}::Connection::send", "",
  raises=["OSError: connection is read-only", "OSError: handle is closed"])
A("multiprocessing.connection.Connection.recv", f"{MP}::Connection::recv", "",
  raises=["OSError: connection is write-only", "OSError: handle is closed", "EOFError"])
A("multiprocessing.connection.Connection.poll", f"{MP}::Connection::poll", "", raises=["OSError: handle is closed"])
A("multiprocessing.connection.Connection.close", f"{MP}::Connection::close")
A("multiprocessing.connection.Connection.send_bytes", f"{MP}::Connection::send_bytes",
  "For T: From<Vec<u8>>; CPython's ValueErrors.", ex={"T": "Vec<u8>"},
  raises=["ValueError: offset is negative", "ValueError: buffer length < offset", "ValueError: size is negative",
          "ValueError: buffer length < offset + size"])
A("multiprocessing.connection.Connection.recv_bytes", f"{MP}::Connection::recv_bytes",
  "For T: Into<Vec<u8>>; a message longer than maxlength closes the end.", ex={"T": "Vec<u8>"},
  raises=["ValueError: negative maxlength", "OSError: bad message length"])
A("multiprocessing.connection.Connection.closed", f"{MP}::Connection::closed", "", sig="closed", kind="attribute")
A("multiprocessing.connection.Connection.readable", f"{MP}::Connection::readable", "", sig="readable", kind="attribute")
A("multiprocessing.connection.Connection.writable", f"{MP}::Connection::writable", "", sig="writable", kind="attribute")
A("multiprocessing.Value", f"{MP}::Value::new", "The Rust type replaces the typecode; lock=False gives a RawValue.",
  p={"typecode_or_type": T("the Rust type T"), "args": ("argument", "value", "the initial value"),
     "lock": V(f"{MP}::Value::with_lock", "False: Value::unlocked")},
  also=[f"{MP}::Value::with_lock", f"{MP}::Value::unlocked", f"{MP}::Value::get_lock", f"{MP}::Value::get_obj",
        f"{MP}::RawValue::get", f"{MP}::RawValue::set"])
A("multiprocessing.RawValue", f"{MP}::RawValue::new", "", p={"typecode_or_type": T("the Rust type T"),
                                                            "args": ("argument", "value", "the initial value")})
A("multiprocessing.Array", f"{MP}::Array::new", "A size instead of an initializer: with_size (zeroed = T::default()).",
  p={"typecode_or_type": T("the Rust type T"), "size_or_initializer": ("argument", "items", "a size: Array::with_size"),
     "lock": V(f"{MP}::Array::with_lock", "False: Array::unlocked")},
  also=[f"{MP}::Array::with_size", f"{MP}::Array::with_lock", f"{MP}::Array::unlocked", f"{MP}::Array::get_lock",
        f"{MP}::Array::get_obj", f"{MP}::RawArray::get", f"{MP}::RawArray::set", f"{MP}::RawArray::get_slice",
        f"{MP}::RawArray::set_slice", f"{MP}::RawArray::to_vec"],
  raises=["IndexError: invalid index", "ValueError: Can only assign sequence of same size"])
A("multiprocessing.RawArray", f"{MP}::RawArray::new", "", p={"typecode_or_type": T("the Rust type T"),
                                                             "size_or_initializer": ("argument", "items", "a size: RawArray::with_size")},
  also=[f"{MP}::RawArray::with_size"])
A("multiprocessing.Manager", f"{MP}::Manager::new", "No server process.", also=[f"{MP}::Manager::shutdown"])
A("multiprocessing.managers.SyncManager.dict", f"{MP}::Manager::dict", "A DictProxy; its methods keep Python's names.",
  sig="dict()", also=[f"{MP}::DictProxy::get", f"{MP}::DictProxy::set", f"{MP}::DictProxy::pop",
                      f"{MP}::DictProxy::copy", f"{MP}::DictProxy::keys", f"{MP}::DictProxy::values",
                      f"{MP}::DictProxy::items", f"{MP}::DictProxy::contains", f"{MP}::DictProxy::clear",
                      f"{MP}::DictProxy::get_or", f"{MP}::DictProxy::update_with", f"{MP}::DictProxy::len"],
  raises=["KeyError"])
A("multiprocessing.managers.SyncManager.list", f"{MP}::Manager::list", "A ListProxy.", sig="list(sequence=())",
  p={"sequence": "initial"}, also=[f"{MP}::ListProxy::append", f"{MP}::ListProxy::get", f"{MP}::ListProxy::set",
                                   f"{MP}::ListProxy::get_slice", f"{MP}::ListProxy::extend", f"{MP}::ListProxy::imul",
                                   f"{MP}::ListProxy::pop", f"{MP}::ListProxy::to_vec", f"{MP}::ListProxy::len"],
  raises=["IndexError: list index out of range"])
A("multiprocessing.managers.SyncManager.Namespace", f"{MP}::Manager::namespace",
  "str(ns): Namespace(a=1, b='x'), sorted, names with _ hidden.", sig="Namespace()",
  also=[f"{MP}::Namespace::get", f"{MP}::Namespace::set", f"{MP}::Namespace::has", f"{MP}::Namespace::del"],
  raises=["AttributeError"])
A("multiprocessing.managers.SyncManager.Value", f"{MP}::Manager::value", "", sig="Value(typecode, value)",
  p={"typecode": T("the Rust type T")})
A("multiprocessing.managers.SyncManager.Lock", f"{MP}::Manager::lock", "", sig="Lock()")
A("multiprocessing.managers.SyncManager.RLock", f"{MP}::Manager::rlock", "", sig="RLock()")
A("multiprocessing.managers.SyncManager.Queue", f"{MP}::Manager::queue", "", sig="Queue(maxsize=0)")
A("multiprocessing.Lock", f"{MP}::Lock::new", "threading's, re-exported.", kind="class", sig="Lock()")
A("multiprocessing.RLock", f"{MP}::RLock::new", "threading's, re-exported.", kind="class", sig="RLock()")
A("multiprocessing.Semaphore", f"{MP}::Semaphore::new", "threading's, re-exported.", kind="class", sig="Semaphore(value=1)",
  raises=["ValueError: semaphore initial value must be >= 0"])
A("multiprocessing.BoundedSemaphore", f"{MP}::BoundedSemaphore::new", "threading's, re-exported.", kind="class",
  sig="BoundedSemaphore(value=1)",
  raises=["ValueError: semaphore initial value must be >= 0"])
A("multiprocessing.Condition", f"{MP}::Condition::new", "threading's, re-exported.", kind="class", sig="Condition(lock=None)")
A("multiprocessing.Event", f"{MP}::Event::new", "threading's, re-exported.", kind="class", sig="Event()")
A("multiprocessing.Barrier", f"{MP}::Barrier::new", "threading's, re-exported.", kind="class",
  sig="Barrier(parties, action=None, timeout=None)")
A("multiprocessing.util._logger", "report::MULTIPROCESSING_LOGGER",
  "logging.getLogger('multiprocessing'): a Pool callback= / error_callback= that raised (error).", kind="constant",
  sig="_logger")

# ---------------------------------------------------------------------------
module("program exit (__main__, sys, atexit)")
A("__main__", "run_main", "`if __name__ == \"__main__\": main()` is `fn main() -> ExitCode { run_main(main_body) }`; "
  "then CPython's shutdown: executors finish, non-daemon threads joined, atexit handlers, exit status.",
  kind="constant", sig="__main__")
A("sys.exit", "sys::exit", "`return Err(sys::exit(code))`; code: an integer, a &str/String message, None or ().",
  sig="exit(status=None, /)", p={"status": ("argument", "code", "None is SystemExitCode::None")},
  also=["SystemExitCode", "SystemExitCode::exit_status"], ex={})
A("sys.unraisablehook", "sys::unraisablehook", "The hook in place; calling it: unraisablehook()(&args). "
  "Assigning sys.unraisablehook = hook is set_unraisablehook(hook). It receives panics of user Drop code that "
  "nobody can receive (a cancelled call's captured value, a result dropped on a worker), as CPython's gets "
  "exceptions raised by __del__.", sig="unraisablehook(unraisable, /)",
  p={"unraisable": I("the returned hook takes it")}, also=["sys::set_unraisablehook", "sys::UnraisableHook"])
A("sys.__unraisablehook__", "sys::default_unraisablehook",
  "'Exception ignored in: OBJECT' (or 'ERR_MSG: OBJECT') and the exception's last line on stderr.",
  sig="__unraisablehook__(unraisable, /)", p={"unraisable": "args"})
A("sys.UnraisableHookArgs", "sys::UnraisableHookArgs::new", "exc_type is derived from exc_value; exc_traceback "
  "is always None (no tracebacks).",
  sig="UnraisableHookArgs(exc_type, exc_value, exc_traceback, err_msg, object)",
  p={"exc_type": I("derived from exc_value"), "exc_traceback": I("always None")},
  also=["sys::UnraisableHookArgs::exc_type", "sys::UnraisableHookArgs::exc_value",
        "sys::UnraisableHookArgs::exc_traceback", "sys::UnraisableHookArgs::err_msg",
        "sys::UnraisableHookArgs::object"])
A("atexit.register", "atexit::register", "Last registered runs first; one that raises is reported and the rest run.",
  sig="register(func, *args, **kwargs)",
  p={"func": "func", "args": CLOSURE, "kwargs": KWCLOSURE})

# ---------------------------------------------------------------------------
module("asyncio")
AS = "asyncio"
A("asyncio.AbstractEventLoop.run_in_executor", f"{AS}::run_in_executor",
  "Any Executor (&dyn Executor: ThreadPoolExecutor or ProcessPoolExecutor; the call's own future, cancellable "
  "while queued); None = the default executor.", p={"func": "f", "args": CLOSURE},
  also=[f"{AS}::default_executor"])
MISSING("asyncio.get_event_loop", "there is no event loop object: loop.run_in_executor(...) is the free function "
        "asyncio::run_in_executor, awaited in any async block")
A("asyncio.to_thread", f"{AS}::to_thread", "", p={"func": "f", "args": CLOSURE, "kwargs": KWCLOSURE})
A("asyncio.sleep", f"{AS}::sleep", "A timer thread wakes the task; the thread is not blocked.",
  p={"result": M("returns ()")})
A("asyncio.wait_for", f"{AS}::wait_for", "The awaitable is dropped (cancelled) on timeout.",
  p={"fut": "future"}, raises=["TimeoutError"], ex={"F": f"std::future::Ready<{CRATE}::PyResult<u64>>"})
A("asyncio.shield", f"{AS}::shield", "Runs as its own task on the global pool; dropping its awaiter does not stop it.",
  p={"arg": "future"}, ex={"F": f"std::future::Ready<{CRATE}::PyResult<u64>>"})
A("asyncio.TimeoutError", f"{AS}::TimeoutError", "The builtin TimeoutError (PyClass::TimeoutError).", kind="class",
  sig="TimeoutError")
A("asyncio.wrap_future", f"{AS}::wrap_future", "", p={"loop": I("no event loop")})
A("asyncio.gather", f"{AS}::gather", "return_exceptions=True: outputs keep their own errors (Vec<PyResult<T>>).",
  p={"coros_or_futures": ("argument", "futures", "a Vec of futures"),
     "return_exceptions": I("always True: each output is its own PyResult")},
  ex={"F": f"std::future::Ready<{CRATE}::PyResult<u64>>"})
A("asyncio.run", f"{AS}::run", "asyncio::run(async { .. })", p={"main": "future", "debug": I("no debug mode")})

# Rust items with no Python counterpart (path prefix -> why).
RUST_ONLY = {
    f"{CRATE}::channels": "message passing for Rust authors (crossbeam-shaped); Python has no such module",
    f"{CRATE}::exceptions": "the exception model; its classes are the exceptions section",
    f"{CRATE}::PyClass": "the exception model; its classes are the exceptions section",
    f"{CRATE}::PyException": "the exception model: a raised exception",
    f"{CRATE}::PyResult": "the exception model",
    f"{CRATE}::IntoPyResult": "what a closure may return: a value or a PyResult",
    f"{CRATE}::UserClass": "the exception model: a class a program defines",
    f"{CRATE}::concurrent::futures::Future::waiters": "a test helper: threads waiting on the future",
    f"{CRATE}::concurrent::futures::Future::ptr_eq": "identity (`f is g`) of two handles",
    f"{CRATE}::concurrent::futures::ThreadPoolExecutor::stats": "scheduler statistics",
    f"{CRATE}::concurrent::futures::AsCompleted": "the iterator as_completed returns",
    f"{CRATE}::concurrent::futures::MapIter": "the iterator map returns",
    f"{CRATE}::concurrent::futures::ReturnWhen": "the type of FIRST_COMPLETED and friends",
    f"{CRATE}::concurrent::futures::Job": "the job type of Executor::submit_job",
    f"{CRATE}::multiprocessing::Pool::stats": "scheduler statistics",
    f"{CRATE}::multiprocessing::PoolBuilder": "keyword arguments of Pool",
    f"{CRATE}::multiprocessing::Pool::builder": "keyword arguments of Pool",
    f"{CRATE}::multiprocessing::pool::": "the same items as multiprocessing::",
    f"{CRATE}::multiprocessing::ListProxy::is_empty": "Rust convention (len() == 0)",
    f"{CRATE}::multiprocessing::DictProxy::is_empty": "Rust convention (len() == 0)",
    f"{CRATE}::multiprocessing::RawArray::len": "len(a)",
    f"{CRATE}::multiprocessing::RawArray::is_empty": "Rust convention",
    f"{CRATE}::threading::Thread::ptr_eq": "identity (`t is other`)",
    f"{CRATE}::threading::Timer::thread": "the Thread object the timer is",
    f"{CRATE}::threading::ExceptHook": "the type of a hook",
    f"{CRATE}::threading::ConditionLock": "what Condition::new takes",
    f"{CRATE}::threading::ThreadBuilder": "keyword arguments of Thread",
    f"{CRATE}::threading::Semaphore::bounded": "BoundedSemaphore",
    f"{CRATE}::queue::BaseQueue": "the queue every queue class is (Queue = BaseQueue<T, Fifo<T>>)",
    f"{CRATE}::queue::Store": "how a queue class stores its items (_put/_get/_qsize)",
    f"{CRATE}::asyncio::Gather": "the future gather returns",
    f"{CRATE}::asyncio::Sleep": "the future sleep returns",
    f"{CRATE}::asyncio::WaitFor": "the future wait_for returns",
    f"{CRATE}::multiprocessing::Callback": "the type of callback=",
    f"{CRATE}::multiprocessing::ErrorCallback": "the type of error_callback=",
    f"{CRATE}::multiprocessing::IMapUnordered": "the iterator imap_unordered returns",
    f"{CRATE}::multiprocessing::ProcessInfo": "what current_process returns",
    f"{CRATE}::report": "how exceptions nobody receives are reported",
    f"{CRATE}::threading::Truthy": "the values Condition.wait_for accepts",
    f"{CRATE}::concurrent::futures::ThreadPoolExecutorBuilder::spawner": "how worker threads start (a scheduler Spawner)",
    f"{CRATE}::concurrent::futures::ThreadPoolExecutorBuilder": "keyword arguments of ThreadPoolExecutor",
}

# Exception classes: (Python spelling, PyClass variant, PyException variant
# that raises it, or None for PyException::Other). Module and base come from
# CPython itself; PanicException (PyO3's, not in CPython) is described here.
EXCEPTIONS = [
    ("BaseException", "BaseException", None),
    ("SystemExit", "SystemExit", "SystemExit"),
    ("KeyboardInterrupt", "KeyboardInterrupt", "KeyboardInterrupt"),
    ("Exception", "Exception", None),
    ("ArithmeticError", "ArithmeticError", None),
    ("OverflowError", "OverflowError", "OverflowError"),
    ("ZeroDivisionError", "ZeroDivisionError", "ZeroDivisionError"),
    ("AssertionError", "AssertionError", "AssertionError"),
    ("AttributeError", "AttributeError", "AttributeError"),
    ("EOFError", "EOFError", "EOFError"),
    ("LookupError", "LookupError", None),
    ("IndexError", "IndexError", "IndexError"),
    ("KeyError", "KeyError", "KeyError"),
    ("OSError", "OSError", "OSError"),
    ("ConnectionError", "ConnectionError", "ConnectionError"),
    ("BrokenPipeError", "BrokenPipeError", "BrokenPipeError"),
    ("TimeoutError", "TimeoutError", "TimeoutError"),
    ("FileNotFoundError", "FileNotFoundError", None),
    ("FileExistsError", "FileExistsError", None),
    ("PermissionError", "PermissionError", None),
    ("IsADirectoryError", "IsADirectoryError", None),
    ("NotADirectoryError", "NotADirectoryError", None),
    ("InterruptedError", "InterruptedError", None),
    ("BlockingIOError", "BlockingIOError", None),
    ("ConnectionRefusedError", "ConnectionRefusedError", None),
    ("ConnectionResetError", "ConnectionResetError", None),
    ("ConnectionAbortedError", "ConnectionAbortedError", None),
    ("RuntimeError", "RuntimeError", "RuntimeError"),
    ("NotImplementedError", "NotImplementedError", "NotImplementedError"),
    ("RecursionError", "RecursionError", "RecursionError"),
    ("TypeError", "TypeError", "TypeError"),
    ("ValueError", "ValueError", "ValueError"),
    ("UnicodeError", "UnicodeError", None),
    ("UnicodeDecodeError", "UnicodeDecodeError", None),
    ("concurrent.futures._base.Error", "FuturesError", None),
    ("concurrent.futures.CancelledError", "CancelledError", "CancelledError"),
    ("concurrent.futures.InvalidStateError", "InvalidStateError", "InvalidStateError"),
    ("concurrent.futures.BrokenExecutor", "BrokenExecutor", "BrokenExecutor"),
    ("concurrent.futures.thread.BrokenThreadPool", "BrokenThreadPool", "BrokenThreadPool"),
    ("concurrent.futures.process.BrokenProcessPool", "BrokenProcessPool", "BrokenProcessPool"),
    ("threading.BrokenBarrierError", "BrokenBarrierError", "BrokenBarrierError"),
    ("queue.Empty", "Empty", "Empty"),
    ("queue.Full", "Full", "Full"),
    ("multiprocessing.ProcessError", "ProcessError", "ProcessError"),
    ("multiprocessing.TimeoutError", "MpTimeoutError", "MpTimeoutError"),
    ("multiprocessing.BufferTooShort", "BufferTooShort", "BufferTooShort"),
    ("multiprocessing.AuthenticationError", "AuthenticationError", "AuthenticationError"),
    ("pyo3_runtime.PanicException", "PanicException", "PanicException"),
]
# Not importable: PyO3 defines it in Rust, deriving from BaseException.
PYO3 = {"pyo3_runtime.PanicException": ("pyo3_runtime", "PanicException", "BaseException")}
# Where a short class name in `raises` is ambiguous, which class it means.
RAISES_ALIAS = {"Empty": "queue.Empty", "Full": "queue.Full", "CancelledError": "concurrent.futures.CancelledError",
                "InvalidStateError": "concurrent.futures.InvalidStateError",
                "BrokenThreadPool": "concurrent.futures.thread.BrokenThreadPool",
                "BrokenBarrierError": "threading.BrokenBarrierError"}
MP_TIMEOUT = {"multiprocessing.pool.AsyncResult.get"}


def resolve_class(spelling):
    module, _, name = spelling.rpartition(".")
    return getattr(importlib.import_module(module or "builtins"), name)


def exception_entries():
    assert sys.version_info[:2] == (3, 11), "the exception tree is read from CPython 3.11"
    classes = {s: resolve_class(s) for s, _, _ in EXCEPTIONS if s not in PYO3}
    spelling_of = {cls: s for s, cls in classes.items()}
    out = []
    for spelling, rust_class, raised_as in EXCEPTIONS:
        if spelling in PYO3:
            module, name, base = PYO3[spelling]
        else:
            cls = classes[spelling]
            module, name = cls.__module__, cls.__qualname__
            assert len(cls.__bases__) == 1, spelling
            base = None if cls is BaseException else spelling_of[cls.__bases__[0]]
        out.append({"python": spelling, "name": name, "module": module, "base": base,
                    "rust": f"{CRATE}::PyClass::{rust_class}",
                    "raised_as": f"{CRATE}::PyException::{raised_as or 'Other'}"})
    return out


# ---------------------------------------------------------------------------

def param_entries(row, pyparams, rust):
    """Each Python parameter and how it reaches the Rust call."""
    inputs = {i["name"]: i["rust_type"] for i in rust.get("inputs", []) if i["name"] != "self"}
    out = []
    for name, default, kind in pyparams:
        how = row["p"].get(name)
        if how is None:
            if name in inputs:
                how = ("argument", name, "")
            elif name in ("fn", "func") and "f" in inputs:
                how = ("argument", "f", "")
            elif kind == "var_positional":
                how = CLOSURE
            elif kind == "var_keyword":
                how = KWCLOSURE
            else:
                raise ContractError(f"{row['python']}: parameter {name} has no Rust counterpart: say how in p=")
        elif isinstance(how, str):
            how = ("argument", how, "")
        entry = {"python": name, "python_kind": kind, "default": default, "via": how[0]}
        if how[0] == "argument":
            rust_name = how[1]
            entry["rust"] = rust_name
            entry["rust_type"] = inputs.get(rust_name)
            if entry["rust_type"] is None and not how[2].startswith("via "):
                raise ContractError(f"{row['python']}: {rust['path']} has no argument {rust_name}")
            if how[2]:
                entry["note"] = how[2]
        elif how[0] in ("builder", "method"):
            entry["rust"] = how[1]
            if how[2]:
                entry["note"] = how[2]
        else:
            entry["note"] = how[1]
        out.append(entry)
    return out


def raises_entries(row):
    out = []
    for r in row["raises"]:
        cls, _, msg = r.partition(": ")
        cls = RAISES_ALIAS.get(cls, cls)
        if cls == "TimeoutError" and row["python"] in MP_TIMEOUT:
            cls = "multiprocessing.TimeoutError"
        if cls not in {e[0] for e in EXCEPTIONS}:
            raise ContractError(f"{row['python']}: raises {cls}, which the exceptions section lacks")
        if msg and msg not in executor_sources():
            raise ContractError(f"{row['python']}: raises {cls}: {msg!r}, a message pyrt-executor's source "
                                "never spells (a typo, or the code's message changed)")
        out.append({"class": cls, "message": msg or None})
    return out


_SOURCES = []


def executor_sources():
    """pyrt-executor's source text: every fixed message the contract names
    must be one the code spells."""
    if not _SOURCES:
        _SOURCES.append("".join(f.read_text() for f in sorted((ROOT / "executor-api" / "src").rglob("*.rs"))))
    return _SOURCES[0]


def build(api):
    entries, checks, errors = [], [], []
    mapped = set()
    for row in ROWS:
        obj = resolve_python(row["python"])
        kind = row["kind"] or python_kind(row["python"], obj)
        if kind is None:
            kind = "method" if row["sig"] and "(" in row["sig"] else "attribute"
        try:
            pyparams, pysig = python_params(row["python"], obj if kind != "attribute" else None, row["sig"])
        except ContractError as e:
            errors.append(str(e))
            continue
        if kind == "class" and pysig and not pysig.startswith(row["python"].rsplit(".", 1)[-1]):
            pysig = row["python"].rsplit(".", 1)[-1] + pysig[pysig.index("("):] if "(" in pysig else pysig
        if pysig is None and kind in ("attribute", "constant"):
            pysig = row["python"].rsplit(".", 1)[-1]
        entry = {"python": row["python"], "module": row["module"], "kind": kind,
                 "python_signature": pysig, "status": row["status"]}
        if row["status"] == "missing":
            entry["reason"] = row["reason"]
            entries.append(entry)
            continue
        try:
            rust = rust_item(api, row["rust"], row["ex"], row["trait"])
            also = [rust_item(api, a, row["ex"]) for a in row["also"]]
            builder = [rust_item(api, b, row["ex"]) for b in row["builder"]] if row["builder"] else []
            params = param_entries(row, pyparams, rust)
            for prm in params:
                if prm["via"] in ("builder", "method"):
                    b = rust_item(api, prm["rust"], row["ex"])
                    prm["rust_type"] = ", ".join(i["rust_type"] for i in b["inputs"] if i["name"] != "self")
                    prm["signature"] = b["signature"]
                    builder.append(b)
            raises = raises_entries(row)
        except ContractError as e:
            errors.append(str(e))
            # Its items are not "unmapped": the row above is what to fix.
            for path in [row["rust"], *row["also"]]:
                try:
                    mapped.add(api.resolve(path)[0])
                except KeyError:
                    pass
            continue
        for r in [rust] + also + builder:
            mapped |= r.pop("_ids")
            if (row["python"], r["check"]) not in checks:
                checks.append((row["python"], r["check"]))
        entry["rust"] = {k: v for k, v in rust.items() if k != "check"}
        if row["builder"]:
            entry["builder"] = {"start": builder[0]["path"], "finish": builder[1]["path"],
                                "returns": builder[1]["returns"]}
        entry["params"] = params
        entry["returns"] = rust.get("returns") or rust.get("rust_type")
        entry["raises"] = raises
        if also:
            entry["also"] = [{k: v for k, v in a.items() if k != "check"} for a in also]
        entry["notes"] = row["notes"]
        entries.append(entry)
    # Every public item is mapped or said to be Rust-only.
    paths_of, members = {}, set()
    for path, item_id in api.by_path.items():
        kind = api.kind(item_id)
        if kind in ("module", "variant", "assoc_type", "use"):
            continue
        paths_of.setdefault(item_id, []).append(path)
        if kind in ("struct", "enum", "trait"):
            for name, m, _ in api.members(item_id):
                paths_of.setdefault(m, []).append(f"{path}::{name}")
                members.add(m)
    unmapped = []
    for item_id, paths in sorted(paths_of.items(), key=lambda kv: min(kv[1])):
        if item_id in mapped:
            continue
        if any(p == k or p.startswith(k if k.endswith("::") else k + "::") for p in paths for k in RUST_ONLY):
            continue
        kind = api.kind(item_id)
        if kind == "function" and item_id in members:
            kind = "method"
        unmapped.append(f"  {min(paths, key=len)} ({kind})")
    if unmapped:
        errors.append(f"{len(unmapped)} public item(s) of pyrt-executor neither mapped nor in RUST_ONLY:\n"
                      + "\n".join(unmapped) + "\n"
                      "  -> give each a row in scripts/python_mapping.py (A(python, rust, ...) in its module's "
                      "section, or `also=` of the row it belongs to) or a RUST_ONLY reason, then run "
                      "python3 scripts/python_mapping.py")
    seen = set()
    for e in entries:
        if e["python"] in seen:
            errors.append(f"{e['python']}: two entries")
        seen.add(e["python"])
    if errors:
        raise ContractError("\n".join(errors))
    return entries, checks


def render_rs(checks, std_used):
    imports = sorted({STD_IMPORTS[n] for n in std_used if STD_IMPORTS.get(n)})
    lines = ["//! Generated by `scripts/python_mapping.py` from the contract in",
             "//! `docs/python-mapping.json`: do not edit. Every Rust item the contract",
             "//! maps is assigned to a `fn` pointer of its declared signature (generics",
             "//! instantiated with the contract's example types), so a signature that",
             "//! changes without the contract fails to compile here.",
             "#![allow(clippy::type_complexity, clippy::let_unit_value, unused_imports)]",
             "",
             f"use executor_api as {CRATE};",
             ""]
    lines += [f"use {i};" for i in imports]
    lines += ["", "#[test]", "#[rustfmt::skip]", "fn every_mapped_item_has_its_declared_signature() {"]
    last = None
    for python, check in checks:
        if python != last:
            lines.append(f"    // {python}")
            last = python
        lines.append(f"    {check}")
    lines += ["}", ""]
    return "\n".join(lines)


def md_code(s):
    return f"`{s}`".replace("|", "\\|") if s else ""


def render_md(entries, exceptions):
    md = ["# Python → Rust mapping", "",
          "The transpiler contract: every Python API we support (and those we do not), the Rust item a "
          "transpiler emits for it, its exact signature, how each Python parameter is passed, and what it raises. "
          "This page is generated with [`python-mapping.json`](python-mapping.json) (the same content, typed; "
          "its schema is [`python-mapping.schema.json`](python-mapping.schema.json)) by "
          "`python3 scripts/python_mapping.py`: signatures come from rustdoc's JSON for `pyrt-executor`, Python "
          "signatures and defaults from CPython 3.11. `conformance/tests/mapping_signatures.rs` (generated too) "
          "assigns every mapped Rust item to a `fn` pointer of the listed signature, so the contract and the code "
          "cannot drift apart; `conformance/tests/mapping.rs` validates the JSON against its schema; "
          "`tools/contract_consumer.py` is an example transpiler that reads only the JSON.", "",
          "## Rules", "",
          "- A Python parameter with a default becomes an `Option` parameter, in Python's order; "
          "`None` means Python's default. Classes with many keyword options also have a builder "
          "(the entry's `builder`; a parameter passed `via: builder` names the builder method).",
          "- `*args`/`**kwargs` and other values a Python call passes along are captured by the Rust closure "
          "(`via: closure`).",
          "- Python exceptions are `pyrt_executor::PyException` variants named after them (see Exceptions below); "
          "`Display` is Python's last traceback line (`ValueError: ...`). A std error converts with `?`: "
          "`io::Error` becomes CPython's `OSError` subclass (`FileNotFoundError: [Errno 2] ...`), `ParseIntError` "
          "a `ValueError`, `FromUtf8Error` a `UnicodeDecodeError`.",
          "- A callable that raises returns `PyResult<T>`; plain values work too. Because both "
          "`T` and `PyResult<T>` convert, annotate the future when the closure returns `PyResult` "
          "(`let f: Future<u64> = ex.submit(|| -> PyResult<u64> { .. })?`).",
          "- Objects shared between threads are cheap `Clone` handles (a clone is the same object, like a Python "
          "reference).",
          "- `with` blocks are Rust scopes. A lock's `__enter__` returns a guard (`let _g = lock.with()?;`) whose "
          "`Drop` is `__exit__` (the entry's trait `Drop`); an executor's `__enter__` is the executor itself and "
          "dropping its last handle is `__exit__` (`shutdown(wait=True)`; a `Pool`'s is `terminate()`).",
          "- A panic in a task becomes `PanicException` carrying the panic message; the worker lives on.", "",
          "## Timeouts: `Duration` and `f64`", "",
          "Python-facing methods take the timeout the way Python validates it:", "",
          "- `Option<f64>` seconds where CPython checks the number itself (negative, NaN, past `TIMEOUT_MAX`): "
          "`threading` (`Lock`/`RLock`/`Semaphore.acquire`, `Condition.wait`/`wait_for`, `Event.wait`, "
          "`Barrier(timeout)`/`wait`, `Thread.join`, `Timer(interval)`), `queue` (`put`/`get`), "
          "`multiprocessing.Process.join`, `Queue.put`/`get`, `Connection.poll`, `asyncio.sleep`/`wait_for`.",
          "- `Option<Duration>` where CPython only compares against a clock: `concurrent.futures` "
          "(`Future.result`/`exception`, `map`, `wait`, `as_completed`), `multiprocessing.pool.AsyncResult.get`/`wait`.",
          "- Rust-side helpers take `std::time::Duration` everywhere, one type for Rust authors: "
          "`Lock::acquire_timeout`, `RLock::acquire_timeout`, `Semaphore::acquire_timeout`, "
          "`Condition::wait_timeout`, `Event::wait_timeout`, `Barrier::wait_timeout`, `Thread::join_timeout`, "
          "`Queue::put_timeout`/`get_timeout`, `SimpleQueue::get_timeout`, "
          "`ThreadPoolExecutorBuilder::starvation_rescue`, the channels' `send_timeout`/`recv_timeout`. "
          "Each entry lists its helper under *also*.", ""]
    md += WHERE_WE_DIFFER
    missing = [e for e in entries if e["status"] == "missing"]
    md += ["## What we do not have", "", "| Python | Why |", "|---|---|"]
    md += [f"| `{e['python']}` | {e['reason']} |" for e in missing]
    md += ["", "The CPython tests we cannot port are listed one by one in `conformance/cpython/SKIPPED.md`.", ""]
    modules = []
    for e in entries:
        if e["module"] not in modules:
            modules.append(e["module"])
    for m in modules:
        md += [f"## `{m}`", "", "| Python | Rust | Signature | Parameters | Raises | Notes |",
               "|---|---|---|---|---|---|"]
        for e in entries:
            if e["module"] != m or e["status"] == "missing":
                continue
            r = e["rust"]
            sig = r.get("signature", "")
            if r.get("trait"):
                sig = f"impl {r['trait']} for {r['path'].rsplit('::', 1)[-1]}"
            elif r["item"] in ("field", "constant", "assoc_const"):
                sig = f"{r['path'].rsplit('::', 1)[-1]}: {r['rust_type']}"
            params = "; ".join(
                f"`{p['python']}`" + (f"=`{p['default']}`" if p["default"] else "") + " → " +
                ({"argument": lambda: f"`{p['rust']}: {p['rust_type']}`" if p.get('rust_type') else f"`{p['rust']}`",
                  "builder": lambda: f"`.{p['rust'].rsplit('::', 1)[-1]}(..)`",
                  }.get(p["via"], lambda: p["via"])())
                for p in e["params"]).replace("|", "\\|")
            raises = "; ".join(f"`{x['class']}" + (f": {x['message']}" if x["message"] else "") + "`"
                               for x in e["raises"]).replace("|", "\\|")
            notes = e["notes"]
            if e.get("also"):
                notes += (" " if notes else "") + "Also: " + ", ".join(
                    f"`{a['path'].removeprefix(CRATE + '::')}`" for a in e["also"]) + "."
            notes = notes.replace("|", "\\|")
            md.append(f"| `{e['python']}` ({e['kind']}) | `{r['path'].removeprefix(CRATE + '::')}` | "
                      f"{md_code(sig)} | {params} | {raises} | {notes} |")
        md.append("")
    md += ["## Exceptions", "",
           "`PyException` variants know their class (`e.class()`, a `PyClass`), and classes their base, "
           "as in CPython 3.11. `except X:` is `e.is_instance_of(&PyClass::X)`, `except (A, B):` is "
           "`e.is_instance_of_any(&[A, B])`, `issubclass(A, B)` is `A.is_subclass_of(&B)`. "
           "`class MyErr(ValueError)` is `PyClass::user(\"MyErr\", PyClass::ValueError)`, and "
           "`raise MyErr(\"m\")` is `Err(PyException::with_class(my_err, \"m\"))`. "
           "`multiprocessing.TimeoutError` is its own class (`MpTimeoutError`, a `ProcessError`), "
           "unlike `concurrent.futures.TimeoutError` and `asyncio.TimeoutError`, which are the builtin. "
           "`PanicException` (a Rust panic) derives from `BaseException` as in PyO3, so "
           "`except Exception:` does not catch it.", "",
           "| Python class | Base | `__module__` | Rust class | Raised as |", "|---|---|---|---|---|"]
    for x in exceptions:
        base = f"`{x['base']}`" if x["base"] else "(`object`)"
        md.append(f"| `{x['python']}` | {base} | `{x['module']}` | `{x['rust'].removeprefix(CRATE + '::')}` "
                  f"| `{x['raised_as'].removeprefix(CRATE + '::')}` |")
    md.append("")
    return "\n".join(md)


WHERE_WE_DIFFER = [
    "## Where we differ from CPython, and why", "",
    "- Blocking is CPython's: a call blocked in `result()`, `Queue.get`, `Event.wait`, `Lock.acquire`, "
    "`Condition.wait`, a channel or `asyncio.run` holds its worker and nothing else runs on it, so an executor "
    "never has more than `max_workers` calls in progress, and workers start one per `submit` while none is idle "
    "(`_adjust_thread_count`). Calls start in submission order from one FIFO queue.",
    "- One exception, where CPython deadlocks: a worker waiting in `result()` for a call of its own executor that is "
    "still queued, while every other worker is blocked and no new one may start, runs that call itself, as a "
    "different thread (its own `get_ident()`, `current_thread()` named `{prefix}_{n}` with `n` counting on from "
    "`max_workers`, its own `threading.local` values, and lock ownership: an `RLock` the waiter holds blocks it). "
    "So a nested `submit(...).result()` finishes even with `max_workers=1`; a chain of them deeper than the "
    "worker's stack allows raises `RecursionError: maximum recursion depth exceeded`. `wait()` and `as_completed()` "
    "never do this: they block as in CPython. `get_native_id()` of such a call is its worker's.",
    "- Opt-in, beyond CPython: `ThreadPoolExecutor::builder().starvation_rescue(after)` starts one extra worker "
    "(at most one per `after`) when every worker has been blocked that long with calls still queued, and says so "
    "(a warning on the `concurrent.futures` logger); without it such a pool stays blocked, as CPython's does.",
    "- `Pool.map(chunksize=None)` splits work adaptively instead of CPython's fixed `len/(4*processes)` chunks.",
    "- `multiprocessing` runs on threads: no pickling, shared memory, `Process.pid` is a thread id.",
    "- `Event.wait` returns a plain `bool`, so a timeout past `threading.TIMEOUT_MAX` waits forever instead of raising CPython's `OverflowError`.",
    "- After `Pool.terminate()`, a pending `map_async`/`apply_async` result raises `CancelledError` from `get()`; in CPython it never becomes ready (`get()` hangs).",
    "- `Pool.map(chunksize=None)` runs every item even after one raised; CPython's fixed chunks skip the rest of a failing chunk.",
    "- We have no Python tracebacks: where CPython prints one for an exception nobody receives "
    "(`threading.excepthook`, `Process NAME:`, the `concurrent.futures` and `multiprocessing` loggers), "
    "we print the same header and only the traceback's last line (`ValueError: boom`), no frames. "
    "`ExceptHookArgs.exc_traceback` is always `None`. A log record's message is that text "
    "(the message, a newline, the exception line); its target is the Python logger's name. "
    "See `pyrt_executor::report`.",
    "- A `Pool` `callback=`/`error_callback=` that raises is logged on `multiprocessing` "
    "(`Exception in callback:`) and the pool goes on; CPython's result-handler thread dies of it and `get()` hangs.",
    "- `threading.get_ident()` is a small integer (the main thread's is 1).",
    "- `repr()` of a `threading` lock, `Condition`, `Event`, `Semaphore`, `BoundedSemaphore` or `Barrier` is its "
    "`Debug` (`format!(\"{x:?}\")`): CPython's text without the address (`<threading.Event: unset>` for "
    "`<threading.Event at 0x7f...: unset>`, `<unlocked _thread.lock object>`); there is no object address to print.",
    "- Program exit follows CPython only under `run_main`: without it a Rust program ends when `main` returns, "
    "killing its threads and dropping queued executor work. `threading.main_thread()` is `run_main`'s thread, "
    "before that (or without it) the std thread named `main`.",
    "- An uncaught exception prints only the traceback's last line (`ValueError: bad`): there is no traceback to print; "
    "a failing `atexit` handler prints `Exception ignored in atexit callback: <function>` (no function repr) and that line.",
    "- At exit, a daemon `Process` is left running (a thread cannot be terminated) instead of being terminated; it ends with the program. "
    "A `multiprocessing.Pool` never closed finishes its queued work at exit (CPython's finalizer terminates it). "
    "Threads started from pool workers or processes default to daemon (their creating thread is a daemon thread here), so exit does not join them.",
    "- `sys.exit` in a `Process` target ends the target only: threads it started are not joined first, as a child interpreter would.",
    "- `InvalidStateError` messages and `Future` reprs have no object address: `FINISHED: <Future state=finished returned int>` "
    "where CPython says `<Future at 0x7f.. state=finished returned int>`; the returned type's name is `python_type_name::<T>()`.",
    "- A submitted future that is cancelled counts as done for `wait()`/`as_completed()` at once (CPython's "
    "`CANCELLED_AND_NOTIFIED` only once a worker dequeues it; after `shutdown(cancel_futures=True)` never, so a "
    "`wait()` on such futures hangs there). A `Future()` cancelled by hand is not done for them until "
    "`set_running_or_notify_cancel()`, as in CPython.",
    "- In a browser page that is not cross-origin isolated (no `SharedArrayBuffer`: the *messages* mode, see "
    "`worker-bootstrap/src/messages.rs`) nothing is shared between Web Workers, so the executor is "
    "`worker_bootstrap::messages::MessagePoolExecutor`: `submit`/`map`/`as_completed`/`wait` of functions "
    "registered by name (`pyrt_remote::Registry`), arguments and results as serde values, awaited (`.await`) "
    "because the program worker cannot block. What needs shared memory is a Python error, never a hang: "
    "`result()` on a future not yet done is `RuntimeError: result() would block: ...`, a task is a registered "
    "name or nothing (closures do not cross; an argument that cannot be serialised is `TypeError`, an unknown "
    "name `KeyError`), and `ThreadPoolExecutor`, `Lock`, `Queue` ... there have no threads: their calls run "
    "inline on the waiting thread, as on `wasm32-wasip1` (`threading.Thread` is `RuntimeError: can't start "
    "new thread`). Work is not stolen between its workers (a free worker pulls the next task or chunk). "
    "CPython has no such mode; we chose `RuntimeError`, its class for \"cannot do this here\".",
    "- In a browser, a task whose Web Worker traps (stack overflow, out of memory, `unreachable`: not a panic) "
    "raises `RuntimeError: the worker running this call died: ...` and the pool replaces the worker, in both "
    "browser modes, where a crash of a CPython worker thread ends the process. Only executor calls fail that way: "
    "a `join` half or a `spawn_future` task that was running on the dead worker never completes.",
    "- A wait for an executor's or pool's workers to exit that could only end with the waiting thread's own exit "
    "(workers of two executors calling `shutdown(wait=True)` on, or dropping, each other's executor; a longer ring) "
    "is refused instead of hanging as in CPython: the wait that closes the cycle returns at once (`shutdown`, a drop) "
    "or raises `RuntimeError: cannot join current thread` (`Pool.join()`, CPython's `Thread.join` message), so every "
    "wait of the cycle ends. `shutdown(wait=True)` from one of the executor's own workers does not wait for that worker.",
    "- Beyond CPython: `stack_size` on `Thread::builder()` and `ThreadPoolExecutor::builder()` (CPython has only "
    "the process-wide `threading.stack_size()`, which our pool workers do not read).",
    "- `pyrt-mpi` (`mpi4py.futures` on MPI ranks, README *On MPI*): functions cross by registered name (`Registry::register`), not by pickling, and arguments and results are serde values; an unregistered name (`KeyError`), wrong types or an argument that cannot be serialised (`TypeError`) is raised by `submit` on rank 0, where CPython's `ProcessPoolExecutor` sets the pickling error on the future.",
    "- `pyrt-mpi`: a call sent ahead to a rank (`prefetch_per_rank`, default one per thread, as the extra call `ProcessPoolExecutor` keeps queued) counts as running, so `cancel()` refuses it; `prefetch_per_rank(Some(0))` keeps every call at the master until a thread is free. `MpiPool::terminate()` cancels the calls still at the master; calls on a rank finish there (ranks are not killed). A rank that dies ends the whole job (`mpirun` names it, kills the others and exits non-zero) instead of failing the futures with `BrokenProcessPool`.",
    "",
    "By kind, what CPython has that we do not: processes (`multiprocessing` and `ProcessPoolExecutor` run on threads "
    "of one process: no `fork`/`spawn`, no pickling, no killing a worker, no worker replacement, no sockets as "
    "`Connection`s); the interpreter (no garbage collector or weak references to our objects, no "
    "`sys.settrace`/`setprofile`, no signals, no subinterpreters, no traceback frames); semaphores have no "
    "`get_value()`; Manager proxies have no live iterators and no nested proxies; `asyncio` is a bridge (`run`, "
    "`gather`, `run_in_executor`, `to_thread`, `wait_for`, `shield`, `sleep`), not an event loop. "
    "Single APIs we lack are listed next.", ""]


def generate(json_path=None):
    if json_path is None:
        json_path = build_json(ROOT, "pyrt-executor", os.environ.get("NIGHTLY", "nightly"))
    api = Api(json_path)
    entries, checks = build(api)
    exceptions = exception_entries()
    doc = {"$schema": "./python-mapping.schema.json",
           "crate": CRATE,
           "generated_by": "scripts/python_mapping.py",
           "apis": entries, "exceptions": exceptions}
    return {JSON_OUT: json.dumps(doc, indent=2, ensure_ascii=False) + "\n",
            MD_OUT: render_md(entries, exceptions),
            RS_OUT: render_rs(checks, api.std_used)}


def main():
    check = "--check" in sys.argv
    rustdoc_json = next((a.split("=", 1)[1] for a in sys.argv if a.startswith("--rustdoc-json=")), None)
    try:
        files = generate(rustdoc_json)
    except ContractError as e:
        print(f"python-mapping: the contract and the code disagree:\n{e}", file=sys.stderr)
        sys.exit(1)
    stale = []
    for path, text in files.items():
        old = path.read_text() if path.exists() else ""
        if old == text:
            continue
        if check:
            stale.append(path)
            sys.stderr.writelines(list(difflib.unified_diff(old.splitlines(True), text.splitlines(True),
                                                            str(path), "generated", n=1))[:60])
        else:
            path.write_text(text)
    if stale:
        print("\npython-mapping: stale: " + ", ".join(str(p.relative_to(ROOT)) for p in stale) +
              "\nrun: python3 scripts/python_mapping.py", file=sys.stderr)
        sys.exit(1)
    n = json.loads(files[JSON_OUT])
    print(f"{len(n['apis'])} entries ({sum(e['status'] == 'missing' for e in n['apis'])} missing), "
          f"{len(n['exceptions'])} exception classes" + (" (up to date)" if check else ""))


if __name__ == "__main__":
    main()
