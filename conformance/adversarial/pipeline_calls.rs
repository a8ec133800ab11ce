//! Claim: calls that can only finish together, on a pool with exactly one
//! worker per call, always all start: a producer and a consumer call
//! through a `Queue(4)` on a 2-worker pool, and a producer, a relay and a
//! consumer through two queues on a 3-worker pool, over and over, from a
//! pool that is idle between rounds. CPython: the same (every submitted
//! call gets an idle thread of `max_workers`).
//!
//! What it probes is the sleep protocol's hand-off (`scheduler/src/sleep.rs`,
//! "Whoever leaves a sleep searches"): each call blocks its worker for good
//! until the next call starts, so a push whose wake-up is spent on a worker
//! that leaves for another call strands its call, and the round hangs. Ours
//! did, about once in 40k rounds of the first pipeline, before that rule;
//! loom models the two races (`scheduler/tests/loom_sleep.rs`), and this
//! probe runs the real pool through them many thousand times: up to
//! `ROUNDS` rounds, or as many as fit in `BUDGET` on a loaded machine
//! (the adversarial tier's third run, with every core taken by a spinning
//! helper, gets through far fewer rounds a second). The budget bounds how
//! much is explored, never what is asserted: every round that ran must end
//! with the right sum, and one that stalls fails the watchdog.

mod common;

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use executor_api::concurrent::futures::{Future, ThreadPoolExecutor};
use executor_api::queue::Queue;
use executor_api::PyResult;

const ROUNDS: usize = 20_000;
const BUDGET: Duration = Duration::from_secs(20);
const ITEMS: u64 = 100;

/// Runs `round` on one pool of `workers` up to `rounds` times, or until
/// `BUDGET` has passed, under a progress watchdog.
fn rounds(
    what: &str,
    workers: i64,
    rounds: usize,
    round: impl Fn(&ThreadPoolExecutor) + Send + 'static,
) {
    common::watchdog_progress(what, Duration::from_secs(20), move |done| {
        let ex = ThreadPoolExecutor::new(Some(workers)).unwrap();
        let end = Instant::now() + BUDGET;
        for _ in 0..rounds {
            if Instant::now() >= end {
                break;
            }
            round(&ex);
            done.fetch_add(1, Ordering::SeqCst);
        }
        ex.shutdown(true, false);
    });
}

/// A call putting `0..ITEMS` into `q`.
fn producer(q: Queue<u64>) -> impl FnOnce() -> PyResult<()> + Send + 'static {
    move || {
        for i in 0..ITEMS {
            q.put(i, None, None)?;
        }
        Ok(())
    }
}

/// A call taking `ITEMS` items from `q` and returning their sum.
fn consumer(q: Queue<u64>) -> impl FnOnce() -> PyResult<u64> + Send + 'static {
    move || {
        let mut sum = 0;
        for _ in 0..ITEMS {
            sum += q.get(None, None)?;
        }
        Ok(sum)
    }
}

#[test]
fn a_producer_and_a_consumer_call_on_two_workers_always_both_start() {
    rounds("producer/consumer rounds", 2, ROUNDS, |ex| {
        let q: Queue<u64> = Queue::new(Some(4));
        let producer: Future<()> = ex.submit(producer(q.clone())).unwrap();
        let consumer: Future<u64> = ex.submit(consumer(q)).unwrap();
        producer.result(None).unwrap();
        assert_eq!(consumer.result(None).unwrap(), ITEMS * (ITEMS - 1) / 2);
    });
}

#[test]
fn a_chain_of_three_calls_on_three_workers_always_all_start() {
    rounds("producer/relay/consumer rounds", 3, ROUNDS / 2, |ex| {
        let (a, b): (Queue<u64>, Queue<u64>) = (Queue::new(Some(4)), Queue::new(Some(4)));
        let producer: Future<()> = ex.submit(producer(a.clone())).unwrap();
        let bp = b.clone();
        let relay: Future<()> = ex
            .submit(move || -> PyResult<()> {
                for _ in 0..ITEMS {
                    bp.put(a.get(None, None)? + 1, None, None)?;
                }
                Ok(())
            })
            .unwrap();
        let consumer: Future<u64> = ex.submit(consumer(b)).unwrap();
        producer.result(None).unwrap();
        relay.result(None).unwrap();
        assert_eq!(consumer.result(None).unwrap(), ITEMS * (ITEMS + 1) / 2);
    });
}
