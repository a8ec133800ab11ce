//! The lock-free ring of a bounded `queue.Queue(maxsize=n)`.
//!
//! Dmitry Vyukov's bounded MPMC queue ("Bounded MPMC queue", 1024cores.net),
//! the algorithm of crossbeam-queue's `ArrayQueue`: a ring of `n` slots, a
//! `tail` that producers advance by compare-and-swap to reserve a slot, a
//! `head` that consumers advance the same way, and in each slot a sequence
//! number that says whose turn it is (the producer of position `p` waits for
//! `seq == 2p`, and publishes with `seq = 2p + 1`; the consumer of `p`
//! takes it at `2p + 1` and frees the slot for position `p + n` with
//! `seq = 2(p + n)`; doubled, unlike Vyukov's `p`, `p + 1`, `p + n`, so
//! that a ring of one slot, `Queue(maxsize=1)`, tells a published value
//! from a free slot).
//! Producers write only `tail` and consumers only `head`, so a put and a get
//! share no cache line but the slot between them.
//!
//! Why not `ArrayQueue` itself: CPython's `Queue` counts
//! `unfinished_tasks` under the same lock as the item goes in, and a program
//! can see the count (`task_done()` raising `ValueError`, `join()`
//! returning, the attribute itself). Here `tail` is that count's first half:
//! a put happens when it reserves its slot (the reservation only succeeds
//! if the put will), `task_done` counts in [`done`](Ring::done), and
//! `unfinished_tasks` is `tail - done`, with no extra counter written by
//! every thread on every item (an earlier stop measured one shared counter
//! at 4x crossbeam's time). And CPython's `q.maxsize = n` must be followed:
//! [`close`](Ring::close) sets a `CLOSED` bit in `tail`, `head` and `done`,
//! so that no new operation starts on the ring, waits for the ones in
//! flight and hands the items over to the queue's locked store.
//!
//! Every position is a `u64` that only grows (2**62 operations before a
//! doubled position would reach the `CLOSED` bit); the slot of position `p`
//! is `p % n`.
//!
//! The CASes are `SeqCst`: `base.rs` (`wake_after_ring_op`) builds its
//! fence-free wake-up on them.
//!
//! Linearization: a put at its `tail` CAS, a get at its `head` CAS, a
//! `task_done` at its `done` CAS. A get that finds its slot reserved but
//! not yet written (a producer between its CAS and its write) waits for it,
//! and a put that finds the slot it needs taken by a consumer still reading
//! it waits for that, so neither reports `Empty`/`Full` for a queue that,
//! at that point, holds items or has room (not under loom:
//! [`WAIT_FOR_IN_FLIGHT`]).

use std::cell::UnsafeCell;
use std::mem::MaybeUninit;

use crossbeam_utils::CachePadded;

use crate::loom::{AtomicU64, Ordering};

/// Set in `tail`, `head` and `done` once the ring is closed.
const CLOSED: u64 = 1 << 63;

/// Why an operation did not happen.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Refused<T> {
    /// `put`: the ring holds `n` items. `get`: it holds none.
    /// `task_done`: every item put was marked done already.
    No(T),
    /// The ring was closed: use the queue's locked store.
    Closed(T),
}

struct Slot<T> {
    seq: AtomicU64,
    value: UnsafeCell<MaybeUninit<T>>,
}

/// See the module docs.
pub(super) struct Ring<T> {
    /// Positions reserved by puts: the number of puts so far.
    tail: CachePadded<AtomicU64>,
    /// Positions reserved by gets.
    head: CachePadded<AtomicU64>,
    /// `task_done` calls so far (at most `tail`).
    done: CachePadded<AtomicU64>,
    slots: Box<[Slot<T>]>,
    cap: u64,
}

// SAFETY: a value moves from the producer that writes its slot to the one
// consumer that reserved that position (or to `close`), never shared; the
// slot's `seq` (release store, acquire load) orders the write before the
// read. So the ring may be shared and sent if the items may be sent.
unsafe impl<T: Send> Sync for Ring<T> {}
// SAFETY: as above: the ring owns its items.
unsafe impl<T: Send> Send for Ring<T> {}

