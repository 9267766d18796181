/**
 * Last year's allocations.csv (--previous) read on a worker thread
 * (previous-worker.ts) while this thread reads the policy, the county table
 * and the budget: loadInputs' `readPreviousAside`. The worker runs the same
 * `readPreviousFile` as this thread would, so the run is the same whichever
 * thread read the file (tests compare them). Small files, standard input,
 * and any file the worker could not read are read on this thread, as is
 * everything where the worker's module is not beside this one (tests that
 * run the TypeScript sources).
 */
import { statSync } from 'node:fs';
import { previousFromParts, type PreviousAllocationsParts } from '../core/previous.js';
import type { Problem } from '../core/problems.js';
import type { PreviousAside } from '../io/load-inputs.js';
import type { EncodingChoice, InputFile } from '../io/read-inputs.js';
import type { PreviousRead } from '../io/read-previous.js';
import { startAnsweringWorker } from './worker-answer.js';

/**
 * Files smaller than this are read on this thread: starting a worker and
 * loading its modules takes about as long as reading such a file
 * (allocations.csv of some 30,000 villages).
 */
export const MIN_ASIDE_BYTES = 4 * 1024 * 1024;

/** Gives up when the worker has not answered in this long (it is stuck, or gone): the file is then read here. */
const STALL_MS = 600_000;

interface Answer {
  readonly file?: Pick<InputFile, 'path' | 'displayName' | 'encoding'> & { readonly bytes: Uint8Array };
  readonly problems?: readonly Problem[];
  readonly skippedBlankRows?: number;
  readonly parts?: PreviousAllocationsParts;
}

/**
 * Starts reading the file PATH on a worker thread, or declines (undefined)
 * when it is not a file of at least `minBytes` (MIN_ASIDE_BYTES) or there
 * is no worker module to run. The options are for tests.
 */
export function readPreviousOnWorker(path: string, encoding: EncodingChoice, options: { readonly minBytes?: number; readonly worker?: URL } = {}): PreviousAside | undefined {
  try {
    const stats = statSync(path);
    if (!stats.isFile() || stats.size < (options.minBytes ?? MIN_ASIDE_BYTES)) return undefined;
  } catch {
    // Not there, or not to be read: this thread reads it and says why.
    return undefined;
  }
  const worker = startAnsweringWorker(options.worker ?? new URL('./previous-worker.js', import.meta.url), 'pv-previous', () => ({ path, encoding }));
  if (worker === undefined) return undefined;
  return {
    finish(): PreviousRead | undefined {
      const answer = worker.answer<Answer>(STALL_MS);
      if ('failed' in answer || answer.problems === undefined) return undefined;
      const { file, parts } = answer;
      return {
        problems: answer.problems,
        ...(file ? { file: { ...file, bytes: Buffer.from(file.bytes.buffer, file.bytes.byteOffset, file.bytes.byteLength) } } : {}),
        ...(answer.skippedBlankRows !== undefined ? { skippedBlankRows: answer.skippedBlankRows } : {}),
        ...(parts ? { previous: previousFromParts(parts) } : {}),
      };
    },
    cancel: worker.stop,
  };
}
