//! How worker threads come to exist: the [`Spawner`] seam, and everything
//! else that differs between platforms.
//!
//! The scheduler never creates a thread itself. It hands each worker's start
//! to a `Spawner` as a [`WorkerStart`]: a value whose [`WorkerStart::run`]
//! is the worker's whole life (its main loop). A spawner only has to get that
//! call made on a new thread of execution:
//!
//! | platform | spawner | file |
//! |---|---|---|
//! | native | [`StdSpawner`]: a `std::thread` (names from a prefix, optional stack size) | `std_thread.rs` |
//! | `wasm32-wasip1-threads` | [`StdSpawner`]: std's threads *are* wasi-threads (`wasi_thread_spawn`) | `std_thread.rs` |
//! | browser (`wasm32-unknown-unknown` + atomics) | `WebWorkerSpawner`: a Web Worker on the same shared memory, started by the page's host | `web_worker.rs` |
//! | `wasm32-wasip1` (no threads) | none: pools have no workers and run tasks inline | — |
//!
//! [`DefaultSpawner`] is the one of the current platform. Platform `cfg`s of
//! the scheduler live in this module and nowhere else (the clock, too: see
//! [`Instant`](crate::Instant)).

use std::cell::RefCell;
use std::fmt;
use std::io;

mod std_thread;
#[cfg(pyrt_web)]
pub mod web_worker;

pub use std_thread::StdSpawner;

/// The spawner of this platform: [`StdSpawner`] natively and on WASI, the
/// Web Worker spawner in a browser.
#[cfg(not(pyrt_web))]
pub type DefaultSpawner = StdSpawner;
/// The spawner of this platform: [`StdSpawner`] natively and on WASI, the
/// Web Worker spawner in a browser.
#[cfg(pyrt_web)]
pub type DefaultSpawner = web_worker::WebWorkerSpawner;

/// Everything a new worker needs; run it on the new thread with [`run`](Self::run).
pub struct WorkerStart {
    index: usize,
    name: String,
    stack_size: Option<usize>,
    main: Box<dyn FnOnce() + Send + 'static>,
}

impl WorkerStart {
    pub(crate) fn new(
        index: usize,
        name: String,
        stack_size: Option<usize>,
        main: Box<dyn FnOnce() + Send + 'static>,
    ) -> Self {
        WorkerStart {
            index,
            name,
            stack_size,
            main,
        }
    }

    /// The worker's index in its pool, `0..num_threads`.
    pub fn index(&self) -> usize {
        self.index
    }

    /// The thread name the pool asks for (`"{prefix}{index}"`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The stack size the pool asks for, if any.
    pub fn stack_size(&self) -> Option<usize> {
        self.stack_size
    }

    /// Runs the worker on the current thread until its pool shuts down.
    /// [`thread_name`] answers its name meanwhile, whatever started it.
    pub fn run(self) {
        NAME.with(|n| *n.borrow_mut() = Some(self.name));
        (self.main)();
        NAME.with(|n| n.borrow_mut().take());
    }
}

impl fmt::Debug for WorkerStart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WorkerStart")
            .field("index", &self.index)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

thread_local! {
    /// The name of the start this thread runs (a Web Worker has no std name).
    static NAME: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// The current thread's name: the one its spawner was asked for, else
/// std's (`"main"` for the main thread natively and on WASI; in a browser
/// the program's thread reports `"main"` too, see `web_worker.rs`).
pub fn thread_name() -> Option<String> {
    if let Some(name) = NAME.with(|n| n.borrow().clone()) {
        return Some(name);
    }
    #[cfg(pyrt_web)]
    if web_worker::is_program_thread() {
        return Some("main".into());
    }
    std::thread::current().name().map(str::to_owned)
}

/// Starts worker threads for a pool.
///
/// `spawn` must arrange for `start.run()` to be called on a new thread and
/// return; if no thread can be started it returns the error and the pool
/// reports it (`RuntimeError: can't start new thread` in the Python API).
pub trait Spawner: Send + Sync + 'static {
    /// Starts one worker.
    fn spawn(&self, start: WorkerStart) -> io::Result<()>;
}

impl<F> Spawner for F
where
    F: Fn(WorkerStart) -> io::Result<()> + Send + Sync + 'static,
{
    fn spawn(&self, start: WorkerStart) -> io::Result<()> {
        self(start)
    }
}

