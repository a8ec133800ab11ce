//! The executor face: `MPICommExecutor` / `MPIPoolExecutor` in Rust.
//!
//! SPMD, as `mpi4py.futures.MPICommExecutor`: every rank runs the same
//! program and calls [`MpiCommExecutor::start`] (or a builder's `start`).
//! Rank 0 gets `Some(executor)`; every other rank serves calls inside that
//! call until rank 0 shuts the executor down, then gets `None` and goes on
//! (usually to its end). The translation of
//!
//! ```python
//! with MPICommExecutor() as ex:
//!     if ex is not None:
//!         print(list(ex.map(square, range(10))))
//! ```
//!
//! is `if let Some(ex) = MpiCommExecutor::start(registry)? { ... }` (leaving
//! the block drops `ex`: `shutdown(wait=True)`).
//!
//! Functions are named by [`RemoteFn`] handles from the [`Registry`] every
//! rank builds the same way. `submit` checks the handle against the
//! registry and encodes the argument before anything is queued, so an
//! unregistered name (`KeyError`), wrong types or an argument that cannot
//! be serialised (`TypeError`) fail at submit, on rank 0. It returns our
//! `Future<R>`: `result(timeout)`, `cancel()` while the call is still
//! queued at the master, `add_done_callback`, `.await`, and `wait` /
//! `as_completed` together with futures of local executors.
//!
//! `max_workers` is ranks × threads: the sum over the worker ranks of their
//! pools' thread counts, which is also how many calls run at once. A job
//! of one rank (a program started without `mpirun`) runs its calls on a
//! worker thread-rank of its own (see [`LocalTransport`]).

use crate::master::{Master, RankCount, Typed};
use crate::{local_world, worker, MapIter, Transport};
use pyrt_executor::concurrent::futures::Future;
use pyrt_executor::{PyException, PyResult};
use pyrt_remote::{decode, Registry, RemoteFn};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// `MPICommExecutor`: where the SPMD executor starts.
///
/// ```
/// use pyrt_mpi::{MpiCommExecutor, RemoteFn};
/// let builder = MpiCommExecutor::builder().threads_per_rank(Some(2));
/// assert_eq!(builder.threads(), 2);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct MpiCommExecutor;

impl MpiCommExecutor {
    /// Initialises MPI and starts the executor with default options
    /// ([`MpiExecutorBuilder::start`]). Needs the `mpi` feature.
    #[cfg(feature = "mpi")]
    pub fn start(registry: Registry) -> PyResult<Option<MpiPoolExecutor>> {
        MpiCommExecutor::builder().start(registry)
    }

    /// Options: threads per rank.
    pub fn builder() -> MpiExecutorBuilder {
        MpiExecutorBuilder {
            threads: None,
            prefetch: None,
        }
    }
}

/// Options of an [`MpiCommExecutor`].
#[derive(Debug, Clone)]
pub struct MpiExecutorBuilder {
    threads: Option<usize>,
    prefetch: Option<usize>,
}

impl MpiExecutorBuilder {
    /// Threads of each worker rank's pool (default: the CPU count of its
    /// host, `PYRT_NUM_THREADS` if set). Values below 1 count as 1.
    pub fn threads_per_rank(mut self, n: Option<i64>) -> Self {
        self.threads = n.map(|n| n.max(1) as usize);
        self
    }

    /// The thread count each worker rank will use.
    pub fn threads(&self) -> usize {
        self.threads.unwrap_or_else(default_threads)
    }

    /// Calls each worker rank keeps queued behind its running ones, so that
    /// a thread that finishes a call finds the next one at once instead of
    /// after a round trip to rank 0 (default: as many as it has threads;
    /// `Some(0)` sends a rank only calls it can start at once). Like
    /// CPython's `ProcessPoolExecutor`, whose call queue holds one call more
    /// than its workers, a call sent ahead is running for `cancel()`.
    ///
    /// ```
    /// let b = pyrt_mpi::MpiCommExecutor::builder().threads_per_rank(Some(2));
    /// assert_eq!(b.clone().prefetch_per_rank(Some(0)).prefetch(), 0);
    /// assert_eq!(b.prefetch(), 2);
    /// ```
    pub fn prefetch_per_rank(mut self, n: Option<i64>) -> Self {
        self.prefetch = n.map(|n| n.max(0) as usize);
        self
    }

    /// The calls each worker rank keeps queued ahead.
    pub fn prefetch(&self) -> usize {
        self.prefetch.unwrap_or_else(|| self.threads())
    }

