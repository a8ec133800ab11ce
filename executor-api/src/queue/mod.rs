//! Python's `queue` module: `Queue`, `LifoQueue`, `PriorityQueue`,
//! `SimpleQueue`; `Empty` and `Full` are [`PyException`](crate::PyException)
//! variants.
//!
//! A queue handle is cheap to clone; clones are the same queue (Python
//! passes the object by reference). A blocking `get`/`put`/`join` blocks its
//! thread (or pool worker) as a Python thread would.
//!
//! ```
//! use pyrt_executor::queue::{PriorityQueue, Queue};
//! let q = Queue::new(Some(2));
//! q.put("a", None, None)?;
//! q.put("b", None, None)?;
//! assert_eq!(q.put_nowait("c").unwrap_err().name(), "Full");
//! assert_eq!(q.get(None, None)?, "a");
//!
//! let pq = PriorityQueue::new(None);
//! pq.put((2, "low"), None, None)?;
//! pq.put((1, "high"), None, None)?;
//! assert_eq!(pq.get(None, None)?, (1, "high"));
//! # Ok::<(), pyrt_executor::PyException>(())
//! ```

mod base;
mod ring;
mod simple;
mod store;

pub use base::BaseQueue;
pub use simple::SimpleQueue;
pub use store::{lt_not_supported, Fifo, Lifo, Priority, PyOrd, Store};

/// `queue.Queue(maxsize=0)`: first in, first out.
pub type Queue<T> = BaseQueue<T, Fifo<T>>;
/// `queue.LifoQueue(maxsize=0)`: last in, first out.
pub type LifoQueue<T> = BaseQueue<T, Lifo<T>>;
/// `queue.PriorityQueue(maxsize=0)`: smallest item first, by Python's `<`
/// ([`PyOrd`], which may raise `TypeError`).
pub type PriorityQueue<T> = BaseQueue<T, Priority<T>>;
