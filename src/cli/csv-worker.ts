/**
 * A worker thread that writes allocations.csv of a large run from a snapshot
 * of its rows (see allocation-rows.ts) while the main thread writes the audit
 * log: the table's bytes, in pieces, with their size and SHA-256; or, given a
 * path, the table written there as it is made, with its size and SHA-256. The same
 * bytes as on the main thread (allocationCsvLines writes what allocationRows
 * and renderCsvPieces write there, a test holds them equal). See table-worker.ts for the other end.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import { allocationCsvLines, type AllocationRowsData } from '../render/allocation-rows.js';
import { csvLinePieces } from '../render/csv.js';
import { measurePieces, writeToFile } from '../io/run-folder.js';

const { data, columns, numberColumns, path, done, port } = workerData as {
  data: AllocationRowsData;
  columns: string[];
  numberColumns: string[];
  /** Where to write the file (flushed and closed), if anywhere: then no piece is kept. */
  path?: string;
  done: SharedArrayBuffer;
  port: MessagePort;
};
const flag = new Int32Array(done);

try {
  const pieces: Buffer[] = [];
  const rows = csvLinePieces(columns, allocationCsvLines(data, columns, numberColumns));
  const { bytes, sha256 } = path === undefined ? measurePieces(rows, (piece) => pieces.push(piece)) : writeToFile(path, (sink) => measurePieces(rows, sink));
  // A piece with a buffer of its own is handed over without a copy; a small one may share Node's pool, and is copied.
  const owned = pieces.map((piece) => (piece.byteOffset === 0 && piece.byteLength === piece.buffer.byteLength ? piece : Buffer.from(piece)));
  port.postMessage({ pieces: owned, bytes, sha256 }, owned.map((piece) => piece.buffer as ArrayBuffer));
} catch (error) {
  port.postMessage({ error: error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error) });
}
Atomics.store(flag, 0, 1);
Atomics.notify(flag, 0);
// The answer is on its way (the other end reads it from its own queue): with the port closed nothing keeps this
// thread, which ends and gives back its memory (about 130 MB at a million villages) while the main thread still
// writes the audit log.
port.close();
