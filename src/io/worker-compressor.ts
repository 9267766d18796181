/**
 * The audit log of a large run compressed on a second thread: while this
 * thread formats and hashes the next entries, a worker turns each finished
 * chunk into its gzip member (the very bytes `gzipMember` gives: same zlib,
 * same level, same header). At a million villages that is a few seconds of
 * work taken off the main thread.
 *
 * The run stays synchronous: the worker counts the members it has sent in a
 * shared integer; `add` takes those already sent off the port with
 * `receiveMessageOnPort`, and `finish` the rest, waiting on that integer
 * (`Atomics.wait`) when the next one is not there yet. The worker runs at a
 * lower priority than this thread (thread-priority.ts); `add` waits when it
 * is more than MAX_PENDING chunks behind.
 */
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { AUDIT_GZIP_LEVEL, type ChunkCompressor } from '../core/audit.js';
import { InternalError } from '../core/problems.js';
import { nameThreadSource } from './thread-name.js';
import { LOWER_PRIORITY_SOURCE } from './thread-priority.js';

/** The worker: a script of its own (no file to find), CommonJS as eval workers are. */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { gzipSync } = require('node:zlib');
// In the background of the run: at a lower priority than the main thread (thread-priority.ts), and named.
${LOWER_PRIORITY_SOURCE}
${nameThreadSource('pv-gzip')}
const sent = new Int32Array(workerData.sent);
const port = workerData.port;
// Everything of size goes back, transferred: the member, in memory of its own, and the chunk's memory (for the next
// chunk). This thread allocates too little to start a collection often, and would otherwise hold the chunks for long.
// A member zlib made may lie in memory it shares (Node's pool for small buffers): it is copied into its own first.
const own = (bytes) => bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && !(bytes.buffer instanceof SharedArrayBuffer);
// The chunk's memory is this thread's alone, moved here (or copied for it) by the message, however little of it the
// chunk fills (the chunk is the part of its buffer that holds lines): moved back whole. Sent back by value, as it was
// when only a chunk filling its buffer was moved, each chunk's 6 MB were copied twice, here and on the main thread
// into fresh memory (about 0.2 s of the main thread's time at a million villages).
const movable = (bytes) => !(bytes.buffer instanceof SharedArrayBuffer);
port.on('message', (chunk) => {
  let reply;
  let transfer = [];
  try {
    let member = gzipSync(chunk, { level: ${AUDIT_GZIP_LEVEL} });
    member[9] = 255;
    if (!own(member)) member = new Uint8Array(member);
    reply = { member, chunk };
    transfer = movable(chunk) ? [member.buffer, chunk.buffer] : [member.buffer];
  } catch (error) {
    reply = { error: String(error && error.stack || error) };
  }
  port.postMessage(reply, transfer);
  Atomics.add(sent, 0, 1);
  Atomics.notify(sent, 0);
});
`;

/** Chunks handed to the worker and not yet compressed, at most (a chunk is a few MB of the log). */
const MAX_PENDING = 4;

/** How long `finish` waits for the worker's next member before it reports a bug rather than hang. */
const STALL_MS = 120_000;

export function workerCompressor(): ChunkCompressor {
  const sentBuffer = new SharedArrayBuffer(4);
  const sent = new Int32Array(sentBuffer);
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { sent: sentBuffer, port: port2 }, transferList: [port2] });
  // The run never waits for the worker to end: it is stopped in finish, and never keeps the process alive.
  worker.unref();
  let added = 0;
  let taken = 0;
  /** Chunk memory back from the worker, for the next chunk. */
  const spares: Buffer[] = [];
  /** The next member if the worker has sent it; waits for it first when `wait`. */
  const take = (wait: boolean): Buffer | undefined => {
    for (;;) {
      const received = receiveMessageOnPort(port1) as { message: { member?: Uint8Array; chunk?: Uint8Array; error?: string } } | undefined;
      if (received) {
        const { member, chunk, error } = received.message;
        if (!member) throw new InternalError(`compressing the audit log failed: ${error ?? 'no member'}`);
        taken++;
        if (chunk && spares.length < 2 && chunk.buffer.byteLength > Buffer.poolSize) spares.push(Buffer.from(chunk.buffer, 0, chunk.buffer.byteLength));
        return Buffer.from(member.buffer, member.byteOffset, member.byteLength);
      }
      // Not there yet: wait until the worker has sent more than we have taken.
      const count = Atomics.load(sent, 0);
      if (count > taken) continue;
      if (!wait) return undefined;
      if (Atomics.wait(sent, 0, count, STALL_MS) === 'timed-out') throw new InternalError(`compressing the audit log: no progress for ${STALL_MS / 1000} s`);
    }
  };
  const stop = (): void => {
    port1.close();
    void worker.terminate();
  };
  return {
    add(chunk) {
      // Its memory goes with it, transferred rather than copied (the chunk is the compressor's, see ChunkCompressor),
      // unless it may lie in Node's pool for small buffers, which other buffers share.
      const own = !(chunk.buffer instanceof SharedArrayBuffer) && chunk.buffer.byteLength > Buffer.poolSize;
      port1.postMessage(chunk, own ? [chunk.buffer as ArrayBuffer] : []);
      added++;
      // The members finished so far go on at once, rather than wait on the port to the end.
      const members: Buffer[] = [];
      try {
        for (let member = take(false); member; member = taken < added ? take(false) : undefined) members.push(member);
        // No more than MAX_PENDING chunks waiting for the worker (which runs at a lower priority, see
        // thread-priority.ts): when this thread makes them faster, it waits, and the worker catches up.
        while (added - taken > MAX_PENDING) members.push(take(true)!);
      } catch (error) {
        stop();
        throw error;
      }
      return members;
    },
    spare() {
      return spares.pop();
    },
    close: stop,
    finish() {
      const members: Buffer[] = [];
      try {
        while (taken < added) members.push(take(true)!);
      } finally {
        stop();
      }
      return members;
    },
  };
}
