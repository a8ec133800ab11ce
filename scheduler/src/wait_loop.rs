//! The one wait loop: every thread of the scheduler that waits for
//! something goes through [`wait_loop`] — a worker's main loop (waiting for
//! work), the owner of a stolen `join` half, a `scope`, a Python-level wait
//! (`Future.result()`, `Queue.get`, `Event.wait`, `install` from outside).
//!
//! The shape is rayon's `wait_until_cold`: poll the condition; if it does
//! not hold, run a job if the [`Policy`] allows one; else spin a few rounds;
//! else sleep until woken. What differs between callers is only the policy:
//!
//! | policy | who | may run | sleeps on | counts as blocked |
//! |---|---|---|---|---|
//! | [`Policy::Park`] | a Python-level wait | nothing | its thread's `Signal` (woken by the future's waker) | yes, on a worker: stuck waiters and the opt-in starvation rescue (`blocking.rs`) |
//! | [`Policy::Help`] | `join`, `scope`, the parallel loops | jobs of the pool's deques, never the injector's calls (`worker.rs`) | its worker's bed in `sleep.rs` (woken by the future's waker, or new deque work) | no |
//! | [`Policy::Drive`] | a worker's main loop; a thread driving a pool without threads | anything queued | its worker's bed (woken by any push) | no |
//!
//! # The spin: one tuning for everyone
//!
//! Every wait polls between rounds of CPU pause hints — 1, 2, 4, then 8
//! a round ([`PAUSES_PER_ROUND`]) — for [`PAUSE_FOR`] (3 µs), then
//! `yield_now`s between polls until [`SPIN_FLOOR`] (20 µs) has passed since
//! its first round, then it sleeps (a round that runs a job starts the
//! count over). Short rounds matter: a result that arrives while the
//! waiter pauses is seen at the next poll, and with crossbeam's `Backoff`
//! (1, 2, 4 … 64 hints) the last gaps were ~0.6 µs here, a good part of a
//! 1 µs round trip. Pausing for a bounded time, not a count, matters too:
//! a hint takes ~35 ns on an EPYC but ~9 ns on this Xeon, and when the
//! thread a wait waits for shares its core (a loaded machine), each
//! hand-off costs the pausing before the first yield (a tuning that
//! paused 504 times, ~17 µs, took a round trip to ~3.5x rayon's time
//! there). The floor matters most: a wait that sleeps makes the other side
//! pay a futex wake-up, and if that side then sleeps before the answer
//! comes, both fall into sleeping and waking each other (with a
//! floor of 2 µs a round trip took ~10 µs; with 8 µs, ~1.0 µs and 85k
//! context switches in 4 s; with 20 µs, ~0.9 µs and 6k).
//! Yielding gives the core away, so the floor costs a loaded machine
//! little. Where both threads have a core, the result arrives within the
//! first rounds.
//!
//! A parked Python-level wait sleeps in `std::thread::park`: the waker
//! unparks, which costs one atomic swap unless the thread is really parked
//! (a condition variable's notify is a futex system call every time, paid
//! by the worker completing the future even while its waiter still spins).
//!
//! # A pool without threads: a borrowed worker slot
//!
//! A pool with no worker threads (`wasm32-wasip1`, or `num_threads(0)`)
//! has one worker slot that nobody runs. A thread that waits on such a pool
//! (or on anything, while it runs one of its tasks) installs itself as the
//! worker of that slot for the length of its wait and drives the queue,
//! in submission order, the way tokio's current-thread `block_on` takes the
//! runtime's core (`borrow.rs`). A borrowed slot is all its pool has, so its
//! waits run everything (they are [`Policy::Drive`], whatever was asked).
//! Everything else is the same code as for a pool with threads.
//!
//! When a wait on a target without threads finds nothing left to run and
//! its condition still does not hold, no thread exists that could ever
//! change that ([`Waited::Stalled`]): [`wait`] then drives any other pool
//! without threads that has queued work, and failing that, sleeps out a
//! deadline (Python's timeout then expires as usual) or, with no deadline,
//! panics with `deadlock: …` rather than hang the way a single-threaded
//! deadlock would.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use crate::borrow;
use crate::loom::{fence, Ordering, Parker};
use crate::registry::Registry;
use crate::sleep::Rested;
use crate::worker::WorkerThread;
use crate::Instant;

