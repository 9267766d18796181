/**
 * A worker thread that checks a run folder as `povalloc verify` does (the
 * report's integrity check, `checkWithVerify`) while the main thread reads
 * the folder's tables for the report: at a million villages the check takes
 * some 3 s (every file hashed, the audit log's chain followed), the reading
 * and rendering longer, and the second core had nothing to do. It answers
 * the check's result as it is (plain data). See integrity-aside.ts for the
 * other end.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import { nameThisWorker } from '../io/thread-name.js';
import { checkWithVerify } from '../io/run-integrity.js';

nameThisWorker();

const { dir, manifest, manifestPresent, done, port } = workerData as { dir: string; manifest: unknown; manifestPresent: boolean; done: SharedArrayBuffer; port: MessagePort };
const flag = new Int32Array(done);

try {
  port.postMessage({ integrity: checkWithVerify(dir, manifest, manifestPresent) });
} catch (error) {
  port.postMessage({ error: error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error) });
}
Atomics.store(flag, 0, 1);
Atomics.notify(flag, 0);
port.close();
