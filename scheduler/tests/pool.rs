use std::io;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Barrier};

use pyrt_scheduler::{
    join, map_vec, scope, try_map_vec, ThreadPool, ThreadPoolBuilder, WorkerStart,
};

#[test]
fn spawned_closures_all_run_exactly_once() {
    let pool = ThreadPool::new(2).unwrap();
    let count = Arc::new(AtomicUsize::new(0));
    let (tx, rx) = mpsc::channel();
    let n = 10_000;
    for _ in 0..n {
        let count = count.clone();
        let tx = tx.clone();
        pool.spawn(move || {
            count.fetch_add(1, Ordering::Relaxed);
            tx.send(()).unwrap();
        });
    }
    for _ in 0..n {
        rx.recv().unwrap();
    }
    assert_eq!(count.load(Ordering::Relaxed), n);
    assert_eq!(pool.stats().total_executed() as usize, n);
}

#[test]
fn futures_that_pend_are_rescheduled_by_their_waker() {
    let pool = ThreadPool::new(2).unwrap();
    let (tx, rx) = futures_lite::future::block_on(async { async_channel_pair() });
    let consumer = pool.spawn_future(rx);
    let producer = pool.spawn_future(async move {
        tx.send(41);
        1
    });
    assert_eq!(pool.block_on(producer) + pool.block_on(consumer), 42);
}

/// A one-shot channel built from std pieces, to test waker rescheduling
/// without extra dependencies.
fn async_channel_pair() -> (OneshotTx, OneshotRx) {
    let shared = Arc::new(std::sync::Mutex::new((
        None::<u32>,
        None::<std::task::Waker>,
    )));
    (OneshotTx(shared.clone()), OneshotRx(shared))
}
struct OneshotTx(Arc<std::sync::Mutex<(Option<u32>, Option<std::task::Waker>)>>);
struct OneshotRx(Arc<std::sync::Mutex<(Option<u32>, Option<std::task::Waker>)>>);
impl OneshotTx {
    fn send(self, v: u32) {
        let mut g = self.0.lock().unwrap();
        g.0 = Some(v);
        if let Some(w) = g.1.take() {
            w.wake();
        }
    }
}
impl std::future::Future for OneshotRx {
    type Output = u32;
    fn poll(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<u32> {
        let mut g = self.0.lock().unwrap();
        match g.0.take() {
            Some(v) => std::task::Poll::Ready(v),
            None => {
                g.1 = Some(cx.waker().clone());
                std::task::Poll::Pending
            }
        }
    }
}

fn fib(n: u64) -> u64 {
    if n < 2 {
        return n;
    }
    let (a, b) = join(|| fib(n - 1), || fib(n - 2));
    a + b
}

#[test]
fn join_computes_fib_on_a_pool() {
    let pool = ThreadPool::new(2).unwrap();
    assert_eq!(pool.install(|| fib(20)), 6765);
}

#[test]
fn join_outside_a_pool_uses_the_global_pool() {
    assert_eq!(fib(15), 610);
}

#[test]
fn join_resumes_a_panic_after_both_halves_finished() {
    let pool = ThreadPool::new(2).unwrap();
    let other_ran = AtomicUsize::new(0);
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        pool.install(|| {
            join(
                || panic!("left half failed"),
                || other_ran.fetch_add(1, Ordering::SeqCst),
            )
        })
    }));
    let msg = pyrt_scheduler::ext::payload_message(r.unwrap_err().as_ref());
    assert_eq!(msg, "left half failed");
    assert_eq!(other_ran.load(Ordering::SeqCst), 1);
    // The pool still works.
    assert_eq!(pool.install(|| 5), 5);
}

#[test]
fn a_stolen_half_runs_on_the_thief_and_its_result_and_panic_come_back() {
    let pool = ThreadPool::new(2).unwrap();
    // `a` waits until `b` runs: that can only happen if the other worker
    // stole `b`, so this exercises the stolen path of the stack job.
    for _ in 0..50 {
        let (tx, rx) = std::sync::mpsc::channel::<usize>();
        let (ra, rb) = pool.install(|| {
            join(
                move || rx.recv().unwrap(),
                move || {
                    let me = pyrt_scheduler::current_worker_index().unwrap();
                    tx.send(me).unwrap();
                    me
                },
            )
        });
        assert_eq!(ra, rb);
    }
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        pool.install(|| {
            let (tx, rx) = std::sync::mpsc::channel::<()>();
            join(
                move || rx.recv().is_err(),
                move || {
                    drop(tx);
                    panic!("stolen half failed")
                },
            )
        })
    }));
    let msg = pyrt_scheduler::ext::payload_message(r.unwrap_err().as_ref());
    assert_eq!(msg, "stolen half failed");
    assert_eq!(pool.install(|| fib(20)), 6765);
}