/// Starts a thread that is not a pool worker (Python's `threading.Thread`)
/// the way this platform's [`DefaultSpawner`] starts workers: a
/// `std::thread` natively and on WASI, a Web Worker in a browser.
pub fn spawn_thread(
    name: impl Into<String>,
    main: impl FnOnce() + Send + 'static,
) -> io::Result<()> {
    spawn_thread_with_stack_size(name, None, main)
}

/// [`spawn_thread`] with a stack of `stack_size` bytes (`None`: the
/// platform's default), for Python's `threading.stack_size(size)`. A
/// spawner that cannot choose a stack size (a Web Worker) ignores it.
pub fn spawn_thread_with_stack_size(
    name: impl Into<String>,
    stack_size: Option<usize>,
    main: impl FnOnce() + Send + 'static,
) -> io::Result<()> {
    DefaultSpawner::default().spawn(WorkerStart::new(0, name.into(), stack_size, Box::new(main)))
}

/// Whether a thread that dies without unwinding is reported here: in a
/// browser a Web Worker that traps (stack overflow, out of memory — not a
/// panic, which unwinds) is, through the page's host
/// (`web_worker::worker_lost`); elsewhere such a death ends the process.
///
/// ```
/// assert!(!pyrt_scheduler::spawner::losses_reported()); // natively
/// ```
pub const fn losses_reported() -> bool {
    cfg!(pyrt_web)
}

/// A handler registered by [`on_lost`]; [`done`](Self::done) removes it
/// once the thread got past what it guarded. Dropping it without `done`
/// (only unwinding does: a panic or a JS exception crossing the frame)
/// keeps the handler, so a Web Worker that dies of what unwinds out of its
/// entry is reported too.
#[must_use = "call done() once the guarded call returned"]
pub(crate) struct LostGuard {
    #[cfg(pyrt_web)]
    token: Option<u64>,
}

impl LostGuard {
    /// The guarded call returned: nothing to report any more.
    pub(crate) fn done(self) {
        #[cfg(pyrt_web)]
        if let Some(token) = self.token {
            web_worker::forget_lost(token);
        }
    }
}

/// Runs `handler` (on another thread) if the current thread dies before
/// the guard's [`done`](LostGuard::done); where
/// [`losses_reported`] is false, does nothing.
pub(crate) fn on_lost(handler: impl FnOnce(&str) + Send + 'static) -> LostGuard {
    #[cfg(pyrt_web)]
    {
        LostGuard {
            token: web_worker::on_lost(Box::new(handler)),
        }
    }
    #[cfg(not(pyrt_web))]
    {
        drop(handler);
        LostGuard {}
    }
}

/// Whether `std::time::Instant::now()` works here (everywhere but the
/// browser, where [`Instant`](crate::Instant) reads `performance.now()`
/// instead). Code that must call into a library using std's clock checks it.
pub const fn std_clock_available() -> bool {
    !cfg!(pyrt_web)
}

/// Whether [`DefaultSpawner`] can start threads on this target. When it
/// cannot (`wasm32-wasip1`), pools built with no explicit spawner have no
/// workers and run their tasks inline on the threads that wait for them.
pub const fn threads_supported() -> bool {
    cfg!(pyrt_threads)
}

/// The default number of workers: the machine's parallelism, or, where the
/// platform cannot tell (WASI), the `PYRT_NUM_THREADS` environment variable,
/// else 4; in a browser, `navigator.hardwareConcurrency` as the page's host
/// reported it. Never panics.
pub fn default_parallelism() -> usize {
    if let Some(n) = std::env::var("PYRT_NUM_THREADS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&n| n > 0)
    {
        return n;
    }
    #[cfg(not(target_family = "wasm"))]
    {
        num_cpus::get().max(1)
    }
    #[cfg(pyrt_web)]
    {
        web_worker::hardware_concurrency().unwrap_or(4)
    }
    #[cfg(all(target_family = "wasm", not(pyrt_web)))]
    {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(4)
    }
}

/// The stack size of a thread started without an explicit one, where it is
/// known: natively, std's default (`RUST_MIN_STACK`, else 2 MiB). On wasm the
/// stack of a thread is set when the module is linked, so `None`.
pub fn default_stack_size() -> Option<usize> {
    #[cfg(not(target_family = "wasm"))]
    {
        let from_env = std::env::var("RUST_MIN_STACK")
            .ok()
            .and_then(|v| v.trim().parse::<usize>().ok());
        Some(from_env.unwrap_or(2 * 1024 * 1024))
    }
    #[cfg(target_family = "wasm")]
    {
        None
    }
}
