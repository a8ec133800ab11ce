//! `multiprocessing.Queue` and `JoinableQueue`: a [`crate::queue::Queue`]
//! that can also be closed.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::exceptions::{PyException, PyResult};

/// `multiprocessing.Queue(maxsize=0)`: the methods of
/// [`queue.Queue`](crate::queue::Queue) (same `Empty`/`Full`), plus
/// [`close`](Self::close). Clones are the same queue.
///
/// It also has `task_done`/`join`, so it serves as
/// [`JoinableQueue`] too (Python's `Queue` lacks them; code that calls them
/// asked for a `JoinableQueue`).
///
/// ```
/// use pyrt_executor::multiprocessing::Queue;
/// let q = Queue::new(None);
/// q.put(1, None, None)?;
/// assert_eq!(q.get(None, None)?, 1);
/// q.close();
/// let err = q.put(2, None, None).unwrap_err().to_string();
/// assert!(err.starts_with("ValueError: Queue <multiprocessing.queues.Queue object at 0x"));
/// assert!(err.ends_with("> is closed"));
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
#[derive(Debug)]
pub struct Queue<T> {
    queue: crate::queue::Queue<T>,
    closed: Arc<AtomicBool>,
}

/// `multiprocessing.JoinableQueue(maxsize=0)`: a [`Queue`] whose consumers
/// call `task_done` and whose producers may `join`.
///
/// ```
/// use pyrt_executor::multiprocessing::JoinableQueue;
/// let q = JoinableQueue::new(None);
/// q.put("job", None, None)?;
/// assert_eq!(q.get(None, None)?, "job");
/// q.task_done()?;
/// q.join(); // every item is done: returns at once
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
pub type JoinableQueue<T> = Queue<T>;

impl<T> Clone for Queue<T> {
    fn clone(&self) -> Self {
        Queue {
            queue: self.queue.clone(),
            closed: self.closed.clone(),
        }
    }
}

impl<T> Queue<T> {
    /// `Queue(maxsize=0)`: `maxsize <= 0` (or `None`) means unbounded.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Queue;
    /// let q = Queue::new(None);
    /// q.put(1, None, None)?;
    /// assert_eq!(q.get(None, None)?, 1);
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn new(maxsize: Option<isize>) -> Self {
        Queue {
            queue: crate::queue::Queue::new(maxsize),
            closed: Arc::new(AtomicBool::new(false)),
        }
    }

    /// `ValueError: Queue <multiprocessing.queues.Queue object at 0x…> is
    /// closed` once [`close`](Self::close) was called.
    fn check_closed(&self) -> PyResult<()> {
        if self.closed.load(Ordering::SeqCst) {
            let addr = Arc::as_ptr(&self.closed) as usize;
            return Err(PyException::ValueError(format!(
                "Queue <multiprocessing.queues.Queue object at {addr:#x}> is closed"
            )));
        }
        Ok(())
    }

    /// `put(obj, block=True, timeout=None)`; raises `Full`, or `ValueError`
    /// after `close()`. A negative timeout does not wait (CPython's
    /// semaphore and `poll` treat it as 0, unlike `queue.Queue`).
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Queue;
    /// let q = Queue::new(Some(1));
    /// q.put("a", None, None)?;
    /// assert_eq!(q.put("b", Some(false), None).unwrap_err().name(), "Full");
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn put(&self, obj: T, block: Option<bool>, timeout: Option<f64>) -> PyResult<()> {
        self.check_closed()?;
        self.queue.put(obj, block, non_negative(timeout))
    }

    /// `put_nowait(obj)`.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Queue;
    /// let q = Queue::new(None);
    /// q.put_nowait(1)?;
    /// assert_eq!(q.qsize(), 1);
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn put_nowait(&self, obj: T) -> PyResult<()> {
        self.put(obj, Some(false), None)
    }

    /// `get(block=True, timeout=None)`; raises `Empty`, or `ValueError`
    /// after `close()`. A negative timeout does not wait, as in CPython.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Queue;
    /// let q: Queue<i32> = Queue::new(None);
    /// assert_eq!(q.get(None, Some(0.01)).unwrap_err().name(), "Empty");
    /// ```
    pub fn get(&self, block: Option<bool>, timeout: Option<f64>) -> PyResult<T> {
        self.check_closed()?;
        self.queue.get(block, non_negative(timeout))
    }

    /// `get_nowait()`.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Queue;
    /// let q = Queue::new(None);
    /// q.put(5, None, None)?;
    /// assert_eq!(q.get_nowait()?, 5);
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn get_nowait(&self) -> PyResult<T> {
        self.get(Some(false), None)
    }

    /// `qsize()`.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Queue;
    /// let q = Queue::new(None);
    /// q.put(1, None, None)?;
    /// assert_eq!(q.qsize(), 1);
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn qsize(&self) -> usize {
        self.queue.qsize()
    }

    /// `empty()`.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Queue;
    /// assert!(Queue::<i32>::new(None).empty());
    /// ```
    pub fn empty(&self) -> bool {
        self.queue.empty()
    }

    /// `full()`.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Queue;
    /// let q = Queue::new(Some(1));
    /// q.put(1, None, None)?;
    /// assert!(q.full());
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn full(&self) -> bool {
        self.queue.full()
    }

    /// `close()`: this process puts and gets no more; later `put`/`get`
    /// raise `ValueError`. Closing twice is fine, as in Python.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Queue;
    /// let q: Queue<i32> = Queue::new(None);
    /// q.close();
    /// assert!(q.put(1, None, None).unwrap_err().is_instance_of(&pyrt_executor::PyClass::ValueError));
    /// ```
    pub fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
    }

    /// `join_thread()`: there is no feeder thread to wait for.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Queue;
    /// let q: Queue<i32> = Queue::new(None);
    /// q.close();
    /// q.join_thread(); // no feeder thread to wait for
    /// ```
    pub fn join_thread(&self) {}

    /// `cancel_join_thread()`: nothing to cancel.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Queue;
    /// let q: Queue<i32> = Queue::new(None);
    /// q.cancel_join_thread();
    /// ```
    pub fn cancel_join_thread(&self) {}

    /// `JoinableQueue.task_done()`: `ValueError: task_done() called too many
    /// times`.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::JoinableQueue;
    /// let q = JoinableQueue::new(None);
    /// q.put(1, None, None)?;
    /// q.get(None, None)?;
    /// q.task_done()?;
    /// q.join(); // nothing unfinished
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn task_done(&self) -> PyResult<()> {
        self.queue.task_done()
    }

    /// `JoinableQueue.join()`: blocks until every item put was marked done
    /// (without starving the pool when called on one of its workers).
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::JoinableQueue;
    /// let q: JoinableQueue<i32> = JoinableQueue::new(None);
    /// q.join(); // nothing was put: returns at once
    /// ```
    pub fn join(&self) {
        self.queue.join()
    }
}

/// `multiprocessing` queues wait through a semaphore or `poll`, where a
/// negative timeout means "do not wait" rather than `ValueError`.
fn non_negative(timeout: Option<f64>) -> Option<f64> {
    timeout.map(|t| if t < 0.0 { 0.0 } else { t })
}
