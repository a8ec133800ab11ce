// End-to-end tests in headless Chromium (Debian's /usr/bin/chromium, driven
// by playwright-core; no browser is downloaded).
//
//   node tools/browser-test/run.mjs URL EXPECTED_CHECKSUM SCREENSHOT RESULTS_JSON [URL_MESSAGES]
//
// URL serves target/browser/site (scripts/browser.sh). Checks, on the demo:
// the page is cross-origin isolated; the pool started N Web Workers and every
// worker executed tasks; the image's checksum equals the native demo's; the
// main thread's requestAnimationFrame counter kept advancing during the work;
// a panicking task rejects with PanicException and its text, and the pool
// still works afterwards. Then it runs every executor-api test of the suite
// page. It writes a screenshot and the measured times (1 vs N workers, ours
// vs wasm-bindgen-rayon) to RESULTS_JSON; times are recorded, never asserted.
//
// URL_MESSAGES serves the same site without COOP/COEP: there the demo must
// run in the messages mode (worker-bootstrap/js/pool.js: Web Workers with
// their own memory), with the same checksum, every worker getting tiles, a
// panicking task rejecting with PanicException, a trapping task rejecting
// with RuntimeError and its worker replaced, and a transferred buffer
// detached on the sender; 1 vs N workers is timed there too.
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';

const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');

const [url, expected, screenshot, resultsPath, urlMessages] = process.argv.slice(2);
if (!url || !expected) {
  console.error('usage: run.mjs URL EXPECTED_CHECKSUM [SCREENSHOT] [RESULTS_JSON]');
  process.exit(2);
}

const failures = [];
function check(ok, what, detail = '') {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}${detail ? ` (${detail})` : ''}`);
  if (!ok) failures.push(what);
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_BIN || '/usr/bin/chromium',
  headless: true,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
const results = {};

/** The demo on a page that is not cross-origin isolated: the messages mode. */
async function messagesMode(at) {
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  page.on('pageerror', (e) => console.log(`messages pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().includes('favicon')) console.log(`messages console: ${m.text()}`);
  });
  await page.goto(new URL('demo/', at).href);
  await withTimeout(page.waitForFunction(() => window.demoReady === true, null, { timeout: 0 }), 120_000,
    'messages demo start');
  check(!(await page.evaluate(() => crossOriginIsolated)), 'messages: the page is not cross-origin isolated');
  const shown = await page.evaluate(() => ({ mode: window.demo.mode, env: document.getElementById('env').textContent }));
  check(shown.mode === 'messages' && shown.env.startsWith('mode: messages'), 'messages: start() chose the messages mode and the page shows it',
    JSON.stringify(shown));
  const n = await page.evaluate(() => navigator.hardwareConcurrency);
  const framesBefore = await page.evaluate(() => window.demo.frames());
  const many = await withTimeout(page.evaluate((n) => window.demo.render(n, { tint: true }), n), 120_000, 'messages render');
  const framesAfter = await page.evaluate(() => window.demo.frames());
  check(many.checksum === expected, 'messages: the image checksum equals the native demo', `${many.checksum} vs ${expected}`);
  check(many.workers === n && many.tilesPerWorker.every((t) => t > 0), `messages: ${n} workers, every one computed tiles`,
    many.tilesPerWorker.join(' '));
  check(framesAfter - framesBefore >= 3, 'messages: requestAnimationFrame kept advancing during the work',
    `${framesAfter - framesBefore} frames`);

  const panic = await page.evaluate(() =>
    window.demo.panic('boom from a message task').then((v) => ({ resolved: v }), (e) => ({ name: e.name, message: e.message })),
  );
  check(panic.name === 'PanicException' && panic.message.includes('boom from a message task'),
    'messages: a panicking task rejects with PanicException and its message (its worker runs the next task)', JSON.stringify(panic));

  // The page's own executor face: submit, map, as_completed; a trap; a transfer.
  const face = await withTimeout(page.evaluate(async () => {
    const rt = window.demo.rt;
    const pool = await rt.executor({ workers: 2 });
    const out = {};
    const trap = await pool.submit('trap_in_task').then((v) => ({ resolved: v }), (e) => ({ name: e.name, message: e.message }));
    out.trap = trap;
    const buf = new Uint8Array(1 << 20).fill(3);
    const r = await pool.submit('byte_sum', [buf], { transfer: [buf] });
    out.transfer = { sum: r.sum, len: r.len, senderLength: buf.byteLength, back: r.reversed.byteLength };
    out.replaced = pool.stats.replaced;
    const mapped = await pool.map('byte_sum', [new Uint8Array([1]), new Uint8Array([2, 2]), new Uint8Array([3, 3, 3])], { chunksize: 2 });
    out.mapped = mapped.map((m) => m.sum);
    const order = [];
    for (const p of rt.asCompleted([pool.submit('byte_sum', [new Uint8Array([9])]), pool.submit('no_such_export')])) {
      order.push(await p.then((v) => v.sum, (e) => e.name));
    }
    out.asCompleted = order.sort();
    pool.broadcast('set_scale', [3]);
    out.broadcast = await pool.map('scaled', [1, 2, 3, 4]);
    out.perWorker = pool.perWorker();
    await pool.shutdown();
    out.afterShutdown = await pool.submit('byte_sum', [new Uint8Array([1])]).then(() => 'resolved', (e) => `${e.name}: ${e.message}`);
    return out;
  }), 60_000, 'messages executor face');
  check(face.trap.name === 'RuntimeError' && /died/.test(face.trap.message),
    'messages: a task whose worker traps rejects with RuntimeError', JSON.stringify(face.trap));
  check(face.replaced === 1 && face.transfer.sum === 3 * (1 << 20), 'messages: the trapped worker was replaced and the pool goes on',
    `replaced ${face.replaced}`);
  check(face.transfer.senderLength === 0 && face.transfer.len === 1 << 20 && face.transfer.back === 1 << 20,
    'messages: a transferred buffer arrives whole and is detached on the sender', JSON.stringify(face.transfer));
  check(JSON.stringify(face.mapped) === '[1,4,9]', 'messages: map in chunks keeps the order', JSON.stringify(face.mapped));
  check(JSON.stringify(face.asCompleted) === '[9,"NameError"]', 'messages: as_completed yields every task, a missing name is NameError',
    JSON.stringify(face.asCompleted));
  check(JSON.stringify(face.broadcast) === '[3,6,9,12]', 'messages: a broadcast reaches every worker before later tasks',
    JSON.stringify(face.broadcast));
  check(face.afterShutdown === 'RuntimeError: cannot schedule new futures after shutdown', 'messages: submit after shutdown is RuntimeError',
    face.afterShutdown);

  const cmp = await withTimeout(page.evaluate((n) => window.demo.compare(n), n), 300_000, 'messages compare');
  check(cmp.one.checksum === expected && cmp.many.checksum === expected, 'messages: 1 and N workers give the same image');
  results.messages = {
    image: '1200x900, max_iter 600, 75 px tiles',
    oneWorkerMs: cmp.one.elapsedMs,
    nWorkersMs: cmp.many.elapsedMs,
    startupMs: cmp.many.startupMs,
    speedup: cmp.one.elapsedMs / cmp.many.elapsedMs,
  };
  console.log(`messages times: ${JSON.stringify(results.messages)}`);
  await page.close();
}

