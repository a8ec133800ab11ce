//! MPMC channels (crossbeam-channel) whose blocking calls block like a
//! Python thread's.
//!
//! crossbeam's channels do not take wakers, so each channel also keeps two
//! lists of wakers: receivers waiting for a message and senders waiting for
//! room in a bounded channel. A caller that finds it cannot go on registers
//! its waker, announces itself in the list's `waiting` count (SeqCst), and
//! tries again; the other side acts (sends, or receives), issues a SeqCst
//! fence and wakes the list if its count is nonzero — the same Dekker
//! pattern as the scheduler's sleep protocol, so nothing that happens while
//! a caller goes to wait is missed. Dropping the last sender (or receiver)
//! wakes everybody, so a disconnected channel is noticed at once.
//!
//! Waits go through `waiting::block_until`, so a worker blocked in `recv`
//! or in a full `send` counts as blocked for its pool and runs nothing else,
//! and timeouts use the scheduler's clock (crossbeam's own timeouts read
//! `std::time::Instant`, which the browser does not have). The exception is
//! the rendezvous channel (capacity 0): a hand-over needs the sender parked
//! *inside* crossbeam, so its `send` blocks there, inside
//! `pyrt_scheduler::blocking` so that the pool still counts the worker as
//! blocked, and its `send_timeout` needs crossbeam's clock (not in a
//! browser: see [`Sender::send_timeout`]).

use std::sync::atomic::{fence, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::Waker;
use std::time::Duration;

use crossbeam_channel::{TryRecvError, TrySendError};

use crate::exceptions::{PyException, PyResult};
use crate::waiting::{block_until, deadline, Waiters};

/// Callers waiting for one condition: a count that the other side reads
/// without locking, and their wakers.
#[derive(Default)]
struct WaitList {
    waiting: AtomicUsize,
    waiters: Mutex<Waiters>,
}

impl WaitList {
    /// Registers `waker`; the caller must check its condition again after.
    fn register(&self, waker: &Waker) {
        let mut waiters = self.waiters.lock().unwrap_or_else(|p| p.into_inner());
        waiters.register(waker);
        self.waiting.store(waiters.len(), Ordering::SeqCst);
        drop(waiters);
        fence(Ordering::SeqCst);
    }

    /// Wakes every registered caller, if any (after the caller's change).
    fn wake(&self) {
        fence(Ordering::SeqCst);
        if self.waiting.load(Ordering::SeqCst) > 0 {
            let mut waiters = self.waiters.lock().unwrap_or_else(|p| p.into_inner());
            waiters.wake_all();
            self.waiting.store(0, Ordering::SeqCst);
        }
    }
}

#[derive(Default)]
struct Shared {
    /// Receivers waiting for a message (or the disconnection).
    receivers: WaitList,
    /// Senders waiting for room in a bounded channel.
    senders_waiting: WaitList,
    senders: AtomicUsize,
    receivers_alive: AtomicUsize,
    /// 0 for a rendezvous channel.
    capacity: Option<usize>,
}

impl Shared {
    /// Everything that can unblock someone happened: wake both sides.
    fn wake_all(&self) {
        self.receivers.wake();
        self.senders_waiting.wake();
    }
}

/// The sending half; clone it for more producers.
///
/// ```
/// use pyrt_executor::channels::channel;
/// let (tx, rx) = channel(Some(1));
/// let tx2 = tx.clone(); // many senders
/// tx2.send(1)?;
/// assert_eq!(rx.recv()?, 1);
/// drop((tx, tx2));
/// assert_eq!(rx.recv().unwrap_err().to_string(), "EOFError: channel closed");
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
pub struct Sender<T> {
    /// `None` only while dropping.
    inner: Option<crossbeam_channel::Sender<T>>,
    shared: Arc<Shared>,
}

/// The receiving half; clone it for more consumers (each message goes to
/// one of them).
///
/// ```
/// use pyrt_executor::channels::channel;
/// let (tx, rx) = channel(None);
/// tx.send("a")?;
/// drop(tx);
/// assert_eq!(rx.iter().collect::<Vec<_>>(), ["a"]);
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
pub struct Receiver<T> {
    /// `None` only while dropping.
    inner: Option<crossbeam_channel::Receiver<T>>,
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
/// use pyrt_executor::channels::channel;
/// let (tx, rx) = channel(Some(1));
/// tx.send(1)?;
/// assert_eq!(tx.try_send(2).unwrap_err().name(), "Full");
/// assert_eq!(rx.recv()?, 1);
/// drop(tx);
/// assert_eq!(rx.recv().unwrap_err().to_string(), "EOFError: channel closed");
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
pub fn channel<T>(capacity: Option<usize>) -> (Sender<T>, Receiver<T>) {
    let (tx, rx) = match capacity {
        Some(n) => crossbeam_channel::bounded(n),
        None => crossbeam_channel::unbounded(),
    };
    let shared = Arc::new(Shared {
        senders: AtomicUsize::new(1),
        receivers_alive: AtomicUsize::new(1),
        capacity,
        ..Shared::default()
    });
    (
        Sender {
            inner: Some(tx),
            shared: shared.clone(),
        },
        Receiver {
            inner: Some(rx),
            shared,
        },
    )
}

fn closed() -> PyException {
    PyException::BrokenPipeError("channel closed".into())
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
            self.shared.wake_all();
        }
    }
}

