//! Parallel iterators (`pyrt_scheduler::iter`) against the sequential
//! iterator: every adapter and consumer over seeded random inputs of many
//! sizes (0, 1, sizes that do not divide evenly), the order of `collect`,
//! early stop, panics, drops, nesting inside `join` and inside pool tasks,
//! and the sorts.

use std::num::Wrapping;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Condvar, Mutex};
use std::time::Duration;

use pyrt_scheduler::prelude::*;
use pyrt_scheduler::{join, ThreadPool, ThreadPoolBuilder};

/// Runs `body` on a thread of its own and fails if it does not finish in
/// time (where threads exist; elsewhere it just runs it).
///
/// It waits on a `Condvar` with the scheduler's clock rather than on an
/// `mpsc` channel's `recv_timeout`: the browser suite runs this file, and
/// std has no clock on `wasm32-unknown-unknown` (`recv_timeout` panics
/// there); `pyrt_scheduler::Instant` has one everywhere.
fn watchdog<R: Send + 'static>(body: impl FnOnce() -> R + Send + 'static) -> R {
    if !pyrt_scheduler::threads_supported() {
        return body();
    }
    let done = Arc::new((Mutex::new(None), Condvar::new()));
    let report = done.clone();
    std::thread::spawn(move || {
        let outcome = panic::catch_unwind(AssertUnwindSafe(body));
        *report.0.lock().unwrap() = Some(outcome);
        report.1.notify_all();
    });
    // Miri runs a test about a thousand times slower.
    let limit = Duration::from_secs(if cfg!(miri) { 1800 } else { 120 });
    let deadline = pyrt_scheduler::Instant::now() + limit;
    let mut slot = done.0.lock().unwrap();
    loop {
        match slot.take() {
            Some(Ok(r)) => return r,
            Some(Err(p)) => panic::resume_unwind(p),
            None => {}
        }
        let now = pyrt_scheduler::Instant::now();
        assert!(now < deadline, "hung: the watchdog fired");
        slot = done.1.wait_timeout(slot, deadline - now).unwrap().0;
    }
}

/// xorshift64*: a small seeded generator, so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn vec(&mut self, len: usize, max: u64) -> Vec<u64> {
        (0..len).map(|_| self.below(max)).collect()
    }
}

/// Sizes: the edge cases, sizes around the chunk sizes, and random ones.
/// Under miri (the tsan tier runs this file's unsafe-reaching tests there)
/// only a few sizes, one of them past the sorts' sequential cut-off (4096),
/// so every parallel path still runs.
fn sizes(rng: &mut Rng) -> Vec<usize> {
    if cfg!(miri) {
        return vec![0, 1, 7, 4099];
    }
    let mut s = vec![
        0, 1, 2, 3, 5, 7, 31, 100, 511, 512, 513, 1000, 4097, 10_007, 65_537,
    ];
    s.extend((0..6).map(|_| rng.below(30_000) as usize));
    s
}

/// `n` natively, a smaller count under miri (which runs ~1000x slower).
fn scaled(n: usize) -> usize {
    if cfg!(miri) {
        n / 8
    } else {
        n
    }
}

fn pool() -> ThreadPool {
    ThreadPool::new(2).unwrap()
}

/// Runs `check` for every size on a two-worker pool, from outside any
/// pool (the global pool) and on a pool without worker threads.
fn for_sizes(seed: u64, check: impl Fn(&mut Rng, usize) + Sync + Send + 'static) {
    watchdog(move || {
        let mut rng = Rng(seed);
        let two = pool();
        let none = ThreadPoolBuilder::new().num_threads(0).build().unwrap();
        for n in sizes(&mut rng) {
            let mut r = Rng(rng.next() | 1);
            two.install(|| check(&mut r, n));
            // Under miri the two-worker pool alone: the other two run the
            // same code on fewer threads.
            if !cfg!(miri) {
                check(&mut r, n);
                none.install(|| check(&mut r, n));
            }
        }
    })
}

#[test]
fn map_and_collect_keep_order() {
    for_sizes(1, |rng, n| {
        let v = rng.vec(n, 1000);
        let par: Vec<u64> = v.par_iter().map(|x| x * 3 + 1).collect();
        assert_eq!(
            par,
            v.iter().map(|x| x * 3 + 1).collect::<Vec<_>>(),
            "n={n}"
        );
        let owned: Vec<String> = v.clone().into_par_iter().map(|x| x.to_string()).collect();
        assert_eq!(owned, v.iter().map(|x| x.to_string()).collect::<Vec<_>>());
    });
}