    /// Initialises MPI (`MPI_THREAD_MULTIPLE`) and starts the executor on
    /// `MPI_COMM_WORLD`: `Some(executor)` on rank 0; on every other rank
    /// this serves calls until rank 0 shuts down, finalises MPI and
    /// returns `None`. Needs the `mpi` feature.
    #[cfg(feature = "mpi")]
    pub fn start(self, registry: Registry) -> PyResult<Option<MpiPoolExecutor>> {
        let transport = crate::MpiTransport::init()?;
        self.start_on(transport, registry)
    }

    /// `start` (feature `mpi`) on any transport, e.g. one rank of
    /// [`local_world`]. A job of one rank gets a served thread-rank of
    /// its own.
    ///
    /// ```
    /// use pyrt_mpi::{local_world, MpiCommExecutor, Registry, RemoteFn};
    /// let mut registry = Registry::new();
    /// let inc: RemoteFn<u8, u8> = registry.register("inc", |x: u8| x + 1);
    /// let [rank0]: [_; 1] = local_world(1).try_into().unwrap();
    /// let ex = MpiCommExecutor::builder().start_on(rank0, registry)?.expect("rank 0");
    /// assert_eq!(ex.submit(&inc, 1)?.result(None)?, 2);
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn start_on(
        self,
        transport: impl Transport,
        registry: Registry,
    ) -> PyResult<Option<MpiPoolExecutor>> {
        let (threads, prefetch) = (self.threads(), self.prefetch());
        let registry = Arc::new(registry);
        let transport: Arc<dyn Transport> = Arc::new(transport);
        if transport.rank() != 0 {
            worker::serve(transport, registry, threads, prefetch)?;
            return Ok(None);
        }
        let (transport, own_worker) = if transport.size() == 1 {
            let mut ranks = local_world(2).into_iter();
            let (master, served) = (ranks.next(), ranks.next());
            let (Some(master), Some(served)) = (master, served) else {
                unreachable!("local_world(2) has two ranks")
            };
            let registry = registry.clone();
            let handle = std::thread::Builder::new()
                .name("pyrt-mpi-rank1".into())
                .spawn(move || {
                    worker::serve(Arc::new(served), registry, threads, prefetch).map(|_| ())
                })
                .map_err(|e| PyException::RuntimeError(format!("can't start new thread: {e}")))?;
            (Arc::new(master) as Arc<dyn Transport>, Some(handle))
        } else {
            (transport, None)
        };
        let master = Master::new(transport);
        let receiver = {
            let master = master.clone();
            std::thread::Builder::new()
                .name("pyrt-mpi-master".into())
                .spawn(move || master.receive_loop())
                .map_err(|e| PyException::RuntimeError(format!("can't start new thread: {e}")))?
        };
        master.ready.result(None)?;
        Ok(Some(MpiPoolExecutor {
            master,
            registry,
            threads: Mutex::new(Threads {
                receiver: Some(receiver),
                own_worker,
            }),
        }))
    }
}

fn default_threads() -> usize {
    std::env::var("PYRT_NUM_THREADS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|&n| n > 0)
        .or_else(|| std::thread::available_parallelism().ok().map(usize::from))
        .unwrap_or(1)
}

struct Threads {
    receiver: Option<JoinHandle<()>>,
    own_worker: Option<JoinHandle<PyResult<()>>>,
}

/// What one worker rank did, from [`MpiPoolExecutor::stats`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RankStats {
    /// The rank.
    pub rank: usize,
    /// Its pool's threads.
    pub threads: usize,
    /// Calls it answered (a chunk counts once).
    pub calls: u64,
}

/// The executor on rank 0 (`MPIPoolExecutor` / what `MPICommExecutor`
/// yields): submits calls by name to the other ranks.
///
/// ```
/// use pyrt_executor::concurrent::futures::{as_completed, Future};
/// use pyrt_mpi::{run_local, Registry, RemoteFn};
/// run_local(3, |registry: &mut Registry| {
///     let _: RemoteFn<u64, u64> = registry.register("square", |x: u64| x * x);
/// }, |ex| {
///     let square = ex.function::<u64, u64>("square")?;
///     let fs: Vec<Future<u64>> = (0..8).map(|x| ex.submit(&square, x)).collect::<Result<_, _>>()?;
///     let total: u64 = as_completed(&fs, None).map(|f| f?.result(None)).sum::<Result<_, _>>()?;
///     assert_eq!(total, 140);
///     Ok(())
/// })?;
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
pub struct MpiPoolExecutor {
    master: Arc<Master>,
    registry: Arc<Registry>,
    threads: Mutex<Threads>,
}

