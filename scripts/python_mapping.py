#!/usr/bin/env python3
"""Writes docs/python-mapping.json and docs/python-mapping.md from the tables
below: every supported Python API and the Rust call a transpiler emits, and
the exception classes with their CPython bases (read from this Python, which
must be CPython 3.11). conformance/tests/mapping.rs checks that every Rust
path exists, that the Markdown lists every entry, and that executor_api's
PyClass tree matches the exceptions section. Edit the tables here, then run
this script."""

import importlib
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
E = "executor_api"

# (python, rust path, rust call shape, note)
MODULES = {
    "concurrent.futures": [
        ("ThreadPoolExecutor(max_workers=None)", f"{E}::concurrent::futures::ThreadPoolExecutor::new", "ThreadPoolExecutor::new(max_workers: Option<i64>) -> PyResult<_>", "None = min(32, cpu_count + 4); 0 or less: ValueError: max_workers must be greater than 0"),
        ("ThreadPoolExecutor(max_workers, thread_name_prefix, initializer, initargs)", f"{E}::concurrent::futures::ThreadPoolExecutor::builder", "ThreadPoolExecutor::builder().max_workers(..).thread_name_prefix(..).initializer(..).build()", "initargs are captured by the initializer closure"),
        ("executor.submit(fn, *args)", f"{E}::concurrent::futures::ThreadPoolExecutor::submit", "ex.submit(move || fn(args)) -> PyResult<Future<T>>", "a closure returning PyResult<T> 'raises'; annotate the Future<T> type"),
        ("executor.map(fn, *iterables, timeout=None, chunksize=1)", f"{E}::concurrent::futures::ThreadPoolExecutor::map", "ex.map(f, iterable, timeout: Option<Duration>, chunksize: Option<i64>) -> PyResult<MapIter<T>>", "several iterables: zip them into one of tuples; chunksize is accepted and ignored, as in CPython; yields PyResult<T>; the first error or a TimeoutError ends the iteration and cancels the calls not started, as does dropping the iterator once advanced (never advanced: nothing is cancelled), as in Python"),
        ("executor.shutdown(wait=True, *, cancel_futures=False)", f"{E}::concurrent::futures::ThreadPoolExecutor::shutdown", "ex.shutdown(wait, cancel_futures)", "dropping the last handle = leaving the with block"),
        ("with ThreadPoolExecutor(...) as ex:", f"{E}::concurrent::futures::ThreadPoolExecutor", "let ex = ...; /* scope end drops ex */", "Drop of the last clone calls shutdown(wait=True)"),
        ("ProcessPoolExecutor(max_workers=None)", f"{E}::concurrent::futures::ProcessPoolExecutor::new", "ProcessPoolExecutor::new(max_workers: Option<i64>)", "threads, not processes; None = cpu_count(); 0 or less: ValueError"),
        ("len(executor._threads)", f"{E}::concurrent::futures::ThreadPoolExecutor::live_threads", "ex.live_threads()", "the workers running now (started lazily); 0 after shutdown(wait=True)"),
        ("len(executor._processes)", f"{E}::concurrent::futures::ProcessPoolExecutor::live_processes", "ex.live_processes()", "workers started on demand, as the spawn context"),
        ("ProcessPoolExecutor.map(fn, iterable, timeout=None, chunksize=1)", f"{E}::concurrent::futures::ProcessPoolExecutor::map", "ex.map(f, iterable, timeout, chunksize: Option<i64>)", "chunksize < 1: ValueError: chunksize must be >= 1.; a chunk that raises yields none of its items and ends the iteration there (CPython's _process_chunk is a list comprehension)"),
        ("Future.result(timeout=None)", f"{E}::concurrent::futures::Future::result", "f.result(timeout: Option<Duration>) -> PyResult<T>", "blocks like a Python thread; where CPython would deadlock (a worker waiting for a queued call of its own pool, every other worker blocked) the call runs nested on the waiter as another thread"),
        ("Future.result(timeout=None) (T not Clone)", f"{E}::concurrent::futures::Future::into_result", "f.into_result(timeout) -> PyResult<T>", "moves the value out; result() on another handle then raises InvalidStateError"),
        ("repr(future)", f"{E}::concurrent::futures::Future", "format!(\"{f:?}\")", "<Future state=finished returned int> (no address); the type name is python_type_name::<T>()"),
        ("type(value).__name__ (of a result)", f"{E}::concurrent::futures::python_type_name", "python_type_name::<T>()", "int, float, str, list, tuple, dict, set, NoneType, else the Rust type's own name"),
        ("Future.exception(timeout=None)", f"{E}::concurrent::futures::Future::exception", "f.exception(timeout) -> PyResult<Option<PyException>>", ""),
        ("Future.done()", f"{E}::concurrent::futures::Future::done", "f.done()", ""),
        ("Future.running()", f"{E}::concurrent::futures::Future::running", "f.running()", ""),
        ("Future.cancelled()", f"{E}::concurrent::futures::Future::cancelled", "f.cancelled()", ""),
        ("Future.cancel()", f"{E}::concurrent::futures::Future::cancel", "f.cancel()", "succeeds only while queued"),
        ("Future.add_done_callback(fn)", f"{E}::concurrent::futures::Future::add_done_callback", "f.add_done_callback(move |f| ..)", "the callback may return PyResult<()>; an Err or a panic is logged and the other callbacks still run"),
        ("(test helper) the waiters of a future", f"{E}::concurrent::futures::Future::waiters", "f.waiters()", "beyond CPython: threads registered as waiting, so a test waits for a waiter instead of sleeping"),
        ("Future()", f"{E}::concurrent::futures::Future::new", "Future::new()", ""),
        ("Future.set_result(result)", f"{E}::concurrent::futures::Future::set_result", "f.set_result(v)", ""),
        ("Future.set_exception(exception)", f"{E}::concurrent::futures::Future::set_exception", "f.set_exception(e)", ""),
        ("Future.set_running_or_notify_cancel()", f"{E}::concurrent::futures::Future::set_running_or_notify_cancel", "f.set_running_or_notify_cancel()", ""),
        ("await future", f"{E}::concurrent::futures::Future", "f.await", "Future<T> implements std::future::Future<Output = PyResult<T>>"),
        ("wait(fs, timeout=None, return_when=ALL_COMPLETED)", f"{E}::concurrent::futures::wait", "wait(&fs, timeout, Some(FIRST_COMPLETED)) -> DoneAndNotDone", "fs is a set: a future listed twice appears once"),
        ("as_completed(fs, timeout=None)", f"{E}::concurrent::futures::as_completed", "as_completed(&fs, timeout) -> iterator of PyResult<Future<T>>", "TimeoutError: N (of M) futures unfinished as an item when the timeout expires; duplicates are yielded and counted once"),
        ("logging.getLogger('concurrent.futures')", f"{E}::report::FUTURES_LOGGER", "a log::Log logger; records have target FUTURES_LOGGER", "failing done-callbacks (error) and initializers (critical = log's Error); with no logger, CPython's lastResort text on stderr"),
        ("FIRST_COMPLETED / FIRST_EXCEPTION / ALL_COMPLETED", f"{E}::concurrent::futures::FIRST_COMPLETED", "FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED", ""),
    ],
    "threading": [
        ("Thread(target=f, name=None, args=(), daemon=None)", f"{E}::threading::Thread::builder", "Thread::builder().name(..).target_name(\"f\").daemon(..).build(move || f(args))", "target_name gives CPython's default name 'Thread-N (f)'; an empty name gets the default too"),
        ("Thread(target=f)", f"{E}::threading::Thread::new", "Thread::new(move || ..)", ""),
        ("Thread.start()", f"{E}::threading::Thread::start", "t.start()?", "RuntimeError: threads can only be started once"),
        ("Thread.join(timeout=None)", f"{E}::threading::Thread::join", "t.join(timeout: Option<f64>)?", ""),
        ("Thread.is_alive()", f"{E}::threading::Thread::is_alive", "t.is_alive()", ""),
        ("Thread.name / ident / native_id / daemon", f"{E}::threading::Thread::ident", "t.name(), t.ident(), t.native_id(), t.daemon()", "ident/native_id are Option (None before start)"),
        ("Thread.daemon = flag", f"{E}::threading::Thread::set_daemon", "t.set_daemon(flag)?", "before start(); run_main joins non-daemon threads at exit"),
        ("t is other (threads)", f"{E}::threading::Thread::ptr_eq", "t.ptr_eq(&other)", "identity: clones of a Thread are the same object"),
        ("Lock()", f"{E}::threading::Lock::new", "Lock::new()", ""),
        ("Lock.acquire(blocking=True, timeout=-1)", f"{E}::threading::Lock::acquire", "l.acquire(blocking: Option<bool>, timeout: Option<f64>) -> PyResult<bool>", "None timeout = -1; a timeout past threading.TIMEOUT_MAX is OverflowError: timestamp out of range for platform time_t (even non-blocking), NaN a ValueError"),
        ("Lock.release()", f"{E}::threading::Lock::release", "l.release()?", ""),
        ("Lock.locked()", f"{E}::threading::Lock::locked", "l.locked()", ""),
        ("with lock:", f"{E}::threading::Lock::with", "let _g = l.with()?;", "RAII guard releases at scope end"),
        ("RLock()", f"{E}::threading::RLock::new", "RLock::new()", ""),
        ("RLock.acquire / release", f"{E}::threading::RLock::acquire", "r.acquire(None, None)?; r.release()?", "huge timeouts: as Lock.acquire"),
        ("RLock._is_owned()", f"{E}::threading::RLock::is_owned", "r.is_owned()", "true if the calling thread owns it"),
        ("RLock._recursion_count()", f"{E}::threading::RLock::recursion_count", "r.recursion_count()", "0 if another thread owns it"),
        ("RLock._release_save() / _acquire_restore(state)", f"{E}::threading::RLock::release_save", "let s = r.release_save()?; r.acquire_restore(s)", "RuntimeError: cannot release un-acquired lock if not held"),
        ("repr(lock) / repr(rlock)", f"{E}::threading::Lock", "format!(\"{l:?}\")", "CPython's repr without ' at 0x...': <unlocked _thread.lock object>, <locked _thread.RLock object owner=1 count=2>"),
        ("threading.TIMEOUT_MAX", f"{E}::threading::TIMEOUT_MAX", "executor_api::threading::TIMEOUT_MAX", "9223372036.0, CPython's value on Linux"),
        ("Condition(lock=None)", f"{E}::threading::Condition::new", "Condition::new(Some(lock.into()))", "None = a new RLock"),
        ("Condition.wait(timeout=None)", f"{E}::threading::Condition::wait", "c.wait(timeout: Option<f64>) -> PyResult<bool>", "a timeout past TIMEOUT_MAX is OverflowError"),
        ("Condition.wait_for(predicate, timeout=None)", f"{E}::threading::Condition::wait_for", "c.wait_for(|| pred, timeout) -> PyResult<R>", "returns the predicate's last value of any Truthy type (bool, numbers, Option, String, Vec, ...), e.g. wait_for(|| items.clone(), None); OverflowError for a huge timeout once it must wait"),
        ("Condition.notify(n=1)", f"{E}::threading::Condition::notify", "c.notify(n: Option<usize>)?", ""),
        ("Condition.notify_all()", f"{E}::threading::Condition::notify_all", "c.notify_all()?", ""),
        ("Condition._is_owned()", f"{E}::threading::Condition::is_owned", "c.is_owned()", "a plain Lock: whether anybody holds it, as in CPython"),
        ("Condition._release_save() / _acquire_restore(state)", f"{E}::threading::Condition::release_save", "let s = c.release_save()?; c.acquire_restore(s)", "the lock's RuntimeError if not held"),
        ("repr(cond)", f"{E}::threading::Condition", "format!(\"{c:?}\")", "<Condition(<unlocked _thread.RLock object owner=0 count=0>, 0)> (the lock's repr, the number of waiters)"),
        ("Semaphore(value=1)", f"{E}::threading::Semaphore::new", "Semaphore::new(value: Option<i64>)?", ""),
        ("Semaphore.acquire(blocking=True, timeout=None)", f"{E}::threading::Semaphore::acquire", "s.acquire(blocking, timeout)?", "a huge timeout is OverflowError only when it must wait, as in CPython"),
        ("Semaphore.release(n=1)", f"{E}::threading::Semaphore::release", "s.release(n: Option<usize>)?", ""),
        ("BoundedSemaphore(value=1)", f"{E}::threading::BoundedSemaphore::new", "BoundedSemaphore::new(value)? (a bounded Semaphore)", ""),
        ("repr(sem)", f"{E}::threading::Semaphore", "format!(\"{s:?}\")", "<threading.Semaphore: value=3>, <threading.BoundedSemaphore: value=2/3>"),
        ("Event()", f"{E}::threading::Event::new", "Event::new()", ""),
        ("Event.set() / clear() / is_set()", f"{E}::threading::Event::set", "e.set(); e.clear(); e.is_set()", ""),
        ("Event.wait(timeout=None)", f"{E}::threading::Event::wait", "e.wait(timeout: Option<f64>) -> bool", "a waiter present at set() returns True even if clear() follows at once (gh-57711); a timeout past TIMEOUT_MAX waits forever instead of CPython's OverflowError (no error channel)"),
        ("repr(event)", f"{E}::threading::Event", "format!(\"{e:?}\")", "<threading.Event: unset>, <threading.Event: set>"),
        ("Barrier(parties, action=None, timeout=None)", f"{E}::threading::Barrier::new", "Barrier::new(parties, action: Option<Arc<dyn Fn() -> PyResult<()>>>, timeout)", ""),
        ("Barrier.wait(timeout=None)", f"{E}::threading::Barrier::wait", "b.wait(timeout)? -> index", ""),
        ("Barrier.abort() / reset()", f"{E}::threading::Barrier::abort", "b.abort(); b.reset()", ""),
        ("Barrier.parties / n_waiting / broken", f"{E}::threading::Barrier::n_waiting", "b.parties(), b.n_waiting(), b.broken()", ""),
        ("repr(barrier)", f"{E}::threading::Barrier", "format!(\"{b:?}\")", "<threading.Barrier: waiters=0/3>, <threading.Barrier: broken>"),
        ("local()", f"{E}::threading::Local::new", "Local::<T>::new(); l.set(v); l.get(); l.with(|v| ..)", "the attribute bag becomes one value type T; a thread's value is dropped when that thread ends (a call run nested on a worker included) or with the local; with() locks only the calling thread's value"),
        ("local.x", f"{E}::threading::Local::getattr", "l.getattr(\"x\")?", "AttributeError: '_thread._local' object has no attribute 'x' on a thread without a value"),
        ("del local.x", f"{E}::threading::Local::take_attr", "l.take_attr(\"x\")?", "l.take() for an Option"),
        ("class MyLocal(local): def __init__(self, *args)", f"{E}::threading::Local::with_init", "Local::with_init(move || T { .. }).named(\"MyLocal\")", "init runs in the creating thread and again on each other thread's first access, as __init__ does; named() gives the class name in AttributeError messages"),
        ("Timer(interval, function)", f"{E}::threading::Timer::new", "Timer::new(interval_secs, move || ..)", ""),
        ("Timer(interval, function, args, kwargs)", f"{E}::threading::Timer::with_args", "Timer::with_args(interval_secs, |args: A, kwargs: K| .., args, kwargs)", "any Clone types (a Vec, a HashMap, a tuple); the function gets copies of what the timer holds when it fires; each timer's are its own"),
        ("Timer.args / Timer.kwargs", f"{E}::threading::Timer::args", "t.args().push(x); t.kwargs().insert(k, v)", "guards over the timer's values, changeable until it fires"),
        ("Timer.interval", f"{E}::threading::Timer::interval", "t.interval(); t.set_interval(secs)", "set before start() to take effect"),
        ("Timer.finished", f"{E}::threading::Timer::finished", "t.finished() -> &Event", "set by cancel() and when the timer is done"),
        ("Timer.cancel()", f"{E}::threading::Timer::cancel", "t.cancel()", ""),
        ("threading.stack_size([size])", f"{E}::threading::stack_size", "stack_size(Some(bytes))? -> previous; stack_size(None)?", "for threads started afterwards; 0 = default; ValueError: size not valid: N bytes below 32 KiB, as CPython on Linux"),
        ("repr(thread)", f"{E}::threading::Thread", "format!(\"{t:?}\")", "CPython's text: <Thread(Thread-1, stopped daemon 7)>, <_DummyThread(..)>, <_MainThread(..)>, <Timer(..)>"),
        ("current_thread()", f"{E}::threading::current_thread", "current_thread()", ""),
        ("main_thread()", f"{E}::threading::main_thread", "main_thread()", ""),
        ("get_ident()", f"{E}::threading::get_ident", "get_ident()", "small integers, not addresses"),
        ("get_native_id()", f"{E}::threading::get_native_id", "get_native_id()", ""),
        ("active_count()", f"{E}::threading::active_count", "active_count()", ""),
        ("enumerate()", f"{E}::threading::enumerate", "enumerate()", ""),
        ("threading.excepthook = hook", f"{E}::threading::set_excepthook", "set_excepthook(|args: &ExceptHookArgs| ..)", "the hook may return PyResult<()>; a failing hook prints 'Exception in threading.excepthook:' and its exception"),
        ("threading.excepthook(args)", f"{E}::threading::excepthook", "excepthook()(&args)", "the hook in place"),
        ("threading.__excepthook__", f"{E}::threading::default_excepthook", "default_excepthook(&args); set_excepthook(default_excepthook)", "'Exception in thread NAME:' and the exception's last line on stderr; SystemExit is silent"),
        ("ExceptHookArgs: exc_type, exc_value, exc_traceback, thread", f"{E}::threading::ExceptHookArgs", "args.exc_type (class name), args.exc_value, args.exc_traceback (always None), args.thread: Option<Thread>", ""),
    ],
    "queue": [
        ("Queue(maxsize=0)", f"{E}::queue::Queue", "Queue::new(maxsize: Option<isize>)", "clones are the same queue"),
        ("LifoQueue(maxsize=0)", f"{E}::queue::LifoQueue", "LifoQueue::new(maxsize)", ""),
        ("PriorityQueue(maxsize=0)", f"{E}::queue::PriorityQueue", "PriorityQueue::new(maxsize)", "items are PyOrd (Python's '<', implemented for the std ordered types; tuples and lists compare like Python's); heapq's order, step for step"),
        ("PriorityQueue items whose '<' raises TypeError", f"{E}::queue::PyOrd", "impl PyOrd for V { fn py_lt(&self, o: &Self) .. Err(lt_not_supported(\"dict\", \"dict\")) }", "a PriorityQueue put/get raises it as CPython's heapq does (a failed heappush keeps the item, a failed heappop loses the smallest)"),
        ("class Q(Queue) overriding _put / _get / _qsize", f"{E}::queue::BaseQueue::with_store", "BaseQueue::with_store(maxsize, store) with impl Store<T> (push, pop, len)", "a push/pop that raises is raised by put/get; a failed put counts no task and wakes no getter, as CPython"),
        ("Queue.put(item, block=True, timeout=None)", f"{E}::queue::BaseQueue::put", "q.put(item, block: Option<bool>, timeout: Option<f64>)?", "on Full the item is dropped; put_or_return gives it back (None if the store's push raised); block=False ignores the timeout (even -1), a huge timeout is OverflowError when it must wait"),
        ("Queue.get(block=True, timeout=None)", f"{E}::queue::BaseQueue::get", "q.get(block, timeout)?", "a get on a pool worker runs other tasks while it waits; block=False ignores the timeout (even -1)"),
        ("Queue.put_nowait / get_nowait", f"{E}::queue::BaseQueue::get_nowait", "q.put_nowait(x)?; q.get_nowait()?", ""),
        ("Queue.qsize() / empty() / full()", f"{E}::queue::BaseQueue::qsize", "q.qsize(); q.empty(); q.full()", ""),
        ("Queue.task_done() / join()", f"{E}::queue::BaseQueue::task_done", "q.task_done()?; q.join()", ""),
        ("Queue.unfinished_tasks", f"{E}::queue::BaseQueue::unfinished_tasks", "q.unfinished_tasks()", ""),
        ("Queue.maxsize / q.maxsize = n", f"{E}::queue::BaseQueue::set_maxsize", "q.maxsize(); q.set_maxsize(n)", "read by every later put, as CPython (blocked putters are not woken)"),
        ("SimpleQueue()", f"{E}::queue::SimpleQueue::new", "SimpleQueue::new()", ""),
        ("queue.Empty / queue.Full", f"{E}::exceptions::PyException", "PyException::Empty / PyException::Full", ""),
    ],
    "multiprocessing": [
        ("Pool(processes=None, initializer=None, initargs=())", f"{E}::multiprocessing::Pool::new", "Pool::new(processes: Option<i64>)? or Pool::builder().processes(..).initializer(..).build()?", "threads; ValueError: Number of processes must be at least 1 (also for negative counts)"),
        ("multiprocessing.pool.ThreadPool(processes=None)", f"{E}::multiprocessing::pool::ThreadPool", "ThreadPool::new(processes)?", "the same type as Pool"),
        ("Pool(maxtasksperchild=None)", f"{E}::multiprocessing::PoolBuilder::maxtasksperchild", "Pool::builder().maxtasksperchild(Some(n)).build()?", "ValueError: maxtasksperchild must be a positive int or None; worker threads are not replaced"),
        ("with Pool(...) as p:", f"{E}::multiprocessing::Pool::enter", "let p = pool.enter()?; ...; p.terminate()", "ValueError: Pool not running once closed or terminated"),
        ("Pool.map / imap / imap_unordered over an iterable that raises", f"{E}::multiprocessing::Pool::try_imap", "pool.try_map(f, iter_of_pyresult, chunksize)?; pool.try_imap(..)?; pool.try_imap_unordered(..)?", "an Err item is the iterable raising: map raises it; imap yields the whole chunks before it, then it"),
        ("Pool.map(func, iterable, chunksize=None)", f"{E}::multiprocessing::Pool::map", "pool.map(f, iterable, chunksize)? -> Vec<T>", "chunksize=None splits adaptively (lazy binary splitting); every item runs even after one raised, then the first exception to happen is raised (CPython's MapResult: completion order; by position with one worker); an explicit chunk stops at its first exception"),
        ("Pool.starmap(func, iterable, chunksize=None)", f"{E}::multiprocessing::Pool::starmap", "pool.starmap(|(a, b)| f(a, b), items, None)?", ""),
        ("Pool.apply(func, args=())", f"{E}::multiprocessing::Pool::apply", "pool.apply(move || f(args))?", ""),
        ("Pool.apply_async(func, args, callback=None, error_callback=None)", f"{E}::multiprocessing::Pool::apply_async", "pool.apply_async(f, callback: Option<Box<..>>, error_callback)?", ""),
        ("Pool.map_async(func, iterable, chunksize, callback, error_callback)", f"{E}::multiprocessing::Pool::map_async", "pool.map_async(f, items, chunksize, callback, error_callback)?", "errors as Pool.map; after terminate() its unstarted items are skipped and get() raises CancelledError (CPython's result never becomes ready)"),
        ("Pool.starmap_async(...)", f"{E}::multiprocessing::Pool::starmap_async", "pool.starmap_async(..)?", ""),
        ("Pool.imap(func, iterable, chunksize=1)", f"{E}::multiprocessing::Pool::imap", "pool.imap(f, items, chunksize)?", "chunksize=1 goes on after an error; a failing chunk ends it (as CPython)"),
        ("Pool.imap_unordered(func, iterable, chunksize=1)", f"{E}::multiprocessing::Pool::imap_unordered", "pool.imap_unordered(f, items, chunksize)?", ""),
        ("Pool.close() / terminate() / join()", f"{E}::multiprocessing::Pool::close", "pool.close(); pool.terminate(); pool.join()?", "drop = terminate, like leaving with Pool(); terminate() also stops a running map/map_async"),
        ("AsyncResult.get(timeout=None)", f"{E}::multiprocessing::AsyncResult::get", "r.get(timeout: Option<Duration>)?", ""),
        ("AsyncResult.wait / ready / successful", f"{E}::multiprocessing::AsyncResult::successful", "r.wait(t); r.ready(); r.successful()?", ""),
        ("Process(target=f, args=(), name=None)", f"{E}::multiprocessing::Process::new", "Process::new(move || f(args)) / Process::with_name(name, ..)", "a thread; exitcode 1 when the target raised ('Process NAME:' and the exception on stderr), a SystemExit's code"),
        ("Process.start() / join(timeout) / is_alive() / exitcode / pid", f"{E}::multiprocessing::Process::exitcode", "p.start()?; p.join(None)?; p.exitcode()", ""),
        ("Queue(maxsize=0) / JoinableQueue(maxsize=0)", f"{E}::multiprocessing::JoinableQueue", "multiprocessing::Queue::new(None)", "the same type as queue.Queue"),
        ("Pipe(duplex=True)", f"{E}::multiprocessing::Pipe", "let (a, b) = Pipe::<T>(duplex: Option<bool>);", ""),
        ("Connection.send / recv / poll / close", f"{E}::multiprocessing::Connection::poll", "c.send(x)?; c.recv()?; c.poll(timeout)?; c.close()", ""),
        ("Connection.send_bytes(buf, offset=0, size=None) / recv_bytes(maxlength=None)", f"{E}::multiprocessing::Connection::send_bytes", "c.send_bytes(&buf, offset, size)?; c.recv_bytes(maxlength)?", "for T: From<Vec<u8>> / Into<Vec<u8>>; CPython's ValueErrors; OSError: bad message length closes the end"),
        ("Connection.readable / writable / closed", f"{E}::multiprocessing::Connection::closed", "c.readable(); c.writable(); c.closed()", "after close(), OSError: handle is closed"),
        ("Value(typecode, value)", f"{E}::multiprocessing::Value::new", "Value::new(v); v.get(); v.set(x); v.get_lock()", "the Rust type replaces the typecode"),
        ("Array(typecode, initializer)", f"{E}::multiprocessing::Array::new", "Array::new(vec); a.get(i)?; a.set(i, x)?", ""),
        ("Value(typecode, value, lock=lock) / lock=False / RawValue", f"{E}::multiprocessing::RawValue::new", "Value::with_lock(v, rlock); Value::unlocked(v) / RawValue::new(v)", "lock=False gives a RawValue, which has no get_lock"),
        ("Array(typecode, size) / lock=False / RawArray", f"{E}::multiprocessing::RawArray::with_size", "Array::with_size(n); Array::unlocked(vec) / RawArray::new(vec)", "zeroed = T::default()"),
        ("Array a[i:j] / a[i:j] = seq", f"{E}::multiprocessing::RawArray::set_slice", "a.get_slice(start, stop); a.set_slice(start, stop, items)?", "ValueError: Can only assign sequence of same size"),
        ("Manager()", f"{E}::multiprocessing::Manager::new", "Manager::new()", "no server process"),
        ("Manager.dict() / list() / Namespace() / Value / Lock / Queue", f"{E}::multiprocessing::Manager::dict", "m.dict(); m.list(v); m.namespace(); m.value(v); m.lock(); m.queue(None)", ""),
        ("DictProxy copy() / values() / key in d / clear()", f"{E}::multiprocessing::DictProxy::copy", "d.copy(); d.values(); d.contains(&k); d.clear()", "copy is a plain IndexMap"),
        ("ListProxy l[i:j] / extend / *= / pop", f"{E}::multiprocessing::ListProxy::get_slice", "l.get_slice(start, stop); l.extend(it); l.imul(n); l.pop(i)?", ""),
        ("Namespace del ns.x / hasattr / str(ns)", f"{E}::multiprocessing::Namespace::del", "ns.del(\"x\")?; ns.has(\"x\"); ns.to_string()", "str: Namespace(a=1, b='x'), sorted, names with _ hidden"),
        ("multiprocessing.Event / Lock / RLock / Semaphore / BoundedSemaphore / Condition / Barrier", f"{E}::threading::Barrier", "multiprocessing::Event::new() etc. (re-exports)", "threading's, re-exported by multiprocessing"),
        ("cpu_count()", f"{E}::multiprocessing::cpu_count", "cpu_count()", ""),
        ("logging.getLogger('multiprocessing')", f"{E}::report::MULTIPROCESSING_LOGGER", "a log::Log logger; records have target MULTIPROCESSING_LOGGER", "a Pool callback= / error_callback= that raised (error)"),
        ("current_process()", f"{E}::multiprocessing::current_process", "current_process().name", ""),
        ("Process.daemon = flag", f"{E}::multiprocessing::Process::set_daemon", "p.set_daemon(flag)?", "before start(); at exit non-daemon processes are joined, daemon ones left running"),
        ("active_children()", f"{E}::multiprocessing::active_children", "active_children() -> Vec<Process>", "the running processes the caller started; finished ones are forgotten"),
    ],
    "program exit (__main__, sys, atexit)": [
        ('if __name__ == "__main__": main()', f"{E}::run_main", "fn main() -> ExitCode { run_main(main_body) }", "then CPython's shutdown: executors finish, non-daemon threads joined, atexit handlers, exit status"),
        ("sys.exit(code=None)", f"{E}::sys::exit", "return Err(sys::exit(code))", "code: an integer, a &str/String message, None or (); the status is SystemExitCode::exit_status"),
        ("raise SystemExit(code)", f"{E}::exceptions::SystemExitCode", "Err(PyException::SystemExit(SystemExitCode::Int(n)))", "in a Thread: silent; in a Process target: its exitcode"),
        ("atexit.register(func, *args)", f"{E}::atexit::register", "atexit::register(move || func(args))", "last registered runs first; one that raises is reported and the rest run"),
    ],
    "asyncio": [
        ("loop.run_in_executor(executor, func, *args)", f"{E}::asyncio::run_in_executor", "asyncio::run_in_executor(Some(&ex) or None, move || func(args)).await", "any Executor: ThreadPoolExecutor or ProcessPoolExecutor (then it is the call's own future, cancellable while queued)"),
        ("concurrent.futures.Executor", f"{E}::concurrent::futures::Executor", "&dyn Executor; ex.submit_job(Box::new(job))?", "object-safe submit of a job returning nothing"),
        ("asyncio.sleep(delay)", f"{E}::asyncio::sleep", "asyncio::sleep(secs).await", "a timer thread wakes the task; the thread is not blocked"),
        ("asyncio.wait_for(aw, timeout)", f"{E}::asyncio::wait_for", "asyncio::wait_for(fut, Some(secs)).await?", "TimeoutError; the awaitable is dropped (cancelled) on timeout"),
        ("asyncio.shield(aw)", f"{E}::asyncio::shield", "asyncio::shield(fut) -> Future<T>", "runs as its own task on scheduler::global(); dropping its awaiter does not stop it"),
        ("asyncio.TimeoutError", f"{E}::asyncio::TimeoutError", "e.is_instance_of(&asyncio::TimeoutError)", "the builtin TimeoutError (PyClass::TimeoutError)"),
        ("asyncio.to_thread(func, *args)", f"{E}::asyncio::to_thread", "asyncio::to_thread(move || ..).await", ""),
        ("asyncio.wrap_future(future)", f"{E}::asyncio::wrap_future", "asyncio::wrap_future(f).await", ""),
        ("asyncio.gather(*aws, return_exceptions=True)", f"{E}::asyncio::gather", "asyncio::gather(vec_of_futures).await -> Vec<PyResult<T>>", "outputs keep their own errors"),
        ("asyncio.run(main())", f"{E}::asyncio::run", "asyncio::run(async { .. })", ""),
    ],
}

