//! What starts a worker on each platform.
//!
//! * **Native and `wasm32-wasip1-threads`**: nothing beyond `std::thread`
//!   ([`scheduler::StdSpawner`]). On WASI std starts a thread through the
//!   `wasi`/`thread-spawn` import; the new instance enters at
//!   `wasi_thread_start`, which the Rust standard library exports and which
//!   runs the closure the spawner handed over — our worker's main loop.
//! * **Browser**: the JS in `js/` and the wasm exports of this crate. A page
//!   loads `js/pyrt.js`, which starts the program in a dedicated worker
//!   (`js/program.js`; the page's own thread never blocks) and runs the
//!   *host* (`js/host.js`) that creates a Web Worker (`js/worker.js`) each
//!   time the scheduler's `WebWorkerSpawner` asks for one. The protocol is
//!   described in `scheduler/src/spawner/web_worker.rs`.
//!
//! Link this crate into the `cdylib` a page loads (`use worker_bootstrap as
//! _;`) so that its exports end up in the module.

#![deny(missing_docs)]
#![deny(missing_debug_implementations)]

#[cfg(all(
    target_arch = "wasm32",
    target_os = "unknown",
    target_feature = "atomics"
))]
mod web {
    use wasm_bindgen::prelude::*;

    /// The compiled module, for the host to instantiate on each new worker.
    #[wasm_bindgen(js_name = __pyrt_module)]
    pub fn module() -> JsValue {
        wasm_bindgen::module()
    }

    /// The shared memory every worker instantiates the module on.
    #[wasm_bindgen(js_name = __pyrt_memory)]
    pub fn memory() -> JsValue {
        wasm_bindgen::memory()
    }

    /// Where the spawner's board lives in the shared memory.
    #[wasm_bindgen(js_name = __pyrt_board)]
    pub fn board() -> usize {
        scheduler::spawner::web_worker::board_address()
    }

    /// Entry of a new Web Worker made for request `seq`: runs the worker (or
    /// thread) that request asked for; false if the request was given up.
    #[wasm_bindgen(js_name = __pyrt_run_worker)]
    pub fn run_worker(seq: i32) -> bool {
        scheduler::spawner::web_worker::run_requested(seq)
    }
}
