//! `queue`: orders, bounds, timeouts, task tracking, and blocking inside the
//! pool without starving it.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use pyrt_executor::concurrent::futures::{Future, ThreadPoolExecutor};
use pyrt_executor::queue::{LifoQueue, PriorityQueue, Queue, SimpleQueue};
use pyrt_executor::{PyException, PyResult};

#[test]
fn fifo_lifo_and_priority_orders() -> PyResult<()> {
    let q = Queue::new(None);
    let l = LifoQueue::new(None);
    let p = PriorityQueue::new(None);
    for x in [3, 1, 2] {
        q.put(x, None, None)?;
        l.put(x, None, None)?;
        p.put(x, None, None)?;
    }
    let drain = |f: &dyn Fn() -> PyResult<i32>| (0..3).map(|_| f().unwrap()).collect::<Vec<_>>();
    assert_eq!(drain(&|| q.get(None, None)), vec![3, 1, 2]);
    assert_eq!(drain(&|| l.get(None, None)), vec![2, 1, 3]);
    assert_eq!(drain(&|| p.get(None, None)), vec![1, 2, 3]);
    // Ties on the priority compare the items, like Python tuples.
    let p = PriorityQueue::new(None);
    for item in [(1, "b"), (0, "z"), (1, "a")] {
        p.put(item, None, None)?;
    }
    assert_eq!(p.get(None, None)?, (0, "z"));
    assert_eq!(p.get(None, None)?, (1, "a"));
    assert_eq!(p.get(None, None)?, (1, "b"));
    Ok(())
}

#[test]
fn bounded_queue_raises_full_and_empty() -> PyResult<()> {
    let q = Queue::new(Some(1));
    assert_eq!(q.maxsize(), 1);
    assert!(q.empty() && !q.full());
    q.put_nowait(1)?;
    assert!(q.full());
    let e = q.put_nowait(2).unwrap_err();
    assert_eq!(e, PyException::Full(String::new()));
    assert_eq!(e.to_string(), "Full");
    // The item comes back with the error if asked for.
    let (item, e) = q.put_or_return(7, Some(true), Some(0.01)).unwrap_err();
    assert_eq!((item, e.name()), (Some(7), "Full"));
    assert_eq!(q.get_nowait()?, 1);
    let e = q.get_nowait().unwrap_err();
    assert_eq!(e.to_string(), "Empty");
    assert_eq!(q.get(Some(true), Some(0.01)).unwrap_err().name(), "Empty");
    // Negative maxsize means unbounded, as in Python.
    let unbounded = Queue::new(Some(-1));
    for i in 0..1000 {
        unbounded.put_nowait(i)?;
    }
    assert_eq!(unbounded.qsize(), 1000);
    Ok(())
}

#[test]
fn negative_timeouts_are_value_errors() {
    let q: Queue<u8> = Queue::new(None);
    let e = q.get(Some(true), Some(-1.0)).unwrap_err();
    assert_eq!(
        e.to_string(),
        "ValueError: 'timeout' must be a non-negative number"
    );
    let e = q.put(1, Some(true), Some(-0.5)).unwrap_err();
    assert_eq!(e.name(), "ValueError");
    assert_eq!(q.qsize(), 0);
}

#[test]
fn task_done_and_join_track_every_item() -> PyResult<()> {
    let q: Queue<usize> = Queue::new(Some(4));
    let processed = Arc::new(AtomicUsize::new(0));
    let consumers: Vec<_> = (0..2)
        .map(|_| {
            let q = q.clone();
            let processed = processed.clone();
            std::thread::spawn(move || loop {
                let item = q.get(None, None).unwrap();
                if item == usize::MAX {
                    q.task_done().unwrap();
                    return;
                }
                processed.fetch_add(1, Ordering::SeqCst);
                q.task_done().unwrap();
            })
        })
        .collect();
    for i in 0..100 {
        q.put(i, None, None)?; // blocks while the queue is full
    }
    q.join();
    assert_eq!(processed.load(Ordering::SeqCst), 100);
    q.put(usize::MAX, None, None)?;
    q.put(usize::MAX, None, None)?;
    for c in consumers {
        c.join().unwrap();
    }
    q.join();
    let e = q.task_done().unwrap_err();
    assert_eq!(
        e.to_string(),
        "ValueError: task_done() called too many times"
    );
    Ok(())
}