impl MpiPoolExecutor {
    /// The handle of the function registered as `name` with these types
    /// (`KeyError`, `TypeError` otherwise).
    pub fn function<A, R>(&self, name: &str) -> PyResult<RemoteFn<A, R>>
    where
        A: Serialize + DeserializeOwned + 'static,
        R: Serialize + DeserializeOwned + 'static,
    {
        self.registry.get(name)
    }

    /// `submit(fn, arg)`: runs `f(arg)` on a worker rank. Errors at
    /// submit: `RuntimeError: cannot schedule new futures after shutdown`,
    /// `KeyError`/`TypeError` for a handle the registry does not have,
    /// `TypeError` for an argument that cannot be serialised.
    pub fn submit<A, R>(&self, f: &RemoteFn<A, R>, arg: A) -> PyResult<Future<R>>
    where
        A: Serialize + DeserializeOwned + 'static,
        R: Serialize + DeserializeOwned + Send + 'static,
    {
        self.registry.check(f)?;
        self.master.check_open()?;
        let future = Future::new();
        let what = format!("result of '{}'", f.name());
        let pending = Typed {
            future: future.clone(),
            decode: move |bytes: Vec<u8>| decode::<R>(&bytes, &what),
        };
        self.master
            .submit(|id| f.call(id, &arg), Box::new(pending))?;
        Ok(future)
    }

    /// `map(fn, iterable, timeout=None, chunksize=1)`: submits every call
    /// now, `chunksize` items per message (each chunk runs in order on one
    /// thread of one rank), and yields the results in order; see
    /// [`MapIter`]. `ValueError: chunksize must be >= 1.` below 1, as
    /// CPython's `ProcessPoolExecutor.map`.
    pub fn map<A, R, I>(
        &self,
        f: &RemoteFn<A, R>,
        iterable: I,
        timeout: Option<Duration>,
        chunksize: Option<i64>,
    ) -> PyResult<MapIter<R>>
    where
        A: Serialize + DeserializeOwned + 'static,
        R: Serialize + DeserializeOwned + Send + 'static,
        I: IntoIterator<Item = A>,
    {
        let chunksize = match chunksize.unwrap_or(1) {
            n if n < 1 => return Err(PyException::ValueError("chunksize must be >= 1.".into())),
            n => usize::try_from(n).unwrap_or(usize::MAX),
        };
        let chunks = self.submit_chunks(f, iterable, chunksize)?;
        Ok(MapIter::new(chunks, timeout))
    }

    /// One future per chunk of `chunksize` items (one item: a plain call).
    pub(crate) fn submit_chunks<A, R, I>(
        &self,
        f: &RemoteFn<A, R>,
        iterable: I,
        chunksize: usize,
    ) -> PyResult<VecDeque<Future<Vec<R>>>>
    where
        A: Serialize + DeserializeOwned + 'static,
        R: Serialize + DeserializeOwned + Send + 'static,
        I: IntoIterator<Item = A>,
    {
        self.registry.check(f)?;
        self.master.check_open()?;
        let mut items = iterable.into_iter().peekable();
        let mut chunks = VecDeque::new();
        let what = format!("results of '{}'", f.name());
        while items.peek().is_some() {
            let future: Future<Vec<R>> = Future::new();
            let submitted = if chunksize == 1 {
                let Some(arg) = items.next() else { break };
                let what = what.clone();
                let pending = Typed {
                    future: future.clone(),
                    decode: move |bytes: Vec<u8>| decode::<R>(&bytes, &what).map(|r| vec![r]),
                };
                self.master.submit(|id| f.call(id, &arg), Box::new(pending))
            } else {
                let chunk: Vec<A> = items.by_ref().take(chunksize).collect();
                let what = what.clone();
                let pending = Typed {
                    future: future.clone(),
                    decode: move |bytes: Vec<u8>| decode::<Vec<R>>(&bytes, &what),
                };
                self.master
                    .submit(|id| f.chunk_call(id, &chunk), Box::new(pending))
            };
            if let Err(e) = submitted {
                // As a failing submit inside CPython's map: what was
                // already queued is cancelled, the error raised.
                chunks.iter().for_each(|c: &Future<Vec<R>>| {
                    c.cancel();
                });
                return Err(e);
            }
            chunks.push_back(future);
        }
        Ok(chunks)
    }

