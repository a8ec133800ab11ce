//! `queue.SimpleQueue`: unbounded FIFO without task tracking.

use super::base::BaseQueue;
use super::store::Fifo;
use crate::exceptions::PyResult;

/// `queue.SimpleQueue()`: an unbounded FIFO queue; `put` never blocks.
///
/// ```
/// use pyrt_executor::queue::SimpleQueue;
/// let q = SimpleQueue::new();
/// q.put(1, None, None);
/// assert_eq!(q.get(None, None), Ok(1));
/// assert!(q.empty());
/// ```
pub struct SimpleQueue<T>(BaseQueue<T, Fifo<T>>);

impl<T: Send> Clone for SimpleQueue<T> {
    fn clone(&self) -> Self {
        SimpleQueue(self.0.clone())
    }
}

impl<T: Send> Default for SimpleQueue<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Send> std::fmt::Debug for SimpleQueue<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimpleQueue")
            .field("qsize", &self.qsize())
            .finish()
    }
}

impl<T: Send> SimpleQueue<T> {
    /// `SimpleQueue()`.
    ///
    /// ```
    /// use pyrt_executor::queue::SimpleQueue;
    /// let q = SimpleQueue::new();
    /// q.put(1, None, None);
    /// assert_eq!(q.get(None, None)?, 1);
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn new() -> Self {
        SimpleQueue(BaseQueue::new(None))
    }

    /// `put(item, block=True, timeout=None)`: `block` and `timeout` are
    /// accepted for compatibility and ignored, as in Python.
    ///
    /// ```
    /// use pyrt_executor::queue::SimpleQueue;
    /// let q = SimpleQueue::new();
    /// q.put("never blocks", None, None); // unbounded
    /// assert_eq!(q.qsize(), 1);
    /// ```
    pub fn put(&self, item: T, _block: Option<bool>, _timeout: Option<f64>) {
        // An unbounded queue is never full.
        let _ = self.0.put(item, Some(false), None);
    }

    /// `put_nowait(item)`.
    ///
    /// ```
    /// use pyrt_executor::queue::SimpleQueue;
    /// let q = SimpleQueue::new();
    /// q.put_nowait(1);
    /// assert!(!q.empty());
    /// ```
    pub fn put_nowait(&self, item: T) {
        self.put(item, None, None);
    }

    /// Rust-side: `get(timeout=secs)` with a [`Duration`](std::time::Duration).
    ///
    /// ```
    /// use std::time::Duration;
    /// use pyrt_executor::queue::SimpleQueue;
    /// let q: SimpleQueue<u8> = SimpleQueue::new();
    /// assert_eq!(q.get_timeout(Duration::from_millis(10)).unwrap_err().to_string(), "Empty");
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn get_timeout(&self, timeout: std::time::Duration) -> PyResult<T> {
        self.get(None, Some(crate::exceptions::duration_secs(timeout)))
    }

    /// `get(block=True, timeout=None)`; raises `Empty`.
    ///
    /// ```
    /// use pyrt_executor::queue::SimpleQueue;
    /// let q: SimpleQueue<i32> = SimpleQueue::new();
    /// assert_eq!(q.get(None, Some(0.01)).unwrap_err().name(), "Empty");
    /// ```
    pub fn get(&self, block: Option<bool>, timeout: Option<f64>) -> PyResult<T> {
        self.0.get(block, timeout)
    }

    /// `get_nowait()`.
    ///
    /// ```
    /// use pyrt_executor::queue::SimpleQueue;
    /// let q: SimpleQueue<i32> = SimpleQueue::new();
    /// assert_eq!(q.get_nowait().unwrap_err().name(), "Empty");
    /// ```
    pub fn get_nowait(&self) -> PyResult<T> {
        self.0.get_nowait()
    }

    /// `empty()`.
    ///
    /// ```
    /// use pyrt_executor::queue::SimpleQueue;
    /// assert!(SimpleQueue::<i32>::new().empty());
    /// ```
    pub fn empty(&self) -> bool {
        self.0.empty()
    }

    /// `qsize()`.
    ///
    /// ```
    /// use pyrt_executor::queue::SimpleQueue;
    /// let q = SimpleQueue::new();
    /// q.put(1, None, None);
    /// q.put(2, None, None);
    /// assert_eq!(q.qsize(), 2);
    /// ```
    pub fn qsize(&self) -> usize {
        self.0.qsize()
    }
}
