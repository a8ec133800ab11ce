//! The exports of the messages build (no atomics, no shared memory: a page
//! that is not cross-origin isolated).
//!
//! The same module runs on the program worker and on every worker of the
//! message pool, each instance with its own memory. On the program worker:
//!
//! * `render` — the program of the threads build, on the message pool:
//!
//!   ```python
//!   with ThreadPoolExecutor(workers) as ex:          # MessagePoolExecutor
//!       fs = [ex.submit(render_tile, req, t) for t in tiles]
//!       for f in as_completed(fs):
//!           emit(f.result())
//!   ```
//!
//!   with `render_tile` called by name on whichever pool worker is free.
//! * `panicking_task` — submits `panic_in_task`: rejects with
//!   `PanicException`, and the pool's worker still runs the next task.
//!
//! On the pool workers (by name): `render_tile`, `panic_in_task`,
//! `trap_in_task` (a trap, not a panic: the worker dies, its task fails with
//! `RuntimeError` and the pool replaces it) and `byte_sum` (in `lib.rs`: a
//! buffer the page moved to the worker, the transfer case of the browser
//! tier).

use std::panic::AssertUnwindSafe;

use executor_api::{PyException, PyResult};
use pyrt_remote::{Registry, RemoteFn};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use worker_bootstrap::messages::{as_completed, task, MessagePoolExecutor, RemoteFuture};

use crate::image::{self, Image, Tile};
use crate::{from_js, to_js, to_value, Rendered, Request, WorkerRow};

/// A tile as it crosses from a pool worker: its counts and colours as byte
/// buffers (`Uint8Array`s, moved, not copied).
#[derive(Serialize, Deserialize)]
struct WireTile {
    x: usize,
    y: usize,
    w: usize,
    h: usize,
    worker: usize,
    #[serde(with = "serde_bytes")]
    iters: Vec<u8>,
    #[serde(with = "serde_bytes")]
    rgba: Vec<u8>,
}

impl WireTile {
    fn from_tile(t: Tile) -> WireTile {
        WireTile {
            x: t.x,
            y: t.y,
            w: t.w,
            h: t.h,
            worker: t.worker,
            iters: t.iters.iter().flat_map(|n| n.to_le_bytes()).collect(),
            rgba: t.rgba,
        }
    }

    fn into_tile(self) -> Tile {
        let iters = self
            .iters
            .as_chunks::<4>()
            .0
            .iter()
            .map(|b| u32::from_le_bytes(*b))
            .collect();
        Tile {
            x: self.x,
            y: self.y,
            w: self.w,
            h: self.h,
            worker: self.worker,
            iters,
            rgba: self.rgba,
        }
    }
}

/// The functions tasks may name, the same table on every instance.
fn registry() -> Registry {
    let mut r = Registry::new();
    let _: RemoteFn<(Request, Rect), WireTile> =
        r.register("render_tile", |(req, rect): (Request, Rect)| {
            WireTile::from_tile(Tile::render(req.params(), req.view(), rect, req.tint))
        });
    let _: RemoteFn<String, u32> = r.register("panic_in_task", |message: String| -> u32 {
        panic!("{message}")
    });
    let _: RemoteFn<JsBytes, u64> = r.register("byte_total", |b: JsBytes| -> u64 {
        b.0.iter().map(|&x| u64::from(x)).sum()
    });
    r
}

/// Runs on every instantiation (program worker and pool workers alike).
#[wasm_bindgen(start)]
fn start() {
    worker_bootstrap::messages::install(registry());
}

/// A tile's `(x, y, w, h)`.
type Rect = (usize, usize, usize, usize);

/// On a pool worker, called by name from the page: one tile of `request`'s
/// image (the program's own render goes through the registry instead).
#[wasm_bindgen]
pub fn render_tile(request: JsValue, rect: JsValue) -> Result<JsValue, JsValue> {
    let req: Request = from_js(request)?;
    let rect: (usize, usize, usize, usize) = from_js(rect)?;
    let tile = task(|| Ok(Tile::render(req.params(), req.view(), rect, req.tint)))?;
    to_value(&WireTile::from_tile(tile))
}

/// On a pool worker, called by name from the page: a task that panics
/// with `message` (`PanicException` on the page's Promise).
#[wasm_bindgen]
pub fn panic_in_task(message: String) -> Result<u32, JsValue> {
    task(|| -> PyResult<u32> { panic!("{message}") })
}

