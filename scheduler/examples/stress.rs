//! Stress: millions of tasks from 8 outside threads, with nested spawns and
//! panics, every one accounted for exactly once.
//!
//! `cargo run --release -p scheduler --example stress` runs 10 million
//! top-level tasks; `-- --quick` runs 200 thousand (the CI variant).
//! Each task adds its id to a checksum and counts itself; every 16th also
//! spawns a nested task (counted the same way) and every 100 000th panics
//! after counting itself. The run fails (exit 1) if a count or the checksum
//! is off, if memory does not come back near where it started, or — through
//! a watchdog that prints the pool's stats — if progress stops for 60 s.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use scheduler::ThreadPool;

const PRODUCERS: u64 = 8;
const NESTED_EVERY: u64 = 16;
const PANIC_EVERY: u64 = 100_000;
/// Nested task ids start here so they never collide with top-level ids.
const NESTED_BASE: u64 = 1 << 40;

struct Books {
    executed: AtomicU64,
    checksum: AtomicU64,
    remaining: AtomicUsize,
    done: Mutex<bool>,
    cv: Condvar,
}

impl Books {
    fn finish_one(&self, id: u64) {
        self.executed.fetch_add(1, Ordering::Relaxed);
        self.checksum.fetch_add(id, Ordering::Relaxed);
        if self.remaining.fetch_sub(1, Ordering::AcqRel) == 1 {
            *self.done.lock().unwrap() = true;
            self.cv.notify_all();
        }
    }
}

fn task(pool: &Arc<ThreadPool>, books: &Arc<Books>, id: u64) {
    if id.is_multiple_of(NESTED_EVERY) {
        let (p, b) = (pool.clone(), books.clone());
        let nested = NESTED_BASE + id;
        pool.spawn(move || {
            let _keep = p;
            b.finish_one(nested);
        });
    }
    books.finish_one(id);
    if id % PANIC_EVERY == PANIC_EVERY - 1 {
        panic!("planned panic in task {id}");
    }
}

fn rss_kib() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4)
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let total: u64 = if quick { 200_000 } else { 10_000_000 };
    let nested = (0..total)
        .filter(|i| i.is_multiple_of(NESTED_EVERY))
        .count() as u64;
    let expected_count = total + nested;
    let expected_sum: u64 = (0..total).sum::<u64>()
        + (0..total)
            .filter(|i| i.is_multiple_of(NESTED_EVERY))
            .map(|i| NESTED_BASE + i)
            .sum::<u64>();
    // Planned panics would flood stderr; the pool reports each one.
    std::panic::set_hook(Box::new(|_| {}));

    let rss_before = rss_kib();
    let pool = Arc::new(ThreadPool::new(scheduler::default_parallelism()).expect("pool"));
    let books = Arc::new(Books {
        executed: AtomicU64::new(0),
        checksum: AtomicU64::new(0),
        remaining: AtomicUsize::new(expected_count as usize),
        done: Mutex::new(false),
        cv: Condvar::new(),
    });
    let start = Instant::now();
    let producers: Vec<_> = (0..PRODUCERS)
        .map(|p| {
            let (pool, books) = (pool.clone(), books.clone());
            std::thread::spawn(move || {
                let mut id = p;
                while id < total {
                    let (pl, b) = (pool.clone(), books.clone());
                    pool.spawn(move || task(&pl, &b, id));
                    id += PRODUCERS;
                }
            })
        })
        .collect();
    for p in producers {
        p.join().expect("producer");
    }

    // Wait for the last task; the watchdog fails the run if progress stops.
    let mut last = 0;
    let mut done = books.done.lock().unwrap();
    while !*done {
        let (d, timeout) = books
            .cv
            .wait_timeout(done, Duration::from_secs(60))
            .unwrap();
        done = d;
        let now = books.executed.load(Ordering::Relaxed);
        if timeout.timed_out() && !*done && now == last {
            eprintln!(
                "stress: no progress for 60 s at {now}/{expected_count} tasks\n{:#?}",
                pool.stats()
            );
            std::process::exit(1);
        }
        last = now;
    }
    drop(done);
    let elapsed = start.elapsed();
    let stats = pool.stats();
    pool.shutdown();
    pool.wait_for_workers();
    drop(pool);

    let executed = books.executed.load(Ordering::SeqCst);
    let checksum = books.checksum.load(Ordering::SeqCst);
    let rss_after = rss_kib();
    println!(
        "stress: {executed} tasks ({total} submitted from {PRODUCERS} threads, {nested} nested) in {:.2?}; stolen {}",
        elapsed,
        stats.total_stolen()
    );
    let mut ok = true;
    if executed != expected_count || stats.total_executed() < expected_count {
        eprintln!("stress: executed {executed}, expected {expected_count}");
        ok = false;
    }
    if checksum != expected_sum {
        eprintln!("stress: checksum {checksum}, expected {expected_sum}");
        ok = false;
    }
    if let (Some(before), Some(after)) = (rss_before, rss_after) {
        println!("stress: RSS {before} KiB before, {after} KiB after");
        // Generous: the allocator keeps some freed memory; a leak of even
        // 8 bytes per task would be 80 MB on the full run.
        if after > before + 64 * 1024 {
            eprintln!("stress: memory did not come back ({before} -> {after} KiB)");
            ok = false;
        }
    }
    if !ok {
        std::process::exit(1);
    }
    println!("stress: ok");
}
