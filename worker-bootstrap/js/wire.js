// What every side of a message puts on the wire: errors as {name, message},
// and the buffers a message moves instead of copying.

/** A Python exception (or JS error) raised by a call, as a JS Error. */
export class PyError extends Error {
  constructor({ name, message, stack, detail }) {
    super(message);
    this.name = name;
    if (stack) this.workerStack = stack;
    if (detail) this.detail = detail;
  }
}

/** `{name, message, stack}` of anything thrown, for a message. */
export function errorOf(e) {
  if (e instanceof Error || (e && typeof e === 'object' && 'message' in e)) {
    return { name: e.name || 'Error', message: String(e.message), stack: e.stack };
  }
  return { name: 'Error', message: String(e) };
}

/**
 * The ArrayBuffers in `value` (typed arrays' buffers too, in arrays and
 * plain objects), to transfer with it; `keep` is never moved (a wasm
 * instance's own memory cannot be detached).
 */
export function transferables(value, keep = null, out = new Set(), depth = 0) {
  if (!value || typeof value !== 'object' || depth > 8) return out;
  if (value instanceof ArrayBuffer) {
    if (value !== keep) out.add(value);
  } else if (ArrayBuffer.isView(value)) {
    if (value.buffer !== keep && value.buffer instanceof ArrayBuffer) out.add(value.buffer);
  } else if (Array.isArray(value)) {
    for (const v of value) transferables(v, keep, out, depth + 1);
  } else if (Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) transferables(v, keep, out, depth + 1);
  }
  return out;
}
