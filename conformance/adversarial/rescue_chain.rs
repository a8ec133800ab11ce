//! Claim: with the opt-in `starvation_rescue`, a chain of 200 calls on a
//! 1-worker pool, each waiting on an `Event` that the next one (submitted
//! later) sets, finishes, with a bounded number of threads. CPython
//! deadlocks here (its one thread waits in the first call forever); the
//! rescue is our documented way beyond it, and it must not grow threads
//! without bound or hang. (Ours grew from 64 to 178 threads and hung.)

mod common;

use std::time::Duration;

use executor_api::concurrent::futures::ThreadPoolExecutor;
use executor_api::threading::Event;

#[test]
fn two_hundred_calls_each_set_free_by_the_next_finish_with_bounded_threads() {
    common::watchdog("rescue chain of 200", || {
        let before = common::threads_now();
        let ex = ThreadPoolExecutor::builder()
            .max_workers(Some(1))
            .starvation_rescue(Duration::from_millis(1))
            .build()
            .unwrap();
        let n = 200;
        let events: Vec<Event> = (0..n).map(|_| Event::new()).collect();
        let peak = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let fs: Vec<_> = (0..n)
            .map(|i| {
                let mine = events[i].clone();
                let prev = (i > 0).then(|| events[i - 1].clone());
                let peak = peak.clone();
                ex.submit(move || {
                    peak.fetch_max(common::threads_now(), std::sync::atomic::Ordering::Relaxed);
                    if let Some(p) = prev {
                        p.set();
                    }
                    // The last one has nobody after it.
                    if i + 1 < n {
                        mine.wait(None);
                    }
                    i
                })
                .unwrap()
            })
            .collect();
        for (i, f) in fs.into_iter().enumerate() {
            assert_eq!(f.result(None).unwrap(), i);
        }
        let peak = peak.load(std::sync::atomic::Ordering::Relaxed);
        assert!(
            peak <= before + 1 + 200 + 4,
            "peak threads {peak} (before {before})"
        );
        ex.shutdown(true, false);
    });
}
