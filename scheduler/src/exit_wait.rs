//! Waiting for a pool's workers to exit, and the waits that never could end.
//!
//! A worker of pool `A` that waits for pool `B`'s workers to exit (an
//! executor's `shutdown(wait=True)` from inside a task) while a worker of
//! `B` waits for `A`'s workers to exit waits, through `B`, for its own
//! exit: neither wait can ever end. CPython's `Thread.join` refuses the one
//! such wait it can see (`RuntimeError: cannot join current thread`); we
//! refuse every one of them. Each wait in progress by a worker is an edge
//! "pool of the waiter → awaited pool" in one process-wide list; before
//! waiting, a worker checks whether the awaited pool already waits,
//! directly or through other pools, for its own pool. If so its wait could
//! only end with its own exit, and [`enter`] refuses it with
//! [`WaitsForItself`] instead of recording it. Checking and recording
//! happen under one lock, so of the waits that close a cycle exactly the
//! last one is refused, and the others end once it returns and its thread
//! goes on to exit.
//!
//! (A worker waiting for its *own* pool is not an edge: the pool waits for
//! its other workers, `ThreadPool::wait_for_workers`.)

use std::fmt;
use std::sync::Mutex;

/// The waits for pools' exits in progress: `(waiter's pool, awaited pool)`,
/// pools named by their registry's address (alive while the wait lasts).
/// Few at a time, so a list and a linear search do.
static WAITS: Mutex<Vec<(usize, usize)>> = Mutex::new(Vec::new());

/// A wait for the exit of a pool's workers that could only end with the
/// waiting thread's own exit (a cycle of pools waiting for each other),
/// refused by [`ThreadPool::try_wait_for_workers`](crate::ThreadPool::try_wait_for_workers).
///
/// ```
/// let e = pyrt_scheduler::ext::WaitsForItself;
/// assert_eq!(e.to_string(), "the wait could only end with the waiting thread's own exit");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaitsForItself;

impl fmt::Display for WaitsForItself {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the wait could only end with the waiting thread's own exit")
    }
}

impl std::error::Error for WaitsForItself {}

/// A recorded wait; dropping it removes the record.
pub(crate) struct Entered(Option<(usize, usize)>);

impl Drop for Entered {
    fn drop(&mut self) {
        if let Some(edge) = self.0.take() {
            let mut waits = WAITS.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(i) = waits.iter().position(|e| *e == edge) {
                waits.swap_remove(i);
            }
        }
    }
}

/// Records that a worker of pool `waiter` (`None`: not a pool worker)
/// starts waiting for the workers of pool `awaited` to exit, unless
/// `awaited` already waits for `waiter`, directly or through other pools.
pub(crate) fn enter(waiter: Option<usize>, awaited: usize) -> Result<Entered, WaitsForItself> {
    let Some(waiter) = waiter.filter(|w| *w != awaited) else {
        return Ok(Entered(None));
    };
    let mut waits = WAITS.lock().unwrap_or_else(|p| p.into_inner());
    // Every pool that `awaited` waits for, transitively.
    let mut reached = vec![awaited];
    let mut next = 0;
    while let Some(&pool) = reached.get(next) {
        next += 1;
        if pool == waiter {
            return Err(WaitsForItself);
        }
        for &(from, to) in waits.iter() {
            if from == pool && !reached.contains(&to) {
                reached.push(to);
            }
        }
    }
    waits.push((waiter, awaited));
    Ok(Entered(Some((waiter, awaited))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_closing_a_cycle_is_refused_and_the_others_are_not() {
        // Pools 1 -> 2 -> 3, then 3 -> 1 closes the cycle.
        let a = enter(Some(1001), 1002).unwrap();
        let b = enter(Some(1002), 1003).unwrap();
        assert_eq!(enter(Some(1003), 1001).err(), Some(WaitsForItself));
        assert_eq!(enter(Some(1002), 1001).err(), Some(WaitsForItself));
        // Once 1 no longer waits, 3 may wait for 1.
        drop(a);
        let c = enter(Some(1003), 1001).unwrap();
        drop((b, c));
        // Not a worker, or a worker of the awaited pool: never an edge.
        assert!(enter(None, 1001).is_ok());
        assert!(enter(Some(1001), 1001).is_ok());
    }
}
