/**
 * A large run's audit log checked on two threads: the part from the gzip
 * member that halves its text (memberHalvingText) on, on a worker thread
 * (chain-part-worker.ts), the part before on this one. Each entry's hash is
 * of its own text and its prev, so a part can be checked from its first
 * entry on; when the first part is intact and the second begins where it
 * ends (the next seq, the last hash as its prev), the chain of the log is the
 * two chains one after the other: the same entries, problem, count and head
 * as checkStoredAuditLog finds on one thread. In every other case (a broken
 * first part, parts that do not meet, a member that does not gunzip, a
 * worker that fails) the whole log is checked here as before, so that what
 * is reported is what one thread reports. `verify` and `explain --county`
 * of a million villages check a log of 2,881 entries (232 MB of text).
 */
import { checkStoredAuditLog, memberHalvingText, type ChainCheck, type KeepSpec } from '../core/audit.js';
import { keepOf } from '../core/log-readers.js';
import { ownCopy } from '../io/spool-worker.js';
import { startAnsweringWorker } from './worker-answer.js';

/** Logs smaller than this are checked on this thread alone: the worker would start and load about as long as it checks. */
export const MIN_SPLIT_BYTES = 1024 * 1024;

/** Gives up when the worker has not answered in this long (it is stuck, or gone): the log is then checked here. */
const STALL_MS = 600_000;

interface PartAnswer {
  readonly part?: { readonly start: { readonly seq: number; readonly prev: string }; readonly chain: ChainCheck };
  readonly undecided?: boolean;
}

/** checkStoredAuditLog(STORED, keepOf(KEEP)), on two threads when the log is large. The options are for tests. */
export function checkStoredAuditLogOnTwoThreads(stored: Uint8Array, keep: KeepSpec, options: { readonly minBytes?: number; readonly worker?: URL } = {}): ChainCheck | undefined {
  const whole = (): ChainCheck | undefined => checkStoredAuditLog(stored, keepOf(keep));
  if (stored.byteLength < (options.minBytes ?? MIN_SPLIT_BYTES)) return whole();
  const split = memberHalvingText(stored);
  if (split <= 0) return whole();
  // The worker reads its part where it lies when the bytes are in shared memory (readFileShared); else it is
  // given a copy of its own (handed over), and this thread keeps the bytes it was given.
  const part = Buffer.from(stored.buffer, stored.byteOffset + split, stored.byteLength - split);
  const shared = stored.buffer instanceof SharedArrayBuffer;
  const second = shared ? part : ownCopy(part);
  const worker = startAnsweringWorker(
    options.worker ?? new URL('./chain-part-worker.js', import.meta.url),
    'pv-chain-part',
    () => ({ bytes: second, keep }),
    shared ? {} : { transferList: [second.buffer as ArrayBuffer] },
  );
  if (worker === undefined) return whole();
  try {
    // Undefined when a member of it does not gunzip: then the whole is checked here.
    const first = checkStoredAuditLog(stored.subarray(0, split), keepOf(keep));
    const answer = worker.answer<PartAnswer>(STALL_MS);
    const part = 'failed' in answer ? undefined : answer.part;
    if (first === undefined || first.problem || part === undefined) return whole();
    if (part.start.seq !== first.count + 1 || part.start.prev !== first.headHash) return whole();
    const entries = first.entries;
    for (const entry of part.chain.entries) entries.push(entry);
    return { entries, count: part.chain.count, headHash: part.chain.headHash, ...(part.chain.problem ? { problem: part.chain.problem } : {}) };
  } finally {
    worker.stop();
  }
}
