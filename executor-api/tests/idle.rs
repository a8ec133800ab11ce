//! Idle is idle: after a burst of work and 200 ms of nothing, an executor's
//! worker threads use less than 1 % of one core over the next second.
//!
//! CPU time comes from the kernel's per-thread accounting in nanoseconds
//! (`/proc/self/task/*/schedstat`, first field: time on a CPU), summed over
//! every thread of this process, so it measures our threads' idleness, not
//! the machine's speed. The bound is generous: a correctly sleeping pool
//! uses ~0; a worker that spins or polls on a timer would use far more.
//! (The sleeps here are the idle periods being measured, not a way to order
//! threads.)
#![cfg(target_os = "linux")]

use std::time::Duration;

use pyrt_executor::concurrent::futures::{Future, ThreadPoolExecutor};
use pyrt_executor::PyResult;

/// CPU time of all threads of this process, in nanoseconds.
fn process_cpu_ns() -> u64 {
    std::fs::read_dir("/proc/self/task")
        .expect("/proc/self/task")
        .filter_map(|e| {
            let path = e.ok()?.path().join("schedstat");
            let s = std::fs::read_to_string(path).ok()?;
            s.split_whitespace().next()?.parse::<u64>().ok()
        })
        .sum()
}

#[test]
fn an_idle_pool_uses_under_one_percent_of_a_core() -> PyResult<()> {
    let ex = ThreadPoolExecutor::new(Some(4))?;
    // The burst: enough tasks to get every worker spinning and stealing.
    let futures: Vec<Future<u64>> = (0..20_000u64)
        .map(|i| ex.submit(move || (0..100).fold(i, |a, b| a ^ (a << 1) ^ b)))
        .collect::<PyResult<_>>()?;
    for f in &futures {
        f.result(None)?;
    }
    std::thread::sleep(Duration::from_millis(200)); // allow-sleep: the idle time measured

    let before = process_cpu_ns();
    std::thread::sleep(Duration::from_secs(1)); // allow-sleep: the second of idle measured
    let used_ns = process_cpu_ns() - before;

    println!("CPU over 1 s of idle: {:.3} ms", used_ns as f64 / 1e6);
    assert!(
        used_ns < 10_000_000,
        "idle pool used {:.3} ms of CPU in 1 s (limit 10 ms = 1 % of a core)",
        used_ns as f64 / 1e6
    );
    ex.shutdown(true, false);
    Ok(())
}
