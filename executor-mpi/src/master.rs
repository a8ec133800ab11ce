//! Rank 0's side: the queue of calls, the ranks' room for more, and the
//! thread that receives replies.
//!
//! Scheduling is demand-driven. Each worker rank starts by saying how many
//! calls it runs at once (`Hello`: its pool's thread count) and how many it
//! takes at once (its threads plus the calls it keeps ready behind them,
//! `prefetch_per_rank`); the latter are its *credits*. A call goes to the rank with the most credits left
//! and takes one; its reply gives it back. Calls no rank has room for wait
//! in one FIFO queue at the master, where `cancel()` can still stop them
//! (CPython's `set_running_or_notify_cancel` runs as a call leaves the
//! queue). So a fast rank, which returns its credits sooner, gets more
//! work. At most `max_workers` (the sum of the threads) calls run at once;
//! as in CPython's `ProcessPoolExecutor`, whose call queue holds a call
//! more than its workers (`EXTRA_QUEUED_CALLS`), a call that left the
//! master for a rank counts as running and can no longer be cancelled.
//!
//! Sending happens on whichever thread queued or freed the room, outside
//! the lock. The receiving thread completes futures outside the lock too,
//! so a done-callback may submit again. After `shutdown` it finishes the
//! calls already accepted, then sends `Stop` to every worker rank (once all
//! of them said `Hello`, so no message is left unread) and leaves; the
//! executor's `finished` future is then done.

use crate::{Tag, Transport};
use pyrt_executor::concurrent::futures::Future;
use pyrt_executor::{PyException, PyResult};
use pyrt_remote::{Call, Reply, WireError};
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

/// A call's future, type-erased for the queue.
pub(crate) trait Pending: Send {
    /// `set_running_or_notify_cancel()`: false if it was cancelled.
    fn claim(&self) -> bool;
    /// Completes the future with the reply's outcome.
    fn complete(self: Box<Self>, outcome: Result<Vec<u8>, WireError>);
    /// Completes the future with `e` (the executor broke).
    fn fail(self: Box<Self>, e: PyException);
    /// `cancel()`; false if it already runs.
    fn cancel(&self) -> bool;
}

/// A future completed by decoding the reply with `decode`.
pub(crate) struct Typed<T, D> {
    pub(crate) future: Future<T>,
    pub(crate) decode: D,
}

impl<T, D> Pending for Typed<T, D>
where
    T: Send + 'static,
    D: FnOnce(Vec<u8>) -> PyResult<T> + Send,
{
    fn claim(&self) -> bool {
        // Only we move it out of pending, so an error cannot happen here;
        // read it as "not to be run".
        self.future.set_running_or_notify_cancel().unwrap_or(false)
    }

    fn complete(self: Box<Self>, outcome: Result<Vec<u8>, WireError>) {
        let Typed { future, decode } = *self;
        let result = outcome.map_err(WireError::into_exception).and_then(decode);
        // Only the master completes it, once: an error here is impossible.
        let _ = match result {
            Ok(v) => future.set_result(v),
            Err(e) => future.set_exception(e),
        };
    }

    fn fail(self: Box<Self>, e: PyException) {
        let _ = self.future.set_exception(e);
    }

    fn cancel(&self) -> bool {
        self.future.cancel()
    }
}

struct Queued {
    call: Call,
    pending: Box<dyn Pending>,
}

/// Per-rank counts, for `stats()`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct RankCount {
    pub(crate) threads: usize,
    pub(crate) calls: u64,
}

struct State {
    queue: VecDeque<Queued>,
    credits: Vec<usize>,
    ranks: Vec<RankCount>,
    hellos: usize,
    sent: HashMap<u64, (usize, Box<dyn Pending>)>,
    shutdown: bool,
    broken: Option<PyException>,
}

/// The master's shared state.
pub(crate) struct Master {
    transport: Arc<dyn Transport>,
    state: Mutex<State>,
    next_id: AtomicU64,
    /// Done once every worker rank said `Hello`.
    pub(crate) ready: Future<()>,
    /// Done when the receiving thread has stopped every worker and left.
    pub(crate) finished: Future<()>,
}

