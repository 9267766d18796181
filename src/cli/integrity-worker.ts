/**
 * A worker thread that checks a run folder as `povalloc verify` does (the
 * report's integrity check, `checkWithVerify`) while the main thread reads
 * the folder's tables for the report: at a million villages the check takes
 * some 3 s (every file hashed, the audit log's chain followed), the reading
 * and rendering longer, and the second core had nothing to do. It answers
 * the check's result as it is (plain data), with the audit log's entries
 * and head (readRunAuditLogInfo). See integrity-aside.ts for the other end.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import { nameThisWorker } from '../io/worker-name.js';
import { readRunAuditLogInfo } from '../io/report-folder.js';
import { checkWithVerify } from '../io/run-integrity.js';

nameThisWorker();

const { dir, manifest, manifestPresent, done, port } = workerData as { dir: string; manifest: unknown; manifestPresent: boolean; done: SharedArrayBuffer; port: MessagePort };
const flag = new Int32Array(done);

try {
  const integrity = checkWithVerify(dir, manifest, manifestPresent);
  // The log's entries and head, which the report shows, read here too: at a million villages that is its 232 MB
  // inflated again, some 0.6 s, and this thread is done some 3.5 s before the main one.
  port.postMessage({ integrity, audit: readRunAuditLogInfo(dir) });
} catch (error) {
  port.postMessage({ error: error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error) });
}
Atomics.store(flag, 0, 1);
Atomics.notify(flag, 0);
port.close();
