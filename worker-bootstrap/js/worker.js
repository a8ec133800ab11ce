// A Web Worker that becomes one scheduler worker (or one threading.Thread),
// or, once another one trapped, the reaper that reports it.
//
// The host (host.js) creates it for request `seq` and posts the wasm module,
// the shared memory and the URL of the wasm-bindgen glue. The worker
// instantiates the module on that memory, then calls `__pyrt_run_worker(seq)`,
// which claims the request and runs it until the pool shuts down (see
// scheduler/src/spawner/web_worker.rs). Then it frees its thread's stack and
// TLS and closes itself.
//
// If the wasm traps instead (a stack overflow, out of memory, `unreachable`:
// not a panic, which unwinds and is caught inside), the instance is dead and
// nothing of it may run again: we report `pyrt:died` and close without
// freeing anything. The host then starts this script as a reaper
// (`pyrt:reap`): a fresh instance on the same memory that calls
// `__pyrt_worker_lost(seq, message)`, which fails the call the dead worker
// ran with RuntimeError and replaces the worker in its pool.

async function instantiate({ mainJS, module, memory }) {
  const pkg = await import(mainJS);
  const wasm = pkg.initSync({ module, memory });
  return { pkg, wasm };
}

self.addEventListener('message', async function onStart({ data }) {
  if (data?.type !== 'pyrt:start' && data?.type !== 'pyrt:reap') return;
  self.removeEventListener('message', onStart);
  const { seq } = data;
  let pkg, wasm;
  try {
    ({ pkg, wasm } = await instantiate(data));
  } catch (e) {
    postMessage({ type: 'pyrt:failed', seq, message: String(e?.stack ?? e) });
    close();
    return;
  }
  if (data.type === 'pyrt:reap') {
    let handled = 0;
    try {
      handled = pkg.__pyrt_worker_lost(seq, data.message);
    } finally {
      wasm.__wbindgen_thread_destroy?.();
      postMessage({ type: 'pyrt:reaped', seq, handled });
      close();
    }
    return;
  }
  postMessage({ type: 'pyrt:running', seq });
  let ran;
  try {
    // Blocks (Atomics.wait is allowed in a worker) until the pool ends.
    ran = pkg.__pyrt_run_worker(seq);
  } catch (e) {
    postMessage({ type: 'pyrt:died', seq, message: `${e?.name ?? 'Error'}: ${e?.message ?? e}` });
    close();
    return;
  }
  wasm.__wbindgen_thread_destroy?.();
  postMessage({ type: 'pyrt:exited', seq, ran });
  close();
});
