//! The message patterns of the seed, as small helpers on [`channel`]s:
//! request/response RPC, fire-and-forget, streaming with end-of-stream,
//! broadcast, and shared state.

use std::fmt;
use std::sync::{Arc, Mutex};

use super::channel::{channel, Receiver, Sender};
use crate::exceptions::{PyException, PyResult};
use crate::threading::Thread;

/// Request/response: a handler on its own thread answering one request at a
/// time; [`call`](Self::call) sends a request and waits for its reply.
/// Dropping every handle stops the handler thread.
///
/// ```
/// use pyrt_executor::channels::Service;
/// let square = Service::start(|x: u64| x * x)?;
/// assert_eq!(square.call(7)?, 49);
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
pub struct Service<Req, Resp> {
    requests: Sender<(Req, Sender<Resp>)>,
}

impl<Req, Resp> fmt::Debug for Service<Req, Resp> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Service").finish_non_exhaustive()
    }
}

impl<Req, Resp> Clone for Service<Req, Resp> {
    fn clone(&self) -> Self {
        Service {
            requests: self.requests.clone(),
        }
    }
}

impl<Req: Send + 'static, Resp: Send + 'static> Service<Req, Resp> {
    /// Starts the handler thread.
    ///
    /// ```
    /// use pyrt_executor::channels::Service;
    /// let doubler = Service::start(|x: i32| x * 2)?;
    /// assert_eq!(doubler.call(21)?, 42);
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn start(handler: impl Fn(Req) -> Resp + Send + 'static) -> PyResult<Self> {
        let (tx, rx) = channel::<(Req, Sender<Resp>)>(None);
        Thread::builder()
            .name("Service")
            .build(move || {
                for (req, reply) in rx.iter() {
                    let _ = reply.send(handler(req));
                }
            })
            .start()?;
        Ok(Service { requests: tx })
    }

    /// Sends `request` and waits for the reply. `EOFError` if the handler
    /// died without answering (it panicked).
    ///
    /// ```
    /// use pyrt_executor::channels::Service;
    /// let upper = Service::start(|s: String| s.to_uppercase())?;
    /// assert_eq!(upper.call("hi".into())?, "HI");
    /// assert_eq!(upper.clone().call("ok".into())?, "OK"); // clones share the handler
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn call(&self, request: Req) -> PyResult<Resp> {
        let (reply_tx, reply_rx) = channel(Some(1));
        self.requests.send((request, reply_tx))?;
        reply_rx.recv()
    }
}

/// Fire-and-forget: runs `handler` on every message of `receiver` on a new
/// thread until every sender is gone; returns that thread (join it to wait
/// for the last message to be handled).
///
/// ```
/// use pyrt_executor::channels::{channel, spawn_consumer};
/// use std::sync::{Arc, atomic::{AtomicU64, Ordering}};
/// let total = Arc::new(AtomicU64::new(0));
/// let (tx, rx) = channel(None);
/// let t2 = total.clone();
/// let worker = spawn_consumer(rx, move |x: u64| { t2.fetch_add(x, Ordering::SeqCst); })?;
/// for i in 1..=4 { tx.send(i)?; }
/// drop(tx);
/// worker.join(None)?;
/// assert_eq!(total.load(Ordering::SeqCst), 10);
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
pub fn spawn_consumer<T: Send + 'static>(
    receiver: Receiver<T>,
    handler: impl Fn(T) + Send + 'static,
) -> PyResult<Thread> {
    let t = Thread::builder().name("Consumer").build(move || {
        for msg in receiver.iter() {
            handler(msg);
        }
    });
    t.start()?;
    Ok(t)
}

/// One message of a stream.
#[derive(Debug)]
enum Item<T> {
    Data(T),
    End,
}

/// The producing end of a [`stream`].
///
/// ```
/// use pyrt_executor::channels::{stream, StreamSender};
/// let (tx, rx): (StreamSender<i32>, _) = stream(None);
/// tx.send(1)?;
/// tx.end()?;
/// assert_eq!(rx.collect::<Result<Vec<_>, _>>()?, [1]);
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
pub struct StreamSender<T>(Sender<Item<T>>);

impl<T> fmt::Debug for StreamSender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StreamSender").finish_non_exhaustive()
    }
}

/// The consuming end of a [`stream`]: an iterator of `Ok(item)`s that ends
/// at the producer's [`end`](StreamSender::end), or yields one
/// `EOFError: stream ended without end-of-stream` if the producer vanished.
///
/// ```
/// use pyrt_executor::channels::stream;
/// let (tx, rx) = stream::<i32>(None);
/// drop(tx); // vanished without `end()`
/// let items: Vec<_> = rx.collect();
/// assert_eq!(items.len(), 1);
/// assert_eq!(items[0].as_ref().unwrap_err().to_string(), "EOFError: stream ended without end-of-stream");
/// ```
pub struct StreamReceiver<T> {
    rx: Receiver<Item<T>>,
    done: bool,
}

impl<T> fmt::Debug for StreamReceiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StreamReceiver")
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

/// A stream with an explicit end-of-stream mark; `capacity` bounds how far
/// the producer may run ahead (`None`: unbounded).
///
/// ```
/// use pyrt_executor::channels::stream;
/// let (tx, rx) = stream(Some(2));
/// std::thread::spawn(move || {
///     for i in 0..5 { tx.send(i).unwrap(); }
///     tx.end().unwrap();
/// });
/// let items: Vec<u32> = rx.map(|r| r.unwrap()).collect();
/// assert_eq!(items, vec![0, 1, 2, 3, 4]);
/// ```
pub fn stream<T>(capacity: Option<usize>) -> (StreamSender<T>, StreamReceiver<T>) {
    let (tx, rx) = channel(capacity);
    (StreamSender(tx), StreamReceiver { rx, done: false })
}