type Outgoing = Vec<(usize, Call)>;

/// A call answered: its future and the reply's outcome.
type Answered = (Box<dyn Pending>, Result<Vec<u8>, WireError>);

impl Master {
    pub(crate) fn new(transport: Arc<dyn Transport>) -> Arc<Master> {
        let size = transport.size();
        Arc::new(Master {
            transport,
            state: Mutex::new(State {
                queue: VecDeque::new(),
                credits: vec![0; size],
                ranks: vec![RankCount::default(); size],
                hellos: 0,
                sent: HashMap::new(),
                shutdown: false,
                broken: None,
            }),
            next_id: AtomicU64::new(1),
            ready: Future::new(),
            finished: Future::new(),
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn transport(&self) -> &dyn Transport {
        &*self.transport
    }

    /// Queues a call built by `make(id)` whose outcome goes to `pending`,
    /// and sends what now fits. Errors: after shutdown, or once broken.
    pub(crate) fn submit(
        &self,
        make: impl FnOnce(u64) -> PyResult<Call>,
        pending: Box<dyn Pending>,
    ) -> PyResult<()> {
        self.check_open()?;
        // Encode outside the lock; the id only has to be unique.
        let call = make(self.next_id.fetch_add(1, Ordering::Relaxed))?;
        let out = {
            let mut st = self.lock();
            check_open(&st)?;
            st.queue.push_back(Queued { call, pending });
            dispatch(&mut st)
        };
        self.send_all(out)
    }

    /// The error `submit` would raise now, if any.
    pub(crate) fn check_open(&self) -> PyResult<()> {
        check_open(&self.lock())
    }

    /// `shutdown(cancel_futures)`: no more submissions; queued calls are
    /// cancelled if asked. The receiving thread is woken to finish up.
    pub(crate) fn shutdown(&self, cancel_futures: bool) {
        let cancelled: Vec<Queued> = {
            let mut st = self.lock();
            st.shutdown = true;
            if cancel_futures {
                st.queue.drain(..).collect()
            } else {
                Vec::new()
            }
        };
        for q in &cancelled {
            q.pending.cancel();
        }
        // Drop the cancelled calls (and their futures' last handles here)
        // outside the lock.
        drop(cancelled);
        let me = self.transport.rank();
        if let Err(e) = self.transport.send(me, Tag::Wake, Vec::new()) {
            self.break_with(e);
        }
    }

    /// The worker ranks' thread counts and calls answered, by rank.
    pub(crate) fn counts(&self) -> Vec<RankCount> {
        self.lock().ranks.clone()
    }

    fn send_all(&self, out: Outgoing) -> PyResult<()> {
        for (rank, call) in out {
            let sent = call
                .to_bytes()
                .and_then(|b| self.transport.send(rank, Tag::Call, b));
            if let Err(e) = sent {
                self.break_with(e.clone());
                return Err(e);
            }
        }
        Ok(())
    }

    /// The executor cannot go on: every call not answered yet fails with
    /// `BrokenExecutor`, and so does every later submit.
    fn break_with(&self, cause: PyException) {
        let e = PyException::BrokenExecutor(format!("the MPI executor broke: {cause}"));
        let (queued, sent) = {
            let mut st = self.lock();
            st.broken.get_or_insert(e.clone());
            let queued: Vec<Queued> = st.queue.drain(..).collect();
            let sent: Vec<_> = st.sent.drain().map(|(_, (_, p))| p).collect();
            (queued, sent)
        };
        for q in queued {
            if q.pending.claim() {
                q.pending.fail(e.clone());
            }
        }
        for p in sent {
            p.fail(e.clone());
        }
        let _ = self.ready.set_result(());
    }

    /// The receiving thread's loop, until every worker rank is stopped.
    pub(crate) fn receive_loop(self: Arc<Self>) {
        let workers = self.transport.size() - 1;
        loop {
            let message = match self.transport.recv() {
                Ok(m) => m,
                Err(e) => {
                    self.break_with(e);
                    break;
                }
            };
            let mut done: Option<Answered> = None;
            let (out, stop) = {
                let mut st = self.lock();
                match message.tag {
                    Tag::Hello => {
                        let (threads, room) = parse_hello(&message.bytes);
                        st.credits[message.from] = room;
                        st.ranks[message.from].threads = threads;
                        st.hellos += 1;
                        if st.hellos == workers {
                            let _ = self.ready.set_result(());
                        }
                    }
                    Tag::Reply => match Reply::from_bytes(&message.bytes) {
                        Ok(reply) => {
                            if let Some((rank, pending)) = st.sent.remove(&reply.id) {
                                st.credits[rank] += 1;
                                st.ranks[rank].calls += 1;
                                done = Some((pending, reply.outcome));
                            }
                        }
                        Err(e) => {
                            drop(st);
                            self.break_with(e);
                            break;
                        }
                    },
                    Tag::Wake | Tag::Call | Tag::Stop => {}
                }
                let out = dispatch(&mut st);
                let stop = st.shutdown
                    && st.queue.is_empty()
                    && st.sent.is_empty()
                    && st.hellos == workers
                    && out.is_empty();
                (out, stop)
            };
            if let Some((pending, outcome)) = done {
                pending.complete(outcome);
            }
            if self.send_all(out).is_err() {
                break;
            }
            if stop {
                break;
            }
        }
        // Also after an error: a worker rank that can still hear us leaves.
        for rank in 1..=workers {
            let _ = self.transport.send(rank, Tag::Stop, Vec::new());
        }
        let _ = self.finished.set_result(());
    }
}

fn check_open(st: &State) -> PyResult<()> {
    if let Some(e) = &st.broken {
        return Err(e.clone());
    }
    if st.shutdown {
        return Err(PyException::RuntimeError(
            "cannot schedule new futures after shutdown".into(),
        ));
    }
    Ok(())
}

/// Moves queued calls to ranks with room; returns what to send.
fn dispatch(st: &mut State) -> Outgoing {
    let mut out = Vec::new();
    while !st.queue.is_empty() {
        let Some(rank) = best_rank(&st.credits) else {
            break;
        };
        let Some(Queued { call, pending }) = st.queue.pop_front() else {
            break;
        };
        if !pending.claim() {
            continue; // cancelled while queued
        }
        st.credits[rank] -= 1;
        st.sent.insert(call.id, (rank, pending));
        out.push((rank, call));
    }
    out
}

/// The rank with the most room (the lowest such rank), if any has room.
fn best_rank(credits: &[usize]) -> Option<usize> {
    let (rank, &room) = credits.iter().enumerate().rev().max_by_key(|&(_, c)| *c)?;
    (room > 0).then_some(rank)
}

/// A `Hello`'s thread count and room (calls the rank takes at once), two
/// little-endian `u32`s; at least 1 each.
pub(crate) fn parse_hello(bytes: &[u8]) -> (usize, usize) {
    let word = |i: usize| {
        let mut b = [0u8; 4];
        if let Some(w) = bytes.get(4 * i..4 * i + 4) {
            b.copy_from_slice(w);
        }
        (u32::from_le_bytes(b) as usize).max(1)
    };
    let threads = word(0);
    (threads, word(1).max(threads))
}

/// The bytes of a `Hello`.
pub(crate) fn hello(threads: usize, room: usize) -> Vec<u8> {
    let mut v = (threads as u32).to_le_bytes().to_vec();
    v.extend_from_slice(&(room as u32).to_le_bytes());
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rank_with_most_room_gets_the_call() {
        assert_eq!(best_rank(&[0, 0, 0]), None);
        assert_eq!(best_rank(&[0, 2, 2]), Some(1));
        assert_eq!(best_rank(&[0, 1, 3]), Some(2));
        assert_eq!(parse_hello(&hello(7, 9)), (7, 9));
        assert_eq!(parse_hello(&hello(4, 0)), (4, 4));
        assert_eq!(parse_hello(&[]), (1, 1));
    }
}
