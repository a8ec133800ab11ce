// The page's face of the runtime: a plain ES module, no bundler.
//
//   import { start } from './pyrt/pyrt.js';
//   const rt = await start({
//     mainJS: new URL('./pkg/my_program.js', import.meta.url).href,              // +atomics build
//     messagesJS: new URL('./pkg-messages/my_program.js', import.meta.url).href, // build without
//   });
//   rt.mode;                                                // 'threads' or 'messages'
//   const out = await rt.call('pool_map', [1, 2, 3]);      // a Promise
//   await rt.call('render', params, { onEvent: (tile) => draw(tile) });
//   const f = rt.submit('square', 7);                       // messages mode: a Promise
//   const all = await rt.map('square', [1, 2, 3]);
//   for (const p of rt.asCompleted([f])) console.log(await p);
//
// Two modes. **threads** (the page is cross-origin isolated): the program
// runs in a dedicated worker (program.js) on shared memory; this thread
// only passes messages and runs the host (host.js) that starts the
// scheduler's Web Workers. **messages** (it is not: no SharedArrayBuffer):
// the program worker and a pool of Web Workers (pool.js) each instantiate
// the build without atomics with their own memory, and tasks are exports
// called by name, their arguments and results sent as messages. Either way
// the page never blocks. A call whose export fails rejects with a PyError
// whose name and message are the Python exception's (e.g. name
// 'PanicException', message 'boom').

import { Host } from './host.js';
import { MessagePool, asCompleted } from './pool.js';
import { PyError, transferables } from './wire.js';

export { PyError, MessagePool, asCompleted };

function waitFor(target, types) {
  return new Promise((resolve) => {
    target.addEventListener('message', function on({ data }) {
      if (!types.includes(data?.type)) return;
      target.removeEventListener('message', on);
      resolve(data);
    });
  });
}

export class Runtime {
  constructor(program, host, { mode = 'threads', messagesJS = null } = {}) {
    this.program = program;
    this.host = host; // threads mode only
    this.mode = mode;
    this.messagesJS = messagesJS;
    this.pools = new Map(); // messages mode: the program's pools, by id
    this.nextPool = 1;
    this.pagePool = null; // the pool of rt.submit/map, started on first use
    this.nextId = 1;
    this.pending = new Map(); // id -> {resolve, reject, onEvent}
    program.addEventListener('message', ({ data }) => {
      const p = this.pending.get(data?.id);
      if (!p) return;
      switch (data.type) {
        case 'pyrt:event':
          p.onEvent?.(data.value);
          break;
        case 'pyrt:result':
          this.pending.delete(data.id);
          p.resolve(data.value);
          break;
        case 'pyrt:error':
          this.pending.delete(data.id);
          p.reject(new PyError(data.error));
          break;
      }
    });
    program.addEventListener('error', (e) => {
      // The program worker itself died (e.g. a trap): fail every call.
      for (const p of this.pending.values()) {
        p.reject(new PyError({ name: 'RuntimeError', message: `program worker died: ${e.message}` }));
      }
      this.pending.clear();
    });
  }

