// The host: runs on the page's main thread and creates every Web Worker the
// scheduler asks for. It never blocks: it waits for requests with
// Atomics.waitAsync on the board, five i32 cells in the wasm memory that the
// Rust side (scheduler/src/spawner/web_worker.rs) shares with it:
//
//   [0] host         we store 1 once we listen
//   [1] parallelism  we store navigator.hardwareConcurrency
//   [2] requests     the spawner bumps it once per requested worker
//   [3] current      the request in flight: seq << 2 | phase
//   [4] stack_size   that request's stack in bytes (64 KiB pages), 0: default
//
// For each new request whose phase is PENDING we start worker.js for `seq`,
// with its stack size.
// If that Web Worker fails before it claims the request, we move `current`
// from (seq, PENDING) to (seq, FAILED) and notify: the spawner then returns
// an error instead of waiting forever. A compare-and-swap on the exact value
// makes a late report harmless.
//
// A Web Worker that dies after it claimed its request (it trapped: stack
// overflow, out of memory; worker.js reports `pyrt:died`, or an `error`
// event arrives) is counted in `stats.died`, and we start a *reaper*:
// worker.js again, told to call `__pyrt_worker_lost(seq, message)` on a
// fresh instance, which fails the call the dead worker ran (RuntimeError)
// and has its pool start a replacement (a new request, answered as usual).
// The reaper is a Web Worker because that call takes the scheduler's locks
// and waits for the replacement to start: this thread may not block. It
// never waits on what the dead thread held: the handlers it runs were left
// by that thread for this purpose and touch the pool's shared state only.

const HOST = 0, PARALLELISM = 1, REQUESTS = 2, CURRENT = 3, STACK_SIZE = 4;
const PENDING = 0, FAILED = 2;

export class Host {
  /**
   * @param {object} o
   * @param {string} o.mainJS  absolute URL of the wasm-bindgen glue (--target web)
   * @param {WebAssembly.Module} o.module
   * @param {WebAssembly.Memory} o.memory  the shared memory
   * @param {number} o.board  byte address of the board in that memory
   */
  constructor({ mainJS, module, memory, board }) {
    Object.assign(this, { mainJS, module, memory, board });
    this.workers = new Map(); // seq -> Worker
    this.stats = { requested: 0, running: 0, failed: 0, died: 0, exited: 0, reaped: 0 };
    this.errors = [];
    this.stopped = false;
    this.onerror = null; // (message) => void, for worker failures
    // Test hook: the next `sabotage` Web Workers get a glue URL that does
    // not exist, so their start fails (tools/browser-test checks the error).
    this.sabotage = 0;
  }

  cells() {
    // A fresh view each time: the shared buffer object changes when memory grows.
    return new Int32Array(this.memory.buffer, this.board, 5);
  }

  /** Starts listening; returns at once. */
  start() {
    const c = this.cells();
    Atomics.store(c, PARALLELISM, navigator.hardwareConcurrency || 4);
    Atomics.store(c, HOST, 1);
    this.loop(Atomics.load(c, REQUESTS));
    return this;
  }

  async loop(seen) {
    while (!this.stopped) {
      const w = Atomics.waitAsync(this.cells(), REQUESTS, seen);
      if (w.async) await w.value;
      const c = this.cells();
      const now = Atomics.load(c, REQUESTS);
      if (now === seen) continue;
      seen = now;
      const current = Atomics.load(c, CURRENT);
      if ((current & 3) === PENDING) this.spawn(current >> 2, Atomics.load(c, STACK_SIZE));
    }
  }

  spawn(seq, stackSize) {
    this.stats.requested++;
    let running = false;
    const worker = new Worker(new URL('./worker.js', import.meta.url), {
      type: 'module',
      name: `pyrt-worker-${seq}`,
    });
    this.workers.set(seq, worker);
    let gone = false;
    const fail = (message) => {
      if (gone) return;
      gone = true;
      this.errors.push(message);
      this.onerror?.(message);
      if (running) {
        this.stats.died++;
        this.stats.running--;
        this.reap(seq, message);
      } else {
        this.stats.failed++;
        const c = this.cells();
        Atomics.compareExchange(c, CURRENT, (seq << 2) | PENDING, (seq << 2) | FAILED);
        Atomics.notify(c, CURRENT);
      }
      this.workers.delete(seq);
      worker.terminate();
    };
    worker.addEventListener('error', (e) => {
      e.preventDefault();
      fail(`worker ${seq}: ${e.message || 'error event'}`);
    });
    worker.addEventListener('messageerror', () => fail(`worker ${seq}: message could not be cloned`));
    worker.addEventListener('message', ({ data }) => {
      switch (data?.type) {
        case 'pyrt:running':
          running = true;
          this.stats.running++;
          break;
        case 'pyrt:failed':
          fail(`worker ${seq}: ${data.message}`);
          break;
        case 'pyrt:died':
          fail(`worker ${seq} died: ${data.message}`);
          break;
        case 'pyrt:exited':
          gone = true;
          this.stats.running--;
          this.stats.exited++;
          this.workers.delete(seq);
          break;
      }
    });
    let mainJS = this.mainJS;
    if (this.sabotage > 0) {
      this.sabotage--;
      mainJS = new URL('./no-such-module.js', import.meta.url).href;
    }
    worker.postMessage({
      type: 'pyrt:start',
      mainJS,
      module: this.module,
      memory: this.memory,
      seq,
      stackSize,
    });
  }

  /** Starts the reaper for the dead Web Worker of request `seq` (see the top). */
  reap(seq, message) {
    if (this.stopped) return;
    const reaper = new Worker(new URL('./worker.js', import.meta.url), {
      type: 'module',
      name: `pyrt-reaper-${seq}`,
    });
    const done = () => reaper.terminate();
    reaper.addEventListener('error', (e) => {
      e.preventDefault();
      this.errors.push(`reaper of worker ${seq}: ${e.message}`);
      done();
    });
    reaper.addEventListener('message', ({ data }) => {
      if (data?.type === 'pyrt:reaped') this.stats.reaped++;
      if (data?.type === 'pyrt:failed') this.errors.push(`reaper of worker ${seq}: ${data.message}`);
      if (data?.type === 'pyrt:reaped' || data?.type === 'pyrt:failed') done();
    });
    reaper.postMessage({ type: 'pyrt:reap', mainJS: this.mainJS, module: this.module, memory: this.memory, seq, message });
  }

  /** Stops listening and terminates every worker. */
  terminate() {
    this.stopped = true;
    const c = this.cells();
    Atomics.store(c, HOST, 0);
    Atomics.notify(c, REQUESTS);
    for (const w of this.workers.values()) w.terminate();
    this.workers.clear();
  }
}
