//! Workers blocked in Python-level waits, and what a pool does about them.
//!
//! # Blocking is blocking
//!
//! A Python thread that waits — `Future.result()`, `Queue.get`,
//! `Lock.acquire`, `Event.wait` — does nothing else until the wait ends,
//! and a transpiled program can tell if we did otherwise: a call run on the
//! waiter's stack ("helping") reports the waiter's thread identity, can
//! enter an `RLock` the waiter holds, delays the waiter's own timeout by its
//! full length, and — worst — can bury the waiter under a call that blocks
//! on something only the waiter's caller would provide, a hang CPython
//! never has. So a worker that waits on a Python condition parks, exactly
//! like a Python thread, and a pool of `n` workers has at most `n` calls in
//! progress. (`join`, `scope` and the parallel loops still help: no Python
//! call is in progress on the waiting stack while they do, see `wait.rs`.)
//!
//! This module keeps the one number that rule needs: how many of a pool's
//! workers are in such a wait right now ([`Registry::begin_blocked`],
//! [`Registry::end_blocked`]: counted once per wait that did not end at its
//! first poll, spinning or parked, not once per park).
//! Two things use it.
//!
//! # Stuck waiters
//!
//! A worker waiting for a call of its *own* pool that is still queued, while
//! every other worker of the pool is parked too and no new one may start,
//! waits for something that can never happen: CPython deadlocks there. We
//! run the awaited call on the waiting worker instead (the executor does,
//! under the call's own thread identity: `executor-api`'s `future.rs`). The
//! waiter learns the moment it becomes stuck through [`Registry::watch_stuck`]:
//! it checks the count and, if it is not stuck yet, leaves its waker, both
//! under the one lock that [`begin_blocked`](Registry::begin_blocked) takes
//! to count the next blocked worker and wake every watcher. So no transition
//! to "stuck" is missed, and nothing is run early while some worker is still
//! free (CPU-bound work, or idle) to take the queue in order.
//!
//! # Starvation rescue (opt-in)
//!
//! A pool built with [`ThreadPoolBuilder::starvation_rescue`](crate::ThreadPoolBuilder::starvation_rescue)
//! goes beyond CPython in one more case: when every worker has been parked
//! for that long with tasks still queued (a task blocked on a queue that a
//! later task would feed), a blocked worker, waking from its timed park,
//! starts one *spare* worker and the pool reports it through the builder's
//! callback (the executor logs CPython would have deadlocked here). At most
//! one spare starts per window. Spares are ordinary workers in extra slots
//! (indices from `num_threads` on, at most [`MAX_SPARES`]): own deque,
//! stealable, counted in the stats. A spare that finds no work while more
//! spares run than workers are blocked retires: its thread exits and its
//! slot is free again. A spare only retires after a search found nothing,
//! the point at which a worker would go to sleep, so a task pushed meanwhile
//! is found by the workers that stay (see `sleep.rs`); a spare asleep when
//! the workers it stands in for resume is woken to retire, and its last
//! check before sleeping makes sure that wake-up is not lost
//! (`tests/loom_spares.rs`).

use std::sync::Arc;
use std::task::Waker;
use std::time::Duration;

use crate::loom::{lock, AtomicUsize, Mutex, MutexGuard, Ordering};
use crate::registry::Registry;
use crate::sleep::Sleep;
use crate::Instant;

/// Spare slots of a pool with starvation rescue.
pub(crate) const MAX_SPARES: usize = 64;

/// What a worker waiting for one of its pool's queued calls should do.
///
/// ```
/// use pyrt_scheduler::ext::{Stuck, StuckWatch};
/// let pool = pyrt_scheduler::ThreadPool::new(2).unwrap();
/// let handle = pool.handle();
/// let answer = pool.install(|| {
///     let mut watch = StuckWatch::default();
///     // The other worker is free, so this worker is not stuck.
///     handle.watch_stuck(std::task::Waker::noop(), &mut watch)
/// });
/// assert_eq!(answer, Stuck::No);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stuck {
    /// Some other worker is free (running, or idle): keep waiting; the
    /// waiter's waker is registered and is woken when that changes.
    No,
    /// Every other worker is parked, but the pool may start another worker.
    CanStart,
    /// Every other worker is parked and no new one may start: nothing but
    /// the waiter itself can ever run the call.
    Yes,
}