# Exceptions a call raises, by Rust path (Python name: message pattern).
ERRORS = {
    "ThreadPoolExecutor::new": ["ValueError: max_workers must be greater than 0"],
    "ThreadPoolExecutor::submit": ["RuntimeError: cannot schedule new futures after shutdown",
                                   "RuntimeError: cannot schedule new futures after interpreter shutdown",
                                   "BrokenThreadPool: A thread initializer failed, the thread pool is not usable anymore"],
    "Future::result": ["TimeoutError", "CancelledError", "<the task's exception>"],
    "Future::exception": ["TimeoutError", "CancelledError"],
    "Future::set_result": ["InvalidStateError: FINISHED: <Future ...>"],
    "Thread::start": ["RuntimeError: threads can only be started once", "RuntimeError: can't start new thread"],
    "Thread::set_daemon": ["RuntimeError: cannot set daemon status of active thread"],
    "Process::set_daemon": ["AssertionError: process has already started"],
    "Thread::join": ["RuntimeError: cannot join thread before it is started", "RuntimeError: cannot join current thread"],
    "Lock::acquire": ["ValueError: can't specify a timeout for a non-blocking call", "ValueError: timeout value must be positive"],
    "Lock::release": ["RuntimeError: release unlocked lock"],
    "RLock::acquire": ["RuntimeError: cannot release un-acquired lock"],
    "Condition::wait": ["RuntimeError: cannot wait on un-acquired lock"],
    "Condition::notify": ["RuntimeError: cannot notify on un-acquired lock"],
    "Semaphore::new": ["ValueError: semaphore initial value must be >= 0"],
    "Semaphore::acquire": ["ValueError: can't specify timeout for non-blocking acquire"],
    "BoundedSemaphore::new": ["ValueError: Semaphore released too many times (on release)"],
    "Barrier::wait": ["BrokenBarrierError"],
    "BaseQueue::put": ["Full", "ValueError: 'timeout' must be a non-negative number"],
    "BaseQueue::get": ["Empty", "ValueError: 'timeout' must be a non-negative number"],
    "BaseQueue::task_done": ["ValueError: task_done() called too many times"],
    "Pool::new": ["ValueError: Number of processes must be at least 1"],
    "Pool::map": ["ValueError: Pool not running", "<the first failing item's exception>"],
    "AsyncResult::get": ["multiprocessing.TimeoutError (not the builtin TimeoutError)", "<the call's exception>"],
    "Process::start": ["AssertionError: cannot start a process twice"],
    "Process::exitcode": ["AssertionError: can only join a started process (join)"],
    "Connection::poll": ["OSError: connection is read-only", "OSError: connection is write-only", "OSError: handle is closed", "EOFError"],
    "Array::new": ["IndexError: invalid index (get/set)"],
    "Manager::dict": ["KeyError: '<key>'", "AttributeError: 'Namespace' object has no attribute '<name>'", "IndexError: list index out of range"],
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
    ("RuntimeError", "RuntimeError", "RuntimeError"),
    ("NotImplementedError", "NotImplementedError", "NotImplementedError"),
    ("RecursionError", "RecursionError", "RecursionError"),
    ("TypeError", "TypeError", "TypeError"),
    ("ValueError", "ValueError", "ValueError"),
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


def resolve(spelling):
    """The class object a dotted Python spelling names."""
    module, _, name = spelling.rpartition(".")
    return getattr(importlib.import_module(module or "builtins"), name)


def exception_entries():
    assert sys.version_info[:2] == (3, 11), "the exception tree is read from CPython 3.11"
    classes = {spelling: resolve(spelling) for spelling, _, _ in EXCEPTIONS if spelling not in PYO3}
    spelling_of = {cls: spelling for spelling, cls in classes.items()}
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
                    "rust": f"{E}::PyClass::{rust_class}",
                    "raised_as": f"{E}::PyException::{raised_as or 'Other'}"})
    return out


