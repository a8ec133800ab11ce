//! The browser demo: a Mandelbrot zoom computed by our pool on Web Workers.
//!
//! The page (`www/`) loads this module through worker-bootstrap's `pyrt.js`,
//! built one of two ways, and calls the same exports on either
//! (`rt.call('render', params, {onEvent})` …):
//!
//! * **threads** (`threads.rs`; `+atomics`, a cross-origin isolated page):
//!   the module runs in the program worker on shared memory, and every pool
//!   it builds runs on Web Workers that the page's host starts.
//! * **messages** (`messages.rs`; no atomics, any page): the program worker
//!   and every pool worker each instantiate the module with their own
//!   memory; `render` submits the tiles *by name* to worker-bootstrap's
//!   message pool and gets them back as messages.
//!
//! Values cross the JS boundary with serde (serde-wasm-bindgen); a Python
//! exception becomes a JS `Error` whose `name` is the exception's.

#![deny(missing_docs)]
#![cfg(all(target_arch = "wasm32", target_os = "unknown"))]

mod image;
mod palette;

#[cfg(not(target_feature = "atomics"))]
mod messages;
#[cfg(target_feature = "atomics")]
mod threads;

use demos::workload::{Params, View};
use executor_api::PyException;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

use worker_bootstrap as _;

#[cfg(target_feature = "atomics")]
pub use wasm_bindgen_rayon::init_thread_pool;

/// What the page asks to render.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Request {
    width: usize,
    height: usize,
    max_iter: u32,
    view: ViewJs,
    #[serde(default = "default_tile")]
    tile: usize,
    #[serde(default)]
    workers: Option<i64>,
    /// Tint each tile with its worker's colour.
    #[serde(default = "yes")]
    tint: bool,
    /// Emit each tile as it is done (off for timing runs: the page then
    /// does not draw while the pool works, as with the rayon baseline).
    #[serde(default = "yes")]
    live: bool,
}

fn default_tile() -> usize {
    75
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ViewJs {
    re0: f64,
    im0: f64,
    re_span: f64,
    im_span: f64,
}

impl Request {
    fn params(&self) -> Params {
        Params {
            width: self.width,
            height: self.height,
            max_iter: self.max_iter,
        }
    }

    fn view(&self) -> View {
        View {
            re0: self.view.re0,
            im0: self.view.im0,
            re_span: self.view.re_span,
            im_span: self.view.im_span,
        }
    }
}

/// One worker's counters, as the page shows them.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WorkerRow {
    executed: u64,
    stolen: u64,
    steal_attempts: u64,
    parks: u64,
}

/// The outcome of a render.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rendered {
    /// FNV-1a of every iteration count (a string: it does not fit a JS number).
    checksum: String,
    /// From the first `submit` to the last tile (the pool already running).
    elapsed_ms: f64,
    /// Building the executor: starting its Web Workers.
    startup_ms: f64,
    workers: usize,
    tiles: usize,
    /// Tiles computed by each worker (from the tiles themselves).
    tiles_per_worker: Vec<usize>,
    stats: Vec<WorkerRow>,
}

fn to_js(e: PyException) -> JsValue {
    let err = js_sys::Error::new(&e.message());
    err.set_name(e.name());
    err.into()
}

fn from_js<T: for<'de> Deserialize<'de>>(v: JsValue) -> Result<T, JsValue> {
    serde_wasm_bindgen::from_value(v).map_err(|e| to_js(PyException::TypeError(e.to_string())))
}

/// Structs become plain objects, byte slices `Uint8Array`s.
fn to_value<T: Serialize>(v: &T) -> Result<JsValue, JsValue> {
    serde_wasm_bindgen::to_value(v).map_err(|e| JsValue::from(js_sys::Error::new(&e.to_string())))
}

/// The index of the worker running this code: a pool worker's (or a rayon
/// thread's) on shared memory, the message pool's worker index otherwise.
fn worker_index() -> usize {
    #[cfg(target_feature = "atomics")]
    let index = scheduler::current_worker_index().or_else(rayon::current_thread_index);
    #[cfg(not(target_feature = "atomics"))]
    let index = worker_bootstrap::messages::worker_index();
    index.unwrap_or(0)
}

/// What `byte_sum` saw of the buffer it was given.
#[derive(Serialize)]
struct Summed {
    len: usize,
    sum: u64,
    /// The same bytes back, reversed (moved back to the sender).
    #[serde(with = "serde_bytes")]
    reversed: Vec<u8>,
}

/// The length and sum of a byte buffer (the browser tier's transfer case:
/// the page moves the buffer here, to a pool worker in the messages mode,
/// to the program worker in the threads mode).
#[wasm_bindgen]
pub fn byte_sum(bytes: Vec<u8>) -> Result<JsValue, JsValue> {
    let sum = bytes.iter().map(|&b| u64::from(b)).sum();
    let reversed = bytes.iter().rev().copied().collect();
    to_value(&Summed {
        len: bytes.len(),
        sum,
        reversed,
    })
}