/// What one waiter remembers between its checks of [`Stuck`]
/// (`PoolHandle::watch_stuck`): start each wait with `StuckWatch::default()`.
///
/// ```
/// use pyrt_scheduler::ext::{Stuck, StuckWatch};
/// let pool = pyrt_scheduler::ThreadPool::new(1).unwrap();
/// let mut watch = StuckWatch::default(); // one per wait
/// let stuck = pool.handle().watch_stuck(std::task::Waker::noop(), &mut watch);
/// assert_eq!(stuck, Stuck::No); // not a worker of the pool
/// ```
#[derive(Debug, Default, Clone, Copy)]
pub struct StuckWatch {
    /// `(generation, stuck epoch)` at the waiter's last registration.
    registered: Option<(usize, usize)>,
}

/// The blocked-worker bookkeeping of one pool. The decisions live here,
/// apart from starting threads, so that the loom model
/// (`tests/loom_spares.rs`) checks this very code.
pub(crate) struct Blocked {
    state: Mutex<State>,
    /// Bumped at every [`block`](Self::block) (and when a worker exits):
    /// a watcher that registered at generation `g` and sees `g` still has
    /// a valid registration and cannot have become stuck, so it need not
    /// take the lock again (waiters poll on every spin round).
    generation: AtomicUsize,
    /// Rescue window; `None`: no rescue (the default, as CPython).
    rescue_after: Option<Duration>,
}

struct State {
    /// Workers (primaries or spares) parked in a Python-level wait.
    blocked: usize,
    /// Wakers of stuck-watching waiters, woken when `blocked` grows.
    watchers: Vec<Waker>,
    /// Bumped each time a waiter found itself stuck: every worker blocked
    /// then was part of that deadlock, so a watcher registered (blocked)
    /// before the bump is stuck too.
    stuck_epoch: usize,
    /// Slots of the spares started and not retired.
    running: Vec<usize>,
    /// Spare slots not in use.
    free: Vec<usize>,
    /// When the last spare was started.
    last_rescue: Option<Instant>,
}

impl Blocked {
    /// Bookkeeping for a pool of `primaries` workers, with spare slots only
    /// if it rescues starvation.
    pub(crate) fn new(primaries: usize, rescue_after: Option<Duration>) -> Self {
        let spares = Self::spare_slots(primaries, rescue_after);
        Blocked {
            state: Mutex::new(State {
                blocked: 0,
                watchers: Vec::new(),
                stuck_epoch: 0,
                running: Vec::new(),
                free: (primaries..primaries + spares).rev().collect(),
                last_rescue: None,
            }),
            generation: AtomicUsize::new(0),
            rescue_after,
        }
    }

    fn spare_slots(primaries: usize, rescue_after: Option<Duration>) -> usize {
        if primaries == 0 || rescue_after.is_none() {
            0
        } else {
            MAX_SPARES
        }
    }

    /// Number of slots, primaries and spares.
    pub(crate) fn slots(primaries: usize, rescue_after: Option<Duration>) -> usize {
        primaries + Self::spare_slots(primaries, rescue_after)
    }

    /// The rescue window, if the pool rescues.
    pub(crate) fn rescue_after(&self) -> Option<Duration> {
        self.rescue_after
    }

    /// A worker parks in a Python-level wait: count it, and wake every
    /// stuck-watcher so that it checks again.
    pub(crate) fn block(&self) {
        let mut st = lock(&self.state);
        st.blocked += 1;
        self.wake_watchers(st);
    }

    /// A worker exited (fewer live workers can make a waiter stuck): wake
    /// the watchers so that they check again.
    pub(crate) fn worker_exited(&self) {
        self.wake_watchers(lock(&self.state));
    }

