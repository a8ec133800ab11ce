//! Idle workers: how they go to sleep and how a new task wakes one.
//!
//! # The protocol
//!
//! A worker that finds no task first *spins*: it searches all queues
//! between rounds of CPU pause hints and then of `yield_now` (the one
//! tuning of every wait, in `wait_loop.rs`: at least 20 µs). Most gaps
//! between tasks are short, and a spinning worker picks up the next task
//! without any system call. Only when spinning finds nothing does it sleep:
//!
//! ```text
//!  sleeper (worker i)                        pusher (any thread)
//!  ------------------                        -------------------
//!  S0 stop searching (searching -= 1)        P1 push task onto a queue
//!  S1 lock idle; idle.push(i);               P2 fence(SeqCst)
//!     sleepers += 1 (SeqCst); unlock         P3 if sleepers.load(SeqCst) == 0
//!  S2 fence(SeqCst)                             or searching.load(SeqCst) > 0:
//!  S3 search every queue once more                  return          (fast path)
//!     found work or terminating?             P4 lock idle; j = idle.pop();
//!       -> leave: remove i from idle             sleepers -= 1; unlock
//!          (or, if someone already took i,   P5 wake j: notified[j] = true;
//!           consume their wake-up) and run       notify its condvar
//!  S4 block until notified[i]; clear it
//!  S5 (a main loop) search again, counted
//!     as searching
//! ```
//!
//! ## No wake-up is lost
//!
//! The danger is a task pushed while a worker decides to sleep: the worker's
//! last search misses the task and the pusher sees nobody asleep. Steps S1–S3
//! and P1–P3 are Dekker's pattern: each side writes (S1: `sleepers`; P1: the
//! queue), issues a sequentially consistent fence, then reads what the other
//! side wrote (S3: the queues; P3: `sleepers`). Under the C++/Rust memory
//! model two SeqCst fences order the pairs, so at least one side sees the
//! other's write: either the pusher sees `sleepers > 0` and wakes someone, or
//! the sleeper's re-search (S3) finds the task. A woken worker searches every
//! queue, so waking *any* sleeper (not necessarily the one that raced) is
//! enough for the task to run, as long as a woken worker with more to do
//! than it can run passes the wake-up on (S5, below).
//!
//! `idle` and `sleepers` change together under the `idle` lock, so whoever
//! pops a worker from `idle` owns exactly one wake-up for it, and a worker
//! leaving early (S3) either removes itself or consumes that wake-up, so a
//! stale wake-up never cuts a later sleep short.
//!
//! ## Nobody woken while someone searches
//!
//! A worker that found nothing and is still spinning is *searching*
//! ([`Sleep::start_searching`]; tokio's `idle.rs` keeps the same count). A
//! push that sees a searcher wakes nobody: the searcher will find the task.
//! This is safe by the same pairing: a searcher stops searching *before* its
//! S1, so either the pusher's load (P3, which reads `searching` after
//! `sleepers`) sees it searching and the searcher's S3 runs after the push, or
//! the pusher sees it gone and asleep and wakes someone. A searcher that finds
//! a task and was the last one searching wakes one more sleeper if tasks are
//! still queued ([`Sleep::stop_searching`]), so a burst of pushes seen by one
//! searcher still spreads over the pool.
//!
//! ## Whoever leaves a sleep searches (S5)
//!
//! A searcher is trusted with every push it saw, but runs only one task
//! before it may block in it for good (a call parked in `Queue.put`). The
//! hand-off above is what carries the rest, so it must survive every way
//! out of a sleep: a main loop that leaves [`Sleep::sleep`], whether its
//! last search (S3) found work or a wake-up came, counts as searching
//! again, and when it finds a task as the last searcher it wakes the next
//! sleeper if more is queued (tokio's workers leave `park` searching the
//! same way). Without S5 two races lose a task; the first hung a pipeline
//! of a producer and a consumer call about once in 40k runs, and both are
//! loom models in `tests/loom_sleep.rs`:
//!
//! - push 1 wakes nobody because worker A searches; A finds nothing yet,
//!   goes to sleep, and its S3 sees task 1 (or push 2 pops A from `idle`,
//!   so push 2's wake-up lands on A); A leaves to run task 1 and blocks in
//!   it, and task 2 waits beside a sleeping worker B;
//! - a searcher that saw three pushes wakes B for task 2; B runs task 2
//!   and blocks in it; task 3 waits beside a sleeping worker C.
//!
//! A waiter that runs only its own deque's work (a `join`, policy `Help`)
//! is not a searcher, but a pusher may pop it from `idle`; when it took
//! such a wake-up ([`Rested::Woken`]) and calls are queued that it may not
//! run, it passes one wake-up on (`wait_loop.rs`).
//!
//! ## A push onto one's own deque
//!
//! `join` pushes its second half onto its worker's own deque and then
//! wakes a sleeper through [`Sleep::notify_one_local`], which skips the
//! fence (P2), as rayon's `new_internal_jobs` does: that fence was ~65 % of
//! `join`'s own time on this machine's Xeon, and without it fib by `join`
//! runs ~1.4x faster. The cost is that a worker falling asleep at that
//! moment may miss the push and the pusher miss the sleeper. No task is
//! lost by it, only parallelism: the pusher pops its half back when its
//! first half returns, and a worker that blocks in a wait the scheduler
//! knows (any Python-level wait, [`crate::blocking`]) first hands on what
//! its deque holds with a fenced [`Sleep::notify_one`] (`wait_loop.rs`,
//! `BlockedGuard::enter`). A first half that blocks outside the scheduler
//! waiting for the second (a std channel) can, in that race, wait until
//! another push wakes someone, as on rayon; wrap such a wait in
//! [`crate::blocking`]. Calls (the injector) and spawned tasks keep the
//! fence.
//!
//! ## Not every worker for every push
//!
//! A push costs one fence and one load when nobody sleeps (the common case
//! under load), and wakes at most one sleeper otherwise. Pushes onto a
//! worker's own deque pay the fence too: the pushing worker would run the
//! task itself eventually, but it may be blocked on something only that
//! task provides (a `join` half that waits for the other, a task waiting on
//! a channel), so a missed sleeper there could hang the program. Workers that wake up
//! and find work keep the pool busy; the next push wakes the next sleeper.
//!
//! ## Idle is idle
//!
//! A sleeping worker blocks on its condition variable with no timeout, so an
//! idle pool uses no CPU. Shutdown sets the terminate flag (a write, fence,
//! then [`Sleep::notify_all`]), and sleepers re-check it in S3, by the same
//! argument as above.

