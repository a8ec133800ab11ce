//! How worker threads come to exist: the [`Spawner`] seam.
//!
//! The scheduler never creates a thread itself. It hands each worker's start
//! to a `Spawner` as a [`WorkerStart`]: a value whose [`WorkerStart::run`]
//! is the worker's whole life (its main loop). A spawner only has to get that
//! call made on a new thread of execution:
//!
//! * natively, [`StdSpawner`] calls it on a `std::thread` (names from a
//!   prefix, optional stack size);
//! * in the browser, a Web Worker spawner sends [`WorkerStart::into_raw`]'s
//!   pointer to a worker instantiated on the same shared memory, which calls
//!   [`WorkerStart::from_raw`] and `run`;
//! * on `wasm32-wasip1-threads`, std's threads are wasi-threads
//!   (`wasi_thread_spawn`), so [`StdSpawner`] is that spawner too.
//!
//! Platform `cfg`s of the scheduler live in this module and nowhere else.

use std::fmt;
use std::io;

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
    pub fn run(self) {
        (self.main)()
    }

    /// Turns the start into a raw pointer, for spawners that must pass it
    /// through foreign code (a `postMessage` to a Web Worker).
    pub fn into_raw(self) -> *mut WorkerStart {
        Box::into_raw(Box::new(self))
    }

    /// Takes back a start made by [`into_raw`](Self::into_raw).
    ///
    /// # Safety
    /// `ptr` must come from `into_raw` and be passed here exactly once.
    pub unsafe fn from_raw(ptr: *mut WorkerStart) -> WorkerStart {
        // SAFETY: the caller promises `ptr` came from `Box::into_raw` in
        // `into_raw` and that ownership is taken back only once.
        *unsafe { Box::from_raw(ptr) }
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

/// Starts workers as `std::thread`s (native, and wasi-threads on
/// `wasm32-wasip1-threads`, where std's threads are `wasi_thread_spawn`).
#[derive(Debug, Default, Clone, Copy)]
pub struct StdSpawner;

impl Spawner for StdSpawner {
    fn spawn(&self, start: WorkerStart) -> io::Result<()> {
        #[cfg(pyrt_threads)]
        {
            let mut builder = std::thread::Builder::new().name(start.name().to_owned());
            if let Some(size) = start.stack_size() {
                builder = builder.stack_size(size);
            }
            builder.spawn(move || start.run()).map(drop)
        }
        #[cfg(not(pyrt_threads))]
        {
            drop(start);
            Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "this target has no threads",
            ))
        }
    }
}

/// Whether [`StdSpawner`] can start threads on this target. When it cannot
/// (e.g. `wasm32-wasip1`), pools built with no explicit spawner have no
/// workers and run their tasks inline on the threads that wait for them.
pub const fn threads_supported() -> bool {
    cfg!(pyrt_threads)
}

/// The default number of workers: the machine's parallelism, or, where the
/// platform cannot tell (WASI), the `PYRT_NUM_THREADS` environment variable,
/// else 4. Never panics.
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
    #[cfg(target_family = "wasm")]
    {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(4)
    }
}
