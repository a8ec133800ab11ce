//! The permit count under `threading.Lock`, `RLock`, `Semaphore` and
//! `BoundedSemaphore`: a lock is a count of at most one permit.
//!
//! Why hand-written and not a std `Mutex`: a Python lock is released by
//! whichever thread calls `release()` (not by a guard of the thread that
//! took it), a semaphore counts, and every `acquire` takes a timeout.
//!
//! The count is one atomic word: the permits shifted left by one, and a
//! `WAITERS` bit. Taking a permit that is there and releasing when nobody
//! waits are one atomic operation each (a compare-and-swap), with no other
//! lock: `with lock:` around a short critical
//! section, the common Python use, costs no more than a std mutex (the
//! `lock` bench: 4 threads, 1M acquisitions, 3.7–4.6x faster than
//! `std::sync::Mutex` on a 2-vCPU machine, 0.7x pinned to one CPU). A
//! caller that finds no permit first tries the word for a few microseconds
//! (`waiting::try_for_a_while`: a short critical section on another core
//! usually ends meanwhile, and then nobody registers), then waits through
//! `waiting::block_until` (it spins a little more, then parks),
//! registered in a waker list under its own mutex:
//!
//! - **Waiter**: registers its waker under the list's mutex, then sets
//!   `WAITERS` (`fetch_or`); if the value it replaced had a permit, one
//!   was released meanwhile and it tries to take it again.
//! - **Release**: adds its permits (compare-and-swap); if the value it
//!   replaced had `WAITERS` set, it takes the list's mutex, clears
//!   `WAITERS`, bumps `wakeups` and wakes every waiter (CPython's lock
//!   wakes one, its semaphore `n`; waking all costs a retry each, never a
//!   lost wake-up).
//!
//! Both read-modify-writes hit the same word, so one comes first: either
//! the release sees `WAITERS` (and, taking the mutex the waiter registered
//! under, finds its waker), or the waiter sees the permit. A waiter
//! that polls again (the wait spins before it parks) and finds `wakeups`
//! unchanged since it registered is still in the list, and only tries the
//! word, without the mutex. A woken waiter that lost the race re-registers.
//! `tests/loom_sync.rs` models both orders, through `Lock`, `RLock` and
//! `Semaphore`.

use std::task::Waker;
use std::time::Duration;

use crate::loom::{AtomicU64, AtomicUsize, IgnorePoison, Mutex, Ordering};
use crate::waiting::{block_until, deadline, try_for_a_while, Waiters};

/// The waker list may hold someone waiting: a release must wake it.
const WAITERS: u64 = 1;
/// One permit, in the word (the count sits above `WAITERS`).
const PERMIT: u64 = 2;
/// The most permits the word holds.
pub(crate) const MAX_PERMITS: u64 = u64::MAX / PERMIT;

/// Why a [`Permits::release`] added nothing.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Refused {
    /// It would have passed the bound (a lock released while unlocked,
    /// a `BoundedSemaphore` released too many times).
    OverBound,
    /// It would have passed [`MAX_PERMITS`].
    Overflow,
}

/// A count of permits any thread may take and release (see the module
/// docs).
pub(crate) struct Permits {
    /// The permits times `PERMIT`, and `WAITERS`.
    state: AtomicU64,
    /// Bumped, under `waiters`, by every release that wakes the list.
    wakeups: AtomicUsize,
    waiters: Mutex<Waiters>,
}

impl Permits {
    /// A count of `permits` (at most [`MAX_PERMITS`]).
    pub(crate) fn new(permits: u64) -> Self {
        debug_assert!(permits <= MAX_PERMITS);
        Permits {
            state: AtomicU64::new(permits.min(MAX_PERMITS) * PERMIT),
            wakeups: AtomicUsize::new(0),
            waiters: Mutex::new(Waiters::default()),
        }
    }

    /// Takes a permit if there is one; true if this call took it.
    pub(crate) fn try_take(&self) -> bool {
        // Read first, so that callers spinning on an empty count do not
        // take its cache line from the holder.
        let mut s = self.state.load(Ordering::Relaxed);
        while s >= PERMIT {
            match self.state.compare_exchange_weak(
                s,
                s - PERMIT,
                Ordering::Acquire,
                Ordering::Relaxed,
            ) {
                Ok(_) => return true,
                Err(now) => s = now,
            }
        }
        false
    }

