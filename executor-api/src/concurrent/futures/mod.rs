//! Python's `concurrent.futures`: executors, futures, `wait`, `as_completed`.

mod executor;
mod future;
mod process_pool;
mod state;
mod thread_pool;
mod wait;

pub use executor::{Executor, Job};
pub use future::{python_type_name, Future};
pub use process_pool::ProcessPoolExecutor;
pub use thread_pool::{
    default_max_workers, MapIter, ThreadPoolExecutor, ThreadPoolExecutorBuilder,
};
pub use wait::{
    as_completed, wait, AsCompleted, DoneAndNotDone, ReturnWhen, ALL_COMPLETED, FIRST_COMPLETED,
    FIRST_EXCEPTION,
};
