//! Ports of CPython 3.11's `Lib/test/test_queue.py` (see `SKIPPED.md` for the
//! tests that cannot apply, with the reason).
//!
//! `BaseQueueTestMixin` runs for `Queue`, `LifoQueue` and `PriorityQueue`:
//! one generic helper per test method, called from one test per class
//! (`queue_…`, `lifo_queue_…`, `priority_queue_…`). CPython runs every class
//! twice, for the C `_queue` module and the pure Python one; here they are
//! one. `_TriggerThread` sleeps 0.1 s so that the blocking call blocks before
//! the trigger unclogs it; ours waits until the queue counts a blocked
//! caller instead, so "appeared not to block" cannot depend on the load.

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use common::{assert_raises, watchdog};
use executor_api::queue::{
    lt_not_supported, BaseQueue, Fifo, Lifo, LifoQueue, Priority, PriorityQueue, PyOrd, Queue,
    SimpleQueue, Store,
};
use executor_api::threading::{Event, Thread};
use executor_api::{PyClass, PyException, PyResult};

const QUEUE_SIZE: isize = 5;

/// `support.SHORT_TIMEOUT`.
const SHORT_TIMEOUT: f64 = 30.0;

/// The Python values these tests put: ints and strs (never compared with
/// each other; a `PriorityQueue` would raise CPython's `TypeError` if they
/// were).
#[derive(Debug, Clone, PartialEq)]
enum V {
    Int(i64),
    Str(&'static str),
}

impl PyOrd for V {
    fn py_lt(&self, other: &Self) -> PyResult<bool> {
        match (self, other) {
            (V::Int(a), V::Int(b)) => Ok(a < b),
            (V::Str(a), V::Str(b)) => Ok(a < b),
            (V::Int(_), V::Str(_)) => Err(lt_not_supported("int", "str")),
            (V::Str(_), V::Int(_)) => Err(lt_not_supported("str", "int")),
        }
    }
}

type Q<S> = BaseQueue<V, S>;

/// `qfull(q)`.
fn qfull<S: Store<V>>(q: &Q<S>) -> bool {
    q.maxsize() > 0 && q.qsize() as isize == q.maxsize()
}

/// `threading_helper.join_thread(thread)`.
#[track_caller]
fn join_thread(thread: &Thread) {
    thread.join(Some(SHORT_TIMEOUT)).expect("join");
    assert!(
        !thread.is_alive(),
        "failed to join the thread in {SHORT_TIMEOUT} seconds"
    );
}

/// `_TriggerThread(fn, args)`: runs `trigger` once `blocked()` says the
/// blocking call is waiting (CPython sleeps 0.1 s instead), setting
/// `started` first.
fn trigger_thread(
    blocked: impl Fn() -> bool + Send + 'static,
    trigger: impl FnOnce() -> PyResult<()> + Send + 'static,
) -> (Thread, Event) {
    let started = Event::new();
    let event = started.clone();
    let thread = Thread::new(move || {
        while !blocked() {
            std::thread::sleep(Duration::from_millis(1)); // allow-sleep: polls until the queue reports the caller blocked
        }
        event.set();
        trigger()
    });
    (thread, started)
}

/// `BlockingTestMixin.do_blocking_test`: `block` must block until
/// `trigger` ran. An exception of `block` is returned as CPython propagates
/// it (then "appeared not to block" is not checked, as in CPython).
fn do_blocking_test<S, R>(
    q: &Q<S>,
    block: impl FnOnce() -> PyResult<R>,
    trigger: impl FnOnce(Q<S>) -> PyResult<()> + Send + 'static,
) -> PyResult<R>
where
    S: Store<V> + Send + 'static,
{
    let (waiting, unclog) = (q.clone(), q.clone());
    let (thread, started) =
        trigger_thread(move || waiting.waiter_count() > 0, move || trigger(unclog));
    thread.start().expect("start");
    let result = block();
    if result.is_ok() {
        assert!(started.is_set(), "blocking function appeared not to block");
    }
    join_thread(&thread);
    result
}

/// `BlockingTestMixin.do_exceptional_blocking_test`: `block` must raise
/// `expected`, which is returned.
fn do_exceptional_blocking_test<S, R: std::fmt::Debug>(
    q: &Q<S>,
    block: impl FnOnce() -> PyResult<R>,
    trigger: impl FnOnce(Q<S>) -> PyResult<()> + Send + 'static,
    expected: PyClass,
) -> PyException
where
    S: Store<V> + Send + 'static,
{
    let (waiting, unclog) = (q.clone(), q.clone());
    let (thread, started) =
        trigger_thread(move || waiting.waiter_count() > 0, move || trigger(unclog));
    thread.start().expect("start");
    let result = block();
    join_thread(&thread);
    assert!(started.is_set(), "trigger thread ended but event never set");
    match result {
        Err(e) if e.is_instance_of(&expected) => e,
        other => panic!(
            "expected exception of kind {}, got {other:?}",
            expected.name()
        ),
    }
}

fn get<S: Store<V>>(q: Q<S>) -> PyResult<()> {
    q.get(None, None).map(drop)
}

// --- BaseQueueTestMixin -------------------------------------------------

/// `BaseQueueTestMixin.basic_queue_test`; `target_order` is the class's
/// entry of CPython's `target_order` dict.
fn basic_queue_test<S: Store<V> + Send + 'static>(q: &Q<S>, target_order: [i64; 3]) {
    if q.qsize() != 0 {
        panic!("RuntimeError: Call this function with an empty queue");
    }
    assert!(q.empty());
    assert!(!q.full());
    // I guess we better check things actually queue correctly a little :)
    for x in [111, 333, 222] {
        q.put(V::Int(x), None, None).unwrap();
    }
    let actual_order: Vec<V> = (0..3).map(|_| q.get(None, None).unwrap()).collect();
    assert_eq!(
        actual_order,
        target_order.map(V::Int),
        "Didn't seem to queue the correct data!"
    );
    for i in 0..QUEUE_SIZE - 1 {
        q.put(V::Int(i as i64), None, None).unwrap();
        assert!(q.qsize() != 0, "Queue should not be empty");
    }
    assert!(!qfull(q), "Queue should not be full");
    let last = V::Int(2 * QUEUE_SIZE as i64);
    let full = V::Int(3 * 2 * QUEUE_SIZE as i64);
    q.put(last, None, None).unwrap();
    assert!(qfull(q), "Queue should be full");
    assert!(!q.empty());
    assert!(q.full());
    match q.put(full.clone(), Some(false), None) {
        Err(PyException::Full(_)) => {}
        other => panic!("Didn't appear to block with a full queue: {other:?}"),
    }
    match q.put(full.clone(), None, Some(0.01)) {
        Err(PyException::Full(_)) => {}
        other => panic!("Didn't appear to time-out with a full queue: {other:?}"),
    }
    // Test a blocking put
    do_blocking_test(q, || q.put(full.clone(), None, None), get).unwrap();
    do_blocking_test(q, || q.put(full.clone(), Some(true), Some(10.0)), get).unwrap();
    // Empty it
    for _ in 0..QUEUE_SIZE {
        q.get(None, None).unwrap();
    }
    assert!(q.qsize() == 0, "Queue should be empty");
    match q.get(Some(false), None) {
        Err(PyException::Empty(_)) => {}
        other => panic!("Didn't appear to block with an empty queue: {other:?}"),
    }
    match q.get(None, Some(0.01)) {
        Err(PyException::Empty(_)) => {}
        other => panic!("Didn't appear to time-out with an empty queue: {other:?}"),
    }
    // Test a blocking get
    let put_empty = |q: Q<S>| q.put(V::Str("empty"), None, None);
    let got = do_blocking_test(q, || q.get(None, None), put_empty).unwrap();
    assert_eq!(got, V::Str("empty"));
    let got = do_blocking_test(q, || q.get(Some(true), Some(10.0)), put_empty).unwrap();
    assert_eq!(got, V::Str("empty"));
}

