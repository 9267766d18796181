/**
 * allocations.csv of a large run written on a worker thread (csv-worker.ts)
 * while the main thread writes the audit log: a million rows take seconds to
 * format and join, and a second core is there. The main thread waits for the
 * bytes only when it needs them (the audit log's last entries record the
 * file's SHA-256). Where the worker's module is not beside this one (tests
 * that run the TypeScript sources), the table is written on this thread.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MessageChannel, Worker } from 'node:worker_threads';
import { InternalError } from '../core/problems.js';
import type { StreamedTable } from '../render/tables.js';
import { waitForAnswer } from './worker-answer.js';

/** A table's bytes in pieces (none when it was written to a file), with their size and SHA-256. */
export interface WrittenTable {
  readonly pieces: readonly Buffer[];
  readonly bytes: number;
  readonly sha256: string;
}

/** A table being written elsewhere: `finish` waits for it. */
export interface PendingTable {
  finish(): WrittenTable;
}

/**
 * The worker's young generation: it formats one row after another and keeps nothing, so a small one does
 * (the main thread's, 32 MB per semi-space, would make its heap larger; see bin/povalloc.js).
 */
const YOUNG_GENERATION_MB = 16;

/** Gives up when the worker has not answered in this long (it is stuck, or gone). */
const STALL_MS = 600_000;

/**
 * Starts writing the table on a worker thread, to the file PATH if given (as
 * it is made, flushed and closed; then no piece comes back); undefined when
 * there is no worker module to run (then write it here).
 */
export function writeTableOnWorker(table: StreamedTable, path?: string): PendingTable | undefined {
  const url = new URL('./csv-worker.js', import.meta.url);
  if (url.protocol !== 'file:' || !existsSync(fileURLToPath(url))) return undefined;
  const done = new SharedArrayBuffer(4);
  const flag = new Int32Array(done);
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(url, { resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB }, workerData: { data: table.snapshot(), columns: table.columns, numberColumns: table.numberColumns, path, done, port: port2 }, transferList: [port2] });
  // The run never waits for the worker to end: it is stopped once it has answered, and never keeps the process alive.
  worker.unref();
  let result: WrittenTable | undefined;
  return {
    finish() {
      if (result) return result;
      try {
        const message = waitForAnswer<{ pieces?: Uint8Array[]; bytes?: number; sha256?: string; error?: string }>(flag, port1, STALL_MS);
        if (message === 'timed-out') throw new InternalError(`writing allocations.csv: no answer from its worker thread in ${STALL_MS / 1000} s`);
        if (!message?.pieces || message.bytes === undefined || message.sha256 === undefined) {
          throw new InternalError(`writing allocations.csv on a worker thread failed: ${message?.error ?? 'no answer'}`);
        }
        result = { pieces: message.pieces.map((piece) => Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength)), bytes: message.bytes, sha256: message.sha256 };
        return result;
      } finally {
        port1.close();
        void worker.terminate();
      }
    },
  };
}