impl<T> StreamSender<T> {
    /// Sends one item.
    ///
    /// ```
    /// use pyrt_executor::channels::stream;
    /// let (tx, mut rx) = stream(Some(4));
    /// tx.send("a")?;
    /// assert_eq!(rx.next().unwrap()?, "a");
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn send(&self, item: T) -> PyResult<()> {
        self.0.send(Item::Data(item))
    }

    /// Marks the end of the stream.
    ///
    /// ```
    /// use pyrt_executor::channels::stream;
    /// let (tx, mut rx) = stream::<i32>(None);
    /// tx.end()?;
    /// assert!(rx.next().is_none()); // a clean end
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn end(self) -> PyResult<()> {
        self.0.send(Item::End)
    }
}

impl<T> Iterator for StreamReceiver<T> {
    type Item = PyResult<T>;

    fn next(&mut self) -> Option<PyResult<T>> {
        if self.done {
            return None;
        }
        match self.rx.recv() {
            Ok(Item::Data(v)) => Some(Ok(v)),
            Ok(Item::End) => {
                self.done = true;
                None
            }
            Err(_) => {
                self.done = true;
                Some(Err(PyException::EOFError(
                    "stream ended without end-of-stream".into(),
                )))
            }
        }
    }
}

/// Broadcast: every subscriber receives every message sent after it
/// subscribed; subscribers that were dropped are forgotten.
///
/// ```
/// use pyrt_executor::channels::Broadcast;
/// let b = Broadcast::new();
/// let (s1, s2) = (b.subscribe(), b.subscribe());
/// assert_eq!(b.send("hi"), 2);
/// drop(s2);
/// assert_eq!(b.send("again"), 1);
/// assert_eq!(s1.try_recv()?, "hi");
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
pub struct Broadcast<T> {
    subscribers: Mutex<Vec<Sender<T>>>,
}

impl<T> fmt::Debug for Broadcast<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let subscribers = self.subscribers.lock().map_or(0, |s| s.len());
        f.debug_struct("Broadcast")
            .field("subscribers", &subscribers)
            .finish()
    }
}

impl<T: Clone> Default for Broadcast<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Clone> Broadcast<T> {
    /// A broadcaster with no subscribers.
    ///
    /// ```
    /// use pyrt_executor::channels::Broadcast;
    /// let hub: Broadcast<&str> = Broadcast::new();
    /// assert_eq!(hub.send("nobody listens"), 0);
    /// ```
    pub fn new() -> Self {
        Broadcast {
            subscribers: Mutex::new(Vec::new()),
        }
    }

    /// A new subscriber's receiver (unbounded).
    ///
    /// ```
    /// use pyrt_executor::channels::Broadcast;
    /// let hub = Broadcast::new();
    /// let (a, b) = (hub.subscribe(), hub.subscribe());
    /// hub.send(1);
    /// assert_eq!((a.recv()?, b.recv()?), (1, 1));
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn subscribe(&self) -> Receiver<T> {
        let (tx, rx) = channel(None);
        self.subscribers
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(tx);
        rx
    }

    /// Sends `msg` to every live subscriber; returns how many got it.
    ///
    /// ```
    /// use pyrt_executor::channels::Broadcast;
    /// let hub = Broadcast::new();
    /// let a = hub.subscribe();
    /// drop(hub.subscribe()); // a subscriber that left is dropped
    /// assert_eq!(hub.send("x"), 1);
    /// assert_eq!(a.recv()?, "x");
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn send(&self, msg: T) -> usize {
        let mut subs = self.subscribers.lock().unwrap_or_else(|p| p.into_inner());
        subs.retain(|s| s.send(msg.clone()).is_ok());
        subs.len()
    }
}

/// Shared state: a value many threads read and update under one lock.
///
/// ```
/// use pyrt_executor::channels::Shared;
/// let counter = Shared::new(0u64);
/// std::thread::scope(|s| {
///     for _ in 0..4 {
///         let c = counter.clone();
///         s.spawn(move || for _ in 0..100 { c.with(|n| *n += 1); });
///     }
/// });
/// assert_eq!(counter.get(), 400);
/// ```
#[derive(Debug, Default)]
pub struct Shared<T>(Arc<Mutex<T>>);

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared(self.0.clone())
    }
}

impl<T> Shared<T> {
    /// Shares `value`.
    ///
    /// ```
    /// use pyrt_executor::channels::Shared;
    /// let counter = Shared::new(0);
    /// let c = counter.clone();
    /// std::thread::spawn(move || c.with(|n| *n += 1)).join().unwrap();
    /// assert_eq!(counter.get(), 1);
    /// ```
    pub fn new(value: T) -> Self {
        Shared(Arc::new(Mutex::new(value)))
    }

    /// Runs `f` with exclusive access to the value.
    ///
    /// ```
    /// use pyrt_executor::channels::Shared;
    /// let log = Shared::new(Vec::new());
    /// let len = log.with(|v| {
    ///     v.push("entry");
    ///     v.len()
    /// });
    /// assert_eq!(len, 1);
    /// ```
    pub fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        f(&mut self.0.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

impl<T: Clone> Shared<T> {
    /// A copy of the current value.
    ///
    /// ```
    /// use pyrt_executor::channels::Shared;
    /// assert_eq!(Shared::new("v").get(), "v");
    /// ```
    pub fn get(&self) -> T {
        self.with(|v| v.clone())
    }
}
