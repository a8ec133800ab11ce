//! The program's face of the message pool: the browser mode without shared
//! memory (a page that is not cross-origin isolated).
//!
//! In that mode the module is built without atomics and every Web Worker —
//! the program worker and each pool worker — instantiates it with its own
//! memory. Nothing is shared, so a task cannot be a closure: it is a
//! function registered *by name* in a [`pyrt_remote::Registry`] (the one the
//! MPI executor uses too) and its argument, encoded with postcard; the
//! envelope travels as a message, its buffer moved, not copied
//! (`js/pool.js` keeps the queue on the page and gives the next task to
//! whichever worker is free; `js/pool-worker.js` hands it to [`serve`]).
//! Every instance builds the same registry: call [`install`] from the
//! module's `#[wasm_bindgen(start)]` function.
//!
//! The program worker cannot block without shared memory (`Atomics.wait`
//! needs a `SharedArrayBuffer`), so a [`RemoteFuture`] is awaited, not
//! waited for: [`RemoteFuture::result`] gives the outcome once the future is
//! done, and raises `RuntimeError` instead of blocking (never a hang) while
//! it is not. Exports that use this face are `async fn`s (wasm-bindgen turns
//! them into Promises):
//!
//! ```ignore
//! #[wasm_bindgen(start)]
//! fn start() {
//!     let mut registry = Registry::new();
//!     registry.register("square", |x: f64| x * x);
//!     worker_bootstrap::messages::install(registry);
//! }
//!
//! #[wasm_bindgen]
//! pub async fn total(n: u32) -> Result<f64, JsValue> {
//!     let square: RemoteFn<f64, f64> = RemoteFn::new("square");
//!     let ex = MessagePoolExecutor::new(None).await?;      // ThreadPoolExecutor()
//!     let fs = ex.map(&square, (0..n).map(f64::from))?;    // ex.map(square, range(n))
//!     let mut sum = 0.0;
//!     let mut done = as_completed(fs);
//!     while let Some(f) = done.next().await {              // for f in as_completed(fs):
//!         sum += f.result()?;                               //     sum += f.result()
//!     }
//!     ex.shutdown(false).await;
//!     Ok(sum)
//! }
//! ```
//!
//! What needs shared memory is refused with a Python error, never a hang:
//! a task is only ever a registered name (closures do not cross; an
//! argument that cannot be serialised is `TypeError` at submit, an unknown
//! name `KeyError`), `result()` on a pending future is `RuntimeError`, and
//! the module's own `ThreadPoolExecutor`, `Lock`, `Queue` … have no threads
//! here (the scheduler's "none" spawner: a pool has no workers and runs its
//! calls inline on the thread that waits, as on WASI without threads).

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use executor_api::{PyClass, PyException, PyResult};
use pyrt_remote::{Registry, RemoteFn, Reply};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

thread_local! {
    static WORKER_INDEX: Cell<Option<usize>> = const { Cell::new(None) };
    static REGISTRY: RefCell<Option<Rc<Registry>>> = const { RefCell::new(None) };
    static NEXT_ID: Cell<u64> = const { Cell::new(1) };
}

/// Makes `registry` this instance's table of functions by name: the one
/// [`serve`] runs calls from and [`MessagePoolExecutor::submit`] checks
/// handles against. Every instance (program worker and pool workers) must
/// install the same table, from the module's `#[wasm_bindgen(start)]`.
///
/// ```
/// # #[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
/// worker_bootstrap::messages::install(pyrt_remote::Registry::new());
/// ```
pub fn install(registry: Registry) {
    REGISTRY.with(|r| *r.borrow_mut() = Some(Rc::new(registry)));
}

fn registry() -> Option<Rc<Registry>> {
    REGISTRY.with(|r| r.borrow().clone())
}

/// Runs one call envelope on this pool worker and answers with the reply
/// envelope (`js/pool-worker.js` calls it for each task). A panic is
/// `PanicException` in the reply, an unknown name `KeyError`; no registry
/// installed is `RuntimeError`.
#[wasm_bindgen(js_name = __pyrt_serve)]
pub fn serve(call: &[u8]) -> Vec<u8> {
    match registry() {
        Some(r) => r.serve_bytes(call),
        None => {
            let e = PyException::RuntimeError(
                "this module installed no registry (worker_bootstrap::messages::install)".into(),
            );
            Reply {
                id: 0,
                outcome: Err(pyrt_remote::WireError::from_exception(&e)),
            }
            .to_bytes()
            .unwrap_or_default()
        }
    }
}

/// Called by `js/pool-worker.js` once the module runs on pool worker `index`.
#[wasm_bindgen(js_name = __pyrt_pool_worker)]
pub fn set_worker_index(index: usize) {
    WORKER_INDEX.with(|w| w.set(Some(index)));
}