#[test]
fn scope_tasks_borrow_the_stack_and_all_finish() {
    let pool = ThreadPool::new(2).unwrap();
    let mut v = vec![0usize; 100];
    pool.scope(|s| {
        for (i, slot) in v.iter_mut().enumerate() {
            s.spawn(move |_| *slot = i * 2);
        }
    });
    assert!(v.iter().enumerate().all(|(i, &x)| x == i * 2));
}

#[test]
fn nested_scopes_and_panics() {
    let total = AtomicUsize::new(0);
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        scope(|s| {
            for i in 0..10 {
                let total = &total;
                s.spawn(move |s| {
                    s.spawn(move |_| {
                        total.fetch_add(1, Ordering::SeqCst);
                    });
                    if i == 3 {
                        panic!("task 3");
                    }
                    total.fetch_add(1, Ordering::SeqCst);
                });
            }
        })
    }));
    assert!(r.is_err());
    assert_eq!(total.load(Ordering::SeqCst), 19);
}

#[test]
fn map_vec_keeps_order_and_values() {
    let pool = ThreadPool::new(2).unwrap();
    let out = pool.install(|| map_vec((0..100_000u64).collect(), None, |x| x * 3));
    assert_eq!(out.len(), 100_000);
    assert!(out.iter().enumerate().all(|(i, &x)| x == i as u64 * 3));
}

#[test]
fn try_map_vec_reports_the_failing_index_and_drops_everything_else() {
    let live = Arc::new(AtomicUsize::new(0));
    struct Tracked(Arc<AtomicUsize>);
    impl Drop for Tracked {
        fn drop(&mut self) {
            self.0.fetch_sub(1, Ordering::SeqCst);
        }
    }
    let items: Vec<(usize, Tracked)> = (0..10_000)
        .map(|i| {
            live.fetch_add(1, Ordering::SeqCst);
            (i, Tracked(live.clone()))
        })
        .collect();
    let live2 = live.clone();
    let r = try_map_vec(items, Some(7), move |(i, t)| {
        drop(t);
        if i == 4321 {
            Err(format!("bad {i}"))
        } else {
            live2.fetch_add(1, Ordering::SeqCst);
            Ok(Tracked(live2.clone()))
        }
    });
    let e = r.err().unwrap();
    assert_eq!(e.index, 4321);
    assert_eq!(e.error, "bad 4321");
    assert_eq!(
        live.load(Ordering::SeqCst),
        0,
        "every input and output dropped once"
    );
}

#[test]
fn try_map_vec_in_place_drops_everything_after_an_error() {
    // Input and output have the same layout, so results are written into
    // the input's buffer: on an error, each slot holds an output, an
    // unconsumed input, or nothing, and each must be dropped exactly once.
    struct Tracked {
        i: usize,
        live: Arc<AtomicUsize>,
    }
    impl Drop for Tracked {
        fn drop(&mut self) {
            self.live.fetch_sub(1, Ordering::SeqCst);
        }
    }
    let live = Arc::new(AtomicUsize::new(0));
    let make = |i: usize, live: &Arc<AtomicUsize>| {
        live.fetch_add(1, Ordering::SeqCst);
        Tracked {
            i,
            live: live.clone(),
        }
    };
    // Small enough for miri (`scripts/test.sh tsan` runs this test there).
    let items: Vec<Tracked> = (0..3000).map(|i| make(i, &live)).collect();
    let pool = ThreadPool::new(2).unwrap();
    let l2 = live.clone();
    let r = pool.install(|| {
        try_map_vec(items, Some(7), move |t: Tracked| {
            if t.i == 1234 {
                Err(format!("bad {}", t.i))
            } else {
                Ok(make(t.i * 2, &l2))
            }
        })
    });
    assert_eq!(r.err().map(|e| e.index), Some(1234));
    assert_eq!(live.load(Ordering::SeqCst), 0, "every value dropped once");
    // And on success the buffer comes back holding the outputs, in order.
    let items: Vec<Tracked> = (0..300).map(|i| make(i, &live)).collect();
    let l2 = live.clone();
    let out = pool.install(|| {
        try_map_vec(items, None, move |t: Tracked| {
            Ok::<_, ()>(make(t.i + 1, &l2))
        })
    });
    let out = out.ok().unwrap();
    assert!(out.iter().enumerate().all(|(k, t)| t.i == k + 1));
    drop(out);
    assert_eq!(live.load(Ordering::SeqCst), 0);
}

#[test]
fn stealing_happens_and_is_counted() {
    let pool = ThreadPool::new(2).unwrap();
    // Two tasks that each wait for the other: they can only finish if both
    // run at once, i.e. one of them was stolen or taken from the injector by
    // the second worker.
    let barrier = Arc::new(Barrier::new(2));
    pool.install(|| {
        let b = barrier.clone();
        join(move || b.wait(), || barrier.wait());
    });
    let stats = pool.stats();
    assert_eq!(stats.workers.len(), 2);
    assert!(stats.total_stolen() >= 1, "{stats:?}");
}

