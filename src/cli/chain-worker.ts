/**
 * A worker thread that checks a run's audit log (the hash chain, as explain
 * checks it before it explains) and keeps the entries an explanation of a
 * code reads, while the main thread reads the run's allocations.csv: at a
 * million villages the check takes some 3 s and the table 2 s, and the
 * second core had nothing to do. It answers the check as it is (plain data),
 * or that the log is not a readable gzip file. See chain-aside.ts for the
 * other end.
 */
import { readFileSync } from 'node:fs';
import { workerData, type MessagePort } from 'node:worker_threads';
import { nameThisWorker } from '../io/worker-name.js';
import { checkStoredAuditLog } from '../core/audit.js';
import { entriesToExplain } from '../core/explain.js';

nameThisWorker();

const { path, code, done, port } = workerData as { path: string; code: string; done: SharedArrayBuffer; port: MessagePort };
const flag = new Int32Array(done);

try {
  const chain = checkStoredAuditLog(readFileSync(path), entriesToExplain(code));
  port.postMessage(chain === undefined ? { unreadable: true } : { chain });
} catch (error) {
  port.postMessage({ error: error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error) });
}
Atomics.store(flag, 0, 1);
Atomics.notify(flag, 0);
port.close();