/// `BaseQueueTestMixin.worker`.
fn worker<S: Store<V>>(q: Q<S>, cum: Arc<Mutex<i64>>) -> PyResult<()> {
    loop {
        let x = match q.get(None, None)? {
            V::Int(x) => x,
            other => panic!("not an int: {other:?}"),
        };
        if x < 0 {
            q.task_done()?;
            return Ok(());
        }
        *cum.lock().unwrap() += x;
        q.task_done()?;
    }
}

/// `BaseQueueTestMixin.queue_join_test`.
fn queue_join_test<S: Store<V> + Send + 'static>(q: &Q<S>) {
    let cum = Arc::new(Mutex::new(0));
    let threads: Vec<Thread> = (0..2)
        .map(|_| {
            let (q, cum) = (q.clone(), cum.clone());
            let thread = Thread::new(move || worker(q, cum));
            thread.start().unwrap();
            thread
        })
        .collect();
    for i in 0..100 {
        q.put(V::Int(i), None, None).unwrap();
    }
    q.join();
    assert_eq!(
        *cum.lock().unwrap(),
        (0..100).sum::<i64>(),
        "q.join() did not block until all tasks were done"
    );
    for _ in 0..2 {
        q.put(V::Int(-1), None, None).unwrap(); // instruct the threads to close
    }
    q.join(); // verify that you can join twice
    for thread in &threads {
        thread.join(None).unwrap();
    }
}