use crate::loom::{fence, lock, wait, AtomicUsize, Condvar, Mutex, Ordering};

/// Per-worker sleep state: a flag and the condition variable it waits on.
#[derive(Default)]
struct Bed {
    notified: Mutex<bool>,
    cv: Condvar,
}

/// The sleep/wake state of one pool.
pub(crate) struct Sleep {
    sleepers: AtomicUsize,
    /// Workers spinning in their main loop's search (see the module docs).
    searching: AtomicUsize,
    idle: Mutex<Vec<usize>>,
    beds: Vec<Bed>,
}

impl Sleep {
    pub(crate) fn new(workers: usize) -> Self {
        Sleep {
            sleepers: AtomicUsize::new(0),
            searching: AtomicUsize::new(0),
            idle: Mutex::new(Vec::with_capacity(workers)),
            beds: (0..workers).map(|_| Bed::default()).collect(),
        }
    }

    /// Called after new work was pushed (P2–P5): wakes one sleeper, if any.
    #[inline]
    pub(crate) fn notify_one(&self) {
        fence(Ordering::SeqCst);
        self.wake_one_unless_searching();
    }

    /// Called by a worker after it pushed onto its own deque: as
    /// [`Sleep::notify_one`] but without the fence (P2), as rayon's
    /// `new_internal_jobs` is. See "A push onto one's own deque" in the
    /// module docs for why that loses no task.
    #[inline]
    pub(crate) fn notify_one_local(&self) {
        self.wake_one_unless_searching();
    }

    /// P3–P5: wakes one sleeper, unless nobody sleeps or a worker is
    /// searching (it will find the task; see the module docs).
    #[inline]
    fn wake_one_unless_searching(&self) {
        if self.sleepers.load(Ordering::SeqCst) == 0 {
            return;
        }
        if self.searching.load(Ordering::SeqCst) > 0 {
            return;
        }
        self.wake_one_sleeper();
    }

    /// A worker of the main loop found nothing and searches on.
    pub(crate) fn start_searching(&self) {
        self.searching.fetch_add(1, Ordering::SeqCst);
    }

