/**
 * explain's check of a large run's audit log (checkStoredAuditLog with the
 * entries an explanation of a code reads) made on a worker thread
 * (chain-worker.ts) while this thread reads the run's allocations.csv, which
 * such a run's log records by its hash alone. The worker runs the same check
 * on the same file, so the explanation is the same whichever thread checked.
 * A log smaller than MIN_CHAIN_ASIDE_BYTES is checked on this thread, as is
 * every log where the worker's module is not beside this one (tests that run
 * the TypeScript sources) or the worker fails (`finish` answers `failed`).
 */
import { statSync } from 'node:fs';
import type { ChainCheck } from '../core/audit.js';
import { startAnsweringWorker } from './worker-answer.js';

/**
 * Logs smaller than this are checked on this thread: starting the worker and loading its modules takes about as
 * long as checking such a log (a compressed log of some 15,000 villages).
 */
export const MIN_CHAIN_ASIDE_BYTES = 1024 * 1024;

/** Gives up when the worker has not answered in this long (it is stuck, or gone): the log is then checked here. */
const STALL_MS = 600_000;

export interface ChainAside {
  /** What checkStoredAuditLog gives (undefined: not a readable gzip file), or `failed` when the worker gave nothing (then check here). */
  finish(): { readonly chain: ChainCheck | undefined } | 'failed';
  /** Stops the worker, answered or not. */
  cancel(): void;
}

/**
 * Starts checking the log at PATH for an explanation of CODE on a worker
 * thread, or declines (undefined): a small or missing file, or no worker
 * module. The options are for tests.
 */
export function checkChainOnWorker(path: string, code: string, options: { readonly minBytes?: number; readonly worker?: URL } = {}): ChainAside | undefined {
  try {
    const stats = statSync(path);
    if (!stats.isFile() || stats.size < (options.minBytes ?? MIN_CHAIN_ASIDE_BYTES)) return undefined;
  } catch {
    return undefined;
  }
  const worker = startAnsweringWorker(options.worker ?? new URL('./chain-worker.js', import.meta.url), 'pv-chain', () => ({ path, code }));
  if (worker === undefined) return undefined;
  return {
    finish() {
      const answer = worker.answer<{ chain?: ChainCheck; unreadable?: boolean }>(STALL_MS);
      if ('failed' in answer) return 'failed';
      if (answer.unreadable === true) return { chain: undefined };
      return answer.chain === undefined ? 'failed' : { chain: answer.chain };
    },
    cancel: worker.stop,
  };
}