// No user code runs inside a ring operation (items are only moved), so a
// panic elsewhere never leaves it half-updated: a queue stays usable after
// one, as CPython's does.
impl<T> std::panic::RefUnwindSafe for Ring<T> {}
impl<T> std::panic::UnwindSafe for Ring<T> {}

/// Waits out another thread's step between its CAS and its slot access.
fn wait_a_little(tries: &mut u32) {
    *tries += 1;
    if *tries < 64 && !cfg!(loom) {
        std::hint::spin_loop();
    } else {
        crate::loom::yield_now();
    }
}

/// Whether a `push` or `pop` that finds the other side between its CAS
/// and its slot access waits for it (see the module docs). Not under
/// loom: a bounded-preemption model cannot be made to run the other
/// thread from a spin, and reports the spin as a livelock. There the
/// operation reports full or empty instead, as Vyukov's original does,
/// and the models check the wake-up protocol around that answer (the
/// other side wakes a waiter after its step either way).
const WAIT_FOR_IN_FLIGHT: bool = !cfg!(loom);

impl<T> Ring<T> {
    /// The bytes one slot takes.
    pub(super) const SLOT_BYTES: usize = std::mem::size_of::<Slot<T>>();

    /// A ring of `cap` slots (`cap >= 1`).
    pub(super) fn new(cap: usize) -> Self {
        let slots = (0..cap as u64)
            .map(|i| Slot {
                seq: AtomicU64::new(2 * i),
                value: UnsafeCell::new(MaybeUninit::uninit()),
            })
            .collect();
        Ring {
            tail: CachePadded::new(AtomicU64::new(0)),
            head: CachePadded::new(AtomicU64::new(0)),
            done: CachePadded::new(AtomicU64::new(0)),
            slots,
            cap: cap as u64,
        }
    }

    /// The number of slots: the queue's `maxsize` while the ring is open.
    pub(super) fn capacity(&self) -> usize {
        self.cap as usize
    }

    fn slot(&self, pos: u64) -> &Slot<T> {
        &self.slots[(pos % self.cap) as usize]
    }

    /// True once [`close`](Self::close) began.
    pub(super) fn is_closed(&self) -> bool {
        self.tail.load(Ordering::Acquire) & CLOSED != 0
    }

    /// `put_nowait`: `No(value)` if full.
    pub(super) fn push(&self, value: T) -> Result<(), Refused<T>> {
        let mut tries = 0;
        loop {
            let t = self.tail.load(Ordering::Relaxed);
            if t & CLOSED != 0 {
                return Err(Refused::Closed(value));
            }
            let slot = self.slot(t);
            let seq = slot.seq.load(Ordering::Acquire);
            if seq == 2 * t {
                if self
                    .tail
                    .compare_exchange_weak(t, t + 1, Ordering::SeqCst, Ordering::Relaxed)
                    .is_ok()
                {
                    // SAFETY: the CAS reserved position `t`, whose slot is
                    // free (`seq == 2t`: its last consumer is done with it);
                    // no one else touches it until we publish.
                    unsafe { (*slot.value.get()).write(value) };
                    slot.seq.store(2 * t + 1, Ordering::Release);
                    return Ok(());
                }
            } else if seq < 2 * t {
                // The slot still holds position `t - cap`. If no get has
                // reserved that one, `tail - head` was `cap` when we read
                // `head`: full.
                // (`SeqCst`: a waiter's second look, `base.rs`.)
                let h = self.head.load(Ordering::SeqCst) & !CLOSED;
                if h + self.cap <= t || !WAIT_FOR_IN_FLIGHT {
                    return Err(Refused::No(value));
                }
                // A get reserved it and is reading it: it frees it soon.
                wait_a_little(&mut tries);
            }
            // `seq > 2t`: another put took position `t`; try the next.
        }
    }