/// The index of the message-pool worker this instance runs on, `None` on
/// the program worker.
///
/// ```
/// # #[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
/// assert_eq!(worker_bootstrap::messages::worker_index(), None);
/// ```
pub fn worker_index() -> Option<usize> {
    WORKER_INDEX.with(Cell::get)
}

/// A Python exception as the JS `Error` a rejected Promise carries (`name`
/// is the class, `message` the message).
pub fn to_js_error(e: &PyException) -> JsValue {
    let err = js_sys::Error::new(&e.message());
    err.set_name(e.name());
    err.into()
}

/// Runs the body of an export on a pool worker: a returned `Err` and a
/// panic (it unwinds: `-C panic=unwind`) both become a JS `Error` of the
/// Python class (`PanicException` for a panic), which the pool re-raises on
/// the task's Promise; the worker lives on.
pub fn task<T>(body: impl FnOnce() -> PyResult<T>) -> Result<T, JsValue> {
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(body));
    match caught {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(to_js_error(&e)),
        Err(payload) => Err(to_js_error(&PyException::PanicException(
            scheduler::ext::payload_message(&*payload),
        ))),
    }
}

/// The exception a rejected task carries (`{name, message}` from the pool).
fn from_js_error(v: &JsValue) -> PyException {
    let get = |k: &str| {
        js_sys::Reflect::get(v, &JsValue::from_str(k))
            .ok()
            .and_then(|s| s.as_string())
    };
    let name = get("name").unwrap_or_else(|| "RuntimeError".into());
    let message = get("message").unwrap_or_else(|| format!("{v:?}"));
    match PyClass::BUILTINS.iter().find(|c| c.name() == name) {
        Some(class) => PyException::with_class(class.clone(), message),
        // A JS error (`TypeError` of JS is a builtin name too) or a user class.
        None => PyException::new(name, message),
    }
}

/// The pools' factory `program.js` exposes: `globalThis.__pyrt_pools`.
fn pools() -> PyResult<JsValue> {
    let pools = js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("__pyrt_pools"))
        .unwrap_or(JsValue::UNDEFINED);
    if pools.is_undefined() {
        return Err(PyException::RuntimeError(
            "no message pool here: this is not the program worker of a page started by \
             worker-bootstrap's pyrt.js in its messages mode"
                .into(),
        ));
    }
    Ok(pools)
}

/// `obj.name(args…)` for a method of a JS object, its `Err` as a Python one.
fn call_method(obj: &JsValue, name: &str, args: &js_sys::Array) -> PyResult<JsValue> {
    let f: js_sys::Function = js_sys::Reflect::get(obj, &JsValue::from_str(name))
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or_else(|| PyException::RuntimeError(format!("the message pool has no {name}()")))?;
    f.apply(obj, args).map_err(|e| from_js_error(&e))
}

/// Awaits a JS Promise, its rejection as a Python exception.
async fn settle(promise: JsValue) -> PyResult<JsValue> {
    wasm_bindgen_futures::JsFuture::from(js_sys::Promise::resolve(&promise))
        .await
        .map_err(|e| from_js_error(&e))
}

/// `concurrent.futures.Executor` over a message pool: `max_workers` Web
/// Workers on the page, each with its own instance of the module; tasks are
/// exported functions called by name.
///
/// ```ignore
/// let add: RemoteFn<(u32, u32), u32> = RemoteFn::new("add");
/// let ex = MessagePoolExecutor::new(Some(2)).await?;   // ThreadPoolExecutor(2)
/// let f = ex.submit(&add, &(1, 2))?;                    // ex.submit(add, 1, 2)
/// assert_eq!(f.await?, 3);
/// ex.shutdown(false).await;
/// ```
#[derive(Debug, Clone)]
pub struct MessagePoolExecutor {
    pool: JsValue,
}

impl MessagePoolExecutor {
    /// Starts a pool of `max_workers` Web Workers (`None`:
    /// `navigator.hardwareConcurrency`); resolves once every one runs.
    /// `RuntimeError: can't start new thread` if one cannot start,
    /// `RuntimeError` if this is not the program worker of a messages-mode
    /// page, `ValueError` for `max_workers <= 0` (CPython's message).
    pub async fn new(max_workers: Option<i64>) -> PyResult<Self> {
        if let Some(n) = max_workers.filter(|&n| n <= 0) {
            let _ = n;
            return Err(PyException::ValueError(
                "max_workers must be greater than 0".into(),
            ));
        }
        let n = max_workers.map_or(JsValue::UNDEFINED, |n| JsValue::from_f64(n as f64));
        let pool = settle(call_method(&pools()?, "create", &js_sys::Array::of1(&n))?).await?;
        Ok(MessagePoolExecutor { pool })
    }