    /// `shutdown(wait=True, cancel_futures=False)`: no new submissions;
    /// with `cancel_futures` the calls still queued at the master are
    /// cancelled; with `wait`, returns once every accepted call is done and
    /// every worker rank has been told to leave. Idempotent.
    pub fn shutdown(&self, wait: bool, cancel_futures: bool) {
        self.master.shutdown(cancel_futures);
        if wait {
            let _ = self.master.finished.result(None);
            let threads = {
                let mut t = self.threads.lock().unwrap_or_else(|p| p.into_inner());
                (t.receiver.take(), t.own_worker.take())
            };
            if let Some(r) = threads.0 {
                let _ = r.join();
            }
            if let Some(w) = threads.1 {
                let _ = w.join();
            }
        }
    }

    /// `_max_workers`: how many calls run at once, the sum of the worker
    /// ranks' thread counts.
    pub fn max_workers(&self) -> usize {
        self.master.counts().iter().map(|c| c.threads).sum()
    }

    /// `num_workers` of mpi4py: how many ranks serve calls.
    pub fn num_workers(&self) -> usize {
        self.master
            .counts()
            .iter()
            .filter(|c| c.threads > 0)
            .count()
    }

    /// Per worker rank: threads and calls answered so far.
    pub fn stats(&self) -> Vec<RankStats> {
        self.master
            .counts()
            .iter()
            .enumerate()
            .filter(|(_, c)| c.threads > 0)
            .map(|(rank, &RankCount { threads, calls })| RankStats {
                rank,
                threads,
                calls,
            })
            .collect()
    }

    /// The job's size as the transport sees it (`comm.Get_size()`).
    pub fn size(&self) -> usize {
        self.master.transport().size()
    }
}

impl Drop for MpiPoolExecutor {
    /// Leaving the `with` block: `shutdown(wait=True)`.
    fn drop(&mut self) {
        self.shutdown(true, false);
    }
}

impl fmt::Debug for MpiPoolExecutor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MpiPoolExecutor")
            .field("workers", &self.stats())
            .finish_non_exhaustive()
    }
}

/// Runs a job of `size` ranks as threads of this process: each rank builds
/// its registry with `build` (as every MPI rank would), rank 0 runs `main`
/// with the executor, the others serve; returns `main`'s result once every
/// rank has left. For tests, and for trying a program without `mpirun`.
///
/// ```
/// use pyrt_mpi::{run_local, RemoteFn};
/// let n = run_local(2, |r| { let _: RemoteFn<(), usize> = r.register("one", |_: ()| 1usize); },
///     |ex| ex.submit(&ex.function::<(), usize>("one")?, ())?.result(None))?;
/// assert_eq!(n, 1);
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
pub fn run_local<T>(
    size: usize,
    build: impl Fn(&mut Registry) + Send + Sync + 'static,
    main: impl FnOnce(&MpiPoolExecutor) -> PyResult<T>,
) -> PyResult<T> {
    run_local_with(MpiCommExecutor::builder(), size, build, main)
}

/// [`run_local`] with options.
pub fn run_local_with<T>(
    builder: MpiExecutorBuilder,
    size: usize,
    build: impl Fn(&mut Registry) + Send + Sync + 'static,
    main: impl FnOnce(&MpiPoolExecutor) -> PyResult<T>,
) -> PyResult<T> {
    let build = Arc::new(build);
    let mut ranks = local_world(size.max(1)).into_iter();
    let rank0 = ranks.next().expect("local_world has at least one rank");
    let servers: Vec<JoinHandle<PyResult<()>>> = ranks
        .map(|transport| {
            let (build, builder) = (build.clone(), builder.clone());
            std::thread::Builder::new()
                .name(format!("pyrt-mpi-rank{}", transport.rank()))
                .spawn(move || {
                    let mut registry = Registry::new();
                    build(&mut registry);
                    builder.start_on(transport, registry).map(|_| ())
                })
                .map_err(|e| PyException::RuntimeError(format!("can't start new thread: {e}")))
        })
        .collect::<PyResult<_>>()?;
    let mut registry = Registry::new();
    build(&mut registry);
    let result = match builder.start_on(rank0, registry)? {
        Some(ex) => main(&ex),
        None => unreachable!("rank 0 gets the executor"),
    };
    for s in servers {
        s.join()
            .map_err(|p| PyException::from_panic(p.as_ref()))??;
    }
    result
}
