// The program worker: where the transpiled program runs.
//
// The page's main thread may never block, but Python code does (result(),
// Queue.get(), Lock.acquire() ...). So the program's wasm instance lives in
// this dedicated worker, where blocking is allowed, and the page talks to it
// with messages (pyrt.js turns them into Promises):
//
//   page -> {type: 'pyrt:init', mainJS}            instantiate the module
//   this -> {type: 'pyrt:ready', module, memory, board}   for the host
//   page -> {type: 'pyrt:call', id, name, args}    call export `name`
//   this -> {type: 'pyrt:event', id, value}        emit(value) during the call
//   this -> {type: 'pyrt:result', id, value} or {type: 'pyrt:error', id, error}
//
// An export is called as name(...args, emit); emit(value) posts an event to
// the page at once, even while the call is still running. An error thrown by
// the export (a Rust Err, a JS exception) becomes {name, message}: the page
// rejects the call's Promise with it.

let pkg = null;

function errorOf(e) {
  if (e instanceof Error || (e && typeof e === 'object' && 'message' in e)) {
    return { name: e.name || 'Error', message: String(e.message), stack: e.stack };
  }
  return { name: 'Error', message: String(e) };
}

self.addEventListener('message', async ({ data }) => {
  switch (data?.type) {
    case 'pyrt:init':
      try {
        pkg = await import(data.mainJS);
        await pkg.default();
        postMessage({
          type: 'pyrt:ready',
          module: pkg.__pyrt_module(),
          memory: pkg.__pyrt_memory(),
          board: pkg.__pyrt_board(),
        });
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
