/**
 * A worker thread that reads last year's allocations.csv (--previous) while
 * the main thread reads the county table: at a million villages the file is
 * 131 MB, and reading, decoding and parsing it took the main thread 2.6 s
 * while the second core had nothing to do. It runs `readPreviousFile`, as
 * the main thread would, and hands back the file's bytes and the rows'
 * typed arrays without copying them. See previous-aside.ts for the other end.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import { nameThisWorker } from '../io/worker-name.js';
import { previousParts } from '../core/previous.js';
import type { EncodingChoice } from '../io/read-inputs.js';
import { readPreviousFile } from '../io/read-previous.js';
import { ownsItsMemory } from '../io/spool-worker.js';

nameThisWorker();

const { path, encoding, done, port } = workerData as { path: string; encoding: EncodingChoice; done: SharedArrayBuffer; port: MessagePort };
const flag = new Int32Array(done);

try {
  const read = readPreviousFile(path, encoding, () => {
    throw new Error('standard input is read on the main thread');
  });
  const transfer: ArrayBuffer[] = [];
  let file;
  if (read.file) {
    // A buffer of its own is handed over as it is (a file this large is read into one).
    const bytes = ownsItsMemory(read.file.bytes) ? read.file.bytes : Buffer.from(read.file.bytes);
    if (ownsItsMemory(bytes)) transfer.push(bytes.buffer as ArrayBuffer);
    file = { ...read.file, bytes };
  }
  const parts = read.previous ? previousParts(read.previous) : undefined;
  if (parts) {
    const { lines, central, provincial, sorted, rowAt } = parts.store;
    transfer.push(lines.buffer, central.buffer, provincial.buffer, sorted.buffer, rowAt.buffer);
  }
  port.postMessage({ file, problems: read.problems, skippedBlankRows: read.skippedBlankRows, parts }, transfer);
} catch (error) {
  port.postMessage({ error: error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error) });
}
Atomics.store(flag, 0, 1);
Atomics.notify(flag, 0);
port.close();
