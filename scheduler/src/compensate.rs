//! Blocked workers, and the spare threads that stand in for them.
//!
//! # Why helping is not enough
//!
//! A worker that waits for a `Future` helps: it runs queued tasks until the
//! result is there (`wait.rs`). That is right for fork-join work, where
//! whatever it runs finishes on its own. It is wrong for the blocking calls
//! of Python code — `Queue.get`, `Lock.acquire`, `Event.wait` — whose
//! condition may need a task that is *beneath* the waiter on the same
//! stack. With two workers, four consumers blocked on a `Queue(maxsize=1)`
//! and four producers, a worker can end up with the consumers nested at
//! the bottom of its stack and producers blocked on a full queue above
//! them: the item that would unblock the producers sits in the queue, but
//! the only frames that would take it cannot resume until the producers
//! return. Real threads (CPython's) never nest like that.
//!
//! # What we do instead
//!
//! The model is Java's `ForkJoinPool.managedBlock`: a worker about to park
//! on such a condition tells its pool ([`Registry::begin_blocking`]), and
//! the pool makes sure that as many workers keep running as the pool has
//! primaries, by starting a *spare* worker if needed. The blocked worker
//! then parks without running anything, exactly like a Python thread, and
//! tells the pool when it resumes ([`Registry::end_blocking`]).
//!
//! Spares are ordinary workers in extra slots (indices from `num_threads`
//! on, at most [`MAX_SPARES`] of them): own deque, stealable, counted in
//! the stats, started through the pool's [`Spawner`](crate::Spawner). A
//! spare that finds no work while no more spares are needed
//! (more spares run than workers are blocked) retires: its thread exits and its slot (and deque)
//! is free for the next spare. A spare only retires after a search found
//! nothing, the same point at which a worker would go to sleep, so a task
//! pushed meanwhile is found by the workers that stay (see `sleep.rs`).
//!
//! When no spare can be had (all slots in use, or the spawner fails — on a
//! target without threads there is no spawner at all) the worker falls
//! back to helping, which is the best it can still do.

use std::sync::Arc;

use crate::loom::{lock, Mutex};
use crate::registry::Registry;

/// Spare slots per pool: how many blocked workers can be stood in for at
/// once (Java's default pool allows 256 spares; our pools are smaller).
pub(crate) const MAX_SPARES: usize = 64;

/// The spare bookkeeping of one pool.
pub(crate) struct Spares {
    state: Mutex<State>,
}

struct State {
    /// Workers (primaries or spares) parked in a blocking call.
    blocked: usize,
    /// Slots of the spares started and not retired.
    running: Vec<usize>,
    /// Spare slots not in use.
    free: Vec<usize>,
}

impl Spares {
    /// Bookkeeping for a pool of `primaries` workers; no spares if it has
    /// no workers at all.
    pub(crate) fn new(primaries: usize) -> Self {
        let slots = if primaries == 0 { 0 } else { MAX_SPARES };
        Spares {
            state: Mutex::new(State {
                blocked: 0,
                running: Vec::new(),
                free: (primaries..primaries + slots).rev().collect(),
            }),
        }
    }

    /// Number of slots, primaries and spares, for a pool of `primaries`.
    pub(crate) fn slots(primaries: usize) -> usize {
        if primaries == 0 {
            0
        } else {
            primaries + MAX_SPARES
        }
    }
}

impl Registry {
    /// A worker of this pool is about to park until something outside the
    /// pool's queues happens. Returns true if it may park: a spare runs in
    /// its stead (the caller must call [`end_blocking`](Self::end_blocking)
    /// when it resumes). False means no spare could be had: the caller
    /// should help instead of parking.
    pub(crate) fn begin_blocking(self: &Arc<Self>) -> bool {
        let slot = {
            let mut st = lock(&self.spares.state);
            st.blocked += 1;
            if st.running.len() >= st.blocked {
                // An idle spare already stands in; pushes wake it.
                None
            } else if let Some(slot) = st.free.pop() {
                st.running.push(slot);
                Some(slot)
            } else {
                st.blocked -= 1;
                return false;
            }
        };
        if let Some(slot) = slot {
            if self.start_worker(slot).is_err() {
                let mut st = lock(&self.spares.state);
                st.running.retain(|&s| s != slot);
                st.blocked -= 1;
                st.free.push(slot);
                return false;
            }
        }
        // Whoever is idle searches again: the blocked worker's own deque
        // may hold work the others can now steal.
        self.sleep.notify_one();
        true
    }

    /// The worker that called [`begin_blocking`](Self::begin_blocking) runs
    /// again. If that leaves a spare without a blocked worker to stand in
    /// for, sleeping spares are woken so that one of them retires.
    pub(crate) fn end_blocking(&self) {
        let wake: Vec<usize> = {
            let mut st = lock(&self.spares.state);
            st.blocked -= 1;
            if st.running.len() > st.blocked {
                st.running.clone()
            } else {
                Vec::new()
            }
        };
        for slot in wake {
            self.sleep.notify_worker(slot);
        }
    }

    /// Called by a spare whose search found nothing: true if it should exit
    /// now (more workers run than the pool's size). It then hands its deque
    /// back and calls [`spare_slot_free`](Self::spare_slot_free).
    pub(crate) fn spare_should_retire(&self, slot: usize) -> bool {
        let mut st = lock(&self.spares.state);
        if st.running.len() > st.blocked {
            st.running.retain(|&s| s != slot);
            true
        } else {
            false
        }
    }

    /// Whether more spares run than workers are blocked (read-only: a spare
    /// about to sleep checks it last, so that [`end_blocking`]'s wake-up is
    /// not lost; see `sleep.rs` for why a check after announcing the sleep
    /// is enough).
    ///
    /// [`end_blocking`]: Self::end_blocking
    pub(crate) fn spares_superfluous(&self) -> bool {
        let st = lock(&self.spares.state);
        st.running.len() > st.blocked
    }

    /// A retired spare's slot (its deque handed back) may be reused.
    pub(crate) fn spare_slot_free(&self, slot: usize) {
        lock(&self.spares.state).free.push(slot);
    }
}
