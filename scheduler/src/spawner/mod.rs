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
//! | `wasm32-wasip1` (no threads) | none: a pool has no worker threads, and the thread that waits on it borrows its one worker slot (`borrow.rs`) | — |
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
///
/// ```
/// use pyrt_scheduler::{ThreadPoolBuilder, WorkerStart};
/// let pool = ThreadPoolBuilder::new()
///     .num_threads(1)
///     .spawner(|start: WorkerStart| {
///         assert_eq!((start.index(), start.name()), (0, "worker-0"));
///         std::thread::Builder::new().spawn(move || start.run()).map(drop)
///     })
///     .build()
///     .unwrap();
/// assert_eq!(pool.install(|| 1), 1);
/// ```
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
    ///
    /// ```
    /// use std::sync::mpsc;
    /// let (tx, rx) = mpsc::channel();
    /// let tx = std::sync::Mutex::new(tx);
    /// let _pool = pyrt_scheduler::ThreadPoolBuilder::new()
    ///     .num_threads(2)
    ///     .spawner(move |start: pyrt_scheduler::WorkerStart| {
    ///         tx.lock().unwrap().send(start.index()).unwrap();
    ///         std::thread::Builder::new().spawn(move || start.run()).map(drop)
    ///     })
    ///     .build()
    ///     .unwrap();
    /// let mut seen = [rx.recv().unwrap(), rx.recv().unwrap()];
    /// seen.sort();
    /// assert_eq!(seen, [0, 1]);
    /// ```
    pub fn index(&self) -> usize {
        self.index
    }

    /// The thread name the pool asks for (`"{prefix}{index}"`).
    ///
    /// ```
    /// let pool = pyrt_scheduler::ThreadPoolBuilder::new()
    ///     .num_threads(1)
    ///     .thread_name_prefix("io-")
    ///     .spawner(|start: pyrt_scheduler::WorkerStart| {
    ///         let name = start.name().to_owned();
    ///         std::thread::Builder::new().name(name).spawn(move || start.run()).map(drop)
    ///     })
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(pool.install(|| std::thread::current().name().map(str::to_owned)).as_deref(), Some("io-0"));
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The stack size the pool asks for, if any.
    ///
    /// ```
    /// let pool = pyrt_scheduler::ThreadPoolBuilder::new()
    ///     .num_threads(1)
    ///     .stack_size(1 << 20)
    ///     .spawner(|start: pyrt_scheduler::WorkerStart| {
    ///         let mut b = std::thread::Builder::new();
    ///         if let Some(size) = start.stack_size() {
    ///             b = b.stack_size(size);
    ///         }
    ///         b.spawn(move || start.run()).map(drop)
    ///     })
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(pool.install(|| 1), 1);
    /// ```
    pub fn stack_size(&self) -> Option<usize> {
        self.stack_size
    }

    /// Runs the worker on the current thread until its pool shuts down.
    /// [`thread_name`] answers its name meanwhile, whatever started it.
    ///
    /// ```
    /// // A spawner that runs each worker on a std thread it names itself.
    /// let pool = pyrt_scheduler::ThreadPoolBuilder::new()
    ///     .num_threads(1)
    ///     .spawner(|start: pyrt_scheduler::WorkerStart| {
    ///         std::thread::Builder::new().name("mine".into()).spawn(move || start.run()).map(drop)
    ///     })
    ///     .build()
    ///     .unwrap();
    /// // While it runs, `thread_name` reports the name the pool asked for.
    /// assert_eq!(pool.install(pyrt_scheduler::thread_name).as_deref(), Some("worker-0"));
    /// ```
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
///
/// ```
/// let (tx, rx) = std::sync::mpsc::channel();
/// pyrt_scheduler::spawn_thread("helper", move || tx.send(pyrt_scheduler::thread_name()).unwrap()).unwrap();
/// assert_eq!(rx.recv().unwrap().as_deref(), Some("helper"));
/// ```
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
///
/// ```
/// use pyrt_scheduler::{Spawner, ThreadPoolBuilder, WorkerStart};
/// use std::io;
/// /// Starts workers on std threads, counting them.
/// #[derive(Default)]
/// struct Counting(std::sync::atomic::AtomicUsize);
/// impl Spawner for Counting {
///     fn spawn(&self, start: WorkerStart) -> io::Result<()> {
///         self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
///         std::thread::Builder::new().spawn(move || start.run()).map(drop)
///     }
/// }
/// let pool = ThreadPoolBuilder::new().num_threads(2).spawner(Counting::default()).build().unwrap();
/// assert_eq!(pool.num_threads(), 2);
/// ```
pub trait Spawner: Send + Sync + 'static {
    /// Starts one worker.
    ///
    /// ```
    /// use pyrt_scheduler::{Spawner, WorkerStart};
    /// use std::io;
    /// struct NoThreads;
    /// impl Spawner for NoThreads {
    ///     fn spawn(&self, start: WorkerStart) -> io::Result<()> {
    ///         drop(start);
    ///         Err(io::Error::new(io::ErrorKind::Unsupported, "no threads here"))
    ///     }
    /// }
    /// let err = pyrt_scheduler::ThreadPoolBuilder::new().num_threads(1).spawner(NoThreads).build().unwrap_err();
    /// assert_eq!(err.source.kind(), io::ErrorKind::Unsupported);
    /// ```
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
///
/// ```
/// let (tx, rx) = std::sync::mpsc::channel();
/// pyrt_scheduler::spawn_thread("Thread-1", move || tx.send(6 * 7).unwrap()).unwrap();
/// assert_eq!(rx.recv().unwrap(), 42);
/// ```
pub fn spawn_thread(
    name: impl Into<String>,
    main: impl FnOnce() + Send + 'static,
) -> io::Result<()> {
    spawn_thread_with_stack_size(name, None, main)
}