/// The spin of a wait before it sleeps (see the module docs): rounds of
/// at most [`PAUSES_PER_ROUND`] CPU pause hints until [`PAUSE_FOR`] has
/// passed since the first round, then `yield_now` until [`SPIN_FLOOR`];
/// one round under loom, where spinning only multiplies the interleavings
/// to explore.
struct Spin {
    /// Rounds so far (the first ones pause less: 1, 2, 4, then the cap).
    rounds: u32,
    /// When the first round of this spin began; `None` before it.
    started: Option<Instant>,
}

/// The most pause hints between two polls.
const PAUSES_PER_ROUND: u32 = 8;

/// How long a wait pauses (polling between rounds) before it yields.
const PAUSE_FOR: Duration = Duration::from_micros(3);

/// The least time a wait spins (pausing, then yielding) before it sleeps.
const SPIN_FLOOR: Duration = Duration::from_micros(20);

impl Spin {
    fn new() -> Self {
        Spin {
            rounds: 0,
            started: None,
        }
    }

    /// Pauses (or yields) before the next round; false once the wait
    /// should sleep instead.
    fn snooze(&mut self) -> bool {
        if cfg!(loom) && self.started.is_some() {
            return false;
        }
        let started = *self.started.get_or_insert_with(Instant::now);
        self.rounds = self.rounds.saturating_add(1);
        // The first rounds pause without reading the clock: most waits end
        // within them.
        let early = self.rounds <= 4;
        let spent = if early {
            Duration::ZERO
        } else {
            started.elapsed()
        };
        if spent < PAUSE_FOR {
            let pauses = (1u32 << (self.rounds - 1).min(3)).min(PAUSES_PER_ROUND);
            for _ in 0..pauses {
                std::hint::spin_loop();
            }
            return true;
        }
        if spent < SPIN_FLOOR {
            std::thread::yield_now();
            return true;
        }
        false
    }

    /// Starts over: the wait found something to do.
    fn reset(&mut self) {
        self.rounds = 0;
        self.started = None;
    }
}

/// What a waiting thread may do while its condition does not hold (see the
/// module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Policy {
    /// A Python-level wait: run nothing; on a worker, count as blocked.
    Park,
    /// A fork-join wait: run jobs of the pool's deques.
    Help,
    /// A main loop, or a borrowed slot: run anything queued.
    Drive,
}

/// How a [`wait_loop`] ended.
pub(crate) enum Waited<T> {
    /// The condition holds.
    Ready(T),
    /// The deadline passed first.
    TimedOut,
    /// Target without threads: nothing is left to run and the condition
    /// does not hold (see the module docs).
    Stalled,
    /// A spare worker's main loop: the pool no longer needs it.
    Retired,
}

/// A waker that unblocks one thread waiting with [`Policy::Park`]: it
/// unparks that thread ([`Parker`]: `std::thread::park`). An unpark costs a
/// system call only if the thread is parked, so the worker that completes a
/// future its waiter is still spinning on pays one atomic swap, not a futex
/// wake.
struct Signal {
    parker: Parker,
}

impl Wake for Signal {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref()
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.parker.unpark();
    }
}

impl Signal {
    /// Blocks until woken or `until`, or spuriously: the caller re-polls.
    /// A wake-up that came while the thread was not parked makes the next
    /// wait return at once, so none is lost between a poll and the park.
    fn wait(&self, until: Option<Instant>) {
        match until {
            None => self.parker.park(None),
            Some(d) => {
                let now = Instant::now();
                if now < d {
                    self.parker.park(Some(d - now));
                }
            }
        }
    }
}

// Under loom, each modelled thread needs its own signal made in the current
// execution: loom's thread-locals give exactly that.
#[cfg(loom)]
use loom::thread_local;

thread_local! {
    // One signal per thread, reused by every parked wait on it. Nested
    // waits (a task run by a driving wait parks too) share it: a wake-up
    // meant for the outer wait only makes the inner one re-poll, and the
    // outer one always re-polls after the task returns, so none is lost.
    static SIGNAL: Arc<Signal> = Arc::new(Signal {
        parker: Parker::for_current(),
    });
}

