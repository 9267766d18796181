/**
 * A CSV table written to a file on a worker thread (csv-rows-worker.ts) from
 * rows handed over part by part as the main thread makes them (compare's
 * counties.csv, from the rows of compare.json): a comparison of a million
 * villages took the main thread some 5 s to write that table after the
 * document, while the second core had nothing to do. The worker writes the
 * same bytes as csvPieces would here. The main thread hands over at most
 * MAX_AHEAD parts the worker has not written yet (each copied to it), so a
 * slow disk holds back the rows rather than piling them up. Undefined where
 * the worker's module is not beside this one (tests that run the TypeScript
 * sources): then the table is written on this thread, as it is when the
 * worker fails (`finish` answers undefined, its file removed).
 */
import { rmSync } from 'node:fs';
import { MessageChannel } from 'node:worker_threads';
import type { RowsAside } from '../render/compare.js';
import type { SpooledFile } from '../io/run-folder.js';
import { startAnsweringWorker } from './worker-answer.js';

/** Parts handed over but not yet written, at most. */
const MAX_AHEAD = 512;

/** Gives up when the worker has written nothing for this long (it is stuck, or gone). */
const STALL_MS = 600_000;

/** The worker's young generation: it writes one part after another and keeps nothing. */
const YOUNG_GENERATION_MB = 16;

/**
 * Starts a worker that writes the table with these COLUMNS to the new file
 * PATH as its rows are added; undefined when there is no worker module. The
 * option is for tests.
 */
export function writeCsvRowsOnWorker(path: string, columns: readonly string[], options: { readonly worker?: URL } = {}): RowsAside | undefined {
  const written = new SharedArrayBuffer(4);
  const count = new Int32Array(written);
  const { port1, port2 } = new MessageChannel();
  const worker = startAnsweringWorker(
    options.worker ?? new URL('./csv-rows-worker.js', import.meta.url),
    'pv-csv-rows',
    () => ({ path, columns: [...columns], rows: port2, written }),
    { transferList: [port2], resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } },
  );
  if (worker === undefined) {
    port1.close();
    port2.close();
    return undefined;
  }
  let added = 0;
  let failed = false;
  const stop = (): void => {
    port1.close();
    worker.stop();
  };
  return {
    add(rows) {
      if (failed) return;
      port1.postMessage({ rows });
      added++;
      // No more than MAX_AHEAD parts waiting: the worker counts each it has written.
      // (A worker that failed counts GAVE_UP: then none is waited for, and `finish` finds its answer.)
      for (let seen = Atomics.load(count, 0); !failed && added - seen > MAX_AHEAD; seen = Atomics.load(count, 0)) {
        if (Atomics.wait(count, 0, seen, STALL_MS) === 'timed-out') failed = true;
      }
    },
    finish(): SpooledFile | undefined {
      if (!failed) port1.postMessage({ end: true });
      const answer = failed ? undefined : worker.answer<{ bytes?: number; sha256?: string }>(STALL_MS);
      stop();
      if (answer === undefined || 'failed' in answer || answer.bytes === undefined || answer.sha256 === undefined) {
        // Written here instead: what the worker began is removed.
        rmSync(path, { force: true });
        return undefined;
      }
      return { spooled: path, bytes: answer.bytes, sha256: answer.sha256 };
    },
    cancel: stop,
  };
}
