// The browser demo's page. Everything heavy happens in the program worker
// (worker-bootstrap's program.js) and its pool's Web Workers; this thread
// only draws tiles as they arrive, so it never blocks.
//
// Two builds of the same program: pkg/ (shared memory, threads mode) on a
// cross-origin isolated page, pkg-messages/ (no atomics, messages mode:
// each Web Worker has its own memory, tiles travel as messages) on any
// other page; start() picks one and the page shows which.
import { start } from '../pyrt/pyrt.js';

// Worker hues: the same list as demos/browser/src/palette.rs.
const HUES = [210, 28, 130, 320, 55, 265, 175, 0];
const CLASSIC = { re0: -2.2, im0: -1.2, reSpan: 3.2, imSpan: 2.4 };
// The native demo's full image (demos/src/workload.rs, Params::FULL).
const FULL = { width: 1200, height: 900, maxIter: 600 };

const $ = (id) => document.getElementById(id);
const canvas = $('view');
const ctx = canvas.getContext('2d');
let view = { ...CLASSIC };
let busy = false;

// A main-thread frame counter: it only advances if this thread is free.
let frames = 0;
(function tick() {
  frames++;
  $('frames').textContent = frames;
  requestAnimationFrame(tick);
})();

const hw = navigator.hardwareConcurrency || 4;
for (let n = 1; n <= Math.max(8, hw); n++) {
  $('workers').add(new Option(String(n), String(n), false, n === hw));
}
const rt = await start({
  mainJS: new URL('./pkg/browser_demo.js', import.meta.url).href,
  messagesJS: new URL('./pkg-messages/browser_demo.js', import.meta.url).href,
});
const MODES = {
  threads: 'threads: Web Workers on shared wasm memory, work stealing',
  messages: 'messages: Web Workers with their own memory, tiles as messages (no stealing)',
};
$('env').textContent =
  `mode: ${MODES[rt.mode]} · crossOriginIsolated: ${crossOriginIsolated} · ` +
  `navigator.hardwareConcurrency: ${hw}`;
document.body.dataset.mode = rt.mode;
let rayonThreads = 0;

function drawTile(t) {
  const pixels = new Uint8ClampedArray(t.rgba.buffer, t.rgba.byteOffset, t.rgba.byteLength);
  ctx.putImageData(new ImageData(pixels, t.w, t.h), t.x, t.y);
}

function showStats(res) {
  const body = $('stats').tBodies[0];
  body.replaceChildren();
  res.stats.forEach((w, i) => {
    const row = body.insertRow();
    row.innerHTML =
      `<td><span class="swatch" style="background:hsl(${HUES[i % HUES.length]} 85% 55%)"></span></td>` +
      `<td>${i}</td><td>${res.tilesPerWorker[i]}</td><td>${w.executed}</td><td>${w.stolen}</td>`;
  });
}

const timings = [];
function showTimings() {
  const body = $('timings').tBodies[0];
  body.replaceChildren();
  const one = timings.find((t) => t.label === 'ours' && t.threads === 1);
  for (const t of timings) {
    const row = body.insertRow();
    const ratio = one ? `${(one.ms / t.ms).toFixed(2)}x` : '';
    row.innerHTML = `<td>${t.label}</td><td>${t.threads}</td><td>${t.ms.toFixed(0)}</td><td>${ratio}</td>`;
  }
}

function request(workers, tint = $('tint').checked, live = true) {
  return { ...FULL, view, tile: 75, workers, tint, live };
}

/**
 * Renders with our ThreadPoolExecutor(workers); tiles appear as they finish
 * (with `live: false` the page draws nothing until the end: timing runs).
 */
async function render(workers = Number($('workers').value), { tint, live = true } = {}) {
  const res = await rt.call('render', request(workers, tint ?? $('tint').checked, live), { onEvent: drawTile });
  showStats(res);
  timings.push({ label: 'ours', threads: res.workers, ms: res.elapsedMs });
  showTimings();
  $('status').textContent = `${res.tiles} tiles in ${res.elapsedMs.toFixed(0)} ms · checksum ${res.checksum}`;
  return res;
}

/** The same image by rayon par_iter on wasm-bindgen-rayon's pool. */
async function renderRayon(threads = Number($('workers').value)) {
  if (!rayonThreads) {
    await rt.call('initThreadPool', threads); // rayon's global pool: built once
    rayonThreads = threads;
  }
  const res = await rt.call('render_rayon', request(rayonThreads));
  timings.push({ label: 'wasm-bindgen-rayon', threads: res.threads, ms: res.elapsedMs });
  showTimings();
  return res;
}

/**
 * Times 1 worker, n workers and rayon on the same image, none of them
 * drawing while it works; then draws the image live once more.
 */
async function compare(n = Number($('workers').value)) {
  timings.length = 0;
  const one = await render(1, { live: false });
  const many = await render(n, { live: false });
  // wasm-bindgen-rayon needs shared memory: threads mode only.
  const rayon = rt.mode === 'threads' ? await renderRayon(n) : null;
  $('status').textContent = 'drawing…';
  await render(n);
  timings.pop(); // the live run is for the eyes, not the table
  showTimings();
  return { one, many, rayon };
}

async function guarded(f) {
  if (busy) return;
  busy = true;
  document.querySelectorAll('button').forEach((b) => (b.disabled = true));
  try {
    await f();
  } catch (e) {
    $('status').innerHTML = `<span class="error">${e.name}: ${e.message}</span>`;
  } finally {
    busy = false;
    document.querySelectorAll('button').forEach((b) => (b.disabled = false));
  }
}

$('render').onclick = () => guarded(() => render());
$('compare').onclick = () => guarded(() => compare());
$('reset').onclick = () => guarded(() => ((view = { ...CLASSIC }), render()));
$('tint').onchange = () => guarded(() => render());
canvas.addEventListener('click', (e) => {
  const r = canvas.getBoundingClientRect();
  const fx = (e.clientX - r.left) / r.width;
  const fy = (e.clientY - r.top) / r.height;
  const k = e.shiftKey ? 2 : 0.5;
  const re = view.re0 + fx * view.reSpan;
  const im = view.im0 + fy * view.imSpan;
  view = { re0: re - (view.reSpan * k) / 2, im0: im - (view.imSpan * k) / 2, reSpan: view.reSpan * k, imSpan: view.imSpan * k };
  guarded(() => render());
});

// The API the end-to-end test drives (tools/browser-test/run.mjs).
window.demo = {
  render,
  renderRayon,
  compare,
  mode: rt.mode,
  panic: (message) => rt.call('panicking_task', message),
  frames: () => frames,
  host: () => rt.stats(),
  rt,
  resetView: () => (view = { ...CLASSIC }),
};
await guarded(() => render());
window.demoReady = true;
