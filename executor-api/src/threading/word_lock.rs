//! The lock word under `threading.Lock` and `threading.RLock`.
//!
//! Why hand-written and not a std `Mutex`: a Python lock is released by
//! whichever thread calls `release()` (not by a guard of the thread that
//! took it), and its `acquire` takes a timeout.
//!
//! The lock is one atomic word with two bits, `LOCKED` and `WAITERS`.
//! Taking a free lock and releasing one nobody waits for are one atomic
//! operation each, with no other lock: `with lock:` around a short critical
//! section, the common Python use, costs no more than a std mutex (the
//! `lock` bench: 4 threads, 1M acquisitions, 3.7–4.6x faster than
//! `std::sync::Mutex` on a 2-vCPU machine, 0.7x pinned to one CPU). A
//! caller that finds it held first tries the word for a few microseconds
//! ([`SPIN_FOR`]: a short critical section on another core usually ends
//! meanwhile, and then nobody registers), then waits through
//! `waiting::block_until` (it spins a little more, then parks),
//! registered in a waker list under its own mutex:
//!
//! - **Waiter**: registers its waker under the list's mutex, then sets
//!   `WAITERS` (`fetch_or`); if the value it replaced had `LOCKED` clear,
//!   the lock was released meanwhile and it tries to take it again.
//! - **Release**: clears `LOCKED` (`fetch_and`); if the value it replaced
//!   had `WAITERS` set, it takes the list's mutex, clears `WAITERS`, bumps
//!   `wakeups` and wakes every waiter (CPython's lock wakes one; waking all
//!   costs a retry each, never a lost wake-up).
//!
//! Both read-modify-writes hit the same word, so one comes first: either
//! the release sees `WAITERS` (and, taking the mutex the waiter registered
//! under, finds its waker), or the waiter sees `LOCKED` clear. A waiter
//! that polls again (the wait spins before it parks) and finds `wakeups`
//! unchanged since it registered is still in the list, and only tries the
//! word, without the mutex. A woken waiter that lost the race re-registers.
//! `tests/loom_sync.rs` models both orders, through `Lock` and `RLock`.

use std::task::Waker;
use std::time::Duration;

use crate::loom::{AtomicUsize, IgnorePoison, Mutex, Ordering};
use crate::waiting::{block_until, deadline, Waiters};

/// The lock is held.
const LOCKED: usize = 1;
/// The waker list may hold someone waiting: a release must wake it.
const WAITERS: usize = 2;

/// How long a blocking [`WordLock::take`] tries the word before it
/// registers as a waiter.
#[cfg(not(loom))]
const SPIN_FOR: Duration = Duration::from_micros(5);

/// A lock any thread may release (see the module docs).
#[derive(Default)]
pub(crate) struct WordLock {
    /// `LOCKED` and `WAITERS`.
    state: AtomicUsize,
    /// Bumped, under `waiters`, by every release that wakes the list.
    wakeups: AtomicUsize,
    waiters: Mutex<Waiters>,
}

impl WordLock {
    /// Takes the lock if it is free; true if this call took it.
    pub(crate) fn try_take(&self) -> bool {
        // Read first, so that callers spinning on a held lock do not take
        // its cache line from the holder.
        self.state.load(Ordering::Relaxed) & LOCKED == 0
            && self.state.fetch_or(LOCKED, Ordering::Acquire) & LOCKED == 0
    }

    /// Takes the lock, waiting for it at most `limit` (`None`: forever);
    /// true if this call took it.
    pub(crate) fn take(&self, limit: Option<Duration>) -> bool {
        let mut registered = None;
        self.spin_take()
            || block_until(deadline(limit), |w| {
                self.take_or_register(w, &mut registered).then_some(())
            })
            .is_some()
    }

    /// Releases the lock; false (and nothing changed) if it was not held.
    pub(crate) fn release(&self) -> bool {
        // Clearing a bit that is clear changes nothing.
        let before = self.state.fetch_and(!LOCKED, Ordering::SeqCst);
        if before & LOCKED == 0 {
            return false;
        }
        if before & WAITERS != 0 {
            let mut list = self.waiters.lock().ignore_poison();
            self.state.fetch_and(!WAITERS, Ordering::Relaxed);
            self.wakeups.fetch_add(1, Ordering::Release);
            list.wake_all();
        }
        true
    }

    /// Whether the lock is held.
    pub(crate) fn locked(&self) -> bool {
        self.state.load(Ordering::Acquire) & LOCKED != 0
    }

    /// Wakers in the list: the callers blocked in [`take`](Self::take),
    /// and any that stopped waiting since the last release woke the list.
    pub(crate) fn waiter_count(&self) -> usize {
        self.waiters.lock().ignore_poison().len()
    }

    /// Tries the word for [`SPIN_FOR`] before a blocking take registers.
    fn spin_take(&self) -> bool {
        #[cfg(not(loom))]
        {
            let mut started: Option<scheduler::Instant> = None;
            loop {
                if self.try_take() {
                    return true;
                }
                if started
                    .get_or_insert_with(scheduler::Instant::now)
                    .elapsed()
                    >= SPIN_FOR
                {
                    return false;
                }
                for _ in 0..64 {
                    std::hint::spin_loop();
                }
            }
        }
        #[cfg(loom)]
        self.try_take()
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
        before & LOCKED == 0 && self.try_take()
    }
}
