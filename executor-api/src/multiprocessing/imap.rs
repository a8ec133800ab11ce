//! The lazy iterators of `Pool.imap` and `Pool.imap_unordered`.
//!
//! CPython's task-feeder thread reads the input while the pool works, so
//! the first result comes long before the input ends, and an endless input
//! (`itertools.count()`) works. Ours read the input on the caller's thread
//! instead: when `imap` is called and at every `next`, a [`Feeder`] tops up
//! a window of at most `read_ahead` chunks that are submitted (one call on
//! the pool each) and not yet yielded. So memory stays bounded whatever the
//! input's length (CPython's feeder reads on without bound).
//!
//! An input that raises (`try_imap`: an `Err` item) ends the reading: the
//! chunk being built is lost (CPython's `_get_tasks` loses it too) and the
//! error is yielded after the results of the chunks submitted before it.
//! A chunk that cannot be submitted (the pool was terminated) ends the
//! iteration with `submit`'s error.

use std::collections::VecDeque;
use std::fmt;
use std::sync::Arc;

use crate::concurrent::futures::{wait, Future, ThreadPoolExecutor, FIRST_COMPLETED};
use crate::exceptions::{call, IntoPyResult, PyException, PyResult};

/// One submitted chunk: the outcome of each of its items.
type Chunk<T> = Future<Vec<PyResult<T>>>;

/// How a chunk runs its items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChunkRun {
    /// Every item runs and has its own outcome (`imap` with `chunksize=1`,
    /// `imap_unordered`).
    EveryItem,
    /// The chunk stops at its first exception, which is its only outcome
    /// (CPython's `mapstar` is `list(map(func, chunk))`), and that ends an
    /// ordered iteration (`imap` with `chunksize > 1`).
    StopAtError,
}

/// Reads the input and submits it, a chunk at a time.
struct Feeder<T> {
    /// The next chunk, submitted; `None` once the input is exhausted.
    next_chunk: Box<dyn FnMut() -> Option<PyResult<Chunk<T>>> + Send>,
    /// The input ended, raised, or a submit failed.
    done: bool,
    /// What the input raised (or `submit`'s error): yielded last.
    error: Option<PyException>,
    read_ahead: usize,
}

impl<T: Send + 'static> Feeder<T> {
    fn new<F, I, X, R>(
        exec: ThreadPoolExecutor,
        f: F,
        items: I,
        chunksize: usize,
        run: ChunkRun,
        read_ahead: usize,
    ) -> Self
    where
        F: Fn(X) -> R + Send + Sync + 'static,
        I: Iterator<Item = PyResult<X>> + Send + 'static,
        X: Send + 'static,
        R: IntoPyResult<T> + 'static,
    {
        let f = Arc::new(f);
        let mut items = items;
        let next_chunk = move || -> Option<PyResult<Chunk<T>>> {
            let mut chunk = Vec::new();
            while chunk.len() < chunksize {
                match items.next() {
                    Some(Ok(x)) => chunk.push(x),
                    Some(Err(e)) => return Some(Err(e)),
                    None => break,
                }
            }
            if chunk.is_empty() {
                return None;
            }
            let f = f.clone();
            Some(exec.submit(move || {
                match run {
                    ChunkRun::EveryItem => chunk.into_iter().map(|x| call(|| f(x))).collect(),
                    ChunkRun::StopAtError => {
                        match chunk
                            .into_iter()
                            .map(|x| call(|| f(x)))
                            .collect::<PyResult<Vec<T>>>()
                        {
                            Ok(values) => values.into_iter().map(Ok).collect(),
                            Err(e) => vec![Err(e)],
                        }
                    }
                }
            }))
        };
        Feeder {
            next_chunk: Box::new(next_chunk),
            done: false,
            error: None,
            read_ahead: read_ahead.max(1),
        }
    }

    /// Submits chunks until `in_flight` of them are pending, or the input
    /// ends; `push` receives each one.
    fn top_up(&mut self, mut in_flight: usize, mut push: impl FnMut(Chunk<T>)) {
        while !self.done && in_flight < self.read_ahead {
            match (self.next_chunk)() {
                None => self.done = true,
                Some(Ok(chunk)) => {
                    push(chunk);
                    in_flight += 1;
                }
                Some(Err(e)) => {
                    self.done = true;
                    self.error = Some(e);
                }
            }
        }
    }

    /// Stops reading: nothing more is submitted or yielded.
    fn stop(&mut self) {
        self.done = true;
        self.error = None;
    }
}

/// The iterator returned by [`Pool::imap`](super::Pool::imap) and
/// [`Pool::try_imap`](super::Pool::try_imap): results in input order, the
/// input read a bounded window ahead (see the module docs).
///
/// ```
/// use pyrt_executor::multiprocessing::Pool;
/// let pool = Pool::new(Some(2))?;
/// // imap over itertools.count(): the first results come at once.
/// let first: Vec<u64> = pool.imap(|x: u64| x * x, 0u64.., None)?.take(3).collect::<Result<_, _>>()?;
/// assert_eq!(first, vec![0, 1, 4]);
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
pub struct IMap<T> {
    feeder: Feeder<T>,
    in_flight: VecDeque<Chunk<T>>,
    current: std::vec::IntoIter<PyResult<T>>,
    /// An exception ends the iteration (chunks of more than one item).
    ends_at_error: bool,
}

