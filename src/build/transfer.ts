/**
 * Moving bytes to another thread: `postMessage` can transfer an ArrayBuffer instead of copying it,
 * which detaches it here. Only safe when the view is the whole of its buffer; otherwise the transfer
 * would take whatever else shares the buffer (a pool, other items) with it.
 */

/** Whether `bytes` is the whole of its buffer, so that transferring the buffer gives away nothing else. */
export function ownsBuffer(bytes: Uint8Array): boolean {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
}
