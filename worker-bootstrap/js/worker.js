// A Web Worker that becomes one scheduler worker (or one threading.Thread),
// or, once another one trapped, the reaper that reports it.
//
// The host (host.js) creates it for request `seq` and posts the wasm module,
// the shared memory, the URL of the wasm-bindgen glue and the stack size the
// request asked for (bytes, whole 64 KiB pages; 0 for wasm-bindgen's
// default). The worker instantiates the module on that memory with that
// stack, then calls `__pyrt_run_worker(seq)`,
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

async function instantiate({ mainJS, module, memory, stackSize }) {
  const pkg = await import(mainJS);
  const wasm = pkg.initSync({ module, memory, thread_stack_size: stackSize || undefined });
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
    // The raw export, not wasm-bindgen's wrapper `pkg.__pyrt_run_worker`:
    // on an exception that is not a Rust panic (a trap) the wrapper marks
    // the module terminated (`__instance_terminated`, a flag in the linear
    // memory), and that memory is every thread's: each later call into the
    // module, on any Web Worker (the reaper's start, the program, the other
    // workers), would then trap too and the trapped call's waiters hang.
    // A trap here ends this Web Worker's instance only.
    ran = wasm.__pyrt_run_worker(seq) !== 0;
  } catch (e) {
    postMessage({ type: 'pyrt:died', seq, message: `${e?.name ?? 'Error'}: ${e?.message ?? e}` });
    close();
    return;
  }
  wasm.__wbindgen_thread_destroy?.();
  postMessage({ type: 'pyrt:exited', seq, ran });
  close();
});