impl<T> fmt::Debug for IMap<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IMap")
            .field("pending_chunks", &self.in_flight.len())
            .finish_non_exhaustive()
    }
}

impl<T: Send + 'static> IMap<T> {
    pub(crate) fn new<F, I, X, R>(
        exec: ThreadPoolExecutor,
        f: F,
        items: I,
        chunksize: usize,
        read_ahead: usize,
    ) -> Self
    where
        F: Fn(X) -> R + Send + Sync + 'static,
        I: Iterator<Item = PyResult<X>> + Send + 'static,
        X: Send + 'static,
        R: IntoPyResult<T> + 'static,
    {
        let run = if chunksize == 1 {
            ChunkRun::EveryItem
        } else {
            ChunkRun::StopAtError
        };
        let mut it = IMap {
            feeder: Feeder::new(exec, f, items, chunksize, run, read_ahead),
            in_flight: VecDeque::new(),
            current: Vec::new().into_iter(),
            ends_at_error: run == ChunkRun::StopAtError,
        };
        // CPython's feeder starts at once: so do the first calls.
        it.top_up();
        it
    }

    fn top_up(&mut self) {
        let in_flight = &mut self.in_flight;
        self.feeder
            .top_up(in_flight.len(), |c| in_flight.push_back(c));
    }

    fn end(&mut self) {
        self.feeder.stop();
        self.in_flight.clear();
        self.current = Vec::new().into_iter();
    }
}

impl<T: Send + 'static> Iterator for IMap<T> {
    type Item = PyResult<T>;

    fn next(&mut self) -> Option<PyResult<T>> {
        loop {
            if let Some(r) = self.current.next() {
                if r.is_err() && self.ends_at_error {
                    self.end();
                }
                return Some(r);
            }
            self.top_up();
            let Some(chunk) = self.in_flight.pop_front() else {
                // Everything submitted was yielded: the input's error last.
                let error = self.feeder.error.take();
                self.end();
                return error.map(Err);
            };
            match chunk.into_result(None) {
                Ok(results) => self.current = results.into_iter(),
                Err(e) => {
                    // The call itself did not run (the pool was terminated
                    // or is broken): nothing after it will either.
                    self.end();
                    return Some(Err(e));
                }
            }
        }
    }
}

/// The iterator returned by [`Pool::imap_unordered`](super::Pool::imap_unordered):
/// results in completion order, the input read a bounded window ahead (see
/// the module docs).
///
/// ```
/// use pyrt_executor::multiprocessing::Pool;
/// let pool = Pool::new(Some(2))?;
/// let mut out: Vec<u32> = pool.imap_unordered(|x: u32| x + 1, 0..10u32, None)?.collect::<Result<_, _>>()?;
/// out.sort();
/// assert_eq!(out, (1..11).collect::<Vec<_>>());
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
pub struct IMapUnordered<T> {
    feeder: Feeder<T>,
    in_flight: Vec<Chunk<T>>,
    current: std::vec::IntoIter<PyResult<T>>,
}

impl<T> fmt::Debug for IMapUnordered<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IMapUnordered")
            .field("pending_chunks", &self.in_flight.len())
            .finish()
    }
}

impl<T: Send + 'static> IMapUnordered<T> {
    pub(crate) fn new<F, I, X, R>(
        exec: ThreadPoolExecutor,
        f: F,
        items: I,
        chunksize: usize,
        read_ahead: usize,
    ) -> Self
    where
        F: Fn(X) -> R + Send + Sync + 'static,
        I: Iterator<Item = PyResult<X>> + Send + 'static,
        X: Send + 'static,
        R: IntoPyResult<T> + 'static,
    {
        let mut it = IMapUnordered {
            feeder: Feeder::new(exec, f, items, chunksize, ChunkRun::EveryItem, read_ahead),
            in_flight: Vec::new(),
            current: Vec::new().into_iter(),
        };
        it.top_up();
        it
    }

    fn top_up(&mut self) {
        let in_flight = &mut self.in_flight;
        self.feeder.top_up(in_flight.len(), |c| in_flight.push(c));
    }
}

impl<T: Send + 'static> Iterator for IMapUnordered<T> {
    type Item = PyResult<T>;

    fn next(&mut self) -> Option<PyResult<T>> {
        loop {
            if let Some(r) = self.current.next() {
                return Some(r);
            }
            self.top_up();
            if self.in_flight.is_empty() {
                self.feeder.done = true;
                return self.feeder.error.take().map(Err);
            }
            let done = wait(&self.in_flight, None, Some(FIRST_COMPLETED)).done;
            // An untimed FIRST_COMPLETED wait returns a done future; the
            // first pending one is a safe fallback (its result waits).
            let i = done
                .first()
                .and_then(|first| self.in_flight.iter().position(|c| c.ptr_eq(first)))
                .unwrap_or(0);
            let chunk = self.in_flight.swap_remove(i);
            match chunk.into_result(None) {
                Ok(results) => self.current = results.into_iter(),
                Err(e) => return Some(Err(e)),
            }
        }
    }
}