    /// `shutdown(wait=True, cancel_futures)`: no more tasks; with
    /// `cancel_futures` the queued ones fail with `CancelledError`; resolves
    /// once the rest finished and the Web Workers are gone.
    pub async fn shutdown(&self, cancel_futures: bool) {
        let options = js_sys::Object::new();
        let _ = js_sys::Reflect::set(
            &options,
            &JsValue::from_str("cancel"),
            &JsValue::from_bool(cancel_futures),
        );
        if let Ok(p) = call_method(&self.pool, "shutdown", &js_sys::Array::of1(&options)) {
            let _ = settle(p).await;
        }
    }

    /// How many Web Workers the pool has (`max_workers`).
    pub fn max_workers(&self) -> usize {
        js_sys::Reflect::get(&self.pool, &JsValue::from_str("size"))
            .ok()
            .and_then(|n| n.as_f64())
            .map_or(0, |n| n as usize)
    }

    /// `submit(fn, arg)`: runs the registered function `f` on `arg` on a
    /// free worker. The argument is encoded here (one that cannot be is
    /// `TypeError`, a handle the installed registry does not know
    /// `KeyError`), and the envelope's buffer is moved to the worker.
    pub fn submit<A, R>(&self, f: &RemoteFn<A, R>, arg: &A) -> PyResult<RemoteFuture<R>>
    where
        A: Serialize + DeserializeOwned + 'static,
        R: Serialize + DeserializeOwned + 'static,
    {
        if let Some(r) = registry() {
            r.check(f)?;
        }
        let call = f.call(next_id(), arg)?;
        let f = f.clone();
        self.send(call, move |reply| f.result(reply))
    }

    /// `map(fn, iterable)`: one [`submit`](Self::submit) per item, the
    /// futures in the items' order.
    pub fn map<A, R>(
        &self,
        f: &RemoteFn<A, R>,
        items: impl IntoIterator<Item = A>,
    ) -> PyResult<Vec<RemoteFuture<R>>>
    where
        A: Serialize + DeserializeOwned + 'static,
        R: Serialize + DeserializeOwned + 'static,
    {
        items.into_iter().map(|a| self.submit(f, &a)).collect()
    }

    /// `map(fn, iterable, chunksize)`: the items in chunks of `chunksize`,
    /// one message (and one future of the chunk's results) per chunk.
    pub fn map_chunks<A, R>(
        &self,
        f: &RemoteFn<A, R>,
        items: &[A],
        chunksize: usize,
    ) -> PyResult<Vec<RemoteFuture<Vec<R>>>>
    where
        A: Serialize + DeserializeOwned + 'static,
        R: Serialize + DeserializeOwned + 'static,
    {
        if chunksize < 1 {
            return Err(PyException::ValueError("chunksize must be >= 1.".into()));
        }
        if let Some(r) = registry() {
            r.check(f)?;
        }
        items
            .chunks(chunksize)
            .map(|chunk| {
                let call = f.chunk_call(next_id(), chunk)?;
                let f = f.clone();
                self.send(call, move |reply| f.chunk_result(reply))
            })
            .collect()
    }

    fn send<T: 'static>(
        &self,
        call: pyrt_remote::Call,
        read: impl Fn(Reply) -> PyResult<T> + 'static,
    ) -> PyResult<RemoteFuture<T>> {
        let bytes = js_sys::Uint8Array::from(&call.to_bytes()?[..]);
        let options = js_sys::Object::new();
        let transfer = js_sys::Array::of1(&bytes.buffer());
        let _ = js_sys::Reflect::set(&options, &JsValue::from_str("transfer"), &transfer);
        let args = js_sys::Array::of1(&bytes);
        let submit = js_sys::Array::of3(&JsValue::from_str("__pyrt_serve"), &args, &options);
        let promise = call_method(&self.pool, "submit", &submit)?;
        let decode = move |v: JsValue| -> PyResult<T> {
            let bytes = v
                .dyn_into::<js_sys::Uint8Array>()
                .map_err(|_| PyException::TypeError("a reply that is not bytes".into()))?
                .to_vec();
            read(Reply::from_bytes(&bytes)?)
        };
        Ok(RemoteFuture::new(
            js_sys::Promise::resolve(&promise),
            Rc::new(decode),
        ))
    }
}

fn next_id() -> u64 {
    NEXT_ID.with(|n| {
        let id = n.get();
        n.set(id + 1);
        id
    })
}

/// Where a task's outcome lands, and who waits for it.
struct Shared {
    outcome: RefCell<Option<Result<JsValue, JsValue>>>,
    wakers: RefCell<Vec<Waker>>,
}