impl<T> Clone for Receiver<T> {
    fn clone(&self) -> Self {
        self.shared.receivers_alive.fetch_add(1, Ordering::SeqCst);
        Receiver {
            inner: self.inner.clone(),
            shared: self.shared.clone(),
        }
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        if self.shared.receivers_alive.fetch_sub(1, Ordering::SeqCst) == 1 {
            // Senders waiting for room must see the disconnection, which
            // crossbeam marks when `inner` drops: wake after that.
            drop(self.inner.take());
            self.shared.wake_all();
        }
    }
}

impl<T> Sender<T> {
    fn tx(&self) -> &crossbeam_channel::Sender<T> {
        self.inner.as_ref().expect("a live sender")
    }

    /// Sends, waiting while a bounded channel is full (or, on a rendezvous
    /// channel, until a receiver takes the value). `BrokenPipeError: channel closed` if every
    /// receiver is gone.
    ///
    /// ```
    /// use pyrt_executor::channels::channel;
    /// let (tx, rx) = channel(None);
    /// tx.send(1)?;
    /// drop(rx);
    /// assert_eq!(tx.send(2).unwrap_err().to_string(), "BrokenPipeError: channel closed");
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn send(&self, value: T) -> PyResult<()> {
        if self.shared.capacity == Some(0) {
            // A rendezvous waits inside crossbeam for a receiver to take it.
            scheduler::blocking(|| self.tx().send(value)).map_err(|_| closed())?;
            self.shared.receivers.wake();
            return Ok(());
        }
        self.send_until(value, None).expect("no deadline")
    }

    /// Sends without waiting: `Full` if there is no room.
    ///
    /// ```
    /// use pyrt_executor::channels::channel;
    /// let (tx, _rx) = channel(Some(1));
    /// tx.try_send(1)?;
    /// assert_eq!(tx.try_send(2).unwrap_err().name(), "Full");
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn try_send(&self, value: T) -> PyResult<()> {
        self.offer(value)
            .unwrap_or_else(|_| Err(PyException::Full(String::new())))
    }

    /// One attempt to send: the outcome (sent, or every receiver gone), or
    /// the value back if the channel is full.
    fn offer(&self, value: T) -> Result<PyResult<()>, T> {
        match self.tx().try_send(value) {
            Ok(()) => {
                self.shared.receivers.wake();
                Ok(Ok(()))
            }
            Err(TrySendError::Disconnected(_)) => Ok(Err(closed())),
            Err(TrySendError::Full(v)) => Err(v),
        }
    }

    /// Sends, waiting at most `timeout` for room: `Full` after that.
    ///
    /// On a rendezvous channel (capacity 0) the wait is crossbeam's, whose
    /// clock does not exist in a browser: there this raises
    /// `NotImplementedError` instead.
    ///
    /// ```
    /// use pyrt_executor::channels::channel;
    /// use std::time::Duration;
    /// let (tx, _rx) = channel(Some(1));
    /// tx.send_timeout(1, Duration::from_millis(10))?;
    /// assert_eq!(tx.send_timeout(2, Duration::from_millis(10)).unwrap_err().name(), "Full");
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn send_timeout(&self, value: T, timeout: Duration) -> PyResult<()> {
        if self.shared.capacity == Some(0) {
            if !scheduler::spawner::std_clock_available() {
                return Err(PyException::NotImplementedError(
                    "send_timeout on a rendezvous channel needs std's clock, which this platform lacks".into(),
                ));
            }
            return match self.tx().send_timeout(value, timeout) {
                Ok(()) => {
                    self.shared.receivers.wake();
                    Ok(())
                }
                Err(crossbeam_channel::SendTimeoutError::Timeout(_)) => {
                    Err(PyException::Full(String::new()))
                }
                Err(crossbeam_channel::SendTimeoutError::Disconnected(_)) => Err(closed()),
            };
        }
        self.send_until(value, deadline(Some(timeout)))
            .unwrap_or_else(|| Err(PyException::Full(String::new())))
    }

