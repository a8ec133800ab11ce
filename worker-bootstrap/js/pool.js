// The message pool: Web Workers that each instantiate the module with their
// own memory, for pages that are not cross-origin isolated (no
// SharedArrayBuffer, so no shared wasm memory and no threads).
//
// Runs on the page, like the host of the shared-memory mode. Nothing is
// shared: a task is a message naming a function and carrying its arguments
// (structured clone; ArrayBuffers and typed arrays listed in `transfer` are
// moved, not copied: the sender's buffer is detached), and its result comes
// back the same way (the worker always transfers the buffers of its result).
//
//   pool -> worker  {type: 'pyrt:task', id, name, args, gen}
//   worker -> pool  {type: 'pyrt:done', id, value} | {type: 'pyrt:raised', id, error}
//                   | {type: 'pyrt:trapped', id, error}
//   pool => all     BroadcastChannel: {gen, name, args}   (broadcast())
//
// Load balancing: one FIFO queue on the pool; a worker is given the next
// task only when it has none (it pulls when free), so a slow task never
// holds others back behind it. Stealing between workers is impossible
// without shared memory (a queued task lives in the pool, not in a
// worker), and not needed: nothing is queued in a worker.
//
// A task that raises (a Rust Err, a JS exception) rejects its Promise with
// a PyError of the Python class. A worker that traps (stack overflow, out of
// memory, `unreachable`: its wasm instance is dead) or fails after it
// started rejects the task it ran with RuntimeError and is replaced by a
// fresh worker; a worker that fails to start is RuntimeError: can't start
// new thread.

import { PyError } from './wire.js';

let poolSeq = 0;

/** One Web Worker of the pool and what it is doing. */
class Slot {
  constructor(index) {
    this.index = index;
    this.worker = null;
    this.ready = false;
    this.task = null; // the task in flight, if any
    this.done = 0; // tasks finished on this slot (all its workers)
    this.replaced = 0; // how many times its worker died and was replaced
  }
}

export class MessagePool {
  /**
   * @param {object} o
   * @param {string} o.mainJS   absolute URL of the wasm-bindgen glue (--target web)
   *                            of the build without shared memory
   * @param {number} [o.workers] how many Web Workers (default navigator.hardwareConcurrency)
   */
  constructor({ mainJS, workers }) {
    this.mainJS = mainJS;
    this.size = Math.max(1, workers || navigator.hardwareConcurrency || 4);
    this.slots = [];
    this.queue = []; // tasks not yet given to a worker, FIFO
    this.nextId = 1;
    this.gen = 0; // broadcasts sent
    this.broadcasts = []; // replayed to replacement workers
    this.channelName = `pyrt-pool-${++poolSeq}-${Math.random().toString(36).slice(2)}`;
    this.channel = new BroadcastChannel(this.channelName);
    this.stats = { started: 0, replaced: 0, trapped: 0, failedStarts: 0, tasks: 0 };
    this.closed = false;
    // Test hook: the next `sabotage` Web Workers get a glue URL that does
    // not exist, so their start fails.
    this.sabotage = 0;
  }

  /** Starts every worker; resolves once all run, rejects if one cannot start. */
  async start() {
    const starts = [];
    for (let i = 0; i < this.size; i++) {
      const slot = new Slot(i);
      this.slots.push(slot);
      starts.push(this.startWorker(slot));
    }
    try {
      await Promise.all(starts);
    } catch (e) {
      this.terminate();
      throw e;
    }
    return this;
  }

  /** Starts (or restarts) the Web Worker of `slot`; resolves when it is ready. */
  startWorker(slot) {
    const worker = new Worker(new URL('./pool-worker.js', import.meta.url), {
      type: 'module',
      name: `pyrt-pool-worker-${slot.index}`,
    });
    slot.worker = worker;
    slot.ready = false;
    let mainJS = this.mainJS;
    if (this.sabotage > 0) {
      this.sabotage--;
      mainJS = new URL('./no-such-module.js', import.meta.url).href;
    }
    return new Promise((resolve, reject) => {
      const died = (message) => {
        if (slot.worker !== worker) return; // already replaced
        worker.terminate();
        if (!slot.ready) {
          this.stats.failedStarts++;
          slot.worker = null;
          reject(new PyError({ name: 'RuntimeError', message: "can't start new thread", detail: message }));
          return;
        }
        this.lost(slot, message);
      };
      worker.addEventListener('error', (e) => {
        e.preventDefault();
        died(e.message || 'error event');
      });
      worker.addEventListener('messageerror', () => died('a message could not be cloned'));
      worker.addEventListener('message', ({ data }) => {
        switch (data?.type) {
          case 'pyrt:ready':
            slot.ready = true;
            this.stats.started++;
            resolve();
            this.dispatch();
            break;
          case 'pyrt:start-failed':
            died(data.error.message);
            break;
          case 'pyrt:done':
          case 'pyrt:raised':
            this.finished(slot, data);
            break;
          case 'pyrt:trapped':
            this.stats.trapped++;
            died(`${data.error.name}: ${data.error.message}`);
            break;
        }
      });
      worker.postMessage({
        type: 'pyrt:start',
        mainJS,
        index: slot.index,
        channel: this.channelName,
        broadcasts: this.broadcasts,
      });
    });
  }

