//! The browser demo: a Mandelbrot zoom computed by our pool on Web Workers.
//!
//! The page (`www/`) loads this module through worker-bootstrap's `pyrt.js`:
//! the module runs in the program worker, and every pool it builds runs on
//! Web Workers that the page's host starts. The exports are what the page
//! calls (`rt.call('render', params, {onEvent})` …):
//!
//! * `render` — `ThreadPoolExecutor(workers)`, one `submit` per tile, and
//!   `as_completed` over the futures: each finished tile is emitted to the
//!   page at once (coloured by the worker that computed it), then the
//!   checksum, the time and the per-worker stats come back.
//! * `render_rayon` — the same image by rayon's `par_iter` on
//!   wasm-bindgen-rayon's pool (the browser baseline; the page calls its
//!   `initThreadPool` first).
//! * `panicking_task` — a task that panics: the call rejects with
//!   `PanicException` and the pool goes on.
//!
//! Values cross the JS boundary with serde (serde-wasm-bindgen); a Python
//! exception becomes a JS `Error` whose `name` is the exception's.

#![deny(missing_docs)]
#![cfg(all(target_arch = "wasm32", target_os = "unknown"))]

mod image;
mod palette;

use demos::workload::{Params, View};
use executor_api::concurrent::futures::{as_completed, Future, ThreadPoolExecutor};
use executor_api::{PyException, PyResult};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

pub use wasm_bindgen_rayon::init_thread_pool;
use worker_bootstrap as _;

use image::{Image, Tile};

/// What the page asks to render.
#[derive(Debug, Clone, Deserialize)]
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

#[derive(Debug, Clone, Copy, Deserialize)]
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

/// Renders the image the way a transpiled Python program would:
///
/// ```python
/// with ThreadPoolExecutor(workers) as ex:
///     fs = [ex.submit(render_tile, t) for t in tiles]
///     for f in as_completed(fs):
///         emit(f.result())
/// ```
///
/// `emit` receives `{x, y, w, h, worker, rgba}` for every tile as soon as
/// it is done; the call resolves to `{checksum, elapsedMs, workers, tiles,
/// tilesPerWorker, stats}`.
#[wasm_bindgen]
pub fn render(request: JsValue, emit: &js_sys::Function) -> Result<JsValue, JsValue> {
    let req: Request = from_js(request)?;
    let out = render_with_pool(&req, emit).map_err(to_js)?;
    to_value(&out)
}

fn render_with_pool(req: &Request, emit: &js_sys::Function) -> PyResult<Rendered> {
    let (p, view, tint) = (req.params(), req.view(), req.tint);
    let started = scheduler::Instant::now();
    let ex = ThreadPoolExecutor::new(req.workers)?;
    let workers = ex.max_workers();
    // Starting Web Workers takes milliseconds each: timed on its own.
    let startup_ms = started.elapsed().as_secs_f64() * 1e3;
    let start = scheduler::Instant::now();
    let futures: Vec<Future<Tile>> = image::tiles(p, req.tile)
        .map(|(x0, y0, w, h)| ex.submit(move || Tile::render(p, view, (x0, y0, w, h), tint)))
        .collect::<PyResult<_>>()?;
    let mut image = Image::new(p);
    let mut tiles_per_worker = vec![0; workers];
    for f in as_completed(&futures, None) {
        let tile = f?.result(None)?;
        if req.live {
            let _ = emit.call1(&JsValue::NULL, &to_value(&tile).unwrap_or(JsValue::NULL));
        }
        if let Some(n) = tiles_per_worker.get_mut(tile.worker) {
            *n += 1;
        }
        image.put(&tile);
    }
    let elapsed_ms = start.elapsed().as_secs_f64() * 1e3;
    let stats = ex.stats();
    ex.shutdown(true, false);
    Ok(Rendered {
        checksum: image.checksum().to_string(),
        elapsed_ms,
        startup_ms,
        workers,
        tiles: futures.len(),
        tiles_per_worker,
        stats: stats
            .workers
            .iter()
            .map(|w| WorkerRow {
                executed: w.executed,
                stolen: w.stolen,
                steal_attempts: w.steal_attempts,
                parks: w.parks,
            })
            .collect(),
    })
}

/// The rayon baseline's outcome.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RayonRendered {
    checksum: String,
    elapsed_ms: f64,
    threads: usize,
}

/// The same image with rayon's `par_iter` over the tiles, on
/// wasm-bindgen-rayon's global pool (`initThreadPool(n)` must have run).
#[wasm_bindgen]
pub fn render_rayon(request: JsValue) -> Result<JsValue, JsValue> {
    let req: Request = from_js(request)?;
    let (p, view, tint) = (req.params(), req.view(), req.tint);
    let start = scheduler::Instant::now();
    let tiles: Vec<(usize, usize, usize, usize)> = image::tiles(p, req.tile).collect();
    let done: Vec<Tile> = tiles
        .into_par_iter()
        .map(|t| Tile::render(p, view, t, tint))
        .collect();
    let mut image = Image::new(p);
    for tile in &done {
        image.put(tile);
    }
    to_value(&RayonRendered {
        checksum: image.checksum().to_string(),
        elapsed_ms: start.elapsed().as_secs_f64() * 1e3,
        threads: rayon::current_num_threads(),
    })
}

/// Submits a task that panics with `message` to a fresh pool and returns
/// its result: the call rejects with `PanicException: message`, and the
/// pool's worker survives (a second task on it still runs).
#[wasm_bindgen]
pub fn panicking_task(message: String) -> Result<JsValue, JsValue> {
    let ex = ThreadPoolExecutor::new(Some(1)).map_err(to_js)?;
    let f: Future<u32> = ex
        .submit(move || -> u32 { panic!("{message}") })
        .map_err(to_js)?;
    let outcome = f.result(None);
    // The same worker still runs work after the panic.
    let after = ex.submit(|| 42u32).and_then(|f| f.result(None));
    ex.shutdown(true, false);
    match (outcome, after) {
        (Err(e), Ok(42)) => Err(to_js(e)),
        (Ok(v), _) => Ok(JsValue::from(v)),
        (_, Err(e)) => Err(to_js(e)),
        (_, Ok(v)) => Err(to_js(PyException::RuntimeError(format!("unexpected {v}")))),
    }
}
