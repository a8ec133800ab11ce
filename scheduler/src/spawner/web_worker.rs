//! Workers on Web Workers (`wasm32-unknown-unknown` built with atomics, in a
//! browser).
//!
//! Every worker is a Web Worker that instantiates the same wasm module on the
//! same shared memory and runs [`WorkerStart::run`]. Rust never creates the
//! Web Worker itself: the page's *host* does (`worker-bootstrap/js/host.js`),
//! for two reasons. The page's main thread never blocks, so a Web Worker it
//! creates always gets started (a thread parked in `Atomics.wait` cannot be
//! relied on to do that); and a worker created by the page outlives whoever
//! asked for it (a Web Worker dies with its parent worker).
//!
//! # The board
//!
//! Rust and the host talk through five `i32` cells in the shared memory,
//! the [`Board`], read and written with atomics on both sides (Rust's
//! atomics, JS `Atomics`):
//!
//! | cell | written by | meaning |
//! |---|---|---|
//! | `host` | host | 1 once a host listens |
//! | `parallelism` | host | `navigator.hardwareConcurrency` |
//! | `requests` | spawner | bumped once per requested worker; the host waits on it with `Atomics.waitAsync` |
//! | `current` | spawner, worker, host | the request in flight: `seq << 2 \| phase`, phase `PENDING`, `RUNNING` or `FAILED` |
//! | `stack_size` | spawner | the request's stack in bytes (a multiple of 64 KiB), 0 for wasm-bindgen's default (2 MiB) |
//!
//! # One spawn
//!
//! 1. [`WebWorkerSpawner::spawn`] (one at a time, under `SPAWN_LOCK`) puts
//!    the start in `SLOT` tagged with a new `seq`, stores its stack size
//!    in `stack_size` and `current = seq | PENDING`, bumps `requests` and
//!    notifies it, then waits on `current`.
//! 2. The host wakes, reads `current` and `stack_size`, and creates a Web
//!    Worker for `seq` (`worker-bootstrap/js/worker.js`), handing it the
//!    module, the memory, `seq` and the stack size, with which it
//!    instantiates the module (wasm-bindgen's `thread_stack_size`: the
//!    thread's stack in the linear memory).
//! 3. The worker instantiates the module and calls [`run_requested`]`(seq)`:
//!    under `SLOT`'s lock it checks the tag, moves `current` from `seq |
//!    PENDING` to `seq | RUNNING` (compare-and-swap), takes the start,
//!    notifies `current`, and runs the start: the pool's worker loop. When it
//!    returns (the pool shut down), the JS side closes the Web Worker.
//! 4. If the Web Worker fails first (an `error` event, a failed
//!    instantiation), the host moves `current` from `seq | PENDING` to `seq
//!    | FAILED` and notifies it; the spawner takes its start back and returns
//!    the error, and the pool goes on with the workers it has. A spawner that
//!    hears nothing for [`START_TIMEOUT`] gives up the same way.
//!
//! Why nothing is lost or run twice: `current` leaves `seq | PENDING`
//! exactly once, by one successful compare-and-swap — to `RUNNING` by the
//! worker, or to `FAILED` by the host or the spawner. Whoever wins decides
//! the start's fate; a late failure report or a late worker finds a
//! different value and does nothing. The worker takes the start while
//! holding `SLOT`'s lock, before the spawner (which waits for `RUNNING`)
//! can return and let the next spawn refill `SLOT`.
//!
//! # A worker that dies
//!
//! A panic unwinds and the worker lives on, but a *trap* (a stack overflow,
//! running out of memory, `unreachable`) ends the Web Worker's instance on
//! the spot: nothing on that thread runs again, not even destructors. The
//! Web Worker tells the host (`worker.js` catches the trap; it calls the
//! raw wasm export, not wasm-bindgen's wrapper, which would mark the whole
//! shared memory's module terminated and make every other thread's next
//! call trap too), and the host
//! starts a short-lived *reaper* Web Worker on the same memory that calls
//! [`worker_lost`]`(seq, message)`. That runs the handlers the dead thread
//! had registered ([`on_lost`](super::on_lost), latest first): the job it
//! was running fails (an executor's future gets `RuntimeError`, see
//! `HeapJob::lost`), and its pool counts the worker as exited, moves what
//! was left in its deque to the injector and starts a replacement.

use std::io;
use std::sync::atomic::{AtomicI32, Ordering::SeqCst};
use std::time::Duration;

