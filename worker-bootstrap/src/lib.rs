//! What starts a worker on each platform.
//!
//! * Native and `wasm32-wasip1-threads`: nothing beyond `std::thread`
//!   ([`scheduler::StdSpawner`]); on WASI std's thread spawning is the
//!   `wasi`/`thread-spawn` import and its `wasi_thread_start` entry, which the
//!   Rust standard library provides.
//! * Browser: the Web Worker bootstrap (JS module + entry point) lives here
//!   once the browser spawner lands.

#![deny(missing_docs)]

/// Runs a worker start handed over as a raw pointer by a spawner that had to
/// pass it through foreign code (a `postMessage` to a Web Worker).
///
/// # Safety
/// `ptr` must come from [`scheduler::WorkerStart::into_raw`] and be passed
/// here exactly once.
pub unsafe fn run_worker(ptr: *mut scheduler::WorkerStart) {
    // SAFETY: forwarded from this function's own contract.
    unsafe { scheduler::WorkerStart::from_raw(ptr) }.run()
}
