//! MPMC channels (crossbeam-channel) whose blocking receives help the pool.
//!
//! crossbeam's channels do not take wakers, so each channel also keeps a
//! list of waiting receivers' wakers. A receiver that finds the channel
//! empty registers its waker, announces itself in `waiting` (SeqCst), and
//! tries again; a sender sends, issues a SeqCst fence and wakes the list if
//! `waiting` is nonzero — the same Dekker pattern as the scheduler's sleep
//! protocol, so a message sent while a receiver goes to wait is never missed.
//! Dropping the last sender (or receiver) wakes everybody, so a disconnected
//! channel is noticed at once.

use std::sync::atomic::{fence, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crossbeam_channel::{TryRecvError, TrySendError};

use crate::exceptions::{PyException, PyResult};
use crate::waiting::{block_until, deadline, Waiters};

#[derive(Default)]
struct Shared {
    waiting: AtomicUsize,
    waiters: Mutex<Waiters>,
    senders: AtomicUsize,
}

impl Shared {
    fn wake(&self) {
        fence(Ordering::SeqCst);
        if self.waiting.load(Ordering::SeqCst) > 0 {
            let mut waiters = self.waiters.lock().unwrap_or_else(|p| p.into_inner());
            waiters.wake_all();
            self.waiting.store(0, Ordering::SeqCst);
        }
    }
}

/// The sending half; clone it for more producers.
pub struct Sender<T> {
    /// `None` only while dropping.
    inner: Option<crossbeam_channel::Sender<T>>,
    shared: Arc<Shared>,
}

/// The receiving half; clone it for more consumers (each message goes to
/// one of them).
pub struct Receiver<T> {
    inner: crossbeam_channel::Receiver<T>,
    shared: Arc<Shared>,
}

impl<T> std::fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sender { .. }")
    }
}

impl<T> std::fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Receiver { .. }")
    }
}

/// A channel holding at most `capacity` messages (`None`: unbounded;
/// `Some(0)`: a rendezvous channel, each send waits for a receive).
///
/// ```
/// use executor_api::channels::channel;
/// let (tx, rx) = channel(Some(1));
/// tx.send(1)?;
/// assert_eq!(tx.try_send(2).unwrap_err().name(), "Full");
/// assert_eq!(rx.recv()?, 1);
/// drop(tx);
/// assert_eq!(rx.recv().unwrap_err().to_string(), "EOFError: channel closed");
/// # Ok::<(), executor_api::PyException>(())
/// ```
pub fn channel<T>(capacity: Option<usize>) -> (Sender<T>, Receiver<T>) {
    let (tx, rx) = match capacity {
        Some(n) => crossbeam_channel::bounded(n),
        None => crossbeam_channel::unbounded(),
    };
    let shared = Arc::new(Shared {
        senders: AtomicUsize::new(1),
        ..Shared::default()
    });
    (
        Sender {
            inner: Some(tx),
            shared: shared.clone(),
        },
        Receiver { inner: rx, shared },
    )
}

fn closed() -> PyException {
    PyException::Exception {
        name: "BrokenPipeError".into(),
        message: "channel closed".into(),
    }
}

fn eof() -> PyException {
    PyException::EOFError("channel closed".into())
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        self.shared.senders.fetch_add(1, Ordering::SeqCst);
        Sender {
            inner: self.inner.clone(),
            shared: self.shared.clone(),
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        if self.shared.senders.fetch_sub(1, Ordering::SeqCst) == 1 {
            // Receivers waiting must see the disconnection. crossbeam marks
            // it when `inner` drops, after this body: wake after that.
            drop(self.inner.take());
            self.shared.wake();
        }
    }
}

impl<T> Clone for Receiver<T> {
    fn clone(&self) -> Self {
        Receiver {
            inner: self.inner.clone(),
            shared: self.shared.clone(),
        }
    }
}

impl<T> Sender<T> {
    fn tx(&self) -> &crossbeam_channel::Sender<T> {
        self.inner.as_ref().expect("a live sender")
    }

