// The program worker: where the transpiled program runs.
//
// The page's main thread may never block, but Python code does (result(),
// Queue.get(), Lock.acquire() ...). So the program's wasm instance lives in
// this dedicated worker, where blocking is allowed, and the page talks to it
// with messages (pyrt.js turns them into Promises):
//
//   page -> {type: 'pyrt:init', mainJS, mode, port}      instantiate the module
//   this -> {type: 'pyrt:ready', module, memory, board}  for the host (threads mode)
//   page -> {type: 'pyrt:call', id, name, args}    call export `name`
//   this -> {type: 'pyrt:event', id, value}        emit(value) during the call
//   this -> {type: 'pyrt:result', id, value} or {type: 'pyrt:error', id, error}
//
// An export is called as name(...args, emit); emit(value) posts an event to
// the page at once, even while the call is still running. An error thrown by
// the export (a Rust Err, a JS exception) becomes {name, message}: the page
// rejects the call's Promise with it.
//
// In the messages mode (no shared memory) the module has its own memory and
// cannot block; `port` reaches the page's message pools (pool.js), exposed
// to the Rust side (worker-bootstrap's `messages` module) as
// `globalThis.__pyrt_pools`:
//
//   this -> page {type: 'pyrt:pool', req, op: 'create', workers}
//   this -> page {type: 'pyrt:pool', req, op: 'submit', pool, name, args}  (args' buffers moved)
//   this -> page {type: 'pyrt:pool', req, op: 'shutdown', pool, cancel}
//   page -> this {type: 'pyrt:pool-reply', req, ok, value | error}

import { errorOf } from './wire.js';

let pkg = null;

/** The Rust side's handle on the page's message pools, over `port`. */
function poolsOver(port) {
  let nextReq = 1;
  const waiting = new Map();
  port.addEventListener('message', ({ data }) => {
    const w = waiting.get(data?.req);
    if (!w) return;
    waiting.delete(data.req);
    if (data.ok) w.resolve(data.value);
    else w.reject(Object.assign(new Error(data.error.message), { name: data.error.name }));
  });
  port.start();
  const ask = (message, transfer = []) =>
    new Promise((resolve, reject) => {
      const req = nextReq++;
      waiting.set(req, { resolve, reject });
      port.postMessage({ type: 'pyrt:pool', req, ...message }, transfer);
    });
  return {
    async create(workers) {
      const { pool, size } = await ask({ op: 'create', workers });
      return {
        size,
        submit: (name, args, { transfer = [] } = {}) => ask({ op: 'submit', pool, name, args }, transfer),
        shutdown: ({ cancel = false } = {}) => ask({ op: 'shutdown', pool, cancel }),
      };
    },
  };
}

self.addEventListener('message', async ({ data }) => {
  switch (data?.type) {
    case 'pyrt:init':
      try {
        if (data.port) globalThis.__pyrt_pools = poolsOver(data.port);
        pkg = await import(data.mainJS);
        await pkg.default();
        if (data.mode === 'messages') {
          postMessage({ type: 'pyrt:ready' });
        } else {
          postMessage({
            type: 'pyrt:ready',
            module: pkg.__pyrt_module(),
            memory: pkg.__pyrt_memory(),
            board: pkg.__pyrt_board(),
          });
        }
      } catch (e) {
        postMessage({ type: 'pyrt:init-failed', error: errorOf(e) });
      }
      break;
    case 'pyrt:call': {
      const { id, name, args } = data;
      const emit = (value) => postMessage({ type: 'pyrt:event', id, value });
      try {
        const f = pkg?.[name];
        if (typeof f !== 'function') throw new TypeError(`the module has no export named ${name}`);
        const value = await f(...args, emit);
        postMessage({ type: 'pyrt:result', id, value });
      } catch (e) {
        postMessage({ type: 'pyrt:error', id, error: errorOf(e) });
      }
      break;
    }
  }
});