fn mixin_test_queue_task_done<S: Store<V> + Default>() {
    // Test to make sure a queue task completed successfully.
    let q = Q::<S>::new(None);
    match q.task_done() {
        Err(PyException::ValueError(_)) => {}
        other => panic!("Did not detect task count going negative: {other:?}"),
    }
}

fn mixin_test_queue_join<S: Store<V> + Default + Send + 'static>() {
    // Test that a queue join()s successfully, and before anything else
    // (done twice for insurance).
    watchdog(|| {
        let q = Q::<S>::new(None);
        queue_join_test(&q);
        queue_join_test(&q);
        match q.task_done() {
            Err(PyException::ValueError(_)) => {}
            other => panic!("Did not detect task count going negative: {other:?}"),
        }
    })
}

fn mixin_test_basic<S: Store<V> + Default + Send + 'static>(target_order: [i64; 3]) {
    // Do it a couple of times on the same queue.
    // Done twice to make sure works with same instance reused.
    watchdog(move || {
        let q = Q::<S>::new(Some(QUEUE_SIZE));
        basic_queue_test(&q, target_order);
        basic_queue_test(&q, target_order);
    })
}

fn mixin_test_negative_timeout_raises_exception<S: Store<V> + Default>() {
    let q = Q::<S>::new(Some(QUEUE_SIZE));
    assert_raises(PyClass::ValueError, q.put(V::Int(1), None, Some(-1.0)));
    assert_raises(PyClass::ValueError, q.get(Some(true), Some(-1.0)));
}

fn mixin_test_nowait<S: Store<V> + Default>() {
    let q = Q::<S>::new(Some(QUEUE_SIZE));
    for _ in 0..QUEUE_SIZE {
        q.put_nowait(V::Int(1)).unwrap();
    }
    assert_raises(PyClass::Full, q.put_nowait(V::Int(1)));
    for _ in 0..QUEUE_SIZE {
        q.get_nowait().unwrap();
    }
    assert_raises(PyClass::Empty, q.get_nowait());
}

fn mixin_test_shrinking_queue<S: Store<V> + Default>() {
    // issue 10110
    let q = Q::<S>::new(Some(3));
    for x in [1, 2, 3] {
        q.put(V::Int(x), None, None).unwrap();
    }
    assert_raises(PyClass::Full, q.put_nowait(V::Int(4)));
    assert_eq!(q.qsize(), 3);
    q.set_maxsize(2); // shrink the queue
    assert_raises(PyClass::Full, q.put_nowait(V::Int(4)));
}

/// The stores of `Queue`, `LifoQueue` and `PriorityQueue` over `V`.
type FifoS = Fifo<V>;
type LifoS = Lifo<V>;
type PriorityS = Priority<V>;

// The aliases are the public names a transpiler uses.
const _: fn(Option<isize>) -> Queue<V> = Q::<FifoS>::new;
const _: fn(Option<isize>) -> LifoQueue<V> = Q::<LifoS>::new;
const _: fn(Option<isize>) -> PriorityQueue<V> = Q::<PriorityS>::new;

// QueueTest

// CPython: test_queue.BaseQueueTestMixin.test_queue_task_done (QueueTest)
#[test]
fn queue_test_queue_task_done() {
    mixin_test_queue_task_done::<FifoS>();
}

// CPython: test_queue.BaseQueueTestMixin.test_queue_join (QueueTest)
#[test]
fn queue_test_queue_join() {
    mixin_test_queue_join::<FifoS>();
}