/// Blocks the current thread on `future` the way a Python thread blocks:
/// see [`block_on_until`].
///
/// ```
/// assert_eq!(pyrt_scheduler::block_on(async { 6 * 7 }), 42);
/// ```
pub fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    match block_on_until(future.as_mut(), None) {
        Some(v) => v,
        None => unreachable!("no deadline, no timeout"),
    }
}

/// Blocks on `future` until it is ready or `deadline` passes (`None` then;
/// the future is left as it was, so the caller may wait again).
///
/// This is how a Python thread waits on a lock, a queue, an event or a
/// future: on a worker it runs nothing else meanwhile (the pool counts it as
/// blocked), elsewhere it parks; only a thread that is the borrowed worker
/// of a pool without threads runs that pool's tasks, since nothing else
/// could (see the module docs).
///
/// ```
/// use std::pin::pin;
/// let deadline = pyrt_scheduler::deadline_after(Some(std::time::Duration::from_millis(5)));
/// let never = pin!(std::future::pending::<()>());
/// assert!(pyrt_scheduler::block_on_until(never, deadline).is_none());
/// ```
pub fn block_on_until<F: Future + ?Sized>(
    future: Pin<&mut F>,
    deadline: Option<Instant>,
) -> Option<F::Output> {
    wait(future, deadline, None, Policy::Park)
}

/// Runs `f`, which blocks in code that does not know the scheduler (a
/// rendezvous in another library, say), counting the calling worker as
/// blocked meanwhile, like a wait through [`block_on_until`] (stuck waiters
/// and the starvation rescue see it). Off the pool it just runs `f`.
///
/// ```
/// assert_eq!(pyrt_scheduler::blocking(|| 6 * 7), 42);
/// ```
pub fn blocking<R>(f: impl FnOnce() -> R) -> R {
    let _blocked = WorkerThread::with_current(|w| w.and_then(BlockedGuard::enter));
    f()
}

/// Waits for `future` through [`wait_loop`] with `policy`, as the calling
/// thread: its own worker if it is one, else the borrowed worker slot of
/// `pool` if that pool has no threads, else a plain thread. Handles
/// [`Waited::Stalled`] (see the module docs). `None`: the deadline passed.
pub(crate) fn wait<F: Future + ?Sized>(
    mut future: Pin<&mut F>,
    deadline: Option<Instant>,
    pool: Option<&Arc<Registry>>,
    policy: Policy,
) -> Option<F::Output> {
    loop {
        let waited = match borrow::Seat::find(pool) {
            borrow::Seat::Current => {
                WorkerThread::with_current(|w| wait_loop(future.as_mut(), deadline, policy, w))
            }
            borrow::Seat::Borrowed(slot) => {
                slot.run(|w| wait_loop(future.as_mut(), deadline, policy, Some(w)))
            }
            // Another thread drives that pool: wait until the future is
            // ready or the slot is free again (then take it).
            borrow::Seat::Taken(registry) => {
                let mut either = borrow::UntilSlotFree::new(future.as_mut(), &registry);
                match WorkerThread::with_current(|w| {
                    wait_loop(Pin::new(&mut either), deadline, policy, w)
                }) {
                    Waited::Ready(Some(v)) => Waited::Ready(v),
                    Waited::Ready(None) => continue,
                    Waited::TimedOut => Waited::TimedOut,
                    Waited::Stalled | Waited::Retired => Waited::Stalled,
                }
            }
        };
        match waited {
            Waited::Ready(v) => return Some(v),
            Waited::TimedOut => return None,
            Waited::Stalled | Waited::Retired => {}
        }
        match borrow::drive_any(future.as_mut(), deadline) {
            Some(Waited::Ready(v)) => return Some(v),
            Some(Waited::TimedOut) => return None,
            Some(_) => continue,
            None => return no_threads_wait(future, deadline),
        }
    }
}