#[test]
fn filter_and_filter_map_match_sequential() {
    for_sizes(2, |rng, n| {
        let v = rng.vec(n, 100);
        let par: Vec<&u64> = v.par_iter().filter(|x| **x % 3 == 0).collect();
        assert_eq!(
            par,
            v.iter().filter(|x| **x % 3 == 0).collect::<Vec<_>>(),
            "n={n}"
        );
        let par: Vec<u64> = v.par_iter().filter_map(|x| x.checked_sub(50)).collect();
        assert_eq!(
            par,
            v.iter()
                .filter_map(|x| x.checked_sub(50))
                .collect::<Vec<_>>()
        );
        let c = v.par_iter().filter(|x| **x < 10).count();
        assert_eq!(c, v.iter().filter(|x| **x < 10).count());
    });
}

#[test]
fn enumerate_zip_and_with_min_len_match_sequential() {
    for_sizes(3, |rng, n| {
        let a = rng.vec(n, 1000);
        let b = rng.vec(n / 2 + 1, 1000);
        let par: Vec<(usize, &u64)> = a.par_iter().enumerate().collect();
        assert_eq!(par, a.iter().enumerate().collect::<Vec<_>>(), "n={n}");
        let par: Vec<(&u64, &u64)> = a.par_iter().zip(&b).collect();
        assert_eq!(par, a.iter().zip(&b).collect::<Vec<_>>());
        let par: Vec<(usize, (u64, u64))> = a
            .par_iter()
            .map(|x| x + 1)
            .zip(b.clone())
            .with_min_len(7)
            .enumerate()
            .collect();
        let seq: Vec<_> = a.iter().map(|x| x + 1).zip(b.clone()).enumerate().collect();
        assert_eq!(par, seq);
        let s: u64 = a.par_iter().with_min_len(n.max(1)).sum();
        assert_eq!(s, a.iter().sum::<u64>());
    });
}

#[test]
fn sum_product_count_reduce_and_fold_match_sequential() {
    for_sizes(4, |rng, n| {
        let v = rng.vec(n, 1 << 20);
        assert_eq!(v.par_iter().sum::<u64>(), v.iter().sum::<u64>(), "n={n}");
        let p: Wrapping<u64> = v.par_iter().map(|&x| Wrapping(x | 1)).product();
        assert_eq!(p, v.iter().map(|&x| Wrapping(x | 1)).product());
        assert_eq!(v.par_iter().count(), n);
        assert_eq!(
            v.par_iter().map(|&x| x).reduce(|| 0, |a, b| a ^ b),
            v.iter().fold(0, |a, b| a ^ b)
        );
        assert_eq!(
            v.par_iter().map(|&x| x).reduce_with(u64::max),
            v.iter().copied().max()
        );
        // Concatenation is associative but not commutative: order shows.
        let s = v
            .par_iter()
            .map(|x| (x % 10).to_string())
            .reduce(String::new, |a, b| a + &b);
        assert_eq!(
            s,
            v.iter().map(|x| (x % 10).to_string()).collect::<String>()
        );
        let hist = v
            .par_iter()
            .fold(
                || vec![0usize; 16],
                |mut h, &x| {
                    h[(x % 16) as usize] += 1;
                    h
                },
            )
            .reduce(
                || vec![0; 16],
                |mut a, b| {
                    a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
                    a
                },
            );
        let mut seq = vec![0usize; 16];
        v.iter().for_each(|&x| seq[(x % 16) as usize] += 1);
        assert_eq!(hist, seq);
        let folded: Vec<u64> = v.par_iter().fold(|| 0u64, |a, &x| a + x).collect();
        assert_eq!(folded.iter().sum::<u64>(), v.iter().sum::<u64>());
    });
}

#[test]
fn min_max_and_by_key_pick_the_same_item_as_std() {
    for_sizes(5, |rng, n| {
        // Few distinct keys: ties everywhere, so first/last matters.
        let v: Vec<(u64, usize)> = rng.vec(n, 8).into_iter().zip(0..).collect();
        assert_eq!(v.par_iter().min(), v.iter().min(), "n={n}");
        assert_eq!(v.par_iter().max(), v.iter().max());
        assert_eq!(
            v.par_iter().min_by_key(|p| p.0),
            v.iter().min_by_key(|p| p.0)
        );
        assert_eq!(
            v.par_iter().max_by_key(|p| p.0),
            v.iter().max_by_key(|p| p.0)
        );
    });
}