    /// Waits for room (never on a rendezvous channel); `None` at the deadline.
    fn send_until(&self, value: T, deadline: Option<scheduler::Instant>) -> Option<PyResult<()>> {
        let mut value = match self.offer(value) {
            Ok(done) => return Some(done),
            Err(v) => Some(v),
        };
        block_until(deadline, |w| {
            self.shared.senders_waiting.register(w);
            match self.offer(value.take()?) {
                Ok(done) => Some(done),
                Err(v) => {
                    value = Some(v);
                    None
                }
            }
        })
    }

    /// Messages waiting in the channel.
    ///
    /// ```
    /// use pyrt_executor::channels::channel;
    /// let (tx, _rx) = channel(None);
    /// tx.send(1)?;
    /// assert_eq!(tx.len(), 1);
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn len(&self) -> usize {
        self.tx().len()
    }

    /// True if no message is waiting.
    ///
    /// ```
    /// use pyrt_executor::channels::channel;
    /// let (tx, _rx) = channel::<i32>(None);
    /// assert!(tx.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.tx().is_empty()
    }
}

impl<T> Receiver<T> {
    fn rx(&self) -> &crossbeam_channel::Receiver<T> {
        self.inner.as_ref().expect("a live receiver")
    }

    /// Takes a message without waiting: `Empty` if there is none,
    /// `EOFError: channel closed` if there is none and never will be.
    ///
    /// ```
    /// use pyrt_executor::channels::channel;
    /// let (tx, rx) = channel::<i32>(None);
    /// assert_eq!(rx.try_recv().unwrap_err().name(), "Empty");
    /// drop(tx);
    /// assert_eq!(rx.try_recv().unwrap_err().to_string(), "EOFError: channel closed");
    /// ```
    pub fn try_recv(&self) -> PyResult<T> {
        self.take()
            .unwrap_or_else(|| Err(PyException::Empty(String::new())))
    }

    /// Takes a message if there is one; wakes a sender waiting for room.
    fn take(&self) -> Option<PyResult<T>> {
        match self.rx().try_recv() {
            Ok(v) => {
                self.shared.senders_waiting.wake();
                Some(Ok(v))
            }
            Err(TryRecvError::Disconnected) => Some(Err(eof())),
            Err(TryRecvError::Empty) => None,
        }
    }

    /// Polls once; registers `waker` when there is nothing yet.
    pub(super) fn poll_recv(&self, waker: &std::task::Waker) -> Option<PyResult<T>> {
        if let Some(r) = self.take() {
            return Some(r);
        }
        self.shared.receivers.register(waker);
        self.take()
    }

    /// Waits for a message (without starving the pool when called on a worker).
    /// `EOFError: channel closed` once every sender is gone and it is empty.
    ///
    /// ```
    /// use pyrt_executor::channels::channel;
    /// use pyrt_executor::threading::Thread;
    /// let (tx, rx) = channel(Some(0)); // rendezvous
    /// let t = Thread::new(move || tx.send(42));
    /// t.start()?;
    /// assert_eq!(rx.recv()?, 42);
    /// t.join(None)?;
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn recv(&self) -> PyResult<T> {
        self.recv_until(None).expect("no deadline")
    }

    /// Waits at most `timeout`: `Empty` after that.
    ///
    /// ```
    /// use pyrt_executor::channels::channel;
    /// use std::time::Duration;
    /// let (_tx, rx) = channel::<i32>(None);
    /// assert_eq!(rx.recv_timeout(Duration::from_millis(10)).unwrap_err().name(), "Empty");
    /// ```
    pub fn recv_timeout(&self, timeout: Duration) -> PyResult<T> {
        self.recv_until(deadline(Some(timeout)))
            .unwrap_or_else(|| Err(PyException::Empty(String::new())))
    }

    fn recv_until(&self, deadline: Option<scheduler::Instant>) -> Option<PyResult<T>> {
        if let Some(r) = self.take() {
            return Some(r);
        }
        block_until(deadline, |w| self.poll_recv(w))
    }

    /// Messages waiting in the channel.
    ///
    /// ```
    /// use pyrt_executor::channels::channel;
    /// let (tx, rx) = channel(None);
    /// tx.send(1)?;
    /// tx.send(2)?;
    /// assert_eq!(rx.len(), 2);
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn len(&self) -> usize {
        self.rx().len()
    }

    /// True if no message is waiting.
    ///
    /// ```
    /// use pyrt_executor::channels::channel;
    /// let (_tx, rx) = channel::<i32>(None);
    /// assert!(rx.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.rx().is_empty()
    }

    /// Iterates until the channel is closed and drained.
    ///
    /// ```
    /// use pyrt_executor::channels::channel;
    /// let (tx, rx) = channel(None);
    /// for i in 0..3 {
    ///     tx.send(i)?;
    /// }
    /// drop(tx); // closed: the iterator ends once drained
    /// assert_eq!(rx.iter().sum::<i32>(), 3);
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = T> + '_ {
        std::iter::from_fn(move || self.recv().ok())
    }
}