/// The one loop (see the module docs). `worker` is the calling thread's
/// worker, if it is one (its own, or a borrowed slot).
pub(crate) fn wait_loop<F: Future + ?Sized>(
    mut future: Pin<&mut F>,
    deadline: Option<Instant>,
    policy: Policy,
    worker: Option<&WorkerThread>,
) -> Waited<F::Output> {
    // A borrowed slot is all its pool has: it runs everything.
    let policy = match worker {
        Some(w) if w.is_borrowed() => Policy::Drive,
        _ => policy,
    };
    // The thread runs jobs while it waits (and sleeps in its worker's bed).
    let runner = worker.filter(|_| policy != Policy::Park);
    // A worker's main loop: it counts as searching while it spins, and a
    // spare retires when it is no longer needed.
    let main_loop = policy == Policy::Drive && runner.is_some_and(|w| !w.is_borrowed());
    let signal = match runner {
        Some(_) => None,
        None => Some(SIGNAL.with(Arc::clone)),
    };
    let signal_waker = signal.as_ref().map(|s| Waker::from(s.clone()));
    let waker = match (runner, &signal_waker) {
        (Some(w), _) => w.waker(),
        (None, Some(s)) => s,
        (None, None) => unreachable!("a signal is made for every non-runner"),
    };
    let mut cx = Context::from_waker(waker);
    let mut search = Searching::new(runner.filter(|_| main_loop));
    let mut spin = Spin::new();
    let mut blocked: Option<BlockedGuard> = None;
    let mut counted = false;
    // When this wait, blocked since then, may try a starvation rescue.
    let mut rescue_at: Option<Instant> = None;
    loop {
        if let Poll::Ready(v) = future.as_mut().poll(&mut cx) {
            search.stop(false);
            return Waited::Ready(v);
        }
        // A Python-level wait that did not end at once counts as blocked
        // from now on, spinning or parked: the others learn at once that
        // this worker holds no queued work (stuck waiters, `blocking.rs`).
        if policy == Policy::Park && !counted {
            counted = true;
            blocked = worker.and_then(BlockedGuard::enter);
            if let Some(g) = &blocked {
                let window = g.registry.blocked.rescue_after();
                rescue_at = window.and_then(|w| Instant::now().checked_add(w));
                continue;
            }
        }
        if let Some(w) = runner {
            let job = match policy {
                Policy::Help => w.find_help(),
                _ => w.find_work(),
            };
            if let Some(job) = job {
                search.stop(true);
                w.execute(job);
                spin.reset();
                continue;
            }
            search.start();
        }
        if spin.snooze() {
            continue;
        }
        spin.reset();
        if let Some(d) = deadline {
            if Instant::now() >= d {
                search.stop(false);
                // Timed out: one last poll, the result may have just arrived.
                return match future.as_mut().poll(&mut cx) {
                    Poll::Ready(v) => Waited::Ready(v),
                    Poll::Pending => Waited::TimedOut,
                };
            }
        }
        if !crate::spawner::threads_supported() {
            // No thread exists that could ever wake this wait.
            search.stop(false);
            return Waited::Stalled;
        }
        match runner {
            Some(w) => {
                search.stop(false);
                let registry = w.registry();
                if main_loop && registry.is_spare(w.index()) {
                    // Like S1–S3 of `sleep.rs`: stopped searching, fence,
                    // look again, so that a push it was trusted with is
                    // not left behind.
                    fence(Ordering::SeqCst);
                    if registry.has_queued_work() {
                        continue;
                    }
                    if registry.blocked.retire(w.index()) {
                        return Waited::Retired;
                    }
                }
                let mut ready = None;
                let rested = registry.sleep.sleep(w.index(), || {
                    if let Poll::Ready(v) = future.as_mut().poll(&mut cx) {
                        ready = Some(v);
                        return true;
                    }
                    match policy {
                        Policy::Help => registry.has_deque_work(),
                        _ => {
                            registry.has_queued_work()
                                || registry.is_terminating()
                                || (main_loop
                                    && registry.is_spare(w.index())
                                    && registry.blocked.superfluous())
                        }
                    }
                });
                if let Some(v) = ready {
                    return Waited::Ready(v);
                }
                // S5 of `sleep.rs`: a main loop leaves a sleep searching,
                // so that what it cannot run itself is handed on.
                search.start();
                if let Rested::Woken { blocked } = rested {
                    if blocked {
                        w.count_park();
                    }
                    // A fork-join waiter may have taken a push's wake-up
                    // meant for a call it may not run: pass it on.
                    if policy == Policy::Help && registry.has_injected_work() {
                        registry.sleep.notify_one();
                    }
                }
            }
            None => {
                let signal = signal.as_ref().expect("made for every non-runner");
                let park_until = match (deadline, rescue_at) {
                    (Some(d), Some(r)) => Some(d.min(r)),
                    (d, r) => d.or(r),
                };
                signal.wait(park_until);
                // Blocked for a whole rescue window: maybe the pool is starved.
                if let (Some(g), Some(at)) = (&blocked, rescue_at) {
                    let now = Instant::now();
                    if now >= at {
                        g.registry.rescue_if_starved();
                        let window = g.registry.blocked.rescue_after();
                        rescue_at = window.and_then(|w| now.checked_add(w));
                    }
                }
            }
        }
    }
}