  /**
   * Calls export `name` of the program with `args` (structured-cloneable
   * values; the Rust side reads them with serde). Options: `onEvent(value)`
   * for each value the export emits while it runs.
   */
  call(name, ...args) {
    let onEvent;
    let transfer = [];
    const last = args[args.length - 1];
    if (last && typeof last === 'object' && (typeof last.onEvent === 'function' || Array.isArray(last.transfer))) {
      ({ onEvent, transfer = [] } = args.pop());
    }
    const buffers = transfer.map((t) => (ArrayBuffer.isView(t) ? t.buffer : t));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onEvent });
      this.program.postMessage({ type: 'pyrt:call', id, name, args }, buffers);
    });
  }

  /**
   * Messages mode: a pool of `workers` Web Workers (default
   * navigator.hardwareConcurrency) running this page's build without shared
   * memory; its `submit`, `map`, `broadcast`, `shutdown` are the page's
   * executor. Resolves once every worker runs.
   */
  executor({ workers } = {}) {
    if (!this.messagesJS) {
      return Promise.reject(new PyError({ name: 'RuntimeError', message: 'start() was given no messagesJS build' }));
    }
    return new MessagePool({ mainJS: this.messagesJS, workers }).start();
  }

  /** `submit(name, *args)` on the page's pool; a Promise. Options last: `{transfer}`. */
  submit(name, ...args) {
    let options = {};
    const last = args[args.length - 1];
    if (last && typeof last === 'object' && Array.isArray(last.transfer)) options = args.pop();
    return this.defaultPool().then((p) => p.submit(name, args, options));
  }

  /** `map(name, items, {chunksize})` on the page's pool: a Promise of the results in order. */
  map(name, items, options = {}) {
    return this.defaultPool().then((p) => p.map(name, items, options));
  }

  /** `as_completed(promises)`: an async iterator of the Promises as they settle. */
  asCompleted(promises) {
    return asCompleted(promises);
  }

  defaultPool() {
    this.pagePool ??= this.executor();
    return this.pagePool;
  }

  /** Counters of the Web Workers: the host's (threads) or every pool's (messages). */
  stats() {
    if (this.host) return { ...this.host.stats };
    const total = { started: 0, replaced: 0, trapped: 0, failedStarts: 0, tasks: 0, pools: this.pools.size };
    for (const p of this.pools.values()) for (const k of Object.keys(p.stats)) total[k] += p.stats[k];
    return total;
  }

  /** Answers the program's requests for message pools (program.js `poolsOver`). */
  servePools(port) {
    const reply = (req, ok, value, transfer = []) =>
      port.postMessage({ type: 'pyrt:pool-reply', req, ok, ...(ok ? { value } : { error: value }) }, transfer);
    const fail = (req, e) => reply(req, false, { name: e.name || 'RuntimeError', message: String(e.message) });
    port.addEventListener('message', async ({ data }) => {
      if (data?.type !== 'pyrt:pool') return;
      const { req, op } = data;
      try {
        if (op === 'create') {
          const pool = await new MessagePool({ mainJS: this.messagesJS, workers: data.workers }).start();
          const id = this.nextPool++;
          this.pools.set(id, pool);
          reply(req, true, { pool: id, size: pool.size });
        } else if (op === 'submit') {
          const pool = this.pools.get(data.pool);
          if (!pool) throw new PyError({ name: 'RuntimeError', message: 'cannot schedule new futures after shutdown' });
          const value = await pool.submit(data.name, data.args, { transfer: [...transferables(data.args)] });
          reply(req, true, value, [...transferables(value)]);
        } else if (op === 'shutdown') {
          const pool = this.pools.get(data.pool);
          this.pools.delete(data.pool);
          this.lastPoolStats = pool ? { ...pool.stats, perWorker: pool.perWorker() } : null;
          await pool?.shutdown({ cancel: data.cancel });
          reply(req, true, null);
        }
      } catch (e) {
        fail(req, e);
      }
    });
    port.start();
  }

  /** Terminates the program and every worker. */
  terminate() {
    this.host?.terminate();
    for (const p of this.pools.values()) p.terminate();
    this.pagePool?.then((p) => p.terminate(), () => {});
    this.program.terminate();
  }
}

/**
 * Starts the program worker and resolves once it runs. `mainJS` is the
 * wasm-bindgen glue of the module built with shared memory (it links
 * worker-bootstrap), `messagesJS` the same program built without atomics.
 * `mode`: 'auto' (default: 'threads' on a cross-origin isolated page,
 * else 'messages' if `messagesJS` is given), 'threads' or 'messages'.
 */
export async function start({ mainJS, messagesJS = null, mode = 'auto' }) {
  if (mode === 'auto') mode = globalThis.crossOriginIsolated || !messagesJS ? 'threads' : 'messages';
  if (mode === 'threads' && !globalThis.crossOriginIsolated) {
    throw new PyError({
      name: 'RuntimeError',
      message: 'threads need a cross-origin isolated page (serve it with COOP: same-origin and COEP: require-corp)',
    });
  }
  if (mode === 'messages' && !messagesJS) {
    throw new PyError({ name: 'RuntimeError', message: "the messages mode needs start({messagesJS}): the build without atomics" });
  }
  const program = new Worker(new URL('./program.js', import.meta.url), {
    type: 'module',
    name: 'pyrt-program',
  });
  const failed = new Promise((_, reject) =>
    program.addEventListener('error', (e) =>
      reject(new PyError({ name: 'RuntimeError', message: `program worker failed: ${e.message}` })),
    ),
  );
  let port = null;
  let transfer = [];
  if (mode === 'messages') {
    const channel = new MessageChannel();
    port = channel.port1;
    transfer = [channel.port2];
    program.postMessage({ type: 'pyrt:init', mainJS: messagesJS, mode, port: channel.port2 }, transfer);
  } else {
    program.postMessage({ type: 'pyrt:init', mainJS, mode });
  }
  const ready = await Promise.race([waitFor(program, ['pyrt:ready', 'pyrt:init-failed']), failed]);
  if (ready.type === 'pyrt:init-failed') throw new PyError(ready.error);
  if (mode === 'messages') {
    const rt = new Runtime(program, null, { mode, messagesJS });
    rt.servePools(port);
    return rt;
  }
  const host = new Host({ mainJS, module: ready.module, memory: ready.memory, board: ready.board }).start();
  return new Runtime(program, host, { mode, messagesJS });
}