use super::{Spawner, WorkerStart};
use crate::loom::{lock, Mutex};
use crate::Instant;

const PENDING: i32 = 0;
const RUNNING: i32 = 1;
const FAILED: i32 = 2;
const PHASE_MASK: i32 = 3;
/// `seq` is kept below 2^29 so that `seq << 2` fits an `i32`.
const SEQ_MASK: i32 = (1 << 29) - 1;

/// How long a spawn waits for its Web Worker before giving up. Starting one
/// takes milliseconds; this only ends waits that nothing will ever answer.
pub const START_TIMEOUT: Duration = Duration::from_secs(30);

/// The cells Rust and the page's host share (see the module docs). The
/// layout is part of the protocol with `host.js`: five `i32`s in this order.
#[derive(Debug)]
#[repr(C)]
pub struct Board {
    host: AtomicI32,
    parallelism: AtomicI32,
    requests: AtomicI32,
    current: AtomicI32,
    stack_size: AtomicI32,
}

static BOARD: Board = Board {
    host: AtomicI32::new(0),
    parallelism: AtomicI32::new(0),
    requests: AtomicI32::new(0),
    current: AtomicI32::new(FAILED),
    stack_size: AtomicI32::new(0),
};

/// wasm-bindgen takes a thread's stack size in whole 64 KiB pages.
const STACK_GRANULE: usize = 64 << 10;

/// The `stack_size` cell for a start asking for `bytes` (`None`: the
/// default, 0): rounded up to whole 64 KiB pages, at most the largest such
/// size an `i32` holds (more cannot be allocated in a 32-bit memory
/// anyway; the Web Worker then fails to start).
fn stack_size_cell(bytes: Option<usize>) -> i32 {
    let max = (i32::MAX as usize) / STACK_GRANULE * STACK_GRANULE;
    match bytes {
        None | Some(0) => 0,
        Some(b) => b
            .div_ceil(STACK_GRANULE)
            .saturating_mul(STACK_GRANULE)
            .min(max) as i32,
    }
}

/// The start waiting for its Web Worker, tagged with its request's `seq`.
static SLOT: Mutex<Option<(i32, WorkerStart)>> = Mutex::new(None);
/// Spawns happen one at a time: `current` describes one request.
static SPAWN_LOCK: Mutex<()> = Mutex::new(());

thread_local! {
    static PROGRAM_THREAD: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// The request this Web Worker was started for (see [`run_requested`]).
    static SEQ: std::cell::Cell<Option<i32>> = const { std::cell::Cell::new(None) };
}

type LostHandler = Box<dyn FnOnce(&str) + Send>;

/// What to do if a thread dies: `(seq of its Web Worker, token, handler)`.
static LOST: Mutex<Vec<(i32, u64, LostHandler)>> = Mutex::new(Vec::new());
static NEXT_TOKEN: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// Registers `handler` for the current Web Worker; `None` (nothing
/// registered) on a thread that no request started (the program's).
pub(crate) fn on_lost(handler: LostHandler) -> Option<u64> {
    let seq = SEQ.with(|s| s.get())?;
    let token = NEXT_TOKEN.fetch_add(1, SeqCst);
    lock(&LOST).push((seq, token, handler));
    Some(token)
}

/// Removes the handler registered under `token`.
pub(crate) fn forget_lost(token: u64) {
    let removed = {
        let mut lost = lock(&LOST);
        lost.iter()
            .position(|(_, t, _)| *t == token)
            .map(|i| lost.swap_remove(i))
    };
    // Dropped after the lock: the handler may own anything.
    drop(removed);
}

/// Called (through the reaper Web Worker, see the module docs) once the Web
/// Worker of request `seq` died without unwinding: runs the handlers it
/// left, latest first. Returns how many ran.
pub fn worker_lost(seq: i32, message: &str) -> usize {
    let mut handlers: Vec<(u64, LostHandler)> = {
        let mut lost = lock(&LOST);
        let (dead, alive): (Vec<_>, Vec<_>) = lost.drain(..).partition(|(s, _, _)| *s == seq);
        *lost = alive;
        dead.into_iter().map(|(_, t, h)| (t, h)).collect()
    };
    handlers.sort_by_key(|(t, _)| std::cmp::Reverse(*t));
    let n = handlers.len();
    for (_, h) in handlers {
        h(message);
    }
    n
}

