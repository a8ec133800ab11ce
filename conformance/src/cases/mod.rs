//! One module per case: the Rust twin of `cases/<name>.py`.

mod as_completed_results;
mod asyncio_executor_bridge;
mod asyncio_gather;
mod barrier;
mod barrier_abort;
mod condition_notify_all;
mod condition_wait_for;
mod event_set_clear;
mod event_wait;
mod exception_hierarchy;
mod exit_joins_threads;
mod exit_runs_pending_executor_work;
mod future_callback_raises;
mod future_cancel_queued;
mod future_done_callback;
mod future_exception;
mod future_set_result;
mod initializer_broken;
mod lock_errors;
mod mp_manager;
mod mp_pipe;
mod mp_process_exitcode;
mod mp_queues;
mod mp_value_array;
mod nested_submit;
mod pool_apply_async_callbacks;
mod pool_errors;
mod pool_imap;
mod pool_initializer;
mod pool_map;
mod pool_map_all_items_run;
mod pool_map_async_error;
mod pool_starmap_apply;
mod pool_terminate;
mod ppe_map_chunk_error;
mod process_pool_executor_map;
mod process_sys_exit;
mod queue_full_empty;
mod queue_in_executor;
mod queue_orders;
mod queue_task_done_join;
mod result_timeout;
mod rlock_reentrant;
mod semaphores;
mod shutdown_cancel_futures;
mod simple_queue_producers;
mod sys_exit_code;
mod sys_exit_message;
mod thread_errors;
mod thread_excepthook;
mod thread_start_join;
mod threading_introspection;
mod timeout_edges;
mod timer_and_local;
mod tpe_map_exception;
mod tpe_map_order;
mod tpe_max_workers_limit;
mod tpe_max_workers_zero;
mod tpe_submit_after_shutdown;
mod tpe_submit_result;
mod tpe_wait_blocks_worker;
mod wait_all_and_first_exception;
mod wait_duplicate_futures;
mod wait_first_completed;

/// What the twins use, so each file reads like its Python program.
mod prelude {
    pub use crate::py::{b, exc, list, strs};
    pub use executor_api::asyncio;
    pub use executor_api::concurrent::futures::{
        as_completed, wait, Future, MapIter, ProcessPoolExecutor, ThreadPoolExecutor,
        ALL_COMPLETED, FIRST_COMPLETED, FIRST_EXCEPTION,
    };
    pub use executor_api::multiprocessing::{
        active_children, current_process, Array, AsyncResult, Manager, Pipe, Pool, Process, Value,
    };
    pub use executor_api::queue::{LifoQueue, PriorityQueue, Queue, SimpleQueue};
    pub use executor_api::threading::{
        current_thread, get_ident, main_thread, Barrier, BoundedSemaphore, Condition, Event, Local,
        Lock, RLock, Semaphore, Thread, Timer,
    };
    pub use executor_api::{atexit, sys};
    pub use executor_api::{PyException, PyResult};
    pub use std::sync::{Arc, Mutex};
    pub use std::time::Duration;
}

/// A main body that may raise.
pub type MainBody = fn() -> executor_api::PyResult<()>;

/// The cases whose main body returns a result (`sys.exit`, `?`), by name.
pub const MAINS: &[(&str, MainBody)] = &[
    ("exit_joins_threads", exit_joins_threads::run),
    (
        "exit_runs_pending_executor_work",
        exit_runs_pending_executor_work::run,
    ),
    ("process_sys_exit", process_sys_exit::run),
    ("sys_exit_code", sys_exit_code::run),
    ("sys_exit_message", sys_exit_message::run),
];

/// Every other case by name.
pub const ALL: &[(&str, fn())] = &[
    ("as_completed_results", as_completed_results::run),
    ("asyncio_executor_bridge", asyncio_executor_bridge::run),
    ("asyncio_gather", asyncio_gather::run),
    ("barrier", barrier::run),
    ("barrier_abort", barrier_abort::run),
    ("condition_notify_all", condition_notify_all::run),
    ("condition_wait_for", condition_wait_for::run),
    ("event_set_clear", event_set_clear::run),
    ("event_wait", event_wait::run),
    ("exception_hierarchy", exception_hierarchy::run),
    ("future_callback_raises", future_callback_raises::run),
    ("future_cancel_queued", future_cancel_queued::run),
    ("future_done_callback", future_done_callback::run),
    ("future_exception", future_exception::run),
    ("future_set_result", future_set_result::run),
    ("initializer_broken", initializer_broken::run),
    ("lock_errors", lock_errors::run),
    ("mp_manager", mp_manager::run),
    ("mp_pipe", mp_pipe::run),
    ("mp_process_exitcode", mp_process_exitcode::run),
    ("mp_queues", mp_queues::run),
    ("mp_value_array", mp_value_array::run),
    ("nested_submit", nested_submit::run),
    (
        "pool_apply_async_callbacks",
        pool_apply_async_callbacks::run,
    ),
    ("pool_errors", pool_errors::run),
    ("pool_imap", pool_imap::run),
    ("pool_initializer", pool_initializer::run),
    ("pool_map", pool_map::run),
    ("pool_map_all_items_run", pool_map_all_items_run::run),
    ("pool_map_async_error", pool_map_async_error::run),
    ("pool_starmap_apply", pool_starmap_apply::run),
    ("pool_terminate", pool_terminate::run),
    ("ppe_map_chunk_error", ppe_map_chunk_error::run),
    ("process_pool_executor_map", process_pool_executor_map::run),
    ("queue_full_empty", queue_full_empty::run),
    ("queue_in_executor", queue_in_executor::run),
    ("queue_orders", queue_orders::run),
    ("queue_task_done_join", queue_task_done_join::run),
    ("result_timeout", result_timeout::run),
    ("rlock_reentrant", rlock_reentrant::run),
    ("semaphores", semaphores::run),
    ("shutdown_cancel_futures", shutdown_cancel_futures::run),
    ("simple_queue_producers", simple_queue_producers::run),
    ("thread_errors", thread_errors::run),
    ("thread_excepthook", thread_excepthook::run),
    ("thread_start_join", thread_start_join::run),
    ("threading_introspection", threading_introspection::run),
    ("timeout_edges", timeout_edges::run),
    ("timer_and_local", timer_and_local::run),
    ("tpe_map_exception", tpe_map_exception::run),
    ("tpe_map_order", tpe_map_order::run),
    ("tpe_max_workers_limit", tpe_max_workers_limit::run),
    ("tpe_max_workers_zero", tpe_max_workers_zero::run),
    ("tpe_submit_after_shutdown", tpe_submit_after_shutdown::run),
    ("tpe_submit_result", tpe_submit_result::run),
    ("tpe_wait_blocks_worker", tpe_wait_blocks_worker::run),
    (
        "wait_all_and_first_exception",
        wait_all_and_first_exception::run,
    ),
    ("wait_duplicate_futures", wait_duplicate_futures::run),
    ("wait_first_completed", wait_first_completed::run),
];
