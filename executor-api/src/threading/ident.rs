//! Thread identities: `get_ident()`, `get_native_id()`, and the identity of
//! a call that runs nested on a worker.
//!
//! Every OS thread has an ident, a small integer never reused. A submitted
//! call normally runs on a worker of its own, so it has that worker's
//! identity, as in CPython. The one exception: a worker waiting for a call
//! of its own pool that nobody else can ever run (every other worker is
//! blocked; CPython would deadlock) runs that call on its stack
//! (`concurrent/futures/future.rs`). That call must still look like
//! another thread — its own `get_ident()`, its own `threading.local`
//! values, its own `current_thread()`, and lock ownership as a different
//! thread (an `RLock` the waiter holds blocks it) — so it runs inside a
//! *nested identity* ([`run_as_nested`]): a frame on a per-thread stack
//! that everything asking "which thread is this?" consults first. A frame
//! is cheap to enter; its ident and its `Thread` object are made only if
//! something asks.

use std::cell::{Cell, RefCell};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use super::thread::Thread;

/// The std `main` thread's ident, known before it asks (so
/// `main_thread().ident` is right from any thread).
pub(crate) const MAIN_IDENT: u64 = 1;
static MAIN_CLAIMED: AtomicBool = AtomicBool::new(false);
static NEXT_IDENT: AtomicU64 = AtomicU64::new(MAIN_IDENT + 1);

fn next_ident() -> u64 {
    NEXT_IDENT.fetch_add(1, Ordering::Relaxed)
}

/// How the nested calls of one executor are named: `{prefix}_{n}`, with `n`
/// counting on from the executor's worker indices.
#[derive(Debug)]
pub(crate) struct NestedNames {
    prefix: String,
    next: AtomicUsize,
}

impl NestedNames {
    /// Names `{prefix}_{first}`, `{prefix}_{first + 1}`, ...
    pub(crate) fn new(prefix: String, first: usize) -> Self {
        NestedNames {
            prefix,
            next: AtomicUsize::new(first),
        }
    }

    fn next_name(&self) -> String {
        format!(
            "{}_{}",
            self.prefix,
            self.next.fetch_add(1, Ordering::Relaxed)
        )
    }
}

/// One nested identity: made lazily, dropped when its call returns.
struct Frame {
    ident: Cell<u64>,
    names: Arc<NestedNames>,
    thread: RefCell<Option<Thread>>,
    /// What must end with this identity (its `threading.local` values).
    exit: RefCell<ExitHooks>,
}

/// Something that holds values for one Python thread and forgets them when
/// that thread ends (`threading.local`'s per-thread slots): CPython clears
/// a thread's locals when its thread state is cleared.
pub(crate) trait ForgetThread: Send + Sync {
    /// Drops whatever is kept for the thread whose ident is `ident`.
    fn forget_thread(&self, ident: u64);
}

/// The holders that have values for one identity, told when it ends.
#[derive(Default)]
pub(crate) struct ExitHooks {
    holders: Vec<std::sync::Weak<dyn ForgetThread>>,
}

impl ExitHooks {
    fn push(&mut self, holder: std::sync::Weak<dyn ForgetThread>) {
        // Holders dropped meanwhile (a `local` gone) are pruned as the list
        // doubles, so a long-lived worker does not collect dead entries.
        if self.holders.len() >= 8 && self.holders.len().is_power_of_two() {
            self.holders.retain(|h| h.strong_count() > 0);
        }
        self.holders.push(holder);
    }

    /// Tells every live holder that `ident` ended; holders registered while
    /// this runs (a dropped value touching a `local`) are told too.
    fn run(cell: &RefCell<ExitHooks>, ident: u64) {
        loop {
            let holders = std::mem::take(&mut cell.borrow_mut().holders);
            if holders.is_empty() {
                return;
            }
            for h in holders {
                if let Some(h) = h.upgrade() {
                    h.forget_thread(ident);
                }
            }
        }
    }
}

/// The exit hooks of an OS thread, run when its thread-local storage is
/// destroyed (a [`Thread`] runs them earlier, before `join()` returns).
#[derive(Default)]
struct ThreadExit {
    /// The thread's ident (`IDENT` may be destroyed before this runs).
    ident: Cell<u64>,
    hooks: RefCell<ExitHooks>,
}

impl Drop for ThreadExit {
    fn drop(&mut self) {
        ExitHooks::run(&self.hooks, self.ident.get());
    }
}

impl Frame {
    fn ident(&self) -> u64 {
        if self.ident.get() == 0 {
            self.ident.set(next_ident());
        }
        self.ident.get()
    }
}

/// The ident of a new OS thread (the main thread's is `MAIN_IDENT`).
fn new_thread_ident() -> u64 {
    if scheduler::thread_name().as_deref() == Some("main")
        && !MAIN_CLAIMED.swap(true, Ordering::Relaxed)
    {
        MAIN_IDENT
    } else {
        next_ident()
    }
}