/// Tasks that block on `get` run before the tasks that feed them, on a pool
/// too small to run them all at once. CPython deadlocks there; the opt-in
/// starvation rescue starts extra workers for the producers.
fn consumers_first(workers: usize) -> PyResult<()> {
    let ex = ThreadPoolExecutor::builder()
        .max_workers(Some(workers as i64))
        .starvation_rescue(std::time::Duration::from_millis(20))
        .build()?;
    let q: Queue<u64> = Queue::new(Some(1));
    let consumers: Vec<Future<u64>> = (0..4)
        .map(|_| {
            let q = q.clone();
            ex.submit(move || q.get(None, None))
        })
        .collect::<PyResult<_>>()?;
    let producers: Vec<Future<()>> = (1..=4u64)
        .map(|i| {
            let q = q.clone();
            ex.submit(move || q.put(i * 10, None, None))
        })
        .collect::<PyResult<_>>()?;
    let mut got: Vec<u64> = consumers
        .iter()
        .map(|f| f.result(None))
        .collect::<PyResult<_>>()?;
    for p in &producers {
        p.result(None)?;
    }
    got.sort();
    assert_eq!(got, vec![10, 20, 30, 40]);
    Ok(())
}

#[test]
fn blocked_getters_on_two_workers_are_rescued_when_asked() -> PyResult<()> {
    consumers_first(2)
}

#[test]
fn blocked_getters_on_one_worker_are_rescued_when_asked() -> PyResult<()> {
    consumers_first(1)
}

#[test]
fn without_rescue_a_getter_fed_by_a_later_call_blocks_as_in_cpython() -> PyResult<()> {
    // One worker, blocked in `get`; the producer stays queued behind it.
    let ex = ThreadPoolExecutor::new(Some(1))?;
    let q: Queue<u64> = Queue::new(None);
    let q1 = q.clone();
    let consumer: Future<u64> = ex.submit(move || q1.get(None, None))?;
    let q2 = q.clone();
    let producer: Future<()> = ex.submit(move || q2.put(1, None, None))?;
    // The watchdog: CPython's program would hang here forever.
    let e = consumer
        .result(Some(std::time::Duration::from_millis(200)))
        .unwrap_err();
    assert_eq!(e.name(), "TimeoutError");
    assert!(!producer.running() && !producer.done(), "still queued");
    // Feeding the queue from outside unblocks the worker; then the
    // producer runs too.
    q.put(7, None, None)?;
    assert_eq!(consumer.result(None)?, 7);
    producer.result(None)?;
    assert_eq!(q.get(None, None)?, 1);
    Ok(())
}

#[test]
fn simple_queue_and_many_producers() {
    let q = SimpleQueue::new();
    std::thread::scope(|s| {
        for t in 0..4u64 {
            let q = q.clone();
            s.spawn(move || {
                for i in 0..1000 {
                    q.put(t * 1000 + i, None, None);
                }
            });
        }
    });
    assert_eq!(q.qsize(), 4000);
    let mut sum = 0;
    while let Ok(v) = q.get_nowait() {
        sum += v;
    }
    assert_eq!(sum, (0..4000u64).sum::<u64>());
    assert!(q.empty());
}

/// A transpiled dynamic value: ints order, dicts do not.
#[derive(Debug, PartialEq)]
enum Value {
    Int(i64),
    Dict(Vec<(i64, i64)>),
}