// CPython: test_queue.BaseQueueTestMixin.test_basic (QueueTest)
#[test]
fn queue_test_basic() {
    mixin_test_basic::<FifoS>([111, 333, 222]);
}

// CPython: test_queue.BaseQueueTestMixin.test_negative_timeout_raises_exception (QueueTest)
#[test]
fn queue_test_negative_timeout_raises_exception() {
    mixin_test_negative_timeout_raises_exception::<FifoS>();
}

// CPython: test_queue.BaseQueueTestMixin.test_nowait (QueueTest)
#[test]
fn queue_test_nowait() {
    mixin_test_nowait::<FifoS>();
}

// CPython: test_queue.BaseQueueTestMixin.test_shrinking_queue (QueueTest)
#[test]
fn queue_test_shrinking_queue() {
    mixin_test_shrinking_queue::<FifoS>();
}

// LifoQueueTest

// CPython: test_queue.BaseQueueTestMixin.test_queue_task_done (LifoQueueTest)
#[test]
fn lifo_queue_test_queue_task_done() {
    mixin_test_queue_task_done::<LifoS>();
}

// CPython: test_queue.BaseQueueTestMixin.test_queue_join (LifoQueueTest)
#[test]
fn lifo_queue_test_queue_join() {
    mixin_test_queue_join::<LifoS>();
}

// CPython: test_queue.BaseQueueTestMixin.test_basic (LifoQueueTest)
#[test]
fn lifo_queue_test_basic() {
    mixin_test_basic::<LifoS>([222, 333, 111]);
}

// CPython: test_queue.BaseQueueTestMixin.test_negative_timeout_raises_exception (LifoQueueTest)
#[test]
fn lifo_queue_test_negative_timeout_raises_exception() {
    mixin_test_negative_timeout_raises_exception::<LifoS>();
}

// CPython: test_queue.BaseQueueTestMixin.test_nowait (LifoQueueTest)
#[test]
fn lifo_queue_test_nowait() {
    mixin_test_nowait::<LifoS>();
}

// CPython: test_queue.BaseQueueTestMixin.test_shrinking_queue (LifoQueueTest)
#[test]
fn lifo_queue_test_shrinking_queue() {
    mixin_test_shrinking_queue::<LifoS>();
}

// PriorityQueueTest

// CPython: test_queue.BaseQueueTestMixin.test_queue_task_done (PriorityQueueTest)
#[test]
fn priority_queue_test_queue_task_done() {
    mixin_test_queue_task_done::<PriorityS>();
}

// CPython: test_queue.BaseQueueTestMixin.test_queue_join (PriorityQueueTest)
#[test]
fn priority_queue_test_queue_join() {
    mixin_test_queue_join::<PriorityS>();
}

// CPython: test_queue.BaseQueueTestMixin.test_basic (PriorityQueueTest)
#[test]
fn priority_queue_test_basic() {
    mixin_test_basic::<PriorityS>([111, 222, 333]);
}

// CPython: test_queue.BaseQueueTestMixin.test_negative_timeout_raises_exception (PriorityQueueTest)
#[test]
fn priority_queue_test_negative_timeout_raises_exception() {
    mixin_test_negative_timeout_raises_exception::<PriorityS>();
}

// CPython: test_queue.BaseQueueTestMixin.test_nowait (PriorityQueueTest)
#[test]
fn priority_queue_test_nowait() {
    mixin_test_nowait::<PriorityS>();
}

// CPython: test_queue.BaseQueueTestMixin.test_shrinking_queue (PriorityQueueTest)
#[test]
fn priority_queue_test_shrinking_queue() {
    mixin_test_shrinking_queue::<PriorityS>();
}

// --- FailingQueueTest ---------------------------------------------------

/// `class FailingQueueException(Exception)`.
fn failing_queue_exception() -> PyClass {
    PyClass::user_in(
        "test.test_queue",
        "FailingQueueException",
        PyClass::Exception,
    )
}

/// `FailingQueue`'s flags, shared by the test and the queue's store.
#[derive(Default)]
struct FailNext {
    put: AtomicBool,
    get: AtomicBool,
}

/// `class FailingQueue(Queue)`: its `_put`/`_get` raise
/// `FailingQueueException("You Lose")` once when `fail_next_put` /
/// `fail_next_get` is set.
struct FailingStore {
    items: Fifo<V>,
    fail_next: Arc<FailNext>,
}

