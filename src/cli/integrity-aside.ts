/**
 * The report's integrity check of a large run folder (`checkWithVerify`)
 * made on a worker thread (integrity-worker.ts) while this thread reads the
 * folder's tables and renders the report: at a million villages the check
 * (about 3 s) then costs the report almost no time. The worker runs the same
 * check on the same manifest, so the report is the same whichever thread
 * checked. A folder that is not a run's, or whose allocations.csv is smaller
 * than MIN_CHECKED_ASIDE_BYTES, is checked on this thread, as is everything where the
 * worker's module is not beside this one (tests that run the TypeScript
 * sources) or the worker fails (`finish` answers undefined).
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { detectFolderKind, readRunManifest, type AuditLogInfo } from '../io/report-folder.js';
import type { Integrity } from '../io/run-integrity.js';
import { startAnsweringWorker } from './worker-answer.js';

/**
 * Folders whose allocations.csv is smaller than this are checked on this thread: starting the worker and loading
 * its modules takes about as long as checking one (some 16,000 villages).
 */
export const MIN_CHECKED_ASIDE_BYTES = 2 * 1024 * 1024;

/** Gives up when the worker has not answered in this long (it is stuck, or gone): the folder is then checked here. */
const STALL_MS = 600_000;

export interface IntegrityAside {
  /** The check's result and the audit log's entries and head (see readRunAuditLogInfo), or undefined when the worker gave none (then check and read here). */
  finish(): { readonly integrity: Integrity; readonly audit: AuditLogInfo | undefined } | undefined;
  /** Stops the worker, answered or not. */
  cancel(): void;
}

/**
 * Starts checking the run folder DIR on a worker thread, or declines
 * (undefined): not a run folder, a small one, or no worker module. The
 * options are for tests.
 */
export function checkIntegrityOnWorker(dir: string, options: { readonly minBytes?: number; readonly worker?: URL } = {}): IntegrityAside | undefined {
  try {
    if (detectFolderKind(dir) !== 'run') return undefined;
    const allocations = join(dir, 'allocations.csv');
    if (!existsSync(allocations) || statSync(allocations).size < (options.minBytes ?? MIN_CHECKED_ASIDE_BYTES)) return undefined;
  } catch {
    // Not a folder the report can read: reading it says why.
    return undefined;
  }
  const { manifest, manifestPresent } = readRunManifest(dir);
  const worker = startAnsweringWorker(options.worker ?? new URL('./integrity-worker.js', import.meta.url), 'pv-integrity', () => ({ dir, manifest, manifestPresent }));
  if (worker === undefined) return undefined;
  return {
    finish() {
      const answer = worker.answer<{ integrity?: Integrity; audit?: AuditLogInfo }>(STALL_MS);
      return 'failed' in answer || answer.integrity === undefined ? undefined : { integrity: answer.integrity, audit: answer.audit };
    },
    cancel: worker.stop,
  };
}
