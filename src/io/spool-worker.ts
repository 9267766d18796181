/**
 * A large input's copy written into the run folder on a second thread: the
 * bytes of a village table (56 MB for a million villages) are handed over,
 * not copied, and written, flushed and hashed there while this thread
 * allocates. The copy's size is known at once; its SHA-256 is waited for
 * when first read (the audit log's first entries record it, long after the
 * copy is done). The same file and the same hash as writing it here
 * (`writeToFile` with `measurePieces`).
 */
import { Worker } from 'node:worker_threads';
import { InternalError } from '../core/problems.js';
import type { SpooledFile } from './run-folder.js';
import { nameThreadSource } from './thread-name.js';
import { LOWER_PRIORITY_SOURCE } from './thread-priority.js';

/** The worker: a script of its own (no file to find), CommonJS as eval workers are. */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { closeSync, fsyncSync, openSync, writeSync } = require('node:fs');
const { createHash } = require('node:crypto');
// In the background of the run: at a lower priority than the main thread (thread-priority.ts), and named.
${LOWER_PRIORITY_SOURCE}
${nameThreadSource('pv-copy')}
const { bytes, path, answer } = workerData;
const state = new Int32Array(answer, 0, 1);
const text = new Uint8Array(answer, 4);
let message;
let ok = false;
try {
  // As writeToFile writes: a new file (never one already there), flushed, closed whatever happens.
  const descriptor = openSync(path, 'wx');
  try {
    for (let at = 0; at < bytes.length; ) at += writeSync(descriptor, bytes, at, bytes.length - at);
    fsyncSync(descriptor);
  } finally {
    closeSync(descriptor);
  }
  message = createHash('sha256').update(bytes).digest('hex');
  ok = true;
} catch (error) {
  message = String(error && error.message ? error.message : error);
}
const encoded = Buffer.from(message, 'utf8').subarray(0, text.length);
text.set(encoded);
Atomics.store(state, 0, ok ? encoded.length + 1 : -(encoded.length + 1));
Atomics.notify(state, 0);
`;

/** Room for the answer: a SHA-256 in hex, or an error message (cut short). */
const ANSWER_BYTES = 4 + 1024;
/** Gives up when the copy has not been written in this long (the worker is stuck, or gone). */
const STALL_MS = 600_000;

/**
 * Whether BYTES can be handed to another thread as they are: a buffer that
 * is the whole of its memory (a large file read whole is; a small one may
 * share Node's pool).
 */
export function ownsItsMemory(bytes: Buffer): boolean {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && !(bytes.buffer instanceof SharedArrayBuffer);
}

/** A copy of PIECE in memory of its own (never Node's shared pool, which must not be handed over). */
export function ownCopy(piece: Buffer): Buffer {
  const copy = Buffer.allocUnsafeSlow(piece.byteLength);
  piece.copy(copy);
  return copy;
}

/**
 * Writes BYTES (see `ownsItsMemory`; they are this thread's no more) to the
 * new file PATH on a worker thread: the spooled file, whose `sha256` waits
 * for the worker when first read and throws if it could not write the copy.
 */
export function spoolOnWorker(bytes: Buffer, path: string): SpooledFile {
  const size = bytes.byteLength;
  const answer = new SharedArrayBuffer(ANSWER_BYTES);
  const state = new Int32Array(answer, 0, 1);
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { bytes, path, answer }, transferList: [bytes.buffer as ArrayBuffer] });
  // Never keeps the process alive; it ends by itself once written.
  worker.unref();
  let sha256: string | undefined;
  return {
    spooled: path,
    bytes: size,
    get sha256(): string {
      if (sha256 !== undefined) return sha256;
      if (Atomics.wait(state, 0, 0, STALL_MS) === 'timed-out') throw new InternalError(`copying ${path}: no answer from its worker thread in ${STALL_MS / 1000} s`);
      const length = Atomics.load(state, 0);
      const text = Buffer.from(new Uint8Array(answer, 4, Math.abs(length) - 1)).toString('utf8');
      // As writing the copy on this thread would have failed (a full disk, say).
      if (length < 0) throw new Error(`copying ${path}: ${text}`);
      sha256 = text;
      return sha256;
    },
  };
}