/// The future of one task on the message pool (`concurrent.futures.Future`
/// without blocking: `.await` it, or ask [`done`](Self::done) first).
pub struct RemoteFuture<T> {
    shared: Rc<Shared>,
    decode: Rc<dyn Fn(JsValue) -> PyResult<T>>,
}

impl<T> std::fmt::Debug for RemoteFuture<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = if self.done() { "finished" } else { "pending" };
        write!(f, "<RemoteFuture state={state}>")
    }
}

impl<T> RemoteFuture<T> {
    fn new(promise: js_sys::Promise, decode: Rc<dyn Fn(JsValue) -> PyResult<T>>) -> Self {
        let shared = Rc::new(Shared {
            outcome: RefCell::new(None),
            wakers: RefCell::new(Vec::new()),
        });
        let s = shared.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let outcome = wasm_bindgen_futures::JsFuture::from(promise).await;
            *s.outcome.borrow_mut() = Some(outcome);
            for w in s.wakers.borrow_mut().drain(..) {
                w.wake();
            }
        });
        RemoteFuture { shared, decode }
    }

    /// `done()`: whether the task has finished (or failed).
    pub fn done(&self) -> bool {
        self.shared.outcome.borrow().is_some()
    }
}

impl<T> RemoteFuture<T> {
    /// `result()` of a finished future: its value, or the exception it
    /// raised. On a pending future it raises `RuntimeError` instead of
    /// blocking: the program worker has no shared memory to block on.
    pub fn result(&self) -> PyResult<T> {
        match &*self.shared.outcome.borrow() {
            Some(Ok(v)) => (self.decode)(v.clone()),
            Some(Err(e)) => Err(from_js_error(e)),
            None => Err(PyException::RuntimeError(
                "result() would block: without shared memory (a page that is not cross-origin \
                 isolated) the program worker cannot wait; await the future instead"
                    .into(),
            )),
        }
    }
}

impl<T> Future for RemoteFuture<T> {
    type Output = PyResult<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<PyResult<T>> {
        if self.done() {
            return Poll::Ready(self.result());
        }
        self.shared.wakers.borrow_mut().push(cx.waker().clone());
        Poll::Pending
    }
}

/// `as_completed(fs)`: the futures in the order they finish.
pub fn as_completed<T>(futures: Vec<RemoteFuture<T>>) -> AsCompleted<T> {
    AsCompleted { pending: futures }
}

/// The stream [`as_completed`] returns; call [`next`](Self::next).
pub struct AsCompleted<T> {
    pending: Vec<RemoteFuture<T>>,
}

impl<T> std::fmt::Debug for AsCompleted<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "<as_completed pending={}>", self.pending.len())
    }
}

impl<T> AsCompleted<T> {
    /// The next future to finish, `None` once every one was yielded.
    pub async fn next(&mut self) -> Option<RemoteFuture<T>> {
        if self.pending.is_empty() {
            return None;
        }
        std::future::poll_fn(|cx| {
            if let Some(i) = self.pending.iter().position(RemoteFuture::done) {
                return Poll::Ready(Some(self.pending.swap_remove(i)));
            }
            for f in &self.pending {
                f.shared.wakers.borrow_mut().push(cx.waker().clone());
            }
            Poll::Pending
        })
        .await
    }
}

/// `wait(fs, return_when)`'s condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReturnWhen {
    /// `FIRST_COMPLETED`.
    FirstCompleted,
    /// `FIRST_EXCEPTION`.
    FirstException,
    /// `ALL_COMPLETED`.
    AllCompleted,
}

/// `wait(fs, return_when=...)`: resolves once the condition holds, to
/// `(done, not_done)` as indices into `futures`.
pub async fn wait<T>(
    futures: &[RemoteFuture<T>],
    return_when: ReturnWhen,
) -> (Vec<usize>, Vec<usize>) {
    std::future::poll_fn(|cx| {
        let done: Vec<usize> = (0..futures.len()).filter(|&i| futures[i].done()).collect();
        let raised = done
            .iter()
            .any(|&i| matches!(&*futures[i].shared.outcome.borrow(), Some(Err(_))));
        let ready = match return_when {
            ReturnWhen::FirstCompleted => !done.is_empty() || futures.is_empty(),
            ReturnWhen::FirstException => raised || done.len() == futures.len(),
            ReturnWhen::AllCompleted => done.len() == futures.len(),
        };
        if ready {
            let not_done = (0..futures.len()).filter(|i| !done.contains(i)).collect();
            return Poll::Ready((done, not_done));
        }
        for f in futures {
            f.shared.wakers.borrow_mut().push(cx.waker().clone());
        }
        Poll::Pending
    })
    .await
}
