//! The exports of the threads build (shared memory, `+atomics`):
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

use executor_api::concurrent::futures::{as_completed, Future, ThreadPoolExecutor};
use executor_api::{PyException, PyResult};
use rayon::prelude::*;
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::image::{self, Image, Tile};
use crate::{from_js, to_js, to_value, Rendered, Request, WorkerRow};

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

/// What `trapping_task` saw.
#[derive(Serialize)]
struct Trapped {
    /// The trapped task's exception, as Python prints it.
    error: String,
    /// A task submitted afterwards, on the replacement worker.
    after: u32,
    /// Whether `shutdown(wait=True)` returned (it waits for every worker).
    shut_down: bool,
}

/// Submits a task that traps to a one-worker pool — `kind` is
/// `"unreachable"` (wasm `unreachable`), `"stack_overflow"` (unbounded
/// recursion: the engine's stack runs out, which wasm cannot catch either)
/// or `"out_of_memory"` (one allocation of 1 GiB, the whole of the shared
/// memory's maximum: the allocator returns null, and std's allocation-error
/// handler aborts, which on wasm is a trap) —
/// so its Web Worker's instance dies without unwinding: its future raises
/// `RuntimeError`, the pool replaces the worker (a second task runs), and
/// `shutdown(wait=True)` returns.
#[wasm_bindgen]
pub fn trapping_task(kind: String) -> Result<JsValue, JsValue> {
    let run = || -> PyResult<Trapped> {
        let ex = ThreadPoolExecutor::new(Some(1))?;
        let f: Future<u32> = match kind.as_str() {
            "unreachable" => ex.submit(|| -> u32 { core::arch::wasm32::unreachable() })?,
            "stack_overflow" => ex.submit(|| -> u32 { recurse(0) })?,
            "out_of_memory" => ex.submit(|| -> u32 {
                let v: Vec<u8> = Vec::with_capacity(std::hint::black_box(1 << 30));
                std::hint::black_box(&v).capacity() as u32
            })?,
            other => {
                return Err(PyException::ValueError(format!(
                    "unknown trap kind {other:?}"
                )))
            }
        };
        let error = match f.result(None) {
            Ok(v) => return Err(PyException::RuntimeError(format!("the trap returned {v}"))),
            Err(e) => e.to_string(),
        };
        let after = ex.submit(|| 42u32)?.result(None)?;
        ex.shutdown(true, false);
        Ok(Trapped {
            error,
            after,
            shut_down: true,
        })
    };
    to_value(&run().map_err(to_js)?)
}

/// Recurses until the engine's stack runs out (`black_box` keeps it from
/// becoming a loop; each frame uses little of the thread's shadow stack, so
/// the engine's native stack is what overflows).
fn recurse(depth: u32) -> u32 {
    if std::hint::black_box(depth) == u32::MAX {
        return 0;
    }
    std::hint::black_box(recurse(depth + 1)).wrapping_add(1)
}
