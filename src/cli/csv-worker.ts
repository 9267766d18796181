/**
 * A worker thread that writes allocations.csv of a large run from a snapshot
 * of its rows (see allocation-rows.ts) while the main thread writes the audit
 * log: the table's bytes, in pieces, with their size and SHA-256; or, given a
 * path, the table written there as it is made, with its size and SHA-256. The same
 * bytes as on the main thread (writeAllocationCsv writes what allocationRows
 * and renderCsvPieces write there, a test holds them equal). See table-worker.ts for the other end.
 */
import { createHash } from 'node:crypto';
import { workerData, type MessagePort } from 'node:worker_threads';
import { writeAllocationCsv, type AllocationRowsData } from '../render/allocation-rows.js';
import { writeToFile } from '../io/run-folder.js';
import { ownCopy } from '../io/spool-worker.js';
import { lowerThisThreadsPriority } from '../io/thread-priority.js';
import { nameThisWorker } from '../io/worker-name.js';

nameThisWorker();

/** The table to write. */
interface TableJob {
  data: AllocationRowsData;
  columns: string[];
  numberColumns: string[];
  /** Where to write the file (flushed and closed), if anywhere: then no piece is kept. */
  path?: string;
}

const { done, port } = workerData as { done: SharedArrayBuffer; port: MessagePort };
// In the background of the run: at a lower priority than the main thread.
lowerThisThreadsPriority();
const flag = new Int32Array(done);
// Given with the worker's data, or, for a worker begun before its table was made (table-worker.ts, tableWriterAhead),
// posted to it later.
const { data, columns, numberColumns, path } =
  (workerData as Partial<TableJob>).data !== undefined ? (workerData as TableJob) : await new Promise<TableJob>((resolve) => port.once('message', resolve));

try {
  // The table's bytes come a megabyte at a time in one buffer written over next: each piece is hashed and written
  // to the file, or kept as a copy (with a buffer of its own, handed over without another copy).
  const pieces: Buffer[] = [];
  const measured = (sink: (piece: Buffer) => void): { bytes: number; sha256: string } => {
    const digest = createHash('sha256');
    let bytes = 0;
    writeAllocationCsv(data, columns, numberColumns, (piece) => {
      digest.update(piece);
      bytes += piece.byteLength;
      sink(piece);
    });
    return { bytes, sha256: digest.digest('hex') };
  };
  const { bytes, sha256 } = path === undefined ? measured((piece) => pieces.push(ownCopy(piece))) : writeToFile(path, measured);
  port.postMessage({ pieces, bytes, sha256 }, pieces.map((piece) => piece.buffer as ArrayBuffer));
} catch (error) {
  port.postMessage({ error: error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error) });
}
Atomics.store(flag, 0, 1);
Atomics.notify(flag, 0);
// The answer is on its way (the other end reads it from its own queue): with the port closed nothing keeps this
// thread, which ends and gives back its memory (about 130 MB at a million villages) while the main thread still
// writes the audit log.
port.close();