// One ident per modelled thread under loom, which runs all its threads on
// one OS thread (`tests/loom_sync.rs` models `RLock`'s ownership).
#[cfg(loom)]
loom::thread_local! {
    static IDENT: u64 = new_thread_ident();
}
#[cfg(not(loom))]
thread_local! {
    static IDENT: u64 = new_thread_ident();
}

thread_local! {
    static FRAMES: RefCell<Vec<Frame>> = const { RefCell::new(Vec::new()) };
    static THREAD_EXIT: ThreadExit = ThreadExit::default();
}

/// Registers `holder` to be told when the calling Python thread ends: the
/// innermost nested identity if there is one, else the OS thread.
pub(crate) fn at_thread_exit(holder: std::sync::Weak<dyn ForgetThread>) {
    let nested = FRAMES.with(|fr| {
        let frames = fr.borrow();
        match frames.last() {
            Some(frame) => {
                frame.exit.borrow_mut().push(holder.clone());
                true
            }
            None => false,
        }
    });
    if !nested {
        let ident = IDENT.with(|i| *i);
        // During thread-local destruction there is nobody left to tell.
        let _ = THREAD_EXIT.try_with(|e| {
            e.ident.set(ident);
            e.hooks.borrow_mut().push(holder);
        });
    }
}

/// Ends the calling OS thread's Python identity early: what
/// [`at_thread_exit`] registered is told now (a [`Thread`] does this before
/// it counts as finished, so `join()` returns after its locals are gone).
pub(crate) fn run_thread_exit() {
    let _ = THREAD_EXIT.try_with(|e| ExitHooks::run(&e.hooks, e.ident.get()));
}

/// Runs `f` as a different Python thread than the caller's (see the module
/// docs); the identity ends when `f` returns or unwinds.
pub(crate) fn run_as_nested<R>(names: &Arc<NestedNames>, f: impl FnOnce() -> R) -> R {
    struct Pop;
    impl Drop for Pop {
        fn drop(&mut self) {
            // Its `threading.local` values end with the call, while the
            // frame is still the current identity (a value's drop sees it).
            // (No ident was made: nothing can have registered.)
            FRAMES.with(|fr| {
                if let Some(f) = fr.borrow().last() {
                    if f.ident.get() != 0 {
                        ExitHooks::run(&f.exit, f.ident.get());
                    }
                }
            });
            let frame = FRAMES.with(|fr| fr.borrow_mut().pop());
            // The thread object (if any) ends with its call.
            if let Some(t) = frame.and_then(|f| f.thread.into_inner()) {
                t.mark_finished();
            }
        }
    }
    FRAMES.with(|fr| {
        fr.borrow_mut().push(Frame {
            ident: Cell::new(0),
            names: names.clone(),
            thread: RefCell::new(None),
            exit: RefCell::default(),
        })
    });
    let _pop = Pop;
    f()
}

/// How many nested identities this thread is inside.
pub(crate) fn nested_depth() -> usize {
    FRAMES.with(|fr| fr.borrow().len())
}

/// The `Thread` object of the innermost nested identity, made on first
/// use by `make(name, ident)`; `None` outside nested calls.
pub(crate) fn nested_thread(make: impl FnOnce(String, u64) -> Thread) -> Option<Thread> {
    FRAMES.with(|fr| {
        let frames = fr.borrow();
        let frame = frames.last()?;
        let mut slot = frame.thread.borrow_mut();
        if slot.is_none() {
            *slot = Some(make(frame.names.next_name(), frame.ident()));
        }
        slot.clone()
    })
}

/// `threading.get_ident()`: a nonzero number unique to the calling thread
/// for the life of the process (ours are small integers, not addresses).
///
/// ```
/// let a = pyrt_executor::threading::get_ident();
/// let b = std::thread::spawn(pyrt_executor::threading::get_ident).join().unwrap();
/// assert_ne!(a, b);
/// assert_eq!(a, pyrt_executor::threading::get_ident());
/// ```
pub fn get_ident() -> u64 {
    let nested = FRAMES.with(|fr| fr.borrow().last().map(Frame::ident));
    nested.unwrap_or_else(|| IDENT.with(|i| *i))
}

/// `threading.get_native_id()`: the operating system's thread id where we
/// can read it (Linux: `/proc/thread-self`), else [`get_ident`]. A nested
/// call (see the module docs) shares its worker's OS thread, and so its
/// native id.
///
/// ```
/// assert!(pyrt_executor::threading::get_native_id() > 0);
/// ```
pub fn get_native_id() -> u64 {
    native_id().unwrap_or_else(get_ident)
}

fn native_id() -> Option<u64> {
    std::fs::read_link("/proc/thread-self")
        .ok()
        .and_then(|p| p.file_name()?.to_str()?.parse().ok())
}

/// The std `main` thread's native id, asked from any thread: on Linux the
/// main thread's id is the process id; elsewhere it is [`MAIN_IDENT`], as
/// [`get_native_id`] falls back to [`get_ident`].
pub(crate) fn main_native_id() -> u64 {
    if get_ident() == MAIN_IDENT {
        return get_native_id();
    }
    match native_id() {
        Some(_) => std::process::id().into(),
        None => MAIN_IDENT,
    }
}