impl Store<V> for FailingStore {
    fn push(&mut self, item: V) -> PyResult<()> {
        if self.fail_next.put.swap(false, Ordering::SeqCst) {
            return Err(PyException::with_class(
                failing_queue_exception(),
                "You Lose",
            ));
        }
        self.items.push(item)
    }
    fn pop(&mut self) -> PyResult<V> {
        if self.fail_next.get.swap(false, Ordering::SeqCst) {
            return Err(PyException::with_class(
                failing_queue_exception(),
                "You Lose",
            ));
        }
        self.items.pop()
    }
    fn len(&self) -> usize {
        self.items.len()
    }
}

/// `FailingQueueTest.failing_queue_test`.
fn failing_queue_test(q: &Q<FailingStore>, fail_next: &FailNext) {
    let fail_next_put = || fail_next.put.store(true, Ordering::SeqCst);
    let fail_next_get = || fail_next.get.store(true, Ordering::SeqCst);
    let didnt_fail = "The queue didn't fail when it should have";
    let assert_fails = |r: PyResult<()>| match r {
        Err(e) if e.is_instance_of(&failing_queue_exception()) => {}
        other => panic!("{didnt_fail}: {other:?}"),
    };
    if q.qsize() != 0 {
        panic!("RuntimeError: Call this function with an empty queue");
    }
    for i in 0..QUEUE_SIZE - 1 {
        q.put(V::Int(i as i64), None, None).unwrap();
    }
    // Test a failing non-blocking put.
    fail_next_put();
    assert_fails(q.put(V::Str("oops"), Some(false), None));
    fail_next_put();
    assert_fails(q.put(V::Str("oops"), None, Some(0.1)));
    q.put(V::Str("last"), None, None).unwrap();
    assert!(qfull(q), "Queue should be full");
    // Test a failing blocking put
    fail_next_put();
    assert_fails(do_blocking_test(
        q,
        || q.put(V::Str("full"), None, None),
        get,
    ));
    // Check the Queue isn't damaged.
    // put failed, but get succeeded - re-add
    q.put(V::Str("last"), None, None).unwrap();
    // Test a failing timeout put
    fail_next_put();
    do_exceptional_blocking_test(
        q,
        || q.put(V::Str("full"), Some(true), Some(10.0)),
        get,
        failing_queue_exception(),
    );
    // Check the Queue isn't damaged.
    // put failed, but get succeeded - re-add
    q.put(V::Str("last"), None, None).unwrap();
    assert!(qfull(q), "Queue should be full");
    q.get(None, None).unwrap();
    assert!(!qfull(q), "Queue should not be full");
    q.put(V::Str("last"), None, None).unwrap();
    assert!(qfull(q), "Queue should be full");
    // Test a blocking put
    do_blocking_test(q, || q.put(V::Str("full"), None, None), get).unwrap();
    // Empty it
    for _ in 0..QUEUE_SIZE {
        q.get(None, None).unwrap();
    }
    assert!(q.qsize() == 0, "Queue should be empty");
    q.put(V::Str("first"), None, None).unwrap();
    fail_next_get();
    assert_fails(q.get(None, None).map(drop));
    assert!(q.qsize() != 0, "Queue should not be empty");
    fail_next_get();
    assert_fails(q.get(None, Some(0.1)).map(drop));
    assert!(q.qsize() != 0, "Queue should not be empty");
    q.get(None, None).unwrap();
    assert!(q.qsize() == 0, "Queue should be empty");
    fail_next_get();
    do_exceptional_blocking_test(
        q,
        || q.get(None, None),
        |q| q.put(V::Str("empty"), None, None),
        failing_queue_exception(),
    );
    // put succeeded, but get failed.
    assert!(q.qsize() != 0, "Queue should not be empty");
    q.get(None, None).unwrap();
    assert!(q.qsize() == 0, "Queue should be empty");
}

// CPython: test_queue.FailingQueueTest.test_failing_queue
#[test]
fn test_failing_queue() {
    // Test to make sure a queue is functioning correctly.
    // Done twice to the same instance.
    watchdog(|| {
        let fail_next = Arc::new(FailNext::default());
        let store = FailingStore {
            items: Fifo::default(),
            fail_next: fail_next.clone(),
        };
        let q = BaseQueue::with_store(Some(QUEUE_SIZE), store);
        failing_queue_test(&q, &fail_next);
        failing_queue_test(&q, &fail_next);
    })
}