  /** The worker of `slot` died after it started: fail its task, replace it. */
  lost(slot, message) {
    const task = slot.task;
    slot.task = null;
    slot.worker = null;
    slot.replaced++;
    this.stats.replaced++;
    if (task) {
      task.reject(
        new PyError({ name: 'RuntimeError', message: `the worker running ${task.name}() died: ${message}` }),
      );
    }
    if (this.closed) return;
    // A replacement that cannot start fails the queued tasks instead of
    // leaving them waiting for a worker that never comes.
    this.startWorker(slot).catch((e) => {
      if (this.slots.every((s) => !s.worker)) {
        for (const t of this.queue.splice(0)) t.reject(e);
      }
    });
  }

  /** A worker answered: settle the task and give the worker the next one. */
  finished(slot, { type, id, value, error }) {
    const task = slot.task;
    if (!task || task.id !== id) return;
    slot.task = null;
    slot.done++;
    this.stats.tasks++;
    if (type === 'pyrt:done') task.resolve(value);
    else task.reject(new PyError(error));
    this.dispatch();
  }

  /** Gives queued tasks to the workers that have none, oldest first. */
  dispatch() {
    for (const slot of this.slots) {
      if (!this.queue.length) return;
      if (!slot.ready || slot.task || !slot.worker) continue;
      const task = this.queue.shift();
      slot.task = task;
      task.worker = slot.index;
      slot.worker.postMessage(
        { type: 'pyrt:task', id: task.id, name: task.name, args: task.args, gen: this.gen },
        task.transfer,
      );
    }
  }

  /**
   * Calls export `name(...args)` on a free worker; a Promise of its result.
   * `options.transfer`: ArrayBuffers (or typed arrays, for their buffers) to
   * move instead of copy — detached here once the task is given to a worker.
   */
  submit(name, args = [], { transfer = [] } = {}) {
    if (this.closed) {
      return Promise.reject(new PyError({ name: 'RuntimeError', message: 'cannot schedule new futures after shutdown' }));
    }
    const buffers = transfer.map((t) => (ArrayBuffer.isView(t) ? t.buffer : t));
    let task;
    const promise = new Promise((resolve, reject) => {
      task = { id: this.nextId++, name, args, transfer: buffers, resolve, reject, worker: -1 };
    });
    task.settled = promise.then(
      () => {},
      () => {},
    );
    this.queue.push(task);
    this.dispatch();
    return promise;
  }

  /**
   * `Executor.map`: `name(item)` for every item, results in order (a Promise
   * of the array). Items go in chunks of `chunksize` (one task each: the
   * worker calls the export once per item), so tiny items cost one message
   * per chunk; the first failure rejects.
   */
  map(name, items, { chunksize = 1 } = {}) {
    const list = Array.from(items);
    const size = Math.max(1, chunksize | 0);
    const chunks = [];
    for (let i = 0; i < list.length; i += size) {
      chunks.push(this.submit('__pyrt_chunk', [name, list.slice(i, i + size)]));
    }
    return Promise.all(chunks).then((parts) => parts.flat());
  }

  /**
   * Runs export `name(...args)` once on every worker, now and on every
   * replacement worker later (state a task needs on each worker, like a
   * Pool initializer), through a BroadcastChannel. A task submitted after
   * the broadcast runs after it on whichever worker takes it.
   */
  broadcast(name, args = []) {
    const message = { gen: ++this.gen, name, args };
    this.broadcasts.push(message);
    this.channel.postMessage(message);
  }

  /** How many tasks each worker finished. */
  perWorker() {
    return this.slots.map((s) => s.done);
  }

  /**
   * `shutdown()`: no new tasks; queued ones are cancelled if `cancel`,
   * else run; resolves when the pool is idle, then terminates its workers.
   */
  async shutdown({ cancel = false } = {}) {
    this.closed = true;
    if (cancel) {
      for (const t of this.queue.splice(0)) t.reject(new PyError({ name: 'CancelledError', message: '' }));
    }
    const inFlight = [...this.queue, ...this.slots.map((s) => s.task).filter(Boolean)];
    await Promise.allSettled(inFlight.map((t) => t.settled));
    this.terminate();
  }

  /** Terminates every worker at once. */
  terminate() {
    this.closed = true;
    for (const slot of this.slots) {
      slot.worker?.terminate();
      slot.worker = null;
    }
    this.channel.close();
  }
}

/**
 * `as_completed`: `promises` in completion order, as an array of Promises
 * whose k-th settles like the k-th of `promises` to settle (its value, or
 * its error). Iterate it with a plain `for ... of` and `await` each one
 * (`for await` would throw at the first error). Not an async generator:
 * `yield` in one awaits the Promise, so it could not hand over a rejected one.
 */
export function asCompleted(promises) {
  const settle = [];
  const ordered = promises.map(() => new Promise((resolve, reject) => settle.push({ resolve, reject })));
  let next = 0;
  for (const p of promises) {
    Promise.resolve(p).then((v) => settle[next++].resolve(v), (e) => settle[next++].reject(e));
  }
  return ordered;
}
