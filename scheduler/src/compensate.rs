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
//! spare that finds no work while more spares run than workers are blocked
//! retires: its thread exits and its slot (and deque) is free for the next
//! spare. A spare only retires after a search found nothing, the same point
//! at which a worker would go to sleep, so a task pushed meanwhile is found
//! by the workers that stay (see `sleep.rs`). A spare asleep when the worker
//! it stands in for resumes is woken to retire; its last check before
//! sleeping makes sure that wake-up is not lost (`tests/loom_spares.rs`).
//!
//! When no spare can be had (all slots in use, or the spawner fails — on a
//! target without threads there is no spawner at all) the worker falls
//! back to helping, which is the best it can still do.

use std::sync::Arc;

use crate::loom::{lock, Mutex};
use crate::registry::Registry;
use crate::sleep::Sleep;

/// Spare slots per pool: how many blocked workers can be stood in for at
/// once (Java's default pool allows 256 spares; our pools are smaller).
pub(crate) const MAX_SPARES: usize = 64;

/// The spare bookkeeping of one pool: who is blocked, which spares run.
/// The decisions live here, apart from starting threads, so that the loom
/// model (`tests/loom_spares.rs`) checks this very code.
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

/// What a worker about to block should count on.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum StandIn {
    /// A spare that has nothing to do already runs (pushes wake it).
    Running,
    /// Start a spare in this slot.
    Start(usize),
    /// No spare can be had: help instead of parking.
    Unavailable,
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

    /// A worker blocks: keep as many workers running as before.
    pub(crate) fn block(&self) -> StandIn {
        let mut st = lock(&self.state);
        st.blocked += 1;
        if st.running.len() >= st.blocked {
            StandIn::Running
        } else if let Some(slot) = st.free.pop() {
            st.running.push(slot);
            StandIn::Start(slot)
        } else {
            st.blocked -= 1;
            StandIn::Unavailable
        }
    }

    /// The spare [`block`](Self::block) asked for could not be started;
    /// the worker will help instead of blocking.
    pub(crate) fn start_failed(&self, slot: usize) {
        let mut st = lock(&self.state);
        st.running.retain(|&s| s != slot);
        st.blocked -= 1;
        st.free.push(slot);
    }

    /// A blocked worker runs again. If that leaves spares without a blocked
    /// worker to stand in for, the sleeping ones are woken so that they
    /// retire.
    pub(crate) fn unblock(&self, sleep: &Sleep) {
        let wake: Vec<usize> = {
            let mut st = lock(&self.state);
            st.blocked -= 1;
            if st.running.len() > st.blocked {
                st.running.clone()
            } else {
                Vec::new()
            }
        };
        for slot in wake {
            sleep.notify_worker(slot);
        }
    }

    /// Whether more spares run than workers are blocked. Read-only: a spare
    /// about to sleep checks it last (its S3, see `sleep.rs`), so that the
    /// wake-up of [`unblock`](Self::unblock) is not lost.
    pub(crate) fn superfluous(&self) -> bool {
        let st = lock(&self.state);
        st.running.len() > st.blocked
    }

    /// Called by spare `slot` when its search found nothing: true if it
    /// should exit now (it no longer counts as running). It then hands its
    /// deque back and calls [`slot_free`](Self::slot_free).
    pub(crate) fn retire(&self, slot: usize) -> bool {
        let mut st = lock(&self.state);
        if st.running.len() > st.blocked {
            st.running.retain(|&s| s != slot);
            true
        } else {
            false
        }
    }

    /// A retired spare's slot (its deque handed back) may be reused.
    pub(crate) fn slot_free(&self, slot: usize) {
        lock(&self.state).free.push(slot);
    }
}

impl Registry {
    /// A worker of this pool is about to park until something outside the
    /// pool's queues happens. Returns true if it may park: a spare runs in
    /// its stead (the caller must call [`end_blocking`](Self::end_blocking)
    /// when it resumes). False means no spare could be had: the caller
    /// should help instead of parking.
    pub(crate) fn begin_blocking(self: &Arc<Self>) -> bool {
        match self.spares.block() {
            StandIn::Unavailable => return false,
            StandIn::Running => {}
            StandIn::Start(slot) => {
                if self.start_worker(slot).is_err() {
                    self.spares.start_failed(slot);
                    return false;
                }
            }
        }
        // Whoever is idle searches again: the blocked worker's own deque
        // may hold work the others can now steal.
        self.sleep.notify_one();
        true
    }

    /// The worker that called [`begin_blocking`](Self::begin_blocking) runs
    /// again.
    pub(crate) fn end_blocking(&self) {
        self.spares.unblock(&self.sleep);
    }
}
