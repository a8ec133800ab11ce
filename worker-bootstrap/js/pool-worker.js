// One worker of the message pool (pool.js): instantiates the module with its
// own memory (the build without shared memory) and runs the tasks the pool
// gives it, one at a time, by export name.
//
//   pool -> this  {type: 'pyrt:start', mainJS, index, channel, broadcasts}
//   this -> pool  {type: 'pyrt:ready'} | {type: 'pyrt:start-failed', error}
//   pool -> this  {type: 'pyrt:task', id, name, args, gen}
//   this -> pool  {type: 'pyrt:done', id, value}     (its buffers transferred)
//               | {type: 'pyrt:raised', id, error}   (a Python exception)
//               | {type: 'pyrt:trapped', id, error}  (the instance is dead; we close)
//
// `__pyrt_chunk` is the pool's map: args [name, items], one call per item.
// Broadcasts (BroadcastChannel `channel`, {gen, name, args}) call an export
// once here; a task waits for the broadcasts sent before it (`gen`).

import { errorOf, transferables } from './wire.js';

let pkg = null;
let memory = null;
let seen = 0; // broadcasts applied
const waiting = []; // tasks waiting for a broadcast
const early = new Map(); // broadcasts that overtook the ones before them

/** A trap: the wasm instance cannot be trusted any more (not a Python error). */
function isTrap(e) {
  return e instanceof WebAssembly.RuntimeError || e instanceof RangeError || e?.name === 'InternalError';
}

function exportNamed(name) {
  const f = pkg[name];
  if (typeof f !== 'function' || name.startsWith('__wbg') || name === 'default' || name === 'initSync') {
    throw Object.assign(new Error(`name '${name}' is not defined (no exported function of that name)`), {
      name: 'NameError',
    });
  }
  return f;
}

async function call(name, args) {
  if (name === '__pyrt_chunk') {
    const [inner, items] = args;
    const f = exportNamed(inner);
    const out = [];
    for (const item of items) out.push(await f(item));
    return out;
  }
  return exportNamed(name)(...args);
}

async function run({ id, name, args }) {
  try {
    const value = await call(name, args);
    postMessage({ type: 'pyrt:done', id, value }, [...transferables(value, memory?.buffer)]);
  } catch (e) {
    if (isTrap(e)) {
      postMessage({ type: 'pyrt:trapped', id, error: errorOf(e) });
      close();
      return;
    }
    postMessage({ type: 'pyrt:raised', id, error: errorOf(e) });
  }
}

function applyBroadcast({ gen, name, args }) {
  if (gen <= seen) return;
  if (gen > seen + 1) {
    early.set(gen, { gen, name, args });
    return;
  }
  try {
    exportNamed(name)(...args);
  } catch (e) {
    if (isTrap(e)) {
      postMessage({ type: 'pyrt:trapped', id: 0, error: errorOf(e) });
      close();
      return;
    }
    console.error(`broadcast ${name}() raised`, e);
  }
  seen = gen;
  if (early.has(gen + 1)) {
    const next = early.get(gen + 1);
    early.delete(gen + 1);
    applyBroadcast(next);
  }
  while (waiting.length && waiting[0].gen <= seen) run(waiting.shift());
}

self.addEventListener('message', async ({ data }) => {
  switch (data?.type) {
    case 'pyrt:start':
      try {
        pkg = await import(data.mainJS);
        const wasm = await pkg.default();
        memory = wasm?.memory ?? null;
        pkg.__pyrt_pool_worker?.(data.index);
        new BroadcastChannel(data.channel).addEventListener('message', (m) => applyBroadcast(m.data));
        for (const b of data.broadcasts) applyBroadcast(b);
        postMessage({ type: 'pyrt:ready' });
      } catch (e) {
        postMessage({ type: 'pyrt:start-failed', error: errorOf(e) });
        close();
      }
      break;
    case 'pyrt:task':
      if (data.gen > seen) waiting.push(data);
      else run(data);
      break;
  }
});