#[test]
fn any_all_and_find_any_match_sequential() {
    for_sizes(6, |rng, n| {
        let v = rng.vec(n, 5000);
        for target in [0, 17, 4999, 6000] {
            assert_eq!(
                v.par_iter().any(|&x| x == target),
                v.contains(&target),
                "n={n}"
            );
            assert_eq!(v.par_iter().all(|&x| x != target), !v.contains(&target));
            match v.par_iter().find_any(|&&x| x % 1000 == target % 1000) {
                Some(x) => assert_eq!(x % 1000, target % 1000),
                None => assert!(!v.iter().any(|&x| x % 1000 == target % 1000)),
            }
        }
    });
}

#[test]
fn chunks_iter_mut_and_for_each_cover_every_item_once() {
    for_sizes(7, |rng, n| {
        let v = rng.vec(n, 1000);
        let size = 1 + rng.below(40) as usize;
        let par: Vec<u64> = v.par_chunks(size).map(|c| c.iter().sum()).collect();
        assert_eq!(
            par,
            v.chunks(size).map(|c| c.iter().sum()).collect::<Vec<u64>>(),
            "n={n}"
        );
        let mut w = v.clone();
        w.par_chunks_mut(size)
            .enumerate()
            .for_each(|(i, c)| c.iter_mut().for_each(|x| *x += i as u64));
        let mut seq = v.clone();
        seq.chunks_mut(size)
            .enumerate()
            .for_each(|(i, c)| c.iter_mut().for_each(|x| *x += i as u64));
        assert_eq!(w, seq);
        let mut w = v.clone();
        w.par_iter_mut().for_each(|x| *x *= 2);
        assert_eq!(w, v.iter().map(|x| x * 2).collect::<Vec<_>>());
        let seen = AtomicUsize::new(0);
        v.par_iter().for_each(|_| {
            seen.fetch_add(1, Ordering::Relaxed);
        });
        assert_eq!(seen.into_inner(), n);
    });
}

#[test]
fn integer_ranges_of_every_type_including_the_type_maximum() {
    watchdog(|| {
        let pool = pool();
        pool.install(|| {
            assert_eq!(
                (0..1000u16).into_par_iter().map(u64::from).sum::<u64>(),
                499_500
            );
            let all: Vec<u8> = (0..=255u8).into_par_iter().collect();
            assert_eq!(all, (0..=255u8).collect::<Vec<_>>());
            let top: Vec<i8> = (120..=i8::MAX).into_par_iter().collect();
            assert_eq!(top, (120..=i8::MAX).collect::<Vec<_>>());
            let neg: Vec<i64> = (-500..500i64)
                .into_par_iter()
                .filter(|x| x % 7 == 0)
                .collect();
            assert_eq!(
                neg,
                (-500..500i64).filter(|x| x % 7 == 0).collect::<Vec<_>>()
            );
            let (hi, lo) = (5usize, 3usize);
            assert_eq!((hi..lo).into_par_iter().count(), 0);
            assert_eq!((u64::MAX - 10..=u64::MAX).into_par_iter().count(), 11);
            assert_eq!(
                (i32::MIN..i32::MIN + 3).into_par_iter().max(),
                Some(i32::MIN + 2)
            );
        });
    })
}

/// Counts live values, to check every item is dropped exactly once.
#[derive(Debug)]
struct Tracked(Arc<AtomicUsize>);