/// The address of the board in the shared memory, for the host. The
/// program's thread asks for it once it has instantiated the module
/// (`worker-bootstrap/js/program.js`), which marks that thread as the
/// program's main thread.
pub fn board_address() -> usize {
    PROGRAM_THREAD.with(|p| p.set(true));
    &BOARD as *const Board as usize
}

/// Whether this is the thread that runs the program (see [`board_address`]).
pub(crate) fn is_program_thread() -> bool {
    PROGRAM_THREAD.with(|p| p.get())
}

/// `navigator.hardwareConcurrency`, once a host has reported it.
pub fn hardware_concurrency() -> Option<usize> {
    match BOARD.parallelism.load(SeqCst) {
        n if n > 0 => Some(n as usize),
        _ => None,
    }
}

/// Called on a new Web Worker for request `seq`: claims that request's start
/// and runs it (the pool's worker loop). Returns false, without running
/// anything, if the request is no longer pending (its spawner gave up).
pub fn run_requested(seq: i32) -> bool {
    let start = {
        let mut slot = lock(&SLOT);
        match &*slot {
            Some((tag, _)) if *tag == seq => {}
            _ => return false,
        }
        let claimed = BOARD
            .current
            .compare_exchange(seq << 2 | PENDING, seq << 2 | RUNNING, SeqCst, SeqCst)
            .is_ok();
        if !claimed {
            return false;
        }
        slot.take().map(|(_, start)| start)
    };
    notify(&BOARD.current);
    if let Some(start) = start {
        SEQ.with(|s| s.set(Some(seq)));
        start.run();
        SEQ.with(|s| s.set(None));
    }
    true
}

/// Starts workers as Web Workers through the page's host (see the module
/// docs for the protocol).
#[derive(Debug, Default, Clone, Copy)]
pub struct WebWorkerSpawner;

impl Spawner for WebWorkerSpawner {
    fn spawn(&self, start: WorkerStart) -> io::Result<()> {
        let _one_at_a_time = lock(&SPAWN_LOCK);
        if BOARD.host.load(SeqCst) == 0 {
            return Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "no Web Worker host is running (start the runtime with worker-bootstrap's pyrt.js)",
            ));
        }
        let seq = (BOARD.requests.load(SeqCst) + 1) & SEQ_MASK;
        let pending = seq << 2 | PENDING;
        BOARD
            .stack_size
            .store(stack_size_cell(start.stack_size()), SeqCst);
        *lock(&SLOT) = Some((seq, start));
        BOARD.current.store(pending, SeqCst);
        BOARD.requests.store(seq, SeqCst);
        notify(&BOARD.requests);

        let deadline = Instant::now() + START_TIMEOUT;
        while BOARD.current.load(SeqCst) == pending {
            if Instant::now() >= deadline {
                // Give up, unless a worker claims it at this very moment.
                let _ = BOARD
                    .current
                    .compare_exchange(pending, seq << 2 | FAILED, SeqCst, SeqCst);
                continue;
            }
            wait(&BOARD.current, pending, Duration::from_millis(100));
        }
        if BOARD.current.load(SeqCst) & PHASE_MASK == RUNNING {
            return Ok(());
        }
        // Failed: nobody claimed the start, so it is still in the slot.
        drop(lock(&SLOT).take());
        Err(io::Error::other(
            "the Web Worker failed to start (see the browser console)",
        ))
    }
}

/// Blocks while `cell` holds `expected`, for at most `timeout` (may return
/// early). Only on a worker: the page's main thread cannot block.
fn wait(cell: &AtomicI32, expected: i32, timeout: Duration) {
    let nanos = i64::try_from(timeout.as_nanos()).unwrap_or(i64::MAX);
    // SAFETY: `cell` is a live, aligned `i32` in the shared linear memory
    // (a static), which is all `memory.atomic.wait32` needs; it only reads it.
    unsafe {
        core::arch::wasm32::memory_atomic_wait32(cell.as_ptr(), expected, nanos);
    }
}

/// Wakes every thread (or `Atomics.waitAsync` promise) waiting on `cell`.
fn notify(cell: &AtomicI32) {
    // SAFETY: as in `wait`: a live, aligned `i32` of the shared memory;
    // `memory.atomic.notify` does not access it.
    unsafe {
        core::arch::wasm32::memory_atomic_notify(cell.as_ptr(), u32::MAX);
    }
}