/// On a pool worker: a task that traps (wasm `unreachable`): no unwinding,
/// the instance is dead.
#[wasm_bindgen]
pub fn trap_in_task() -> u32 {
    core::arch::wasm32::unreachable()
}

/// On the program worker: renders the image on a message pool of
/// `request.workers` Web Workers, emitting each tile as it arrives (see the
/// module docs); resolves to the same `Rendered` as the threads build.
#[wasm_bindgen]
pub async fn render(request: JsValue, emit: js_sys::Function) -> Result<JsValue, JsValue> {
    let req: Request = from_js(request)?;
    // The pool's futures hold `RefCell`s; a panic here rejects the call
    // (wasm-bindgen catches it) and nothing is used after it.
    let out = AssertUnwindSafe(render_on_pool(&req, &emit))
        .await
        .map_err(to_js)?;
    to_value(&out)
}

async fn render_on_pool(req: &Request, emit: &js_sys::Function) -> PyResult<Rendered> {
    let p = req.params();
    let started = scheduler::Instant::now();
    let ex = MessagePoolExecutor::new(req.workers).await?;
    let workers = ex.max_workers();
    let startup_ms = started.elapsed().as_secs_f64() * 1e3;
    let start = scheduler::Instant::now();
    let render_tile: RemoteFn<(Request, Rect), WireTile> = RemoteFn::new("render_tile");
    let futures: Vec<RemoteFuture<WireTile>> = image::tiles(p, req.tile)
        .map(|rect| ex.submit(&render_tile, &(req.clone(), rect)))
        .collect::<PyResult<_>>()?;
    let tiles = futures.len();
    let mut image = Image::new(p);
    let mut tiles_per_worker = vec![0; workers];
    let mut done = as_completed(futures);
    while let Some(f) = done.next().await {
        let tile = f.result()?.into_tile();
        if req.live {
            let _ = emit.call1(&JsValue::NULL, &to_value(&tile).unwrap_or(JsValue::NULL));
        }
        if let Some(n) = tiles_per_worker.get_mut(tile.worker) {
            *n += 1;
        }
        image.put(&tile);
    }
    let elapsed_ms = start.elapsed().as_secs_f64() * 1e3;
    ex.shutdown(false).await;
    Ok(Rendered {
        checksum: image.checksum().to_string(),
        elapsed_ms,
        startup_ms,
        workers,
        tiles,
        stats: tiles_per_worker
            .iter()
            .map(|&n| WorkerRow {
                executed: n as u64,
                stolen: 0,
                steal_attempts: 0,
                parks: 0,
            })
            .collect(),
        tiles_per_worker,
    })
}

/// On the program worker: submits `panic_in_task(message)` to a one-worker
/// pool; rejects with its `PanicException`, once the same worker has run
/// the next task (it survived the panic).
#[wasm_bindgen]
pub async fn panicking_task(message: String) -> Result<JsValue, JsValue> {
    let run = async {
        let panic_in_task: RemoteFn<String, u32> = RemoteFn::new("panic_in_task");
        let byte_total: RemoteFn<JsBytes, u64> = RemoteFn::new("byte_total");
        let ex = MessagePoolExecutor::new(Some(1)).await?;
        let outcome = ex.submit(&panic_in_task, &message)?.await;
        let after = ex.submit(&byte_total, &JsBytes(vec![1, 2, 3]))?.await;
        ex.shutdown(false).await;
        match (outcome, after) {
            (Err(e), Ok(6)) => Err(e),
            (Ok(v), _) => Err(PyException::RuntimeError(format!("unexpected {v}"))),
            (_, Err(e)) => Err(e),
            (_, Ok(v)) => Err(PyException::RuntimeError(format!("unexpected total {v}"))),
        }
    };
    AssertUnwindSafe(run).await.map_err(to_js)
}

/// Bytes as one buffer on the wire.
#[derive(Serialize, Deserialize)]
struct JsBytes(#[serde(with = "serde_bytes")] Vec<u8>);

thread_local! {
    /// State a broadcast sets on every pool worker (see `set_scale`).
    static SCALE: std::cell::Cell<u32> = const { std::cell::Cell::new(1) };
}

/// On every pool worker, through `pool.broadcast('set_scale', [k])`: the
/// factor `scaled` multiplies by (the broadcast case of the browser tier).
#[wasm_bindgen]
pub fn set_scale(k: u32) {
    SCALE.with(|s| s.set(k));
}

/// On a pool worker: `x` times the factor the last broadcast set.
#[wasm_bindgen]
pub fn scaled(x: u32) -> u32 {
    x * SCALE.with(|s| s.get())
}
