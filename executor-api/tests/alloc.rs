//! Allocation and leak checks with a counting global allocator.
//!
//! * Allocations per `submit`: counted on the submitting thread only (the
//!   workers' allocations are theirs), over many submissions, so the
//!   injector's block growth (one block per 63 tasks) shows up amortized.
//!   A submit costs one allocation: the `Future`'s core (one `Arc` holding
//!   the state, the closure and the result), which is queued as the
//!   scheduler's `HeapJob` itself.
//! * Leaks: after `shutdown` (and the workers' exit), the number of live
//!   allocations is back to what it was before the executors were built,
//!   for `submit`, `map` and `Pool.map`, up to crossbeam-epoch's deferred
//!   frees (a few, not growing with the work; see `EPOCH_SLACK`).
//!
//! Linux only (it watches `/proc/self/task` for the workers' exit).
//! Everything runs in one `#[test]`: the test harness allocates for every
//! finished test, which would show up as noise in another test's counts.
#![cfg(target_os = "linux")]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicIsize, Ordering};
use std::time::{Duration, Instant};

use pyrt_executor::concurrent::futures::{Future, ThreadPoolExecutor};
use pyrt_executor::multiprocessing::Pool;
use pyrt_executor::PyResult;

/// Counts live allocations (all threads) and allocation calls (per thread).
struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

thread_local! {
    static CALLS: Cell<usize> = const { Cell::new(0) };
}

fn count_call() {
    // `try_with`: allocations may happen while thread-locals are torn down.
    let _ = CALLS.try_with(|c| c.set(c.get() + 1));
}

// SAFETY: every method forwards to `System` with the caller's arguments
// unchanged, so `System`'s guarantees are ours; the counters have no effect
// on the memory handed out.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(1, Ordering::Relaxed);
        count_call();
        // SAFETY: forwarded as is (see the impl's comment).
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(1, Ordering::Relaxed);
        count_call();
        // SAFETY: forwarded as is.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(1, Ordering::Relaxed);
        // SAFETY: forwarded as is.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // Same number of live blocks, but it is an allocator call.
        count_call();
        // SAFETY: forwarded as is.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn calls() -> usize {
    CALLS.with(Cell::get)
}

/// Number of threads of this process.
fn threads() -> usize {
    std::fs::read_dir("/proc/self/task")
        .expect("/proc/self/task")
        .count()
}

/// Live allocations once the workers of the pools just shut down have
/// exited. `shutdown(wait=True)` returns when the workers left their loops;
/// their threads then free their thread-locals and start closures and exit.
/// Once the thread count is back to `threads_before` those frees are done
/// (a thread's memory is released before the kernel removes it), so the
/// live count is exact. The deadline is only a safety net.
fn live_after_workers_exit(threads_before: usize) -> isize {
    let deadline = Instant::now() + Duration::from_secs(10);
    while threads() > threads_before && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(1)); // allow-sleep: polls the OS thread count
    }
    LIVE.load(Ordering::SeqCst)
}

const N: usize = 20_000;

/// Rounds of 1000 tasks per API in the leak check.
const CYCLES: usize = 5;

/// crossbeam-deque frees replaced queue buffers through crossbeam-epoch,
/// which defers the free until a later pin on any thread, and registers
/// each thread once in a list reclaimed lazily. So the live count after a
/// round may be off by a few allocations either way, without growing with
/// the work: a leak of one allocation per task would show as 5000 here.
const EPOCH_SLACK: isize = 16;

/// One build-use-shutdown round of an API.
type Cycle = fn() -> PyResult<()>;

fn submit_cycle() -> PyResult<()> {
    let ex = ThreadPoolExecutor::new(Some(2))?;
    let futures: Vec<Future<usize>> = (0..1000)
        .map(|i| ex.submit(move || i * 2))
        .collect::<PyResult<_>>()?;
    for (i, f) in futures.iter().enumerate() {
        assert_eq!(f.result(None)?, i * 2);
    }
    drop(futures);
    ex.shutdown(true, false);
    Ok(())
}

fn map_cycle() -> PyResult<()> {
    let ex = ThreadPoolExecutor::new(Some(2))?;
    let sum: usize = ex
        .map(|x: usize| x + 1, 0..1000usize, None, None)?
        .collect::<PyResult<Vec<_>>>()?
        .into_iter()
        .sum();
    assert_eq!(sum, (1..=1000).sum::<usize>());
    ex.shutdown(true, false);
    Ok(())
}

fn pool_map_cycle() -> PyResult<()> {
    let pool = Pool::new(Some(2))?;
    let out: Vec<u64> = pool.map(|x: u64| x * x, 0..1000u64, None)?;
    assert_eq!(out.len(), 1000);
    drop(out);
    pool.close();
    pool.join()?;
    drop(pool);
    Ok(())
}

/// Allocations the submitting thread makes per `submit`, averaged over `N`.
fn allocations_per_submit() -> PyResult<f64> {
    let ex = ThreadPoolExecutor::new(Some(2))?;
    let mut futures: Vec<Future<usize>> = Vec::with_capacity(N);
    let before = calls();
    for i in 0..N {
        futures.push(ex.submit(move || i)?);
    }
    let per_submit = (calls() - before) as f64 / N as f64;
    for f in &futures {
        f.result(None)?;
    }
    drop(futures);
    ex.shutdown(true, false);
    Ok(per_submit)
}

#[test]
fn allocations_per_submit_and_no_leaks_after_shutdown() -> PyResult<()> {
    let threads_before = threads();
    // Warm up once: first-use statics and this thread's wait signal are
    // allocated once per process/thread and live on, by design.
    submit_cycle()?;
    map_cycle()?;
    pool_map_cycle()?;

    let per_submit = allocations_per_submit()?;

    let mut leaks = Vec::new();
    let cycles: [(&str, Cycle); 3] = [
        ("submit", submit_cycle),
        ("map", map_cycle),
        ("Pool.map", pool_map_cycle),
    ];
    for (name, cycle) in cycles {
        let baseline = live_after_workers_exit(threads_before);
        for _ in 0..CYCLES {
            cycle()?;
        }
        leaks.push((name, live_after_workers_exit(threads_before) - baseline));
    }

    println!("allocations per submit: {per_submit:.3}; leaked after shutdown: {leaks:?}");
    // One allocation per task (the future's core, queued as a `HeapJob`)
    // plus amortized injector growth (one block per 63 tasks).
    assert!(
        per_submit <= 1.1,
        "{per_submit:.3} allocations per submit, expected 1 + amortized queue growth"
    );
    for (name, leaked) in leaks {
        assert!(
            leaked.abs() <= EPOCH_SLACK,
            "{name}: {leaked} allocations leaked after {CYCLES} rounds of 1000 tasks"
        );
    }
    Ok(())
}
