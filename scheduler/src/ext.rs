//! The extension API: what a runtime built on top of the scheduler needs
//! beyond running closures and futures.
//!
//! `pyrt-executor` (the Python-shaped API) is built on exactly these items;
//! they are public so that other runtimes can be built the same way, and
//! they follow the crate's semver like everything else. What they promise:
//!
//! * [`HeapJob`]: work queued by reference to an `Arc` its owner already
//!   holds (an executor future's core), so queuing it allocates nothing.
//!   For each time it is queued, exactly one of `run` and `cancel` is
//!   called, once, on some thread.
//! * [`PoolHandle`]: a clonable reference to a pool (from
//!   [`ThreadPool::handle`](crate::ThreadPool::handle)) for values that
//!   outlive the borrow of their pool: queue a [`HeapJob`] in FIFO order,
//!   start a lazily started worker, wait like a Python thread, ask whether
//!   a waiting worker is [`Stuck`].
//! * [`Stuck`] and [`StuckWatch`]: the pool's answer to "can anybody but me
//!   ever run the call I wait for?", which an executor needs to run a call
//!   nested on its waiter where CPython would deadlock.
//! * [`WaitsForItself`]: a wait for a pool's workers to exit that could
//!   only end with the waiting thread's own exit, refused by
//!   [`ThreadPool::try_wait_for_workers`](crate::ThreadPool::try_wait_for_workers).
//! * [`payload_message`]: the text of a panic payload, as a task's error
//!   message shows it.
//! * [`remaining_stack`]: how much stack the current worker has left, so
//!   that nested runs can stop before overflowing.
//!
//! How threads are started on each platform is the other seam, in
//! [`spawner`](crate::spawner): [`Spawner`](crate::Spawner) and
//! [`WorkerStart`](crate::WorkerStart).
//!
//! ```
//! use pyrt_scheduler::ext::{HeapJob, PoolHandle};
//! use std::sync::{mpsc, Arc};
//!
//! struct Hello(mpsc::Sender<&'static str>);
//! impl HeapJob for Hello {
//!     fn run(self: Arc<Self>) {
//!         self.0.send("ran").unwrap();
//!     }
//!     fn cancel(self: Arc<Self>) {
//!         self.0.send("cancelled").unwrap();
//!     }
//! }
//!
//! let pool = pyrt_scheduler::ThreadPool::new(1).unwrap();
//! let handle: PoolHandle = pool.handle();
//! let (tx, rx) = mpsc::channel();
//! handle.submit_job(Arc::new(Hello(tx)));
//! assert_eq!(rx.recv().unwrap(), "ran");
//! ```

pub use crate::blocking::{Stuck, StuckWatch};
pub use crate::exit_wait::WaitsForItself;
pub use crate::job::HeapJob;
pub use crate::pool::PoolHandle;
pub use crate::unwind::payload_message;
pub use crate::worker::remaining_stack;
