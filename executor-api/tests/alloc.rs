//! Allocation and leak checks with a counting global allocator.
//!
//! * Allocations per `submit`: counted on the submitting thread only (the
//!   workers' allocations are theirs), over many submissions, so the
//!   injector's block growth (one block per 63 tasks) shows up amortized.
//!   A submit costs one allocation: the `Future`'s core (one `Arc` holding
//!   the state, the closure and the result), which is queued as the
//!   scheduler's `HeapJob` itself.
//! * Bytes per queued `submit` of a closure capturing one `u64`: the bytes
//!   the submitting thread asks the allocator for, over the same `N`
//!   submissions (the core plus its share of the injector's blocks).
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
    static BYTES: Cell<usize> = const { Cell::new(0) };
}

/// Counts one allocator call asking for `bytes` more bytes.
fn count_call(bytes: usize) {
    // `try_with`: allocations may happen while thread-locals are torn down.
    let _ = CALLS.try_with(|c| c.set(c.get() + 1));
    let _ = BYTES.try_with(|b| b.set(b.get() + bytes));
}

// SAFETY: every method forwards to `System` with the caller's arguments
// unchanged, so `System`'s guarantees are ours; the counters have no effect
// on the memory handed out.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(1, Ordering::Relaxed);
        count_call(layout.size());
        // SAFETY: forwarded as is (see the impl's comment).
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(1, Ordering::Relaxed);
        count_call(layout.size());
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
        count_call(new_size.saturating_sub(layout.size()));
        // SAFETY: forwarded as is.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn calls() -> usize {
    CALLS.with(Cell::get)
}

fn bytes() -> usize {
    BYTES.with(Cell::get)
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

/// Bytes a queued `submit` of a closure capturing one `u64` may take: the
/// future's core plus the queue slot (the engine issue's target is 128).
/// Measured: 128.1 — a 104-byte core (reference counts 16, state word 8,
/// outcome slot 40, listener lock and pointer 16, executor link 8, closure
/// 16) plus 24.1 per slot of the injector's blocks (1520 bytes for 63
/// slots of 24). The fraction over 128 is the blocks' link pointer.
const MAX_BYTES_PER_SUBMIT: f64 = 128.5;

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

/// Allocator calls and bytes the submitting thread asks for per `submit`
/// of a closure capturing one `u64`, averaged over `N`: the future's core
/// (header, closure and result slot in one `Arc`) plus its share of the
/// injector's blocks (the queue slot).
fn allocations_per_submit() -> PyResult<(f64, f64)> {
    let ex = ThreadPoolExecutor::new(Some(2))?;
    let mut futures: Vec<Future<u64>> = Vec::with_capacity(N);
    let (calls_before, bytes_before) = (calls(), bytes());
    for i in 0..N as u64 {
        futures.push(ex.submit(move || i)?);
    }
    let per_submit = (calls() - calls_before) as f64 / N as f64;
    let bytes_per_submit = (bytes() - bytes_before) as f64 / N as f64;
    for (i, f) in futures.iter().enumerate() {
        assert_eq!(f.result(None)?, i as u64);
    }
    drop(futures);
    ex.shutdown(true, false);
    Ok((per_submit, bytes_per_submit))
}

#[test]
fn allocations_per_submit_and_no_leaks_after_shutdown() -> PyResult<()> {
    let threads_before = threads();
    // Warm up once: first-use statics and this thread's wait signal are
    // allocated once per process/thread and live on, by design.
    submit_cycle()?;
    map_cycle()?;
    pool_map_cycle()?;

    let (per_submit, bytes_per_submit) = allocations_per_submit()?;

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

    println!(
        "allocations per submit: {per_submit:.3} ({bytes_per_submit:.1} bytes); \
         leaked after shutdown: {leaks:?}"
    );
    // One allocation per task (the future's core, queued as a `HeapJob`)
    // plus amortized injector growth (one block per 63 tasks).
    assert!(
        per_submit <= 1.1,
        "{per_submit:.3} allocations per submit, expected 1 + amortized queue growth"
    );
    // Memory per queued submit: core + queue slot (see the constant).
    assert!(
        bytes_per_submit <= MAX_BYTES_PER_SUBMIT,
        "{bytes_per_submit:.1} bytes per queued submit, expected <= {MAX_BYTES_PER_SUBMIT}"
    );
    for (name, leaked) in leaks {
        assert!(
            leaked.abs() <= EPOCH_SLACK,
            "{name}: {leaked} allocations leaked after {CYCLES} rounds of 1000 tasks"
        );
    }
    Ok(())
}