/// [`spawn_thread`] with a stack of `stack_size` bytes (`None`: the
/// platform's default), for Python's `threading.stack_size(size)`. In a
/// browser it is the Web Worker's stack in the linear memory, rounded up to
/// whole 64 KiB pages.
///
/// ```
/// let (tx, rx) = std::sync::mpsc::channel();
/// pyrt_scheduler::spawn_thread_with_stack_size("big", Some(4 << 20), move || tx.send(1).unwrap()).unwrap();
/// assert_eq!(rx.recv().unwrap(), 1);
/// ```
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
///
/// ```
/// if pyrt_scheduler::spawner::std_clock_available() {
///     let _now = std::time::Instant::now();
/// }
/// ```
pub const fn std_clock_available() -> bool {
    !cfg!(pyrt_web)
}

/// Whether [`DefaultSpawner`] can start threads on this target. When it
/// cannot (`wasm32-wasip1`), pools built with no explicit spawner have no
/// worker threads: the threads that wait on them borrow their one worker
/// slot and run their tasks.
///
/// ```
/// let pool = pyrt_scheduler::ThreadPool::new(2).unwrap();
/// let expected = if pyrt_scheduler::threads_supported() { 2 } else { 0 };
/// assert_eq!(pool.num_threads(), expected);
/// ```
pub const fn threads_supported() -> bool {
    cfg!(pyrt_threads)
}

/// The default number of workers: the machine's parallelism, or, where the
/// platform cannot tell (WASI), the `PYRT_NUM_THREADS` environment variable,
/// else 4; in a browser, `navigator.hardwareConcurrency` as the page's host
/// reported it. Never panics.
///
/// ```
/// assert!(pyrt_scheduler::default_parallelism() >= 1);
/// ```
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
///
/// ```
/// if let Some(bytes) = pyrt_scheduler::default_stack_size() {
///     assert!(bytes > 0);
/// }
/// ```
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