    /// `get_nowait`: `No(())` if empty.
    pub(super) fn pop(&self) -> Result<T, Refused<()>> {
        let mut tries = 0;
        loop {
            let h = self.head.load(Ordering::Relaxed);
            if h & CLOSED != 0 {
                return Err(Refused::Closed(()));
            }
            let slot = self.slot(h);
            let seq = slot.seq.load(Ordering::Acquire);
            if seq == 2 * h + 1 {
                if self
                    .head
                    .compare_exchange_weak(h, h + 1, Ordering::SeqCst, Ordering::Relaxed)
                    .is_ok()
                {
                    // SAFETY: the CAS reserved position `h`, whose value
                    // its producer published (`seq == 2h + 1`, acquire); we
                    // are its one reader, and free the slot after reading.
                    let value = unsafe { (*slot.value.get()).assume_init_read() };
                    slot.seq.store(2 * (h + self.cap), Ordering::Release);
                    return Ok(value);
                }
            } else if seq < 2 * h + 1 {
                // Position `h` is not written yet. If no put reserved it,
                // `tail - head` was 0 when we read `tail`: empty.
                // (`SeqCst`: a waiter's second look, `base.rs`.)
                let t = self.tail.load(Ordering::SeqCst) & !CLOSED;
                if t <= h || !WAIT_FOR_IN_FLIGHT {
                    return Err(Refused::No(()));
                }
                // A put reserved it and is writing it.
                wait_a_little(&mut tries);
            }
            // `seq > 2h + 1`: another get took position `h`; try the next.
        }
    }

    /// `task_done()`: `Ok(true)` if that made the unfinished count zero;
    /// `No(())` if it already was zero (CPython's `ValueError`).
    pub(super) fn task_done(&self) -> Result<bool, Refused<()>> {
        loop {
            let d = self.done.load(Ordering::Acquire);
            let t = self.tail.load(Ordering::Acquire);
            if (d | t) & CLOSED != 0 {
                return Err(Refused::Closed(()));
            }
            // `done <= tail` always, and `done` was `d` when we read it,
            // so when we read `tail` both were `d`: nothing unfinished.
            if d == t {
                return Err(Refused::No(()));
            }
            if self
                .done
                .compare_exchange_weak(d, d + 1, Ordering::SeqCst, Ordering::Acquire)
                .is_ok()
            {
                return Ok(d + 1 == t);
            }
        }
    }

    /// `qsize()`, or `None` once closed.
    pub(super) fn len(&self) -> Option<usize> {
        let (h, t) = Self::snapshot(&self.head, &self.tail)?;
        Some((t - h) as usize)
    }

    /// `unfinished_tasks`, or `None` once closed.
    pub(super) fn unfinished(&self) -> Option<usize> {
        let (d, t) = Self::snapshot(&self.done, &self.tail)?;
        Some((t - d) as usize)
    }

    /// `tail` and another position as they were at one moment (`tail`
    /// unchanged while the other was read), or `None` once closed.
    fn snapshot(other: &AtomicU64, tail: &AtomicU64) -> Option<(u64, u64)> {
        loop {
            let t = tail.load(Ordering::SeqCst);
            let o = other.load(Ordering::SeqCst);
            if tail.load(Ordering::SeqCst) == t {
                return ((o | t) & CLOSED == 0).then_some((o, t));
            }
        }
    }

    /// Closes the ring (once; the caller holds the queue's lock, so no two
    /// closes race) and hands over what it holds: `take` gets every item
    /// still in it, oldest first, and the result is `unfinished_tasks`.
    /// Operations already past their CAS finish first; later ones are
    /// refused with [`Refused::Closed`].
    pub(super) fn close(&self, mut take: impl FnMut(T)) -> usize {
        let t = self.tail.fetch_or(CLOSED, Ordering::SeqCst) & !CLOSED;
        let h = self.head.fetch_or(CLOSED, Ordering::SeqCst) & !CLOSED;
        let d = self.done.fetch_or(CLOSED, Ordering::SeqCst) & !CLOSED;
        for pos in h..t {
            let slot = self.slot(pos);
            let mut tries = 0;
            // Its put reserved it before the close; wait for the write.
            while slot.seq.load(Ordering::Acquire) != 2 * pos + 1 {
                wait_a_little(&mut tries);
            }
            // SAFETY: position `pos` was published (`seq == 2pos + 1`,
            // acquire) and no get reserved it (`pos >= h`, and `head` is
            // closed); we take it once and mark it read.
            let value = unsafe { (*slot.value.get()).assume_init_read() };
            slot.seq.store(2 * (pos + self.cap), Ordering::Release);
            take(value);
        }
        (t - d) as usize
    }
}