def params(python):
    """Parameters in order with defaults, from the Python signature text."""
    if "(" not in python or not python.endswith(")"):
        return []
    inner = python[python.index("(") + 1:-1]
    out = []
    for part in [p.strip() for p in inner.split(",") if p.strip()]:
        if part in ("*", "/"):
            continue
        name, _, default = part.partition("=")
        out.append({"name": name.strip(), "default": default.strip() or None})
    return out


def main():
    entries = []
    for module, rows in MODULES.items():
        for py, path, call, note in rows:
            key = "::".join(path.split("::")[-2:])
            returns = call.split("->", 1)[1].strip() if "->" in call else None
            entries.append({"module": module, "python": py, "rust": path, "call": call,
                            "params": params(py), "returns": returns,
                            "errors": ERRORS.get(key, []), "note": note})
    exceptions = exception_entries()
    doc = {"apis": entries, "exceptions": exceptions}
    (ROOT / "docs" / "python-mapping.json").write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    md = ["# Python → Rust mapping", "",
          "Every supported Python API and the Rust call a transpiler emits for it. "
          "Generated from `scripts/python_mapping.py` (also `docs/python-mapping.json`); "
          "`conformance/tests/mapping.rs` checks that every Rust path exists, and the "
          "conformance corpus (`conformance/`) runs Python programs next to their translations.", "",
          "## Rules", "",
          "- A Python parameter with a default becomes an `Option` parameter, in Python's order; "
          "`None` means Python's default. Classes with many keyword options also have a builder.",
          "- Python exceptions are `executor_api::PyException` variants named after them (see Exceptions below); "
          "`Display` is Python's last traceback line (`ValueError: ...`). `f\"{type(e).__name__}: {e}\"` "
          "is `format!(\"{}: {}\", e.name(), e.message())`.",
          "- A callable that raises returns `PyResult<T>`; plain values work too. Because both "
          "`T` and `PyResult<T>` convert, annotate the future when the closure returns `PyResult` "
          "(`let f: Future<u64> = ex.submit(|| -> PyResult<u64> { .. })?`).",
          "- `args`/`kwargs` are captured by the closure; objects shared between threads are cheap "
          "`Clone` handles (a clone is the same object, like a Python reference).",
          "- A panic in a task becomes `PanicException` carrying the panic message; the worker lives on.", "",
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
          "See `executor_api::report`.",
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
          "- A wait for an executor's or pool's workers to exit that could only end with the waiting thread's own exit "
          "(workers of two executors calling `shutdown(wait=True)` on, or dropping, each other's executor; a longer ring) "
          "is refused instead of hanging as in CPython: the wait that closes the cycle returns at once (`shutdown`, a drop) "
          "or raises `RuntimeError: cannot join current thread` (`Pool.join()`, CPython's `Thread.join` message), so every "
          "wait of the cycle ends. `shutdown(wait=True)` from one of the executor's own workers does not wait for that worker.", "",
          "## What CPython has that we do not, and why", "",
          "The CPython tests we cannot port are listed one by one in `conformance/cpython/SKIPPED.md`; by kind:", "",
          "- Processes: `multiprocessing` and `ProcessPoolExecutor` run on threads of one process, so there is no "
          "`fork`/`spawn`/`forkserver`, no pickling of arguments, no killing a worker (`Process.terminate()`, "
          "`Pool.terminate()` cannot stop a call already running), no worker replacement (`maxtasksperchild` is "
          "checked but workers live on), no `BrokenProcessPool` from a dying process, no sockets/fds as `Connection`s.",
          "- The interpreter: no garbage collector or weak references to objects we hand out, no `sys.settrace`/"
          "`setprofile`, no signals or `_thread.interrupt_main`, no subinterpreters, no Python traceback frames.",
          "- Semaphores have no `get_value()` (like CPython on macOS); Manager proxies have no live iterators and no "
          "nested proxies; `asyncio` is a bridge (`run`, `gather`, `run_in_executor`, `to_thread`, `wait_for`, "
          "`shield`, `sleep`), not an event loop with its own tasks, transports and `CancelledError` (a `BaseException`).", ""]
    for module, rows in MODULES.items():
        md += [f"## `{module}`", "", "| Python | Rust | Notes |", "|---|---|---|"]
        for py, path, call, note in rows:
            md.append(f"| `{py}` | `{call}` (`{path}`) | {note} |")
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
        md.append(f"| `{x['python']}` | {base} | `{x['module']}` | `{x['rust'].removeprefix(E + '::')}` "
                  f"| `{x['raised_as'].removeprefix(E + '::')}` |")
    md.append("")
    (ROOT / "docs" / "python-mapping.md").write_text("\n".join(md))
    print(f"{len(entries)} entries, {len(exceptions)} exception classes")

if __name__ == "__main__":
    main()