impl pyrt_executor::queue::PyOrd for Value {
    fn py_lt(&self, other: &Self) -> PyResult<bool> {
        use pyrt_executor::queue::lt_not_supported;
        match (self, other) {
            (Value::Int(a), Value::Int(b)) => Ok(a < b),
            (Value::Dict(_), Value::Dict(_)) => Err(lt_not_supported("dict", "dict")),
            (Value::Int(_), Value::Dict(_)) => Err(lt_not_supported("int", "dict")),
            (Value::Dict(_), Value::Int(_)) => Err(lt_not_supported("dict", "int")),
        }
    }
}

#[test]
fn priority_queue_of_unorderable_values_raises_cpythons_type_error() -> PyResult<()> {
    use pyrt_executor::PyClass;
    let q = PriorityQueue::new(None);
    // The first item needs no comparison.
    q.put(Value::Dict(vec![]), None, None)?;
    let e = q.put(Value::Dict(vec![(1, 2)]), None, None).unwrap_err();
    assert!(e.is_instance_of(&PyClass::TypeError));
    assert_eq!(
        e.to_string(),
        "TypeError: '<' not supported between instances of 'dict' and 'dict'"
    );
    // As CPython's heappush: the item stays in the heap, but the failed put
    // counts no task and does not wake a getter.
    assert_eq!((q.qsize(), q.unfinished_tasks()), (2, 1));
    // heappop of two items compares nothing.
    assert_eq!(q.get(None, None)?, Value::Dict(vec![]));
    assert_eq!(q.get(None, None)?, Value::Dict(vec![(1, 2)]));
    q.task_done()?;
    assert_eq!(
        q.task_done().unwrap_err().to_string(),
        "ValueError: task_done() called too many times"
    );

    // heappush compares the new item with its parent: `{} < 1`.
    let q = PriorityQueue::new(None);
    q.put(Value::Int(1), None, None)?;
    let e = q.put(Value::Dict(vec![]), None, None).unwrap_err();
    assert_eq!(
        e.message(),
        "'<' not supported between instances of 'dict' and 'int'"
    );

    // Tuples compare like Python's: equal items are never ordered, so only
    // a tie on everything before an unorderable item raises.
    let q = PriorityQueue::new(None);
    q.put((1, Value::Dict(vec![])), None, None)?;
    q.put((0, Value::Dict(vec![])), None, None)?;
    q.put((1, Value::Dict(vec![])), None, None)?; // equal tuples: not <
    let e = q
        .put((1, Value::Dict(vec![(3, 4)])), None, None)
        .unwrap_err();
    assert_eq!(
        e.message(),
        "'<' not supported between instances of 'dict' and 'dict'"
    );
    // As CPython's heappop: sifting the unorderable item down raises, and
    // the smallest item is lost (CPython: 3 items left, same message).
    let e = q.get(None, None).unwrap_err();
    assert_eq!(
        e.message(),
        "'<' not supported between instances of 'dict' and 'dict'"
    );
    assert_eq!(q.qsize(), 3);
    Ok(())
}

#[test]
fn priority_queue_pops_equal_items_in_heapqs_order() -> PyResult<()> {
    // Items ordered by their first field only: which of the equal ones comes
    // out first is heapq's business. CPython:
    //   q = PriorityQueue(); [q.put(K(k, i)) for i, k in enumerate([1, 0, 1, 0, 1, 0])]
    //   [q.get().i for _ in range(6)] == [1, 5, 3, 2, 0, 4]
    #[derive(Debug, PartialEq)]
    struct K(u8, usize);
    impl pyrt_executor::queue::PyOrd for K {
        fn py_lt(&self, other: &Self) -> PyResult<bool> {
            Ok(self.0 < other.0)
        }
    }
    let q = PriorityQueue::new(None);
    for (i, k) in [1, 0, 1, 0, 1, 0].into_iter().enumerate() {
        q.put(K(k, i), None, None)?;
    }
    let order: Vec<usize> = (0..6).map(|_| q.get(None, None).unwrap().1).collect();
    assert_eq!(order, [1, 5, 3, 2, 0, 4]);
    Ok(())
}