// --- BaseSimpleQueueTest (PySimpleQueueTest and CSimpleQueueTest) ---------

/// The sentinel is `None`.
type Item = Option<i64>;

/// The test's `random.Random(42)`, shared by the feeders as CPython's is (a
/// different generator: only "sometimes sleep a little" matters).
struct Rnd(u64);

impl Rnd {
    /// `rnd.random()`: a float in [0, 1).
    fn random(&mut self) -> f64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }
}

struct Shared {
    q: SimpleQueue<Item>,
    seq: Mutex<Vec<i64>>,
    rnd: Mutex<Rnd>,
    results: Mutex<Vec<i64>>,
}

/// `BaseSimpleQueueTest.feed`.
fn feed(s: &Shared, sentinel: Item) -> PyResult<()> {
    loop {
        let val = s.seq.lock().unwrap().pop();
        let Some(val) = val else {
            s.q.put(sentinel, None, None);
            return Ok(());
        };
        s.q.put(Some(val), None, None);
        let mut rnd = s.rnd.lock().unwrap();
        if rnd.random() > 0.5 {
            let pause = rnd.random() * 1e-3;
            drop(rnd);
            std::thread::sleep(Duration::from_secs_f64(pause)); // allow-sleep: CPython's random jitter between puts
        }
    }
}

/// `BaseSimpleQueueTest.consume`.
fn consume(s: &Shared, sentinel: Item) -> PyResult<()> {
    loop {
        let val = s.q.get(None, None)?;
        if val == sentinel {
            return Ok(());
        }
        s.results.lock().unwrap().push(val.unwrap());
    }
}

/// `BaseSimpleQueueTest.consume_nonblock`.
fn consume_nonblock(s: &Shared, sentinel: Item) -> PyResult<()> {
    loop {
        let val = loop {
            match s.q.get(Some(false), None) {
                Err(PyException::Empty(_)) => std::thread::sleep(Duration::from_secs_f64(1e-5)), // allow-sleep: consume_nonblock's retry pause
                other => break other?,
            }
        };
        if val == sentinel {
            return Ok(());
        }
        s.results.lock().unwrap().push(val.unwrap());
    }
}

/// `BaseSimpleQueueTest.consume_timeout`.
fn consume_timeout(s: &Shared, sentinel: Item) -> PyResult<()> {
    loop {
        let val = loop {
            match s.q.get(None, Some(1e-5)) {
                Err(PyException::Empty(_)) => {}
                other => break other?,
            }
        };
        if val == sentinel {
            return Ok(());
        }
        s.results.lock().unwrap().push(val.unwrap());
    }
}

type Role = fn(&Shared, Item) -> PyResult<()>;

/// `BaseSimpleQueueTest.run_threads`.
fn run_threads(
    n_threads: usize,
    q: &SimpleQueue<Item>,
    inputs: &[i64],
    feed_func: Role,
    consume_func: Role,
) -> Vec<i64> {
    let sentinel = None;
    let mut seq = inputs.to_vec();
    seq.reverse();
    let shared = Arc::new(Shared {
        q: q.clone(),
        seq: Mutex::new(seq),
        rnd: Mutex::new(Rnd(42)),
        results: Mutex::new(Vec::new()),
    });
    let exceptions = Arc::new(Mutex::new(Vec::<PyException>::new()));
    // `log_exceptions(f)`
    let thread = |f: Role| {
        let (shared, exceptions) = (shared.clone(), exceptions.clone());
        Thread::new(move || {
            if let Err(e) = f(&shared, sentinel) {
                exceptions.lock().unwrap().push(e);
            }
        })
    };
    let threads: Vec<Thread> = (0..n_threads)
        .map(|_| thread(feed_func))
        .chain((0..n_threads).map(|_| thread(consume_func)))
        .collect();
    // `with threading_helper.start_threads(feeders + consumers): pass`
    for t in &threads {
        t.start().unwrap();
    }
    for t in &threads {
        join_thread(t);
    }
    assert!(
        exceptions.lock().unwrap().is_empty(),
        "{:?}",
        exceptions.lock().unwrap()
    );
    assert!(q.empty());
    assert_eq!(q.qsize(), 0);
    let results = std::mem::take(&mut *shared.results.lock().unwrap());
    results
}

