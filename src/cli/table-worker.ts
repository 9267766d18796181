/**
 * allocations.csv of a large run written on a worker thread (csv-worker.ts)
 * while the main thread writes the audit log: a million rows take seconds to
 * format and join, and a second core is there. The main thread waits for the
 * bytes only when it needs them (the audit log's last entries record the
 * file's SHA-256). Where the worker's module is not beside this one (tests
 * that run the TypeScript sources), the table is written on this thread.
 */
import { InternalError } from '../core/problems.js';
import type { StreamedTable } from '../render/tables.js';
import { startAnsweringWorker, type AnsweringWorker } from './worker-answer.js';

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
  const worker = startTableWorker(() => tableJob(table, path));
  return worker === undefined ? undefined : pendingTable(worker);
}

/** What the worker is given to write. */
function tableJob(table: StreamedTable, path: string | undefined): Record<string, unknown> {
  return { data: table.snapshot(), columns: table.columns, numberColumns: table.numberColumns, path };
}

function startTableWorker(job: () => Record<string, unknown>): AnsweringWorker | undefined {
  return startAnsweringWorker(new URL('./csv-worker.js', import.meta.url), 'pv-table', job, { resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
}

/** A table's worker begun before the table is made (see tableWriterAhead). */
export interface TableWriterAhead {
  /** writeTableOnWorker on the worker begun ahead (once). */
  write(table: StreamedTable, path?: string): PendingTable;
  /** Stops the worker, unless it was given a table (then the table's `finish` does). */
  close(): void;
}

/**
 * A worker for a large run's allocations.csv begun now, before the run is
 * made: it loads its modules while the second core has little to do, and
 * waits for the table. Undefined when there is no worker module to run.
 */
export function tableWriterAhead(): TableWriterAhead | undefined {
  const worker = startTableWorker(() => ({}));
  if (worker === undefined) return undefined;
  let given = false;
  return {
    write(table, path) {
      if (given) throw new InternalError('the table worker begun ahead was given a second table');
      given = true;
      worker.post(tableJob(table, path));
      return pendingTable(worker);
    },
    close() {
      if (!given) worker.stop();
    },
  };
}

/** The table the worker writes, waited for when asked. */
function pendingTable(worker: AnsweringWorker): PendingTable {
  let result: WrittenTable | undefined;
  return {
    finish() {
      if (result) return result;
      const answer = worker.answer<{ pieces?: Uint8Array[]; bytes?: number; sha256?: string }>(STALL_MS);
      if ('failed' in answer || !answer.pieces || answer.bytes === undefined || answer.sha256 === undefined) {
        throw new InternalError(`writing allocations.csv on a worker thread failed: ${'failed' in answer ? answer.failed : 'no table in its answer'}`);
      }
      result = { pieces: answer.pieces.map((piece) => Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength)), bytes: answer.bytes, sha256: answer.sha256 };
      return result;
    },
  };
}
