/**
 * A worker thread that checks the second part of a large run's audit log
 * (from a gzip member on: see checkAuditChainPart) while the main thread
 * checks the first: it answers where the part says it begins and its chain,
 * or that it cannot tell (`undecided`: the part does not begin with an
 * entry, or a member does not gunzip), and then the main thread checks the
 * whole log itself. As checkStoredAuditLog does, the rest of the part is
 * gunzipped after a broken entry, to tell a damaged file. See
 * chain-split.ts for the other end.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import { nameThisWorker } from '../io/worker-name.js';
import { auditLogPieces, checkAuditChainPart, type KeepSpec } from '../core/audit.js';
import { keepOf } from '../core/log-readers.js';

nameThisWorker();

const { bytes, keep, done, port } = workerData as { bytes: Uint8Array; keep: KeepSpec; done: SharedArrayBuffer; port: MessagePort };
const flag = new Int32Array(done);

try {
  const pieces = auditLogPieces(bytes);
  let part;
  try {
    part = checkAuditChainPart(pieces, keepOf(keep));
    if (part?.chain.problem) for (let piece = pieces.next(); !piece.done; piece = pieces.next());
  } catch {
    part = undefined;
  }
  port.postMessage(part === undefined ? { undecided: true } : { part });
} catch (error) {
  port.postMessage({ error: error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error) });
}
Atomics.store(flag, 0, 1);
Atomics.notify(flag, 0);
port.close();