try {
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  page.on('pageerror', (e) => console.log(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().includes('favicon')) console.log(`console: ${m.text()}`);
  });

  // ---- the demo -----------------------------------------------------------
  await page.goto(new URL('demo/', url).href);
  await withTimeout(page.waitForFunction(() => window.demoReady === true, null, { timeout: 0 }), 120_000, 'demo start');
  check(await page.evaluate(() => crossOriginIsolated), 'crossOriginIsolated is true');
  const n = await page.evaluate(() => navigator.hardwareConcurrency);
  results.hardwareConcurrency = n;

  // N workers, while the main thread's frame counter runs.
  const framesBefore = await page.evaluate(() => window.demo.frames());
  const many = await withTimeout(page.evaluate((n) => window.demo.render(n, { tint: true }), n), 120_000, 'render');
  const framesAfter = await page.evaluate(() => window.demo.frames());
  check(many.checksum === expected, 'the image checksum equals the native demo', `${many.checksum} vs ${expected}`);
  check(many.workers === n && many.stats.length === n, `the pool has ${n} workers`, `${many.workers}`);
  check(
    many.stats.every((w) => w.executed > 0),
    'every worker executed tasks',
    many.stats.map((w) => `${w.executed}/${w.stolen}`).join(' '),
  );
  const host = await page.evaluate(() => window.demo.host());
  check(host.requested >= n && host.failed === 0 && host.died === 0, 'the host started the Web Workers', JSON.stringify(host));
  // The render shut its executor down: its Web Workers end and close.
  await withTimeout(page.waitForFunction(() => window.demo.host().running === 0, null, { timeout: 0 }),
    30_000, 'workers exit').then(
    () => check(true, 'after shutdown every Web Worker exited'),
    (e) => check(false, 'after shutdown every Web Worker exited', e.message),
  );
  check(framesAfter - framesBefore >= 3, 'requestAnimationFrame kept advancing during the work',
    `${framesAfter - framesBefore} frames in ${many.elapsedMs.toFixed(0)} ms`);
  if (screenshot) {
    await page.screenshot({ path: screenshot });
    console.log(`screenshot: ${screenshot}`);
  }

  // A panicking task: a rejected Promise with the Python error, pool alive.
  const panic = await page.evaluate(() =>
    window.demo.panic('boom from a task').then(
      (v) => ({ resolved: v }),
      (e) => ({ name: e.name, message: e.message }),
    ),
  );
  check(panic.name === 'PanicException' && panic.message.includes('boom from a task'),
    'a panicking task rejects with PanicException and its message', JSON.stringify(panic));
  const again = await withTimeout(page.evaluate((n) => window.demo.render(n), n), 120_000, 'render after panic');
  check(again.checksum === expected, 'the pool still works after the panic');

  // Times, measured (not asserted): 1 worker, N workers, wasm-bindgen-rayon.
  const cmp = await withTimeout(page.evaluate((n) => window.demo.compare(n), n), 300_000, 'compare');
  check(cmp.one.checksum === expected && cmp.rayon.checksum === expected, '1 worker and rayon give the same image');
  results.demo = {
    image: '1200x900, max_iter 600, 75 px tiles',
    oneWorkerMs: cmp.one.elapsedMs,
    nWorkersMs: cmp.many.elapsedMs,
    rayonMs: cmp.rayon.elapsedMs,
    rayonThreads: cmp.rayon.threads,
    speedup: cmp.one.elapsedMs / cmp.many.elapsedMs,
    oursVsRayon: cmp.rayon.elapsedMs / cmp.many.elapsedMs,
  };
  console.log(`times: ${JSON.stringify(results.demo)}`);

  // A task whose Web Worker traps (not a panic: `unreachable`, a stack
  // overflow, out of memory): RuntimeError, the worker is replaced,
  // shutdown(wait=True) returns (issue 17).
  const trapKinds = ['unreachable', 'stack_overflow', 'out_of_memory'];
  for (const kind of trapKinds) {
    const trapped = await withTimeout(page.evaluate((kind) =>
      window.demo.rt.call('trapping_task', kind).then((v) => v, (e) => ({ rejected: `${e.name}: ${e.message}` })), kind), 60_000,
      `trapping task (${kind})`).catch((e) => ({ rejected: e.message }));
    check(/^RuntimeError: the worker running this call died/.test(trapped.error ?? '') && trapped.after === 42 && trapped.shut_down,
      `threads mode: a task whose Web Worker traps (${kind}) raises RuntimeError, the worker is replaced, shutdown(wait) returns`,
      JSON.stringify(trapped));
  }
  const trapHost = await page.evaluate(() => window.demo.host());
  check(trapHost.died === trapKinds.length && trapHost.reaped === trapKinds.length,
    'threads mode: the host counted every death and ran its reaper', JSON.stringify(trapHost));

  // A buffer moved to the program worker is detached here (threads mode).
  const moved = await page.evaluate(async () => {
    const buf = new Uint8Array(1 << 16).fill(2);
    const r = await window.demo.rt.call('byte_sum', buf, { transfer: [buf] });
    return { sum: r.sum, len: r.len, senderLength: buf.byteLength, back: r.reversed.length };
  });
  check(moved.sum === 2 * (1 << 16) && moved.senderLength === 0 && moved.back === 1 << 16,
    'threads mode: a transferred buffer arrives whole and is detached on the sender', JSON.stringify(moved));

  if (urlMessages) await messagesMode(urlMessages);

  // ---- executor-api's tests ---------------------------------------------
  const suite = await browser.newPage();
  suite.on('pageerror', (e) => console.log(`suite pageerror: ${e.message}`));
  await suite.goto(new URL('suite/', url).href);
  await withTimeout(suite.waitForFunction(() => window.suiteReady === true, null, { timeout: 0 }), 120_000, 'suite start');
  // A Web Worker that fails to start: an error, not a hang; then all is well.
  const failedStart = await suite.evaluate(async () => {
    window.suite.sabotageNextWorkers(1);
    return window.suite.startExecutor(2).then((v) => ({ value: v }), (e) => ({ message: e.message }));
  });
  check(failedStart.message === "RuntimeError: can't start new thread",
    'a Web Worker that fails to start is a RuntimeError, not a hang', JSON.stringify(failedStart));
  const afterFailure = await suite.evaluate(() => window.suite.startExecutor(2));
  check(afterFailure === 2, 'pools start again after a failed Web Worker', String(afterFailure));
  const suiteHost = await suite.evaluate(() => window.suite.host());
  check(suiteHost.failed === 1, 'the host counted the failed start', JSON.stringify(suiteHost));

  const tests = await suite.evaluate(() => window.suite.list());
  let passed = 0, skipped = 0;
  const failed = [];
  for (const t of tests) {
    if (t.skip) {
      skipped++;
      console.log(`skip ${t.name}: ${t.skip}`);
      continue;
    }
    let r;
    try {
      r = await withTimeout(suite.evaluate((name) => window.suite.run(name), t.name), 120_000, t.name);
    } catch (e) {
      r = { passed: false, message: String(e.message) };
    }
    console.log(`${r.passed ? 'ok  ' : 'FAIL'} ${t.name}${r.passed ? '' : `: ${r.message}`}`);
    if (r.passed) passed++;
    else {
      failed.push(t.name);
      if (/timed out/.test(r.message)) break; // the program worker is stuck
    }
  }
  results.suite = { total: tests.length, passed, skipped, failed };
  check(failed.length === 0 && passed > 0, `executor-api tests in the browser: ${passed} passed, ${skipped} skipped`,
    failed.join(', '));
} catch (e) {
  check(false, `the run itself: ${e.message}`);
} finally {
  await browser.close();
}

if (resultsPath) writeFileSync(resultsPath, JSON.stringify(results, null, 2) + '\n');
if (failures.length) {
  console.log(`\n${failures.length} browser check(s) failed: ${failures.join('; ')}`);
  process.exit(1);
}
console.log('\nall browser checks passed');