/// Whether a main loop counts as searching (`sleep.rs`).
struct Searching<'a> {
    worker: Option<&'a WorkerThread>,
    on: bool,
}

impl<'a> Searching<'a> {
    fn new(worker: Option<&'a WorkerThread>) -> Self {
        Searching { worker, on: false }
    }

    /// The search found nothing: count as searching (once).
    fn start(&mut self) {
        if let (Some(w), false) = (self.worker, self.on) {
            self.on = true;
            w.registry().sleep.start_searching();
        }
    }

    /// The search ended: it found a job (`found`), or the loop sleeps or
    /// returns.
    fn stop(&mut self, found: bool) {
        if let (Some(w), true) = (self.worker, self.on) {
            self.on = false;
            let registry = w.registry();
            registry
                .sleep
                .stop_searching(found, || registry.has_queued_work());
        }
    }
}

/// Counts the calling worker as blocked for as long as it lives.
struct BlockedGuard {
    registry: Arc<Registry>,
}

impl BlockedGuard {
    /// `Some` if `w` is a worker of its own (not a borrowed slot) not yet
    /// counted as blocked.
    fn enter(w: &WorkerThread) -> Option<BlockedGuard> {
        if w.is_blocked() || w.is_borrowed() {
            return None;
        }
        w.set_blocked(true);
        w.registry().begin_blocked();
        // A `join` half this worker pushed without a fence may have gone
        // unseen by a worker falling asleep; this one will not pop it
        // while it blocks, so hand it on now ("A push onto one's own
        // deque" in `sleep.rs`).
        if !w.local_is_empty() {
            w.registry().sleep.notify_one();
        }
        Some(BlockedGuard {
            registry: w.registry().clone(),
        })
    }
}

impl Drop for BlockedGuard {
    fn drop(&mut self) {
        WorkerThread::with_current(|w| {
            if let Some(w) = w {
                w.set_blocked(false);
            }
        });
        self.registry.end_blocked();
    }
}

/// A wait on a target without threads once nothing is left to run
/// anywhere: only the clock can change anything, so sleep out a deadline
/// or, with no deadline, fail loudly instead of hanging forever.
fn no_threads_wait<F: Future + ?Sized>(
    mut future: Pin<&mut F>,
    deadline: Option<Instant>,
) -> Option<F::Output> {
    match deadline {
        Some(d) => {
            // allow-sleep: nothing but the clock can end this wait.
            std::thread::sleep(d.saturating_duration_since(Instant::now()));
            let waker = Waker::from(SIGNAL.with(Arc::clone));
            match future.as_mut().poll(&mut Context::from_waker(&waker)) {
                Poll::Ready(v) => Some(v),
                Poll::Pending => None,
            }
        }
        None => panic!(
            "deadlock: this target has no threads and the wait can never end \
             (no queued task is left that could satisfy it)"
        ),
    }
}

/// Waits for `dur` at most; shorthand for a deadline of now + `dur`.
///
/// ```
/// assert!(pyrt_scheduler::deadline_after(None).is_none());
/// assert!(pyrt_scheduler::deadline_after(Some(std::time::Duration::MAX)).is_some());
/// ```
pub fn deadline_after(dur: Option<Duration>) -> Option<Instant> {
    dur.map(|d| Instant::now().checked_add(d).unwrap_or_else(far_future))
}

fn far_future() -> Instant {
    Instant::now() + Duration::from_secs(100 * 365 * 24 * 3600)
}