// CPython: test_queue.BaseSimpleQueueTest.test_basic
#[test]
fn simple_queue_test_basic() {
    // Basic tests for get(), put() etc.
    let q = SimpleQueue::new();
    assert!(q.empty());
    assert_eq!(q.qsize(), 0);
    q.put(1, None, None);
    assert!(!q.empty());
    assert_eq!(q.qsize(), 1);
    q.put(2, None, None);
    q.put_nowait(3);
    q.put(4, None, None);
    assert!(!q.empty());
    assert_eq!(q.qsize(), 4);

    assert_eq!(q.get(None, None), Ok(1));
    assert_eq!(q.qsize(), 3);

    assert_eq!(q.get_nowait(), Ok(2));
    assert_eq!(q.qsize(), 2);

    assert_eq!(q.get(Some(false), None), Ok(3));
    assert!(!q.empty());
    assert_eq!(q.qsize(), 1);

    assert_eq!(q.get(None, Some(0.1)), Ok(4));
    assert!(q.empty());
    assert_eq!(q.qsize(), 0);

    assert_raises(PyClass::Empty, q.get(Some(false), None));
    assert_raises(PyClass::Empty, q.get(None, Some(1e-3)));
    assert_raises(PyClass::Empty, q.get_nowait());
    assert!(q.empty());
    assert_eq!(q.qsize(), 0);
}

// CPython: test_queue.BaseSimpleQueueTest.test_negative_timeout_raises_exception
#[test]
fn simple_queue_test_negative_timeout_raises_exception() {
    let q = SimpleQueue::new();
    q.put(1, None, None);
    assert_raises(PyClass::ValueError, q.get(None, Some(-1.0)));
}

// CPython: test_queue.BaseSimpleQueueTest.test_order
#[test]
fn simple_queue_test_order() {
    // Test a pair of concurrent put() and get()
    watchdog(|| {
        let q = SimpleQueue::new();
        let inputs: Vec<i64> = (0..100).collect();
        let results = run_threads(1, &q, &inputs, feed, consume);
        // One producer, one consumer => results appended in well-defined order
        assert_eq!(results, inputs);
    })
}

// CPython: test_queue.BaseSimpleQueueTest.test_many_threads
#[test]
fn simple_queue_test_many_threads() {
    // Test multiple concurrent put() and get()
    watchdog(|| {
        let n = 50;
        let q = SimpleQueue::new();
        let inputs: Vec<i64> = (0..10000).collect();
        let mut results = run_threads(n, &q, &inputs, feed, consume);
        // Multiple consumers without synchronization append the
        // results in random order
        results.sort();
        assert_eq!(results, inputs);
    })
}

// CPython: test_queue.BaseSimpleQueueTest.test_many_threads_nonblock
#[test]
fn simple_queue_test_many_threads_nonblock() {
    // Test multiple concurrent put() and get(block=False)
    watchdog(|| {
        let n = 50;
        let q = SimpleQueue::new();
        let inputs: Vec<i64> = (0..10000).collect();
        let mut results = run_threads(n, &q, &inputs, feed, consume_nonblock);
        results.sort();
        assert_eq!(results, inputs);
    })
}

// CPython: test_queue.BaseSimpleQueueTest.test_many_threads_timeout
#[test]
fn simple_queue_test_many_threads_timeout() {
    // Test multiple concurrent put() and get(timeout=...)
    watchdog(|| {
        let n = 50;
        let q = SimpleQueue::new();
        let inputs: Vec<i64> = (0..1000).collect();
        let mut results = run_threads(n, &q, &inputs, feed, consume_timeout);
        results.sort();
        assert_eq!(results, inputs);
    })
}

// CPython: test_queue.BaseSimpleQueueTest.test_references
#[test]
fn simple_queue_test_references() {
    // The queue should lose references to each item as soon as
    // it leaves the queue. (`weakref.ref` is `Weak`; the item is dropped at
    // the end of the statement that got it, as CPython's refcount drops it.)
    struct C;
    let n = 20;
    let q = SimpleQueue::new();
    for _ in 0..n {
        q.put(Arc::new(C), None, None);
    }
    for _ in 0..n {
        let wr: Weak<C> = Arc::downgrade(&q.get(None, None).unwrap());
        assert!(wr.upgrade().is_none());
    }
}