#[test]
fn a_spawner_that_fails_is_an_error_not_a_panic() {
    let r = ThreadPoolBuilder::new()
        .num_threads(2)
        .spawner(|_start: WorkerStart| -> io::Result<()> {
            Err(io::Error::other("no threads today"))
        })
        .build();
    let e = r.unwrap_err();
    assert_eq!(e.to_string(), "can't start new thread: no threads today");
}

#[test]
fn a_spawner_failing_part_way_keeps_the_workers_it_started() {
    let calls = Arc::new(AtomicUsize::new(0));
    let c = calls.clone();
    let pool = ThreadPoolBuilder::new()
        .num_threads(3)
        .spawner(move |start: WorkerStart| {
            if c.fetch_add(1, Ordering::SeqCst) == 1 {
                return Err(io::Error::other("limit reached"));
            }
            std::thread::Builder::new()
                .spawn(move || start.run())
                .map(drop)
        })
        .build()
        .unwrap();
    assert_eq!(pool.num_threads(), 1);
    assert!(pool.spawn_error().is_some());
    assert_eq!(
        pool.install(|| map_vec((0..1000u32).collect(), None, |x| x + 1))
            .len(),
        1000
    );
}

#[test]
fn thread_names_and_start_handler() {
    let (tx, rx) = mpsc::channel();
    let tx = std::sync::Mutex::new(tx);
    let pool = ThreadPoolBuilder::new()
        .num_threads(2)
        .thread_name_prefix("calc-")
        .start_handler(move |i| tx.lock().unwrap().send(i).unwrap())
        .build()
        .unwrap();
    let mut started = vec![rx.recv().unwrap(), rx.recv().unwrap()];
    started.sort();
    assert_eq!(started, vec![0, 1]);
    let name = pool.install(|| std::thread::current().name().map(str::to_owned));
    assert!(name.unwrap().starts_with("calc-"));
}

#[test]
fn a_pool_without_threads_runs_tasks_on_the_waiting_thread() {
    let pool = ThreadPoolBuilder::new().num_threads(0).build().unwrap();
    let t = pool.spawn_future(async { std::thread::current().id() });
    assert_eq!(pool.block_on(t), std::thread::current().id());
    assert_eq!(pool.install(|| fib(10)), 55);
}

#[test]
fn a_pool_without_threads_runs_its_queue_when_waited_for_after_shutdown() {
    let pool = ThreadPoolBuilder::new().num_threads(0).build().unwrap();
    let me = std::thread::current().id();
    let ran = Arc::new(AtomicUsize::new(0));
    for _ in 0..100 {
        let ran = ran.clone();
        pool.spawn(move || {
            assert_eq!(std::thread::current().id(), me);
            ran.fetch_add(1, Ordering::SeqCst);
        });
    }
    assert_eq!(ran.load(Ordering::SeqCst), 0, "queued, not run at spawn");
    pool.shutdown();
    pool.wait_for_workers();
    assert_eq!(ran.load(Ordering::SeqCst), 100);
}

#[test]
fn shutdown_lets_queued_work_finish_and_workers_exit() {
    let pool = ThreadPool::new(2).unwrap();
    let count = Arc::new(AtomicUsize::new(0));
    for _ in 0..1000 {
        let count = count.clone();
        pool.spawn(move || {
            count.fetch_add(1, Ordering::SeqCst);
        });
    }
    pool.shutdown();
    pool.wait_for_workers();
    assert_eq!(count.load(Ordering::SeqCst), 1000);
    assert_eq!(pool.live_workers(), 0);
}

#[test]
fn a_panicking_spawned_task_does_not_kill_the_worker() {
    let pool = ThreadPool::new(1).unwrap();
    pool.spawn(|| panic!("boom"));
    assert_eq!(pool.install(|| 7), 7);
    assert_eq!(pool.live_workers(), 1);
}

#[test]
fn a_pool_without_threads_runs_scopes_joins_and_maps_inside_install() {
    let pool = ThreadPoolBuilder::new().num_threads(0).build().unwrap();
    let (squares, (a, b)) = pool.install(|| {
        let squares = map_vec((0..1000u64).collect(), None, |x| x * x);
        (squares, join(|| fib(15), || fib(10)))
    });
    assert_eq!(squares[999], 998_001);
    assert_eq!((a, b), (610, 55));
    let mut parts = [0u64; 4];
    pool.install(|| {
        scope(|s| {
            for (i, p) in parts.iter_mut().enumerate() {
                s.spawn(move |_| *p = i as u64 + 1);
            }
        })
    });
    assert_eq!(parts, [1, 2, 3, 4]);
}

