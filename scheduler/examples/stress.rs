//! Stress: millions of tasks from 8 outside threads, with nested spawns and
//! panics, every one accounted for exactly once.
//!
//! `cargo run --release -p scheduler --example stress` runs 10 million
//! top-level tasks; `-- --quick` runs 200 thousand (the CI variant).
//! Each task adds its id to a checksum and counts itself; every 16th also
//! spawns a nested task (counted the same way) and every 100 000th panics
//! after counting itself. The run fails (exit 1) if a count or the checksum
//! is off, if memory does not come back near where it started, or — through
//! a watchdog thread that prints the pool's stats — if no task finishes for
//! 60 s.
//!
//! Producers keep at most `MAX_IN_FLIGHT` top-level tasks queued (like any
//! real producer with back-pressure): 10 million tasks queued at once would
//! need a gigabyte, which the C allocator keeps after it is freed, and the
//! memory check would then measure the allocator instead of us.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use pyrt_scheduler::ThreadPool;

const PRODUCERS: u64 = 8;
const NESTED_EVERY: u64 = 16;
const PANIC_EVERY: u64 = 100_000;
/// Nested task ids start here so they never collide with top-level ids.
const NESTED_BASE: u64 = 1 << 40;
/// Top-level tasks queued or running at most; producers wait above it.
const MAX_IN_FLIGHT: usize = 100_000;
/// The watchdog fails the run after this long without a finished task.
const STALL_LIMIT: Duration = Duration::from_secs(60);

struct Books {
    executed: AtomicU64,
    checksum: AtomicU64,
    remaining: AtomicUsize,
    done: Mutex<bool>,
    cv: Condvar,
    /// Top-level tasks spawned and not finished; `room` wakes producers
    /// when it falls to half of `MAX_IN_FLIGHT`.
    in_flight: AtomicUsize,
    room_lock: Mutex<()>,
    room: Condvar,
}

impl Books {
    fn finish_one(&self, id: u64) {
        self.executed.fetch_add(1, Ordering::Relaxed);
        self.checksum.fetch_add(id, Ordering::Relaxed);
        if id < NESTED_BASE
            && self.in_flight.fetch_sub(1, Ordering::AcqRel) == MAX_IN_FLIGHT / 2 + 1
        {
            // Under the lock, so a producer between its check and its wait
            // cannot miss this.
            let _g = self.room_lock.lock().unwrap();
            self.room.notify_all();
        }
        if self.remaining.fetch_sub(1, Ordering::AcqRel) == 1 {
            *self.done.lock().unwrap() = true;
            self.cv.notify_all();
        }
    }

    /// Called by a producer before spawning a top-level task.
    fn wait_for_room(&self) {
        if self.in_flight.fetch_add(1, Ordering::AcqRel) < MAX_IN_FLIGHT {
            return;
        }
        let mut g = self.room_lock.lock().unwrap();
        while self.in_flight.load(Ordering::Acquire) > MAX_IN_FLIGHT {
            g = self.room.wait(g).unwrap();
        }
    }
}

fn task(pool: &Arc<ThreadPool>, books: &Arc<Books>, id: u64) {
    if id % NESTED_EVERY == 0 {
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

/// Prints progress every few seconds; exits the process with status 1 and
/// the pool's stats if no task finished for `STALL_LIMIT`.
fn spawn_watchdog(pool: Arc<ThreadPool>, books: Arc<Books>, expected: u64) {
    std::thread::spawn(move || {
        let tick = Duration::from_secs(5);
        let mut last = 0;
        let mut stalled = Duration::ZERO;
        loop {
            // A watchdog's period, not a way to order threads.
            std::thread::sleep(tick);
            let now = books.executed.load(Ordering::Relaxed);
            let stats = pool.stats();
            eprintln!(
                "stress: watchdog: {now}/{expected} tasks, injector {}, stolen {}",
                stats.injector_len,
                stats.total_stolen()
            );
            stalled = if now == last {
                stalled + tick
            } else {
                Duration::ZERO
            };
            if stalled >= STALL_LIMIT {
                eprintln!(
                    "stress: no progress for {STALL_LIMIT:?} at {now}/{expected} tasks\n{stats:#?}"
                );
                std::process::exit(1);
            }
            last = now;
        }
    });
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let total: u64 = if quick { 200_000 } else { 10_000_000 };
    let nested = (0..total).filter(|i| i % NESTED_EVERY == 0).count() as u64;
    let expected_count = total + nested;
    let expected_sum: u64 = (0..total).sum::<u64>()
        + (0..total)
            .filter(|i| i % NESTED_EVERY == 0)
            .map(|i| NESTED_BASE + i)
            .sum::<u64>();
    // Planned panics would flood stderr; the pool reports each one.
    std::panic::set_hook(Box::new(|_| {}));

    let rss_before = rss_kib();
    let pool = Arc::new(ThreadPool::new(pyrt_scheduler::default_parallelism()).expect("pool"));
    let books = Arc::new(Books {
        executed: AtomicU64::new(0),
        checksum: AtomicU64::new(0),
        remaining: AtomicUsize::new(expected_count as usize),
        done: Mutex::new(false),
        cv: Condvar::new(),
        in_flight: AtomicUsize::new(0),
        room_lock: Mutex::new(()),
        room: Condvar::new(),
    });
    spawn_watchdog(pool.clone(), books.clone(), expected_count);
    let start = Instant::now();
    let producers: Vec<_> = (0..PRODUCERS)
        .map(|p| {
            let (pool, books) = (pool.clone(), books.clone());
            std::thread::spawn(move || {
                let mut id = p;
                while id < total {
                    books.wait_for_room();
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

    // Wait for the last task (the watchdog fails the run if it never comes).
    let mut done = books.done.lock().unwrap();
    while !*done {
        done = books.cv.wait(done).unwrap();
    }
    drop(done);
    let elapsed = start.elapsed();
    let stats = pool.stats();
    pool.shutdown();
    pool.wait_for_workers();

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