    /// Takes a permit, waiting for one at most `limit` (`None`: forever);
    /// true if this call took it.
    pub(crate) fn take(&self, limit: Option<Duration>) -> bool {
        if try_for_a_while(|| self.try_take()) {
            return true;
        }
        let mut registered = None;
        let taken = block_until(deadline(limit), |w| {
            self.take_or_register(w, &mut registered).then_some(())
        })
        .is_some();
        if let Some((waker, _)) = &registered {
            self.forget(waker);
        }
        taken
    }

    /// Removes the waker of a caller that stopped waiting (it took a
    /// permit without being woken, or timed out), so that the list holds
    /// only callers still blocked, as CPython's `_waiters` does; clears
    /// `WAITERS` once the list is empty. Under the list's mutex, where
    /// every waiter registers before it sets the bit, an empty list means
    /// nobody is registered.
    fn forget(&self, waker: &Waker) {
        let mut list = self.waiters.lock().ignore_poison();
        list.remove(waker);
        if list.len() == 0 {
            self.state.fetch_and(!WAITERS, Ordering::Relaxed);
        }
    }

    /// Adds `n` permits, unless that would make more than `bound` (or
    /// [`MAX_PERMITS`]): then nothing changes.
    pub(crate) fn release(&self, n: u64, bound: Option<u64>) -> Result<(), Refused> {
        let mut s = self.state.load(Ordering::Relaxed);
        let before = loop {
            let now = s / PERMIT;
            let after = now.checked_add(n).filter(|&a| a <= MAX_PERMITS);
            let after = match after {
                None => return Err(Refused::Overflow),
                Some(a) if bound.is_some_and(|b| a > b) => return Err(Refused::OverBound),
                Some(a) => a,
            };
            match self.state.compare_exchange_weak(
                s,
                (after * PERMIT) | (s & WAITERS),
                Ordering::SeqCst,
                Ordering::Relaxed,
            ) {
                Ok(before) => break before,
                Err(now) => s = now,
            }
        };
        if before & WAITERS != 0 {
            let mut list = self.waiters.lock().ignore_poison();
            self.state.fetch_and(!WAITERS, Ordering::Relaxed);
            self.wakeups.fetch_add(1, Ordering::Release);
            list.wake_all();
        }
        Ok(())
    }

    /// The permits there now.
    pub(crate) fn value(&self) -> u64 {
        self.state.load(Ordering::Acquire) / PERMIT
    }

    /// Wakers in the list: the callers blocked in [`take`](Self::take)
    /// (one woken by a release is out of it until it registers again).
    pub(crate) fn waiter_count(&self) -> usize {
        self.waiters.lock().ignore_poison().len()
    }

    /// One poll of a blocking take: takes the lock, or makes sure `waker`
    /// is registered to be woken by the next release. `registered` is the
    /// waker this caller registered and the `wakeups` count then.
    fn take_or_register(&self, waker: &Waker, registered: &mut Option<(Waker, usize)>) -> bool {
        if self.try_take() {
            return true;
        }
        if let Some((mine, seen)) = registered {
            if mine.will_wake(waker) && self.wakeups.load(Ordering::Acquire) == *seen {
                return false; // still in the list: no release woke it
            }
        }
        let mut list = self.waiters.lock().ignore_poison();
        list.register(waker);
        // `wakeups` changes only under the mutex we hold.
        *registered = Some((waker.clone(), self.wakeups.load(Ordering::Relaxed)));
        let before = self.state.fetch_or(WAITERS, Ordering::SeqCst);
        drop(list);
        // Released since our first try: it may have seen no `WAITERS`.
        before >= PERMIT && self.try_take()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn max_permits_is_the_number_the_overflow_message_spells() {
        assert_eq!(MAX_PERMITS, 9_223_372_036_854_775_807);
        let p = Permits::new(MAX_PERMITS);
        assert_eq!(p.release(1, None), Err(Refused::Overflow));
        assert_eq!(p.value(), MAX_PERMITS);
        assert!(p.try_take());
        assert_eq!(p.release(1, Some(MAX_PERMITS - 1)), Err(Refused::OverBound));
        assert_eq!(p.value(), MAX_PERMITS - 1);
        assert_eq!(p.release(1, None), Ok(()));
    }
}
