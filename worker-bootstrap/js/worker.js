// A Web Worker that becomes one scheduler worker (or one threading.Thread).
//
// The host (host.js) creates it for request `seq` and posts the wasm module,
// the shared memory and the URL of the wasm-bindgen glue. The worker
// instantiates the module on that memory, then calls `__pyrt_run_worker(seq)`,
// which claims the request and runs it until the pool shuts down (see
// scheduler/src/spawner/web_worker.rs). Then it frees its thread's stack and
// TLS and closes itself.

self.addEventListener('message', async function onStart({ data }) {
  if (data?.type !== 'pyrt:start') return;
  self.removeEventListener('message', onStart);
  const { mainJS, module, memory, seq } = data;
  let pkg, wasm;
  try {
    pkg = await import(mainJS);
    wasm = pkg.initSync({ module, memory });
  } catch (e) {
    postMessage({ type: 'pyrt:failed', seq, message: String(e?.stack ?? e) });
    close();
    return;
  }
  postMessage({ type: 'pyrt:running', seq });
  // Blocks (Atomics.wait is allowed in a worker) until the pool ends.
  const ran = pkg.__pyrt_run_worker(seq);
  wasm.__wbindgen_thread_destroy?.();
  postMessage({ type: 'pyrt:exited', seq, ran });
  close();
});