impl Drop for Tracked {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

fn tracked(n: usize, live: &Arc<AtomicUsize>) -> Vec<Tracked> {
    live.fetch_add(n, Ordering::SeqCst);
    (0..n).map(|_| Tracked(live.clone())).collect()
}

#[test]
fn owned_items_are_dropped_exactly_once_after_early_stop_and_zip() {
    watchdog(|| {
        let pool = pool();
        let live = Arc::new(AtomicUsize::new(0));
        pool.install(|| {
            let found = tracked(10_000, &live)
                .into_par_iter()
                .enumerate()
                .find_any(|(i, _)| *i == 10);
            assert_eq!(found.map(|(i, _)| i), Some(10));
            let n = tracked(1000, &live)
                .into_par_iter()
                .zip(tracked(10, &live))
                .count();
            assert_eq!(n, 10);
            let kept: Vec<Tracked> = tracked(5000, &live)
                .into_par_iter()
                .filter(|_| true)
                .collect();
            assert_eq!(kept.len(), 5000);
            drop(kept);
            let out: Vec<Tracked> = tracked(5000, &live).into_par_iter().collect();
            drop(out);
        });
        assert_eq!(
            live.load(Ordering::SeqCst),
            0,
            "items leaked or dropped twice"
        );
    })
}

#[test]
fn find_any_and_any_stop_early() {
    watchdog(|| {
        let pool = pool();
        let n = 1_000_000usize;
        for target in [0, n / 2] {
            let calls = AtomicUsize::new(0);
            let found = pool.install(|| {
                (0..n).into_par_iter().find_any(|&i| {
                    calls.fetch_add(1, Ordering::Relaxed);
                    i == target
                })
            });
            assert_eq!(found, Some(target));
            let calls = calls.into_inner();
            // Sequentially the search would take `target + 1` calls; in
            // parallel the half holding the target may be run (or stolen)
            // first or last (a worker slow to start, as a Web Worker can be,
            // leaves the other to scan the whole first half and then steal
            // pieces behind the target), but never is every item looked at:
            // the piece holding the target stops at it.
            assert!(calls < n, "target {target}: {calls} calls of {n}");
        }
        let calls = AtomicUsize::new(0);
        let any = pool.install(|| {
            (0..n).into_par_iter().any(|i| {
                calls.fetch_add(1, Ordering::Relaxed);
                i == 3
            })
        });
        assert!(any);
        assert!(calls.into_inner() < n);
    })
}

#[test]
fn a_panic_reaches_the_caller_after_every_other_piece_finished() {
    watchdog(|| {
        let pool = pool();
        let running = Arc::new(AtomicUsize::new(0));
        let live = Arc::new(AtomicUsize::new(0));
        let items = tracked(100_000, &live);
        let r = {
            let running = running.clone();
            panic::catch_unwind(AssertUnwindSafe(|| {
                pool.install(|| {
                    items
                        .into_par_iter()
                        .enumerate()
                        .map(|(i, t)| {
                            running.fetch_add(1, Ordering::SeqCst);
                            struct Done<'a>(&'a AtomicUsize);
                            impl Drop for Done<'_> {
                                fn drop(&mut self) {
                                    self.0.fetch_sub(1, Ordering::SeqCst);
                                }
                            }
                            let _done = Done(&running);
                            if i == 77_777 {
                                panic!("boom at {i}");
                            }
                            t
                        })
                        .collect::<Vec<Tracked>>()
                })
            }))
        };
        let p = r.expect_err("the panic must reach the caller");
        assert_eq!(
            p.downcast_ref::<String>().map(String::as_str),
            Some("boom at 77777")
        );
        assert_eq!(
            running.load(Ordering::SeqCst),
            0,
            "a piece was still running"
        );
        assert_eq!(
            live.load(Ordering::SeqCst),
            0,
            "items leaked or dropped twice"
        );
        // The pool still works.
        assert_eq!(
            pool.install(|| (0..100u32).into_par_iter().sum::<u32>()),
            4950
        );
    })
}

#[test]
fn nested_iterators_inside_join_and_inside_pool_tasks() {
    watchdog(|| {
        let pool = pool();
        let rows: Vec<Vec<u64>> = (0..200)
            .map(|r| (0..300).map(|c| r * c).collect())
            .collect();
        let seq: u64 = rows.iter().map(|r| r.iter().sum::<u64>()).sum();
        let (a, b) = pool.install(|| {
            join(
                || {
                    rows.par_iter()
                        .map(|r| r.par_iter().sum::<u64>())
                        .sum::<u64>()
                },
                || rows.par_iter().flat_sum(),
            )
        });
        assert_eq!((a, b), (seq, seq));
        // Inside tasks spawned on the pool, several at once.
        let rows = Arc::new(rows);
        let (tx, rx) = mpsc::channel();
        for _ in 0..4 {
            let (rows, tx) = (rows.clone(), tx.clone());
            pool.spawn(move || {
                let s: u64 = rows
                    .par_iter()
                    .map(|r| r.par_iter().map(|x| x * 2).sum::<u64>())
                    .sum();
                tx.send(s).unwrap();
            });
        }
        for _ in 0..4 {
            assert_eq!(rx.recv().unwrap(), 2 * seq);
        }
    })
}

