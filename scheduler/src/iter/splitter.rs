//! The splitter: runs a [`Producer`] into a [`Consumer`] on the current
//! pool with lazy binary splitting, through [`join`](crate::join).
//!
//! A worker takes its piece a chunk (`grain` positions) at a time; before
//! each chunk it looks at its own deque. Only when the deque is empty —
//! nobody has anything of ours to steal, typically because a thief just
//! took our last split — does it split the rest in half: `join` pushes
//! the upper half on the deque for a thief and the worker goes on with the
//! lower half, which it again takes a chunk at a time. A piece nobody
//! steals is popped back and run by the same worker, so with no thieves a
//! whole input costs `O(log(len / grain))` splits, and with thieves work is
//! divided as finely as they ask and no finer, also *inside* a costly
//! range (Tzannes et al., "Lazy Binary Splitting", PPoPP 2010; the same
//! rule as `parallel.rs`'s `for_each_range`, here on `join`, so halves are
//! stack jobs and a panic is resumed after both halves finished).
//!
//! `grain` is `len / (workers * 256)` (at least 1 and at least the
//! producer's [`min_len`](Producer::min_len)): small enough for a skewed
//! input to be divided finely, large enough that the deque check is noise.
//! On a pool without worker threads the caller holds the pool's borrowed
//! worker slot and nobody steals, so `join` pops every half back and runs
//! both in turn: the same code is the sequential fallback (`wasm32-wasip1`).

use super::plumbing::{Consumer, Folder, Producer};
use crate::worker::WorkerThread;

/// Chunks per worker a range is divided into at most, between deque checks.
const CHUNKS_PER_WORKER: usize = 256;

/// Whether the calling worker's own deque is empty (nothing of ours to
/// steal): the moment to split. True off any pool's workers.
fn local_deque_is_empty() -> bool {
    WorkerThread::with_current(|w| w.is_none_or(|w| w.local_is_empty()))
}

/// Runs `op` on a worker of the current pool: at once if the caller is a
/// worker (its own, or a pool's borrowed slot), else on the global
/// pool, through [`join`](crate::join) with an empty second half.
pub(crate) fn on_pool<R: Send>(op: impl FnOnce() -> R + Send) -> R {
    if crate::current_worker_index().is_some() {
        op()
    } else {
        crate::join(op, || ()).0
    }
}

/// Runs every item of `producer` into `consumer`, in parallel on the
/// current pool (the global pool, called from outside any pool), and
/// returns the consumer's result. A panic in any piece is resumed after
/// every other piece has finished.
///
/// ```
/// use pyrt_scheduler::iter::bridge;
/// use pyrt_scheduler::iter::plumbing::{Consumer, Folder};
/// use pyrt_scheduler::prelude::*;
///
/// struct Max;
/// struct MaxFolder(u64);
/// impl Consumer<u64> for Max {
///     type Folder = MaxFolder;
///     type Result = u64;
///     fn folder(&self, _: std::ops::Range<usize>) -> MaxFolder { MaxFolder(0) }
///     fn reduce(&self, a: u64, b: u64) -> u64 { a.max(b) }
/// }
/// impl Folder<u64> for MaxFolder {
///     type Result = u64;
///     fn consume_iter<I: Iterator<Item = u64>>(self, it: I) -> Self { MaxFolder(it.fold(self.0, u64::max)) }
///     fn complete(self) -> u64 { self.0 }
/// }
/// let producer = (0..100_000u64).into_par_iter().into_producer();
/// assert_eq!(bridge(producer, Max), 99_999);
/// ```
pub fn bridge<P, C>(producer: P, consumer: C) -> C::Result
where
    P: Producer,
    C: Consumer<P::Item>,
{
    bridge_with_grain(producer, consumer, None)
}

/// [`bridge`] with the chunk size given (`Some`: exactly that many
/// positions, at least 1) instead of computed from the length.
pub(crate) fn bridge_with_grain<P, C>(producer: P, consumer: C, grain: Option<usize>) -> C::Result
where
    P: Producer,
    C: Consumer<P::Item>,
{
    let consumer = &consumer;
    on_pool(move || {
        let grain = grain.unwrap_or_else(|| {
            let workers = crate::current_num_threads().max(1);
            (producer.len() / (workers * CHUNKS_PER_WORKER)).max(producer.min_len())
        });
        run(producer, 0, grain.max(1), consumer)
    })
}

/// One piece, starting at position `offset`: chunks until the deque is
/// empty, then a split into two pieces joined.
fn run<P, C>(mut producer: P, mut offset: usize, grain: usize, consumer: &C) -> C::Result
where
    P: Producer,
    C: Consumer<P::Item>,
{
    // Created at the first chunk, so a piece that splits at once makes no
    // folder of its own (no extra `identity()` for `fold`).
    let mut folder: Option<C::Folder> = None;
    loop {
        let len = producer.len();
        if len == 0 || consumer.full() {
            break;
        }
        if len > grain && local_deque_is_empty() {
            let mid = len / 2;
            let (lo, hi) = producer.split_at(mid);
            let (left, right) = crate::join(
                move || run(lo, offset, grain, consumer),
                move || run(hi, offset + mid, grain, consumer),
            );
            let halves = consumer.reduce(left, right);
            return match folder {
                Some(f) => consumer.reduce(f.complete(), halves),
                None => halves,
            };
        }
        let n = len.min(grain);
        let (chunk, rest) = producer.split_at(n);
        let f = folder.unwrap_or_else(|| consumer.folder(offset..offset + len));
        folder = Some(f.consume_iter(chunk.into_iter()));
        producer = rest;
        offset += n;
    }
    folder
        .unwrap_or_else(|| consumer.folder(offset..offset))
        .complete()
}
