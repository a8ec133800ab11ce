// The page's face of the runtime: a plain ES module, no bundler.
//
//   import { start } from './pyrt/pyrt.js';
//   const rt = await start({ mainJS: new URL('./pkg/my_program.js', import.meta.url).href });
//   const out = await rt.call('pool_map', [1, 2, 3]);      // a Promise
//   await rt.call('render', params, { onEvent: (tile) => draw(tile) });
//
// The program runs in a dedicated worker (program.js); this thread only
// passes messages and runs the host (host.js) that starts the scheduler's
// Web Workers, so the page never blocks. A call whose export fails rejects
// with a PyError whose name and message are the Python exception's
// (e.g. name 'PanicException', message 'boom').

import { Host } from './host.js';

/** A Python exception (or JS error) raised by a call, as a JS Error. */
export class PyError extends Error {
  constructor({ name, message, stack }) {
    super(message);
    this.name = name;
    if (stack) this.workerStack = stack;
  }
}

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
  constructor(program, host) {
    this.program = program;
    this.host = host;
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
    const last = args[args.length - 1];
    if (last && typeof last === 'object' && typeof last.onEvent === 'function') {
      onEvent = args.pop().onEvent;
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onEvent });
      this.program.postMessage({ type: 'pyrt:call', id, name, args });
    });
  }

  /** Terminates the program and every worker. */
  terminate() {
    this.host.terminate();
    this.program.terminate();
  }
}

/**
 * Starts the program worker on `mainJS` (the wasm-bindgen glue of a module
 * that links worker-bootstrap) and the host; resolves once both run.
 */
export async function start({ mainJS }) {
  if (!globalThis.crossOriginIsolated) {
    throw new PyError({
      name: 'RuntimeError',
      message: 'threads need a cross-origin isolated page (serve it with COOP: same-origin and COEP: require-corp)',
    });
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
  program.postMessage({ type: 'pyrt:init', mainJS });
  const ready = await Promise.race([waitFor(program, ['pyrt:ready', 'pyrt:init-failed']), failed]);
  if (ready.type === 'pyrt:init-failed') throw new PyError(ready.error);
  const host = new Host({ mainJS, module: ready.module, memory: ready.memory, board: ready.board }).start();
  return new Runtime(program, host);
}