    /// A searching worker stops searching: it found a task (`found`), or
    /// it is going to sleep. The last searcher to find a task wakes a
    /// sleeper if `more_queued()` says tasks are still waiting.
    pub(crate) fn stop_searching(&self, found: bool, more_queued: impl FnOnce() -> bool) {
        let last = self.searching.fetch_sub(1, Ordering::SeqCst) == 1;
        if !(found && last) {
            return;
        }
        // Pairs with a pusher's P2 as S2 does: either the push saw this
        // worker still searching (and `more_queued` sees its task), or it
        // saw nobody searching and woke a sleeper itself.
        fence(Ordering::SeqCst);
        if self.sleepers.load(Ordering::SeqCst) > 0 && more_queued() {
            self.wake_one_sleeper();
        }
    }

    /// P4–P5, out of line: the fast path above is what every push pays.
    #[cold]
    fn wake_one_sleeper(&self) {
        let woken = {
            let mut idle = lock(&self.idle);
            let w = idle.pop();
            if w.is_some() {
                self.sleepers.fetch_sub(1, Ordering::SeqCst);
            }
            w
        };
        if let Some(i) = woken {
            self.wake(i);
        }
    }

    /// Wakes every sleeper (shutdown).
    pub(crate) fn notify_all(&self) {
        fence(Ordering::SeqCst);
        let woken: Vec<usize> = {
            let mut idle = lock(&self.idle);
            self.sleepers.fetch_sub(idle.len(), Ordering::SeqCst);
            idle.drain(..).collect()
        };
        for i in woken {
            self.wake(i);
        }
    }

    /// Wakes worker `i` if it sleeps (a `join` whose stolen half just
    /// finished). The caller made its condition true before calling; taking
    /// the `idle` lock orders this call after the sleeper's S1 or before it,
    /// so either `i` is found in `idle` and woken, or its S3 sees the
    /// condition. No fast path: this runs only when a job was stolen.
    pub(crate) fn notify_worker(&self, i: usize) {
        let found = {
            let mut idle = lock(&self.idle);
            match idle.iter().position(|&w| w == i) {
                Some(pos) => {
                    idle.swap_remove(pos);
                    self.sleepers.fetch_sub(1, Ordering::SeqCst);
                    true
                }
                None => false,
            }
        };
        if found {
            self.wake(i);
        }
    }

    fn wake(&self, i: usize) {
        let bed = &self.beds[i];
        let mut n = lock(&bed.notified);
        *n = true;
        bed.cv.notify_one();
    }

    /// Puts worker `i` to sleep (S1–S4). `should_stay_awake` is the last
    /// search (S3): it returns true if there is work or the pool terminates.
    /// A main loop counts as searching again after it, whatever it returns
    /// (S5, "Whoever leaves a sleep searches" in the module docs).
    pub(crate) fn sleep(&self, i: usize, should_stay_awake: impl FnOnce() -> bool) -> Rested {
        {
            let mut idle = lock(&self.idle);
            idle.push(i);
            self.sleepers.fetch_add(1, Ordering::SeqCst);
        }
        fence(Ordering::SeqCst);
        if should_stay_awake() {
            let removed = {
                let mut idle = lock(&self.idle);
                match idle.iter().position(|&w| w == i) {
                    Some(pos) => {
                        idle.swap_remove(pos);
                        self.sleepers.fetch_sub(1, Ordering::SeqCst);
                        true
                    }
                    None => false,
                }
            };
            if removed {
                return Rested::Stayed;
            }
            // A pusher popped us between S1 and now; its wake-up is on its
            // way (or here). Consume it so it cannot cut a later sleep short.
            self.take_wake_up(i);
            return Rested::Woken { blocked: false };
        }
        self.take_wake_up(i);
        Rested::Woken { blocked: true }
    }

    /// S4: blocks until worker `i`'s wake-up arrives, and clears it.
    fn take_wake_up(&self, i: usize) {
        let bed = &self.beds[i];
        let mut n = lock(&bed.notified);
        while !*n {
            n = wait(&bed.cv, n);
        }
        *n = false;
    }
}

/// How a [`Sleep::sleep`] ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Rested {
    /// The last search (S3) found a reason to stay awake before anyone
    /// took a wake-up for this worker.
    Stayed,
    /// A wake-up meant for this worker was taken: it blocked until it came
    /// (`blocked`), or it left in S3 after a pusher had already popped it.
    Woken {
        /// Whether the worker blocked (S4) before the wake-up came.
        blocked: bool,
    },
}