    /// Something a watcher's answer depends on changed (under `st`): bump
    /// the generation, so that no watcher takes its fast path, and wake
    /// every watcher once the lock is released.
    fn wake_watchers(&self, mut st: MutexGuard<'_, State>) {
        self.generation.fetch_add(1, Ordering::Release);
        let watchers = std::mem::take(&mut st.watchers);
        drop(st);
        for w in watchers {
            w.wake();
        }
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

    /// Whether a waiter that is a live worker of the pool is stuck (see the
    /// module docs). `me_blocked`: the waiter is itself counted as blocked.
    /// `live`: workers running now; `all_started`: no more may start. When
    /// not stuck, `waker` is woken at the next [`block`](Self::block), and
    /// `watch` records that registration: while nothing changed since,
    /// later calls answer [`Stuck::No`] without locking.
    ///
    /// A waiter that finds itself stuck wakes every watcher: each of them
    /// that was blocked and registered before that moment was part of the
    /// same deadlock, so it is answered [`Stuck::Yes`] too, even if the
    /// first one has already resumed (running its call) by the time it looks.
    pub(crate) fn watch(
        &self,
        waker: &Waker,
        watch: &mut StuckWatch,
        me_blocked: bool,
        live: impl FnOnce() -> usize,
        all_started: bool,
    ) -> Stuck {
        let generation = self.generation.load(Ordering::Acquire);
        if watch.registered.is_some_and(|(g, _)| g == generation) {
            return Stuck::No;
        }
        let mut st = lock(&self.state);
        if let Some((_, epoch)) = watch.registered {
            if me_blocked && epoch != st.stuck_epoch {
                return Stuck::Yes;
            }
        }
        let live = live();
        let others = st.blocked - usize::from(me_blocked);
        if others + 1 >= live {
            if !all_started {
                return Stuck::CanStart;
            }
            st.stuck_epoch += 1;
            self.wake_watchers(st);
            return Stuck::Yes;
        }
        if !st.watchers.iter().any(|w| w.will_wake(waker)) {
            st.watchers.push(waker.clone());
        }
        watch.registered = Some((self.generation.load(Ordering::Acquire), st.stuck_epoch));
        Stuck::No
    }

    /// A spare slot to start if every one of the `live` workers is blocked,
    /// `queued` work waits, and no spare was started in the last window.
    pub(crate) fn rescue(&self, live: usize, queued: bool) -> Option<usize> {
        let window = self.rescue_after?;
        let mut st = lock(&self.state);
        let recent = st.last_rescue.is_some_and(|t| t.elapsed() < window);
        if !queued || st.blocked < live || recent {
            return None;
        }
        let slot = st.free.pop()?;
        st.running.push(slot);
        st.last_rescue = Some(Instant::now());
        Some(slot)
    }

    /// The spare [`rescue`](Self::rescue) asked for could not be started.
    pub(crate) fn start_failed(&self, slot: usize) {
        let mut st = lock(&self.state);
        st.running.retain(|&s| s != slot);
        st.free.push(slot);
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

    /// Test seam: start a spare in a free slot as a rescue would.
    #[cfg(loom)]
    pub(crate) fn force_rescue(&self) -> Option<usize> {
        let mut st = lock(&self.state);
        let slot = st.free.pop()?;
        st.running.push(slot);
        Some(slot)
    }
}

impl Registry {
    /// A worker of this pool parks until something outside the pool's
    /// queues happens (a Python-level wait). Pair with
    /// [`end_blocked`](Self::end_blocked).
    pub(crate) fn begin_blocked(&self) {
        self.blocked.block();
    }

    /// The worker that called [`begin_blocked`](Self::begin_blocked) runs
    /// again.
    pub(crate) fn end_blocked(&self) {
        self.blocked.unblock(&self.sleep);
    }

    /// See [`Blocked::watch`]; the caller is a live worker of this pool.
    pub(crate) fn watch_stuck(
        &self,
        waker: &Waker,
        watch: &mut StuckWatch,
        me_blocked: bool,
    ) -> Stuck {
        self.blocked.watch(
            waker,
            watch,
            me_blocked,
            || self.live_workers(),
            self.all_started(),
        )
    }

    /// Called by a blocked worker whose rescue window passed: starts a
    /// spare if the pool is starved. Returns the spare's slot if it did.
    pub(crate) fn rescue_if_starved(self: &Arc<Self>) -> Option<usize> {
        let slot = self
            .blocked
            .rescue(self.live_workers(), self.has_queued_work())?;
        if self.start_worker(slot).is_err() {
            self.blocked.start_failed(slot);
            return None;
        }
        if let Some(on_rescue) = &self.on_rescue {
            on_rescue(slot);
        }
        Some(slot)
    }
}