/// The sum of every row, with the rows' sums in a nested `fold`.
trait FlatSum {
    fn flat_sum(self) -> u64;
}

impl<'a, I: ParallelIterator<Item = &'a Vec<u64>>> FlatSum for I {
    fn flat_sum(self) -> u64 {
        self.fold(|| 0, |acc, row| acc + row.par_iter().sum::<u64>())
            .sum()
    }
}

#[test]
fn the_work_runs_on_the_installing_pool() {
    watchdog(|| {
        let pool = pool();
        let on_pool: Vec<bool> = pool.install(|| {
            (0..10_000u32)
                .into_par_iter()
                .map(|_| pool.is_current())
                .collect()
        });
        assert!(on_pool.iter().all(|&b| b), "ran off the pool");
    })
}

#[test]
fn sorts_match_std_on_random_sorted_reversed_and_duplicate_inputs() {
    for_sizes(8, |rng, n| {
        let random = rng.vec(n, u64::MAX);
        let dups = rng.vec(n, 4);
        let sorted: Vec<u64> = (0..n as u64).collect();
        let reversed: Vec<u64> = (0..n as u64).rev().collect();
        for input in [random, dups, sorted, reversed, vec![7; n]] {
            let mut expect = input.clone();
            expect.sort();
            let mut a = input.clone();
            a.par_sort_unstable();
            assert_eq!(a, expect, "par_sort_unstable n={n}");
            let mut b = input.clone();
            b.par_sort();
            assert_eq!(b, expect, "par_sort n={n}");
            let mut c = input.clone();
            c.par_sort_unstable_by(|x, y| y.cmp(x));
            expect.reverse();
            assert_eq!(c, expect, "par_sort_unstable_by n={n}");
        }
    });
}

#[test]
fn par_sort_and_par_sort_by_key_are_stable() {
    for_sizes(9, |rng, n| {
        let v: Vec<(u64, usize)> = rng.vec(n, 16).into_iter().zip(0..).collect();
        let mut expect = v.clone();
        expect.sort_by_key(|p| p.0);
        let mut a = v.clone();
        a.par_sort_by_key(|p| p.0);
        assert_eq!(a, expect, "n={n}");
        let mut b = v.clone();
        b.par_sort_by(|x, y| x.0.cmp(&y.0));
        assert_eq!(b, expect);
        let mut c = v.clone();
        c.par_sort_unstable_by_key(|p| p.0);
        assert!(c.windows(2).all(|w| w[0].0 <= w[1].0));
    });
}

#[test]
fn sorting_strings() {
    watchdog(|| {
        let mut rng = Rng(10);
        let words: Vec<String> = (0..50_000)
            .map(|_| format!("w{:x}", rng.next() % 100_000))
            .collect();
        let mut expect = words.clone();
        expect.sort();
        let mut a = words.clone();
        pool().install(|| a.par_sort());
        assert_eq!(a, expect);
        let mut b = words;
        b.par_sort_unstable();
        assert_eq!(b, expect);
    })
}

#[test]
fn a_panicking_comparison_leaves_a_permutation_and_drops_nothing_twice() {
    watchdog(|| {
        let pool = pool();
        let mut rng = Rng(11);
        let words: Vec<String> = (0..scaled(40_000))
            .map(|_| format!("{}", rng.next() % 1_000_000))
            .collect();
        for stable in [true, false] {
            let mut v = words.clone();
            let calls = AtomicUsize::new(0);
            let r = panic::catch_unwind(AssertUnwindSafe(|| {
                pool.install(|| {
                    let cmp = |a: &String, b: &String| {
                        if calls.fetch_add(1, Ordering::Relaxed) == scaled(300_000) {
                            panic!("comparison failed");
                        }
                        a.cmp(b)
                    };
                    if stable {
                        v.par_sort_by(cmp)
                    } else {
                        v.par_sort_unstable_by(cmp)
                    }
                })
            }));
            assert!(
                r.is_err(),
                "stable={stable}: the panic must reach the caller"
            );
            let mut got = v.clone();
            got.sort();
            let mut expect = words.clone();
            expect.sort();
            assert_eq!(got, expect, "stable={stable}: not a permutation any more");
        }
    })
}
