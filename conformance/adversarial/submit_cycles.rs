//! Claim: a long run of `submit(...).result()` cycles keeps the thread
//! count and memory flat. Over 1 000 000 cycles (500 000 from each of two threads) on a
//! `ThreadPoolExecutor(4)`, the executor never has more than
//! `max_workers` threads (CPython's `_adjust_thread_count` starts one only
//! while none is idle), the process's thread count stays within the
//! workers plus the test's own, and resident memory grows by less than
//! 16 MiB (a leak of 20 bytes per call would be 20 MB). Afterwards the
//! idle workers use (almost) no CPU. CPython: the same, at its own speed.

mod common;

use std::sync::atomic::Ordering;
use std::time::Duration;

use executor_api::concurrent::futures::ThreadPoolExecutor;
use executor_api::threading::Event;

const CYCLES: usize = 500_000;

#[test]
fn submit_result_cycles_keep_threads_and_memory_flat() {
    // Hung only if no cycle completes for 30 s: a loaded machine makes the
    // ping-pong of submit and result much slower, not wrong.
    common::watchdog_progress(
        "1M submit/result cycles",
        Duration::from_secs(30),
        |progress| {
            let ex = ThreadPoolExecutor::new(Some(4)).unwrap();
            // Warm up: every worker started, allocator pools grown.
            let gate = Event::new();
            let warm: Vec<_> = (0..4)
                .map(|_| {
                    let g = gate.clone();
                    ex.submit(move || g.wait(None)).unwrap()
                })
                .collect();
            gate.set();
            for f in warm {
                f.result(None).unwrap();
            }
            for i in 0..10_000u64 {
                ex.submit(move || i).unwrap().result(None).unwrap();
            }
            let threads_before = common::threads_now();
            let rss_before = common::rss_kib();
            std::thread::scope(|scope| {
                let drivers: Vec<_> = (0..2)
                    .map(|d| {
                        let ex = ex.clone();
                        scope.spawn(move || {
                            let mut max_live = 0;
                            for i in 0..CYCLES {
                                let v = ex.submit(move || i * 2 + d).unwrap().result(None).unwrap();
                                assert_eq!(v, i * 2 + d);
                                if i % 1000 == 0 {
                                    max_live = max_live.max(ex.live_threads());
                                    progress.fetch_add(1000, Ordering::SeqCst);
                                }
                            }
                            max_live
                        })
                    })
                    .collect();
                for d in drivers {
                    assert!(d.join().unwrap() <= 4, "at most max_workers threads");
                }
            });
            assert_eq!(ex.live_threads(), 4);
            assert!(common::threads_now() <= threads_before, "no thread leaked");
            let grown = common::rss_kib().saturating_sub(rss_before);
            assert!(grown < 16 * 1024, "RSS grew by {grown} KiB");
            // Idle after the burst: the workers block instead of spinning.
            // (Measured over CPU time, not wall time: a loaded machine only
            // makes this smaller.)
            let idle = Event::new();
            idle.wait(Some(0.05));
            let cpu = common::process_cpu();
            idle.wait(Some(0.5));
            let used = common::process_cpu() - cpu;
            assert!(
                used < Duration::from_millis(100),
                "idle workers used {used:?} of CPU"
            );
            ex.shutdown(true, false);
            assert_eq!(ex.live_threads(), 0);
        },
    );
}