/// One worker; its task blocks on a value that only a task queued after it
/// produces. Returns the pool and the receiver of both tasks' reports.
fn consumer_then_producer(
    pool: &ThreadPool,
) -> mpsc::Receiver<(&'static str, std::thread::ThreadId, u32)> {
    let (tx, rx) = async_channel_pair();
    let (done_tx, done_rx) = mpsc::channel();
    let d = done_tx.clone();
    pool.spawn(move || {
        let v = pyrt_scheduler::block_on(rx);
        d.send(("consumer", std::thread::current().id(), v))
            .unwrap();
    });
    pool.spawn(move || {
        tx.send(7);
        done_tx
            .send(("producer", std::thread::current().id(), 0))
            .unwrap();
    });
    done_rx
}

#[test]
fn a_blocked_worker_runs_nothing_else_and_without_rescue_the_pool_stays_blocked() {
    // As CPython's one-thread pool: the consumer parks, the producer waits
    // in the queue behind it, forever. (The watchdog is the timeout; the
    // pool is leaked, its blocked worker with it.)
    let pool = ThreadPool::new(1).unwrap();
    let done = consumer_then_producer(&pool);
    assert!(done
        .recv_timeout(std::time::Duration::from_millis(300))
        .is_err());
    assert_eq!(pool.stats().workers.len(), 1, "no spare slot");
    assert_eq!(
        pool.stats().total_executed(),
        1,
        "only the consumer started"
    );
    std::mem::forget(pool);
}

#[test]
fn a_starvation_rescue_starts_one_spare_that_retires_afterwards() {
    let rescued = Arc::new(AtomicUsize::new(0));
    let r = rescued.clone();
    let pool = ThreadPoolBuilder::new()
        .num_threads(1)
        .starvation_rescue(std::time::Duration::from_millis(20), move |slot| {
            assert_eq!(slot, 1);
            r.fetch_add(1, Ordering::SeqCst);
        })
        .build()
        .unwrap();
    let done = consumer_then_producer(&pool);
    let mut got: Vec<_> = (0..2).map(|_| done.recv().unwrap()).collect();
    got.sort_by_key(|g| g.0);
    let (consumer, producer) = (&got[0], &got[1]);
    assert_eq!(consumer.2, 7);
    assert_ne!(consumer.1, producer.1, "the producer ran on the spare");
    assert_eq!(
        rescued.load(Ordering::SeqCst),
        1,
        "one rescue, reported once"
    );
    assert_eq!(pool.stats().total_executed(), 2);
    // The spare leaves once nobody is blocked: back to one live thread.
    while pool.live_workers() > 1 {
        std::thread::yield_now();
    }
}

#[test]
fn a_lazy_pool_starts_workers_one_at_a_time() {
    let pool = ThreadPoolBuilder::new()
        .num_threads(2)
        .lazy_start()
        .build()
        .unwrap();
    assert_eq!((pool.num_threads(), pool.live_workers()), (0, 0));
    assert!(pool.start_worker().unwrap());
    assert_eq!(pool.num_threads(), 1);
    assert!(pool.start_worker().unwrap());
    assert!(!pool.start_worker().unwrap(), "all started");
    assert_eq!(pool.install(|| 6 * 7), 42);
    assert_eq!(pool.num_threads(), 2);
}

#[test]
fn try_map_vec_all_runs_every_item_and_drops_everything_once() {
    // Inputs and outputs count their drops: nothing leaks, nothing drops twice.
    #[derive(Debug)]
    struct Counted(u64, Arc<AtomicUsize>);
    impl Drop for Counted {
        fn drop(&mut self) {
            self.1.fetch_add(1, Ordering::SeqCst);
        }
    }
    let pool = ThreadPool::new(2).unwrap();
    let drops = Arc::new(AtomicUsize::new(0));
    let ran = AtomicUsize::new(0);
    // Small under miri (the tsan tier runs this test there).
    let n: u64 = if cfg!(miri) { 200 } else { 10_000 };
    let items: Vec<Counted> = (0..n).map(|i| Counted(i, drops.clone())).collect();
    let r = pool.install(|| {
        pyrt_scheduler::try_map_vec_all(items, Some(7), |c| {
            ran.fetch_add(1, Ordering::SeqCst);
            let v = c.0;
            if v % 100 == 99 {
                Err(v)
            } else {
                Ok(Counted(v * 2, c.1.clone()))
            }
        })
    });
    let pyrt_scheduler::MapError {
        index: i, error: e, ..
    } = r.unwrap_err();
    assert_eq!(i as u64, e);
    assert_eq!(e % 100, 99);
    assert_eq!(ran.load(Ordering::SeqCst) as u64, n, "every item ran");
    // Every input dropped, plus the outputs of the items that succeeded.
    assert_eq!(drops.load(Ordering::SeqCst) as u64, n + (n - n / 100));
}