    /// Sends, waiting while a bounded channel is full. `BrokenPipeError:
    /// channel closed` if every receiver is gone.
    pub fn send(&self, value: T) -> PyResult<()> {
        self.tx().send(value).map_err(|_| closed())?;
        self.shared.wake();
        Ok(())
    }

    /// Sends without waiting: `Full` if there is no room.
    pub fn try_send(&self, value: T) -> PyResult<()> {
        match self.tx().try_send(value) {
            Ok(()) => {
                self.shared.wake();
                Ok(())
            }
            Err(TrySendError::Full(_)) => Err(PyException::Full(String::new())),
            Err(TrySendError::Disconnected(_)) => Err(closed()),
        }
    }

    /// Sends, waiting at most `timeout` for room: `Full` after that.
    pub fn send_timeout(&self, value: T, timeout: Duration) -> PyResult<()> {
        match self.tx().send_timeout(value, timeout) {
            Ok(()) => {
                self.shared.wake();
                Ok(())
            }
            Err(crossbeam_channel::SendTimeoutError::Timeout(_)) => {
                Err(PyException::Full(String::new()))
            }
            Err(crossbeam_channel::SendTimeoutError::Disconnected(_)) => Err(closed()),
        }
    }

    /// Messages waiting in the channel.
    pub fn len(&self) -> usize {
        self.tx().len()
    }

    /// True if no message is waiting.
    pub fn is_empty(&self) -> bool {
        self.tx().is_empty()
    }
}

impl<T> Receiver<T> {
    /// Takes a message without waiting: `Empty` if there is none,
    /// `EOFError: channel closed` if there is none and never will be.
    pub fn try_recv(&self) -> PyResult<T> {
        match self.inner.try_recv() {
            Ok(v) => Ok(v),
            Err(TryRecvError::Empty) => Err(PyException::Empty(String::new())),
            Err(TryRecvError::Disconnected) => Err(eof()),
        }
    }

    /// Polls once; registers `waker` when there is nothing yet.
    pub(super) fn poll_recv(&self, waker: &std::task::Waker) -> Option<PyResult<T>> {
        match self.inner.try_recv() {
            Ok(v) => return Some(Ok(v)),
            Err(TryRecvError::Disconnected) => return Some(Err(eof())),
            Err(TryRecvError::Empty) => {}
        }
        {
            // `waiting` mirrors the list's length; a sender that sees it
            // nonzero wakes the list and zeroes both.
            let mut waiters = self
                .shared
                .waiters
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            waiters.register(waker);
            self.shared.waiting.store(waiters.len(), Ordering::SeqCst);
        }
        fence(Ordering::SeqCst);
        match self.inner.try_recv() {
            Ok(v) => Some(Ok(v)),
            Err(TryRecvError::Disconnected) => Some(Err(eof())),
            Err(TryRecvError::Empty) => None,
        }
    }

    /// Waits for a message (helping the pool when called on a worker).
    /// `EOFError: channel closed` once every sender is gone and it is empty.
    pub fn recv(&self) -> PyResult<T> {
        self.recv_until(None).expect("no deadline")
    }

    /// Waits at most `timeout`: `Empty` after that.
    pub fn recv_timeout(&self, timeout: Duration) -> PyResult<T> {
        self.recv_until(deadline(Some(timeout)))
            .unwrap_or_else(|| Err(PyException::Empty(String::new())))
    }

    fn recv_until(&self, deadline: Option<std::time::Instant>) -> Option<PyResult<T>> {
        if let Ok(v) = self.inner.try_recv() {
            return Some(Ok(v));
        }
        block_until(deadline, |w| self.poll_recv(w))
    }

    /// Messages waiting in the channel.
    pub fn len(&self) -> usize {
        self.inner.len()
    }

    /// True if no message is waiting.
    pub fn is_empty(&self) -> bool {
        self.inner.is_empty()
    }

    /// Iterates until the channel is closed and drained.
    pub fn iter(&self) -> impl Iterator<Item = T> + '_ {
        std::iter::from_fn(move || self.recv().ok())
    }
}
