//! A worker rank's side: receive calls, run them on this rank's own
//! work-stealing pool, send each reply as soon as it is ready.
//!
//! The rank first tells the master how many calls it runs at once (its
//! pool's thread count) and how many it takes (those plus `prefetch`
//! waiting in its pool's queue, so a thread that finishes finds its next
//! call without a round trip to rank 0); the master never sends more than
//! that many unanswered calls. The main thread only receives; the pool thread that ran a call
//! encodes and sends its reply itself (`Registry::serve`: a raised
//! exception or a panic is the reply, never the end of the rank). While
//! the rank is full no call can arrive (the master sends no more
//! than the rank has room for), so the main thread then sleeps until a
//! call finishes instead of polling MPI and taking CPU from the calls. On
//! `Stop` the loop waits for its pool to finish and returns.

use crate::{Tag, Transport};
use pyrt_executor::concurrent::futures::ThreadPoolExecutor;
use pyrt_executor::{PyException, PyResult};
use pyrt_remote::{Call, Registry};
use std::cell::Cell;
use std::sync::Arc;

thread_local! {
    static RANK: Cell<Option<usize>> = const { Cell::new(None) };
}

/// The rank whose pool runs the calling thread: `Some(rank)` inside a
/// call served by a worker rank, `None` elsewhere (e.g. on rank 0).
///
/// ```
/// use pyrt_mpi::{current_rank, run_local, RemoteFn};
/// assert_eq!(current_rank(), None);
/// let rank = run_local(2, |r| {
///     let _: RemoteFn<(), Option<usize>> = r.register("where", |_: ()| current_rank());
/// }, |ex| ex.submit(&ex.function::<(), Option<usize>>("where")?, ())?.result(None))?;
/// assert_eq!(rank, Some(1));
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
pub fn current_rank() -> Option<usize> {
    RANK.with(Cell::get)
}

/// What one worker rank did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Served {
    pub(crate) calls: u64,
}

/// Serves calls from rank 0 with `threads` threads until it says `Stop`.
pub(crate) fn serve(
    transport: Arc<dyn Transport>,
    registry: Arc<Registry>,
    threads: usize,
    prefetch: usize,
) -> PyResult<Served> {
    let rank = transport.rank();
    let pool = ThreadPoolExecutor::builder()
        .max_workers(Some(threads as i64))
        .thread_name_prefix(format!("mpi-rank{rank}"))
        .initializer(move || RANK.with(|r| r.set(Some(rank))))
        .build()?;
    let room = threads + prefetch;
    transport.send(0, Tag::Hello, crate::master::hello(threads, room))?;
    let mut calls = 0;
    let (finished, finishes) = crossbeam_channel::unbounded::<()>();
    let mut in_flight = 0usize;
    loop {
        while finishes.try_recv().is_ok() {
            in_flight -= 1;
        }
        if in_flight >= room {
            // A plain thread, not a pool worker: it may block on a channel.
            if finishes.recv().is_ok() {
                in_flight -= 1;
            }
            continue;
        }
        let message = transport.recv()?;
        match message.tag {
            Tag::Call => {
                // Bytes that are no call mean the ranks run different
                // binaries: nothing could answer it, so the rank ends with
                // the error (and MPI ends the job).
                let call = Call::from_bytes(&message.bytes)?;
                calls += 1;
                in_flight += 1;
                let (transport, registry) = (transport.clone(), registry.clone());
                let finished = finished.clone();
                pool.submit(move || {
                    let sent = registry
                        .serve(&call)
                        .to_bytes()
                        .and_then(|reply| transport.send(0, Tag::Reply, reply));
                    if let Err(e) = sent {
                        // Only possible once rank 0 is gone (MPI aborts on
                        // its own errors): nobody is left to tell but stderr.
                        eprintln!(
                            "pyrt-mpi: rank {}: cannot send a reply: {e}",
                            transport.rank()
                        );
                    }
                    let _ = finished.send(());
                })?;
            }
            Tag::Stop => break,
            Tag::Hello | Tag::Reply | Tag::Wake => {
                return Err(PyException::RuntimeError(format!(
                    "rank {}: unexpected {:?} message from rank {}",
                    transport.rank(),
                    message.tag,
                    message.from
                )))
            }
        }
    }
    pool.shutdown(true, false);
    Ok(Served { calls })
}
