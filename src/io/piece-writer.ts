/**
 * A long file written on a second thread as its pieces of bytes are made:
 * each piece is handed over, not copied (or copied once, when it shares its
 * memory), and written and hashed there while this thread makes the next.
 * For compare's compare.json at a million villages (840 MB), the writing and
 * hashing took this thread about 1.5 s of the 6 s it spent on the document.
 * The same file, size and SHA-256 as `writeToFile` with `measurePieces`: a
 * new file (never one already there), flushed and closed. This thread hands
 * over at most MAX_AHEAD pieces the worker has not written yet, so a slow
 * disk holds back the document rather than piling it up in memory. A piece
 * may also be given as text (`writeText`), encoded there: compare.json of a
 * million villages is some 800 MB of text, whose encoding took this thread
 * about 1.8 s; with the worker at a lower priority (thread-priority.ts), the
 * whole `compare --scenario` took a median of 19.35 s against 19.71 s (7 runs
 * each, alternated, 6 of them faster than the run beside them).
 */
import { MessageChannel, Worker } from 'node:worker_threads';
import type { SpooledFile } from './run-folder.js';
import { ownCopy, ownsItsMemory } from './spool-worker.js';
import { nameThreadSource } from './thread-name.js';
import { LOWER_PRIORITY_SOURCE } from './thread-priority.js';

/**
 * What a worker writing a file part by part counts as written once it failed (here, and in csv-rows-worker.ts): a
 * thread waiting for parts to be written never waits beyond it.
 */
export const GAVE_UP = 0x3fffffff;

/** The worker: a script of its own (no file to find), CommonJS as eval workers are. */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { closeSync, fsyncSync, openSync, writeSync } = require('node:fs');
const { createHash } = require('node:crypto');
// In the background of the run: at a lower priority than the main thread (thread-priority.ts), and named.
${LOWER_PRIORITY_SOURCE}
${nameThreadSource('pv-pieces')}
const { path, pieces, written, answer } = workerData;
const count = new Int32Array(written);
const state = new Int32Array(answer, 0, 1);
const text = new Uint8Array(answer, 4);
const digest = createHash('sha256');
let bytes = 0;
let descriptor;
function done(ok, message) {
  if (descriptor !== undefined) closeSync(descriptor);
  descriptor = undefined;
  const encoded = Buffer.from(message, 'utf8').subarray(0, text.length);
  text.set(encoded);
  Atomics.store(state, 0, ok ? encoded.length + 1 : -(encoded.length + 1));
  Atomics.notify(state, 0);
  // A piece count the main thread never waits beyond: it stops waiting for pieces to be written (and finds the answer).
  Atomics.store(count, 0, ${GAVE_UP});
  Atomics.notify(count, 0);
  pieces.close();
}
try {
  descriptor = openSync(path, 'wx');
  pieces.on('message', (message) => {
    if (descriptor === undefined) return;
    try {
      if (message.end) {
        fsyncSync(descriptor);
        done(true, bytes + ' ' + digest.digest('hex'));
        return;
      }
      // A piece given as text is encoded here (UTF-8), off the thread that made it.
      const piece = message.text !== undefined ? Buffer.from(message.text, 'utf8') : message.piece;
      for (let at = 0; at < piece.length; ) at += writeSync(descriptor, piece, at, piece.length - at);
      digest.update(piece);
      bytes += piece.length;
      Atomics.add(count, 0, 1);
      Atomics.notify(count, 0);
    } catch (error) {
      done(false, String(error && error.message ? error.message : error));
    }
  });
  pieces.on('close', () => {
    if (descriptor !== undefined) done(false, 'the pieces stopped coming');
  });
} catch (error) {
  done(false, String(error && error.message ? error.message : error));
}
`;

/** Room for the answer: the size and SHA-256, or an error message (cut short). */
const ANSWER_BYTES = 4 + 1024;
/** Pieces handed over but not yet written, at most. */
const MAX_AHEAD = 64;
/** Gives up when the worker has written nothing for this long (it is stuck, or gone). */
const STALL_MS = 600_000;

export interface PieceWriter {
  /** Hands PIECE over to be written next (it is this thread's no more). */
  write(piece: Buffer): void;
  /** Hands TEXT over to be written next, encoded as UTF-8 by the worker (a copy of the text goes over). */
  writeText(text: string): void;
  /** Waits for every piece to be written and the file flushed and closed: its size and SHA-256. Throws as writing here would have (a full disk, say). */
  finish(): SpooledFile;
  /** Gives up: the worker stops and closes the file (the caller removes it). */
  cancel(): void;
}

/** Starts writing the new file PATH on a worker thread, piece by piece as they are given. */
export function writePiecesOnWorker(path: string): PieceWriter {
  const written = new SharedArrayBuffer(4);
  const count = new Int32Array(written);
  const answer = new SharedArrayBuffer(ANSWER_BYTES);
  const state = new Int32Array(answer, 0, 1);
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path, pieces: port2, written, answer }, transferList: [port2] });
  // Never keeps the process alive; it ends by itself once the file is written.
  worker.unref();
  let handed = 0;
  const failure = (): string | undefined => {
    const length = Atomics.load(state, 0);
    return length < 0 ? Buffer.from(new Uint8Array(answer, 4, -length - 1)).toString('utf8') : undefined;
  };
  const stop = (): void => {
    port1.close();
    void worker.terminate();
  };
  /** Posts MESSAGE, then waits while the worker is more than MAX_AHEAD pieces behind. */
  const handOver = (message: { piece: Buffer } | { text: string }, transfer: ArrayBuffer[]): void => {
    port1.postMessage(message, transfer);
    handed++;
    for (let seen = Atomics.load(count, 0); handed - seen > MAX_AHEAD && seen < GAVE_UP; seen = Atomics.load(count, 0)) {
      if (Atomics.wait(count, 0, seen, STALL_MS) === 'timed-out') {
        stop();
        throw new Error(`writing ${path}: no piece written by its worker thread in ${STALL_MS / 1000} s`);
      }
    }
    const failed = failure();
    if (failed !== undefined) throw new Error(`writing ${path}: ${failed}`);
  };
  return {
    write(piece) {
      const own = ownsItsMemory(piece) ? piece : ownCopy(piece);
      handOver({ piece: own }, [own.buffer as ArrayBuffer]);
    },
    writeText(text) {
      handOver({ text }, []);
    },
    finish() {
      port1.postMessage({ end: true });
      const waited = Atomics.wait(state, 0, 0, STALL_MS);
      stop();
      if (waited === 'timed-out') throw new Error(`writing ${path}: no answer from its worker thread in ${STALL_MS / 1000} s`);
      const length = Atomics.load(state, 0);
      const text = Buffer.from(new Uint8Array(answer, 4, Math.abs(length) - 1)).toString('utf8');
      if (length < 0) throw new Error(`writing ${path}: ${text}`);
      const [size, sha256] = text.split(' ');
      return { spooled: path, bytes: Number(size), sha256: sha256! };
    },
    cancel: stop,
  };
}
