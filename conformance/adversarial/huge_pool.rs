//! Claim: `ThreadPoolExecutor(max_workers=10000)` costs what it uses. CPython
//! starts workers lazily (`_adjust_thread_count`), so one task on such a
//! pool takes about a millisecond and one thread. (Ours did not finish in
//! 40 s.) The same for `Pool(processes=...)` is not claimed: CPython's
//! `Pool` starts every worker in its constructor.

mod common;

use executor_api::concurrent::futures::ThreadPoolExecutor;

#[test]
fn ten_thousand_max_workers_one_task_one_thread() {
    common::watchdog_for(
        "TPE(10000) with one task",
        std::time::Duration::from_secs(20),
        || {
            let before = common::threads_now();
            let ex = ThreadPoolExecutor::new(Some(10_000)).unwrap();
            assert_eq!(ex.submit(|| 6 * 7).unwrap().result(None).unwrap(), 42);
            assert_eq!(ex.live_threads(), 1);
            assert!(
                common::threads_now() <= before + 1,
                "one worker thread started"
            );
            ex.shutdown(true, false);
            assert_eq!(ex.live_threads(), 0);
        },
    );
}

/// A pool's bookkeeping per allowed worker is a few words (a worker's
/// deque and counters are made when it first starts), so even a million
/// `max_workers` is cheap to create and drop (about 100 ms; it was 2.4 s,
/// and 37 ms for 10 000).
#[test]
fn a_hundred_huge_pools_one_after_another() {
    common::watchdog_for(
        "100 x TPE(100_000 or 1_000_000)",
        std::time::Duration::from_secs(30),
        || {
            for i in 0..100u64 {
                let n = if i % 10 == 0 { 1_000_000 } else { 100_000 };
                let ex = ThreadPoolExecutor::new(Some(n)).unwrap();
                assert_eq!(ex.submit(move || i).unwrap().result(None).unwrap(), i);
                drop(ex);
            }
        },
    );
}

#[test]
fn a_huge_pool_starts_only_the_threads_its_blocked_calls_need() {
    common::watchdog_for(
        "TPE(10000) with 50 blocked calls",
        std::time::Duration::from_secs(20),
        || {
            let ex = ThreadPoolExecutor::new(Some(10_000)).unwrap();
            let gate = executor_api::threading::Event::new();
            let fs: Vec<_> = (0..50)
                .map(|_| {
                    let g = gate.clone();
                    ex.submit(move || g.wait(None)).unwrap()
                })
                .collect();
            assert!(ex.live_threads() <= 50);
            gate.set();
            for f in fs {
                assert!(f.result(None).unwrap());
            }
            ex.shutdown(true, false);
        },
    );
}