impl<T> Drop for Ring<T> {
    fn drop(&mut self) {
        // `&mut self`: no operation is in flight, so every position in
        // `[head, tail)` holds a written value (none once closed).
        let t = self.tail.load(Ordering::Relaxed);
        let h = self.head.load(Ordering::Relaxed);
        if t & CLOSED != 0 {
            return;
        }
        for pos in h..t {
            let slot = &mut self.slots[(pos % self.cap) as usize];
            // SAFETY: written and never read (see above).
            unsafe { slot.value.get_mut().assume_init_drop() };
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn fifo_full_empty_task_done_and_close() {
        let r = Ring::new(2);
        assert_eq!(r.pop(), Err(Refused::No(())));
        r.push("a").unwrap();
        r.push("b").unwrap();
        assert_eq!(r.push("c"), Err(Refused::No("c")));
        assert_eq!((r.len(), r.unfinished()), (Some(2), Some(2)));
        assert_eq!(r.pop(), Ok("a"));
        assert_eq!(r.task_done(), Ok(false));
        r.push("c").unwrap(); // wraps around
        assert_eq!(r.pop(), Ok("b"));
        assert_eq!(r.task_done(), Ok(false));
        let mut left = Vec::new();
        assert_eq!(r.close(|v| left.push(v)), 1);
        assert_eq!(left, ["c"]);
        assert_eq!(r.push("d"), Err(Refused::Closed("d")));
        assert_eq!(r.pop(), Err(Refused::Closed(())));
        assert_eq!(r.task_done(), Err(Refused::Closed(())));
        assert_eq!((r.len(), r.unfinished()), (None, None));
    }

    #[test]
    fn one_slot_tells_full_from_free() {
        let r = Ring::new(1);
        for i in 0..3 {
            r.push(i).unwrap();
            assert_eq!(r.push(9), Err(Refused::No(9)));
            assert_eq!(r.pop(), Ok(i));
            assert_eq!(r.pop(), Err(Refused::No(())));
        }
    }

    #[test]
    fn surplus_task_done_is_refused() {
        let r: Ring<u8> = Ring::new(1);
        assert_eq!(r.task_done(), Err(Refused::No(())));
        r.push(1).unwrap();
        assert_eq!(r.task_done(), Ok(true)); // counted at the put, not the get
        assert_eq!(r.task_done(), Err(Refused::No(())));
    }

    /// Two producers and two consumers on a ring of two slots (small enough
    /// for miri, which checks the slots' `UnsafeCell`/`MaybeUninit` use):
    /// every item arrives once, then a close hands over what is left.
    #[test]
    fn threads_move_every_item_once_then_close_hands_over_the_rest() {
        let ring = std::sync::Arc::new(Ring::new(2));
        let per = if cfg!(miri) { 20 } else { 10_000 };
        let spawn_producer = |p: usize| {
            let ring = ring.clone();
            std::thread::spawn(move || {
                for i in 0..per {
                    let mut item = Box::new(p * per + i);
                    while let Err(Refused::No(back)) = ring.push(item) {
                        item = back;
                        std::thread::yield_now();
                    }
                }
            })
        };
        let spawn_consumer = || {
            let ring = ring.clone();
            std::thread::spawn(move || {
                let mut got = Vec::new();
                while got.len() < per - 1 {
                    match ring.pop() {
                        Ok(item) => got.push(*item),
                        Err(_) => std::thread::yield_now(),
                    }
                }
                got
            })
        };
        let producers = [spawn_producer(0), spawn_producer(1)];
        let consumers = [spawn_consumer(), spawn_consumer()];
        let mut all: Vec<usize> = consumers
            .into_iter()
            .flat_map(|c| c.join().unwrap())
            .collect();
        for p in producers {
            p.join().unwrap();
        }
        // Two items are left in the ring; closing it hands them over.
        assert_eq!(ring.close(|item| all.push(*item)), 2 * per);
        all.sort_unstable();
        assert_eq!(all, (0..2 * per).collect::<Vec<_>>());
    }

    #[test]
    fn drop_frees_what_is_left() {
        let item = std::sync::Arc::new(());
        let r = Ring::new(3);
        for _ in 0..3 {
            r.push(item.clone()).unwrap();
        }
        drop(r.pop());
        drop(r);
        assert_eq!(std::sync::Arc::strong_count(&item), 1);
    }
}
